import { describe, it, expect } from "vitest";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service, ServiceSpec } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";
import type { KubeProxySettings } from "./simulation.js";
import { compareModes } from "./compare.js";

// Cilium's --bpf-lb-algorithm=maglev end to end: external traffic through a NodePort is
// hashed into each node's Maglev table, pods' ClusterIP traffic keeps socket-LB's random slot.

function deployment(replicas: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "api" } },
      template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

function service(spec: Partial<ServiceSpec>): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}

function cluster(kubeProxy: KubeProxySettings, spec: Partial<ServiceSpec>, replicas: number): Simulation {
  const sim = new Simulation({ seed: 4, kubeProxy });
  sim.apply([deployment(replicas), service(spec)]);
  sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
  sim.settle();
  return sim;
}

const nodePort = (sim: Simulation): number => sim.store.get("Service", "default", "api")?.spec.ports?.[0].nodePort ?? 0;

describe("Simulation: Cilium with --bpf-lb-algorithm=maglev", () => {
  it("an external client through a NodePort spreads about 1/N per backend (N = 4, seed 4, 8,000 requests: each share 0.25 +- 0.03)", () => {
    const sim = cluster({ mode: "cilium", cilium: { algorithm: "maglev" } }, { type: "NodePort" }, 4);
    sim.addExternalClient({ name: "net", target: `${sim.nodeIP("node-1")}:${nodePort(sim)}`, rate: 400 });
    sim.runFor(20_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.completed).toBe(r.started);
    expect(r.started).toBeGreaterThan(7500);
    expect(r.endpoints).toHaveLength(4);
    for (const e of r.endpoints) expect(Math.abs(e.share - 0.25)).toBeLessThan(0.03);
  });

  it("ClusterIP traffic is unchanged: cilium and cilium:maglev give the same digest for a ClusterIP-only scenario", () => {
    const rows = compareModes({ modes: ["cilium", "cilium:maglev"], simulation: { seed: 9 } }, (sim) => {
      sim.apply([deployment(3), service({})]);
      sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
      sim.settle();
      sim.addClient({ name: "c", target: "api:80", rate: 200 });
      sim.runFor(10_000);
      sim.scale("api", 5);
      sim.runFor(10_000);
    });
    expect(rows[0].results.started).toBeGreaterThan(3000);
    expect(rows[1].results.digest).toBe(rows[0].results.digest);
  });

  it("NodePort traffic does differ between the two algorithms (same seed)", () => {
    const digests = (["random", "maglev"] as const).map((algorithm) => {
      const sim = cluster({ mode: "cilium", cilium: { algorithm } }, { type: "NodePort" }, 3);
      sim.addExternalClient({ name: "net", target: `${sim.nodeIP("node-2")}:${nodePort(sim)}`, rate: 200 });
      sim.runFor(5000);
      return sim.results().digest;
    });
    expect(digests[1]).not.toBe(digests[0]);
  });

  it("refuses an unknown algorithm with the field path", () => {
    expect(() => new Simulation({ seed: 1, kubeProxy: { mode: "cilium", cilium: { algorithm: "hash" as never } } })).toThrow(
      'kubeProxy.cilium.algorithm: Unsupported value: "hash": supported values: "maglev", "random"',
    );
  });
});
