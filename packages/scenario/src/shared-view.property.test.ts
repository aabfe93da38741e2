import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { constant, exponential, uniform } from "@kube-netsim/core";
import type { Distribution } from "@kube-netsim/core";
import type { Deployment, KubeObject, Service, ServiceSpec } from "@kube-netsim/model";
import type { KubeProxy } from "@kube-netsim/proxy";
import { Simulation } from "./simulation.js";

// Acceptance test of the kube-proxies' shared mode (issue 9, SharedServiceView): random
// small scenarios run once with shared state and once with per-node state must agree on
// everything observable: every node's frontends (all fields), rulesets, stats, health
// checks, and the results digest (which covers every sync and every request). The
// fast-check seed is fixed (vitest.setup.ts).

interface ServiceCase {
  readonly replicas: number;
  readonly type: "ClusterIP" | "NodePort";
  readonly affinity: boolean;
  readonly internalLocal: boolean;
  readonly externalLocal: boolean;
  readonly preferClose: boolean;
  readonly udp: boolean;
  readonly twoPorts: boolean;
}

type Action =
  | { readonly at: number; readonly kind: "rollout" | "scale" | "delete-service" | "recreate-service"; readonly service: number; readonly n: number }
  | { readonly at: number; readonly kind: "fail-node" | "recover-node" | "stall" | "label-node" | "partition" | "heal"; readonly node: number; readonly n: number }
  | { readonly at: number; readonly kind: "probe"; readonly node: number; readonly service: number; readonly n: number }
  | { readonly at: number; readonly kind: "inspect"; readonly node: number; readonly n: number };

interface Scenario {
  readonly nodes: number;
  readonly mode: "iptables" | "nftables" | "cilium";
  readonly maglev: boolean;
  readonly watchDelay: 0 | 1 | 2;
  readonly minSyncPeriod: number;
  readonly syncDuration: number;
  readonly services: readonly ServiceCase[];
  readonly clients: readonly { readonly service: number; readonly node: number }[];
  readonly actions: readonly Action[];
  readonly seed: number;
}

function deployment(i: number, replicas: number, image: string, udp: boolean): Deployment {
  const app = `app-${i}`;
  const ports = [{ name: "http", containerPort: 8080 }, ...(udp ? [{ name: "dns", containerPort: 5353, protocol: "UDP" as const }] : [])];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app },
    spec: { replicas, selector: { matchLabels: { app } }, template: { metadata: { labels: { app, tier: "app" } }, spec: { containers: [{ name: "app", image, ports }] } } },
  };
}

