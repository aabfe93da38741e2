import { describe, it, expect } from "vitest";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";

// kubectl drain / uncordon: sim.drainNode cordons the node and evicts its pods with their
// grace period; sim.uncordonNode lets the scheduler use it again.

function api(replicas: number, preStopSeconds: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", labels: { app: "api" } },
    spec: {
      replicas,
      selector: { matchLabels: { app: "api" } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: "api",
              image: "example/api:1.0",
              ports: [{ containerPort: 8080 }],
              ...(preStopSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: preStopSeconds } } } } : {}),
            },
          ],
        },
      },
    },
  };
}
const service: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } };

function cluster(replicas: number, preStopSeconds: number, seed = 5): Simulation {
  const sim = new Simulation({ seed, nodes: 3 });
  sim.apply([api(replicas, preStopSeconds), service]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5), onSigterm: "drain" });
  sim.settle();
  return sim;
}

const nodeOf = (sim: Simulation): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of sim.pods({ app: "api" })) if (p.metadata.deletionTimestamp === undefined) out[p.spec.nodeName ?? "-"] = (out[p.spec.nodeName ?? "-"] ?? 0) + 1;
  return out;
};

describe("Simulation.drainNode / uncordonNode", () => {
  it("cordons the node, evicts its pods, and their replacements land on the other nodes", () => {
    const sim = cluster(6, 0);
    expect(nodeOf(sim)).toEqual({ "node-1": 2, "node-2": 2, "node-3": 2 });
    const evicted = sim.drainNode("node-2");
    expect(evicted).toHaveLength(2);
    expect(sim.store.get("Node", undefined, "node-2")?.spec?.unschedulable).toBe(true);
    sim.runFor(60_000);
    expect(nodeOf(sim)).toEqual({ "node-1": 3, "node-3": 3 });
    expect(sim.pods({ app: "api" }).filter((p) => p.spec.nodeName === "node-2")).toEqual([]);
    // The node lifecycle controller mirrors the cordon as a NoSchedule taint.
    expect(sim.store.get("Node", undefined, "node-2")?.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toContain("node.kubernetes.io/unschedulable:NoSchedule");
    // Uncordoned: a scale-up may use node-2 again (the scheduler picks the emptiest node).
    sim.uncordonNode("node-2");
    sim.scale("api", 7);
    sim.runFor(30_000);
    expect(nodeOf(sim)).toEqual({ "node-1": 3, "node-2": 1, "node-3": 3 });
  });

  it("3 replicas spread, preStop sleep 5 s, draining app: no request fails during the drain", () => {
    const sim = cluster(3, 5);
    sim.addClient({ name: "frontend", target: "http://api:80", rate: 200, node: "node-1" });
    sim.runFor(5_000);
    const before = sim.results().outcomes;
    sim.drainNode("node-3");
    sim.runFor(60_000);
    const r = sim.results();
    expect(r.outcomes.completed - before.completed).toBeGreaterThan(11_000); // ~200/s x 60 s
    expect({ refused: r.outcomes.refused, reset: r.outcomes.reset, timedOut: r.outcomes.timedOut, dropped: r.outcomes.dropped }).toEqual({ refused: 0, reset: 0, timedOut: 0, dropped: 0 });
    expect(Object.keys(nodeOf(sim)).sort()).toEqual(["node-1", "node-2"]);
  });

  it("without preStop, an exiting app on the drained node fails some requests (the race the preStop hides)", () => {
    const sim = new Simulation({ seed: 5, nodes: 3 });
    sim.apply([api(3, 0), service]);
    sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5), onSigterm: "exit" });
    sim.settle();
    sim.addClient({ name: "frontend", target: "http://api:80", rate: 200, node: "node-1" });
    sim.runFor(5_000);
    sim.drainNode("node-3");
    sim.runFor(30_000);
    const o = sim.results().outcomes;
    expect(o.refused + o.reset + o.timedOut).toBeGreaterThan(0);
  });

  it.each([
    ["drainNode", (s: Simulation) => s.drainNode("node-9")],
    ["uncordonNode", (s: Simulation) => s.uncordonNode("node-9")],
  ] as const)("%s of an unknown node names the field", (method, call) => {
    const sim = cluster(1, 0);
    expect(() => call(sim)).toThrow(`${method}: node: Not found: "node-9": known nodes: node-1, node-2, node-3`);
  });
});