function service(i: number, c: ServiceCase): Service {
  const spec: ServiceSpec = {
    selector: { app: `app-${i}` },
    type: c.type,
    ports: [
      { name: "http", port: 80, targetPort: 8080 },
      ...(c.twoPorts ? [{ name: "alt", port: 81, targetPort: 8080 }] : []),
      ...(c.udp ? [{ name: "dns", port: 53, targetPort: 5353, protocol: "UDP" as const }] : []),
    ],
    ...(c.affinity ? { sessionAffinity: "ClientIP" as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } } } : {}),
    ...(c.internalLocal ? { internalTrafficPolicy: "Local" as const } : {}),
    ...(c.externalLocal && c.type === "NodePort" ? { externalTrafficPolicy: "Local" as const } : {}),
    ...(c.preferClose ? { trafficDistribution: "PreferClose" } : {}),
  };
  return { apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}` }, spec };
}

const WATCH_DELAYS: readonly Distribution[] = [constant(0), uniform(0, 40), exponential(15)];

/** Everything a node's kube-proxy shows for its programmed frontends, as plain data. */
function frontendView(kp: KubeProxy): unknown {
  return kp.programmedFrontends().map((f) => ({
    address: f.address,
    spn: f.servicePortName,
    verdict: f.verdict,
    endpoints: f.endpoints.map((e) => `${e.key}|${e.isLocal}|${e.ready}|${e.serving}|${e.terminating}`),
    destinations: f.destinations.length,
    itp: f.internalTrafficPolicy,
    etp: f.externalTrafficPolicy,
    affinity: f.affinityTimeout,
    kind: f.kind,
    externalKind: f.externalKind,
    hc: f.healthCheckNodePort,
    at: f.programmedAt,
  }));
}

function one(kp: KubeProxy, address: string): unknown {
  const f = kp.frontend(address);
  return [f.address, f.servicePortName, f.verdict, f.endpoints.map((e) => `${e.key}|${e.isLocal}`).join(","), f.programmedAt, f.affinityTimeout, f.kind];
}

/** Runs a scenario; returns every observation in order, and the digest. */
function runScenario(s: Scenario, shared: boolean): unknown[] {
  const sim = new Simulation({
    seed: s.seed,
    nodes: s.nodes,
    kubeProxy: { mode: s.mode, shared, minSyncPeriod: s.minSyncPeriod, ...(s.mode === "cilium" && s.maglev ? { cilium: { algorithm: "maglev" as const } } : {}) },
    timings: { watchDelay: WATCH_DELAYS[s.watchDelay], ...(s.syncDuration > 0 ? { proxySyncDuration: uniform(0, s.syncDuration) } : {}) },
  });
  const out: unknown[] = [];
  const objects: KubeObject[] = [];
  s.services.forEach((c, i) => objects.push(deployment(i, c.replicas, "app:1", c.udp), service(i, c)));
  sim.apply(objects);
  sim.setApplication({ tier: "app" }, { serviceTime: constant(1) });
  const node = (n: number): string => sim.nodeNames[n % sim.nodeNames.length];
  const clusterIP = (i: number): string | undefined => sim.store.get("Service", "default", `svc-${i}`)?.spec.clusterIP;
  sim.runFor(3000);
  // Every ClusterIP a Service had (probed on every node at the end, deleted ones included).
  const ips = new Set<string>();
  const noteIPs = (): void => s.services.forEach((_, i) => ips.add(clusterIP(i) ?? "10.96.0.99"));
  noteIPs();
  const failed = new Set<string>();
  const partitioned = new Set<string>();
  s.clients.forEach((c, k) => {
    if (!failed.has(node(c.node))) sim.addClient({ name: `c-${k}`, target: `svc-${c.service % s.services.length}:80`, rate: 20, node: node(c.node) });
  });
  for (const a of [...s.actions].sort((x, y) => x.at - y.at)) {
    sim.runUntil(3000 + a.at);
    switch (a.kind) {
      case "rollout": {
        const i = a.service % s.services.length;
        sim.apply([deployment(i, s.services[i].replicas, `app:${2 + a.n}`, s.services[i].udp)]);
        break;
      }
      case "scale":
        sim.scale(`app-${a.service % s.services.length}`, a.n % 4);
        break;
      case "delete-service":
        sim.store.delete("Service", "default", `svc-${a.service % s.services.length}`);
        break;
      case "recreate-service": {
        const i = a.service % s.services.length;
        if (sim.store.get("Service", "default", `svc-${i}`) === undefined) sim.apply([service(i, s.services[i])]);
        noteIPs();
        break;
      }
      case "fail-node":
        if (!failed.has(node(a.node)) && !partitioned.has(node(a.node)) && failed.size + 1 < s.nodes) {
          sim.failNode(node(a.node));
          failed.add(node(a.node));
        }
        break;
      case "recover-node":
        if (failed.has(node(a.node))) {
          sim.recoverNode(node(a.node));
          failed.delete(node(a.node));
        }
        break;
      case "partition":
        if (!failed.has(node(a.node)) && !partitioned.has(node(a.node))) {
          sim.partitionNode(node(a.node));
          partitioned.add(node(a.node));
        }
        break;
      case "heal":
        if (partitioned.has(node(a.node))) {
          sim.healPartition(node(a.node));
          partitioned.delete(node(a.node));
        }
        break;
      case "stall":
        if (!failed.has(node(a.node)) && !partitioned.has(node(a.node))) sim.stallKubeProxy(node(a.node), 500 + 1000 * a.n);
        break;
      case "label-node":
        sim.store.mutate("Node", undefined, node(a.node), (d) => {
          d.metadata.labels = { ...(d.metadata.labels ?? {}), "example.com/rev": String(a.n) };
        });
        break;
      case "probe": {
        const ip = clusterIP(a.service % s.services.length);
        const kp = sim.kubeProxy(node(a.node));
        out.push(["probe", a.at, one(kp, `${ip ?? "10.96.0.99"}:80/TCP`), kp.inSync, kp.stats]);
        break;
      }
      case "inspect": {
        const kp = sim.kubeProxy(node(a.node));
        out.push(["inspect", a.at, node(a.node), frontendView(kp), kp.ruleset(), kp.programmedAddresses(), kp.stats, kp.inSync]);
        break;
      }
    }
  }
  sim.runFor(5000);
  for (const name of sim.nodeNames) for (const ip of [...ips].sort()) out.push(["address", name, one(sim.kubeProxy(name), `${ip}:80/TCP`)]);
  for (const name of sim.nodeNames) {
    const kp = sim.kubeProxy(name);
    out.push(["final", name, frontendView(kp), kp.ruleset(), kp.stats, kp.inSync, s.services.map((_, i) => kp.healthCheck("default", `svc-${i}`))]);
  }
  out.push(["digest", sim.results().digest]);
  return out;
}

const serviceCase: fc.Arbitrary<ServiceCase> = fc.record({
  replicas: fc.integer({ min: 0, max: 4 }),
  type: fc.constantFrom("ClusterIP" as const, "NodePort" as const),
  affinity: fc.boolean(),
  internalLocal: fc.boolean(),
  externalLocal: fc.boolean(),
  preferClose: fc.boolean(),
  udp: fc.boolean(),
  twoPorts: fc.boolean(),
});

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ at: fc.integer({ min: 0, max: 20_000 }), kind: fc.constantFrom("rollout" as const, "scale" as const, "delete-service" as const, "recreate-service" as const), service: fc.nat(5), n: fc.nat(3) }),
  fc.record({ at: fc.integer({ min: 0, max: 20_000 }), kind: fc.constantFrom("fail-node" as const, "recover-node" as const, "stall" as const, "label-node" as const, "partition" as const, "heal" as const), node: fc.nat(5), n: fc.nat(3) }),
  fc.record({ at: fc.integer({ min: 0, max: 20_000 }), kind: fc.constant("probe" as const), node: fc.nat(5), service: fc.nat(5), n: fc.nat(3) }),
  fc.record({ at: fc.integer({ min: 0, max: 20_000 }), kind: fc.constant("inspect" as const), node: fc.nat(5), n: fc.nat(3) }),
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  nodes: fc.integer({ min: 1, max: 4 }),
  mode: fc.constantFrom("iptables" as const, "nftables" as const, "cilium" as const),
  maglev: fc.boolean(),
  watchDelay: fc.constantFrom(0 as const, 1 as const, 2 as const),
  minSyncPeriod: fc.constantFrom(0, 1000),
  syncDuration: fc.constantFrom(0, 0, 300),
  services: fc.array(serviceCase, { minLength: 1, maxLength: 4 }),
  clients: fc.array(fc.record({ service: fc.nat(5), node: fc.nat(5) }), { maxLength: 2 }),
  actions: fc.array(action, { maxLength: 10 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

describe("kube-proxy shared mode (SharedServiceView) (property)", () => {
  it("random scenarios (nodes, Services with NodePort/affinity/Local policies/PreferClose/UDP, rollouts, scaling, Service deletion, node failures, network partitions, stalls, label changes, watch-delay distributions, sync durations, iptables/nftables/cilium) give the same frontends, rulesets, stats, health checks and results digest in shared and per-node mode", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(runScenario(s, true)).toEqual(runScenario(s, false));
      }),
      { numRuns: 300 },
    );
  });

  it("Simulation uses shared mode by default and per-node state when kubeProxy.shared is false (same answers)", () => {
    const s: Scenario = {
      nodes: 3,
      mode: "iptables",
      maglev: false,
      watchDelay: 1,
      minSyncPeriod: 1000,
      syncDuration: 0,
      services: [
        { replicas: 3, type: "NodePort", affinity: false, internalLocal: false, externalLocal: true, preferClose: false, udp: false, twoPorts: false },
        { replicas: 2, type: "ClusterIP", affinity: false, internalLocal: false, externalLocal: false, preferClose: false, udp: false, twoPorts: true },
      ],
      clients: [{ service: 1, node: 1 }],
      actions: [
        { at: 2000, kind: "rollout", service: 1, n: 0 },
        { at: 9000, kind: "probe", node: 2, service: 1, n: 0 },
      ],
      seed: 7,
    };
    expect(new Simulation({ seed: 1 }).kubeProxy("node-1").sharedMode).toBe(true);
    expect(new Simulation({ seed: 1, kubeProxy: { shared: false } }).kubeProxy("node-1").sharedMode).toBe(false);
    expect(new Simulation({ seed: 1, kubeProxy: { mode: "ipvs" } }).kubeProxy("node-1").sharedMode).toBe(false);
    const sharedRun = runScenario(s, true);
    expect(sharedRun).toEqual(runScenario(s, false));
    // node-2 (index 1) ran a client of svc-1, node-3 only answered a probe: both show svc-1's endpoints.
    const probe = sharedRun.find((o) => Array.isArray(o) && o[0] === "probe") as unknown[];
    expect((probe[2] as unknown[])[2]).toBe("forward");
  });
});
