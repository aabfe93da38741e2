import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { constant, exponential } from "@kube-netsim/core";
import type { TraceRecord } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";
import type { SimulationOptions } from "./simulation.js";

// Faults end to end: node failure and eviction with upstream's default timings, zone loss,
// a stalled kube-proxy, per-node watch delays. Every run has a fixed seed; every time below
// follows from the defaults: watch delay 5 ms, Lease renewed every 10 s, node monitor pass
// every 5 s, grace period 50 s, tainting tick every 100 ms, 300 s default tolerations.

function deployment(name: string, replicas: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ports: [{ name: "http", containerPort: 8080 }] }] } },
    },
  };
}

const apiService: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } };

function cluster(replicas: number, options: Partial<SimulationOptions> = {}): Simulation {
  const sim = new Simulation({ seed: 7, keepTrace: 200_000, traceRequests: true, ...options });
  sim.apply([deployment("api", replicas), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
  sim.settle();
  return sim;
}

const recs = (sim: Simulation, kind: string | RegExp): TraceRecord[] => sim.trace.records().filter((r) => (typeof kind === "string" ? r.kind === kind : kind.test(r.kind)));
const times = (sim: Simulation, kind: string, field?: [string, string]): number[] => recs(sim, kind).filter((r) => !field || r.fields[field[0]] === field[1]).map((r) => r.time);
const requests = (sim: Simulation): TraceRecord[] => recs(sim, "request");
const podOn = (sim: Simulation, node: string): string => sim.pods({ app: "api" }).find((p) => p.spec.nodeName === node && p.metadata.deletionTimestamp === undefined)?.status?.podIP ?? "";

describe("failNode: a lost node, as upstream handles it", () => {
  it("Ready Unknown and pods not ready 57.9 s after the failure, taint 5.1 s later, eviction 300 s after that, replacement elsewhere", () => {
    const sim = cluster(3);
    sim.addClient({ name: "fe", target: "http://api:80", rate: 100, node: "node-1" });
    sim.runUntil(62_100);
    const lostIP = podOn(sim, "node-2");
    const lostPod = sim.pods({ app: "api" }).find((p) => p.spec.nodeName === "node-2")?.metadata.name as string;
    sim.failNode("node-2");
    sim.runUntil(700_000);
    // The last Lease renewal (60 s) is seen at the 65 s pass; 115 s is not after 65 + 50 s, 120 s is.
    expect(times(sim, "node-lifecycle.NodeStatusUnknown")).toEqual([120_000]);
    expect(times(sim, "node-lifecycle.MarkPodsNotReady")).toEqual([120_000]);
    // processTaintBaseEviction reads the condition the 125 s pass started with; the tainting tick follows.
    expect(times(sim, "node-lifecycle.TaintAdded")).toEqual([125_100]);
    // The taint eviction controller sees the taint 5 ms later and waits the 300 s default toleration.
    expect(recs(sim, "taint-eviction").map((r) => [r.time, r.fields.pod])).toEqual([[425_105, lostPod]]);
    // The evicted pod stays Terminating on the lost node; its replacement runs on another node.
    const pods = sim.pods({ app: "api" });
    expect(pods.find((p) => p.metadata.name === lostPod)?.metadata.deletionTimestamp).toBe(425_105);
    const replacement = pods.find((p) => p.metadata.creationTimestamp === 425_110);
    expect(replacement?.spec.nodeName).not.toBe("node-2");
    expect(replacement?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    // Every timeout went to the lost pod, between the failure and node-1's sync after the
    // EndpointSlice update (120 s + 5 ms watch + 10 ms sync latency + 5 ms watch).
    const timedOut = requests(sim).filter((r) => r.fields.outcome === "timedOut");
    expect(timedOut.length).toBeGreaterThan(1700); // ~ 100/s x 1/3 x 57.9 s = 1930
    expect(new Set(timedOut.map((r) => String(r.fields.endpoint).split(":")[0]))).toEqual(new Set([lostIP]));
    const starts = timedOut.map((r) => Number(r.fields.start));
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(62_100 - 1000);
    expect(Math.max(...starts)).toBeLessThan(120_020);
    expect(times(sim, "kube-proxy.sync", ["node", "node-1"]).filter((t) => t > 62_100)[0]).toBe(120_020);
    // The failed node's kube-proxy did not sync.
    expect(times(sim, "kube-proxy.sync", ["node", "node-2"]).filter((t) => t > 62_100)).toEqual([]);
    sim.drain();
    const r = sim.results();
    expect(r.inFlight).toBe(0);
  });

  it("the 40 s grace period of Kubernetes <= 1.31 makes the gap 10 s shorter", () => {
    const sim = cluster(3, { nodeLifecycle: { nodeMonitorGracePeriod: 40_000 } });
    sim.runUntil(62_100);
    sim.failNode("node-2");
    sim.runUntil(200_000);
    expect(times(sim, "node-lifecycle.NodeStatusUnknown")).toEqual([110_000]);
    expect(times(sim, "node-lifecycle.TaintAdded")).toEqual([115_100]);
  });

  it("recoverNode: Ready again at once, taints gone at the next pass, evicted pods deleted, the others restarted, clients resumed", () => {
    const sim = cluster(3);
    sim.addClient({ name: "local", target: "http://api:80", rate: 50, node: "node-2" });
    sim.runUntil(62_100);
    sim.failNode("node-2");
    sim.runUntil(200_000);
    const startedWhileDown = requests(sim).filter((r) => r.fields.client === "local" && Number(r.fields.start) > 62_100).length;
    expect(startedWhileDown).toBe(0);
    sim.recoverNode("node-2");
    sim.runUntil(260_000);
    // The 200 s pass ran before the recovery; the 205 s pass sees Ready=True (markNodeAsReachable).
    expect(times(sim, "node-lifecycle.TaintRemoved")).toEqual([205_000]);
    expect(sim.store.get("Node", undefined, "node-2")?.spec?.taints ?? []).toEqual([]);
    // Not evicted yet (300 s had not passed): the restarted kubelet lists its pods at once and
    // starts this one again (new IP), Ready after the 1 s start delay.
    const pod = sim.pods({ app: "api" }).find((p) => p.spec.nodeName === "node-2");
    expect(pod?.metadata.deletionTimestamp).toBeUndefined();
    expect(pod?.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", lastTransitionTime: 201_000 });
    expect(times(sim, "kube-proxy.sync", ["node", "node-2"]).filter((t) => t >= 200_000)[0]).toBe(200_000);
    expect(recs(sim, "kube-proxy.sync").find((r) => r.time === 200_000 && r.fields.node === "node-2")?.fields.full).toBe(true);
    expect(requests(sim).filter((r) => r.fields.client === "local" && Number(r.fields.start) > 200_000).length).toBeGreaterThan(2000);
  });

  it("recoverNode after the eviction: the Terminating pod is deleted at once", () => {
    const sim = cluster(3);
    sim.runUntil(62_100);
    const lostPod = sim.pods({ app: "api" }).find((p) => p.spec.nodeName === "node-2")?.metadata.name as string;
    sim.failNode("node-2");
    sim.runUntil(500_000);
    expect(sim.pods({ app: "api" }).map((p) => p.metadata.name)).toContain(lostPod);
    sim.recoverNode("node-2");
    sim.runUntil(500_010);
    expect(times(sim, "Pod.DELETED", ["name", lostPod])).toEqual([500_000]);
    expect(sim.pods({ app: "api" }).length).toBe(3);
  });
});

describe("determinism with faults", () => {
  function story(seed: number): string {
    const sim = new Simulation({ seed, nodes: 6 });
    sim.apply([deployment("api", 6), apiService]);
    sim.setApplication({ app: "api" }, { concurrency: 2, serviceTime: exponential(5) });
    sim.settle();
    sim.addClient({ name: "fe", target: "http://api:80", rate: 200, node: "node-1", connections: { mode: "keep-alive", poolSize: 4 } });
    sim.setWatchDelay(exponential(50), { node: "node-1" });
    sim.at(10_000, (s) => s.loseZone("zone-b"));
    sim.at(20_000, (s) => s.stallKubeProxy("node-3", 5000));
    sim.at(90_000, (s) => s.recoverZone("zone-b"));
    sim.runUntil(120_000);
    sim.drain();
    return sim.results().digest;
  }
  it("the same seed and the same faults give the same digest; another seed another", () => {
    expect(story(5)).toBe(story(5));
    expect(story(6)).not.toBe(story(5));
  });
});

describe("cluster DNS on a failed node", () => {
  it("lookups sent to the lost CoreDNS pod fail until its endpoint goes; then none does", () => {
    const sim = new Simulation({ seed: 1, dns: true });
    sim.apply([deployment("api", 3), apiService]);
    sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
    sim.settle();
    const dnsNodes = sim.pods({ "k8s-app": "kube-dns" }, "kube-system").map((p) => p.spec.nodeName);
    const lost = ["node-1", "node-2", "node-3"].find((n) => dnsNodes.includes(n) && n !== "node-3") as string;
    sim.addClient({ name: "web", target: "http://api:80", rate: 100, dns: true, node: "node-3" });
    sim.runUntil(62_100);
    expect(sim.results().outcomes.dnsFailed).toBe(0);
    sim.failNode(lost);
    sim.runUntil(150_000); // lookups begun before the endpoint went give up within the resolver's timeouts
    const failedThen = sim.results().outcomes.dnsFailed ?? 0;
    expect(failedThen).toBeGreaterThan(100);
    sim.runUntil(200_000);
    expect(sim.results().outcomes.dnsFailed).toBe(failedThen);
    sim.drain();
    const r = sim.results();
    const o = r.outcomes;
    expect(r.inFlight).toBe(0);
    expect(r.started).toBe(o.completed + o.refused + o.reset + o.timedOut + o.dropped + (o.dnsFailed ?? 0));
  });
});

describe("external traffic and a failed node", () => {
  const lbCluster = (): Simulation => {
    const sim = new Simulation({ seed: 3, loadBalancer: {} });
    sim.apply([deployment("api", 3), { ...apiService, spec: { ...apiService.spec, type: "LoadBalancer" } }]);
    sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
    sim.settle();
    return sim;
  };

  it("a NodePort on a failed node takes nothing: every connection to it times out", () => {
    const sim = lbCluster();
    const port = sim.store.get("Service", "default", "api")?.spec.ports?.[0].nodePort;
    sim.addExternalClient({ name: "np", target: `${sim.nodeIP("node-2")}:${port}`, rate: 50 });
    sim.runFor(10_000);
    const before = sim.results().outcomes;
    expect(before.timedOut).toBe(0);
    sim.failNode("node-2");
    sim.runFor(10_000);
    sim.drain();
    const o = sim.results().outcomes;
    expect(o.completed - before.completed).toBeLessThan(10); // only requests already in flight
    expect(o.timedOut).toBeGreaterThan(400); // ~ 50/s x 10 s
  });

  it("the cloud load balancer's health checks stop reaching a failed node, and it takes the node out", () => {
    const sim = lbCluster();
    sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 100 });
    sim.runFor(10_000);
    expect(sim.loadBalancerHealthyNodes("api")).toEqual(["node-1", "node-2", "node-3"]);
    sim.failNode("node-3");
    sim.runFor(60_000);
    expect(sim.loadBalancerHealthyNodes("api")).toEqual(["node-1", "node-2"]);
  });
});

describe("settle with a failed node", () => {
  it("waits for the replacement (after the eviction), not for the failed node's kube-proxy", () => {
    const sim = cluster(3);
    sim.runUntil(62_100);
    sim.failNode("node-2");
    sim.settle(); // nothing has noticed yet: at rest as far as anyone can tell
    expect(sim.now).toBeLessThan(63_000);
    sim.runUntil(130_000); // the pod is not ready now
    sim.settle();
    expect(sim.now).toBeGreaterThan(426_120); // replacement Ready at 426.12 s
    expect(sim.now).toBeLessThan(427_000);
    expect(sim.pods({ app: "api" }).filter((p) => p.metadata.deletionTimestamp === undefined && p.spec.nodeName !== "node-2").length).toBe(3);
  });
});

describe("loseZone", () => {
  it("shifts traffic to the surviving zones once EndpointSlices and syncs catch up; requests to lost pods time out until then", () => {
    const sim = cluster(6, { nodes: 6 });
    sim.addClient({ name: "fe", target: "http://api:80", rate: 200, node: "node-1" });
    sim.runUntil(62_100);
    const zoneB = ["node-2", "node-5"];
    const lostIPs = new Set(sim.pods({ app: "api" }).filter((p) => zoneB.includes(p.spec.nodeName ?? "")).map((p) => p.status?.podIP));
    expect(lostIPs.size).toBe(2);
    expect(sim.loseZone("zone-b")).toEqual(zoneB);
    sim.runUntil(180_000);
    // Both nodes turn Unknown in one pass; zone b is fully disrupted, a and c are not:
    // taints at 0.1/s, the first at once, the second 10 s later.
    expect(times(sim, "node-lifecycle.NodeStatusUnknown")).toEqual([120_000, 120_000]);
    expect(recs(sim, "node-lifecycle.ZoneState").map((r) => [r.time, r.fields.node, r.fields.detail])).toEqual([[120_000, "zone-b", "FullDisruption"]]);
    expect(times(sim, "node-lifecycle.TaintAdded")).toEqual([125_100, 135_100]);
    const all = requests(sim);
    const window = all.filter((r) => Number(r.fields.start) > 62_100 && Number(r.fields.start) < 120_000);
    const after = all.filter((r) => Number(r.fields.start) > 120_100);
    const timedOutShare = window.filter((r) => r.fields.outcome === "timedOut").length / window.length;
    expect(timedOutShare).toBeGreaterThan(2 / 6 - 0.03); // 2 of 6 endpoints lost, uniform choice: 1/3 (+-0.03 at seed 7)
    expect(timedOutShare).toBeLessThan(2 / 6 + 0.03);
    expect(after.filter((r) => r.fields.outcome !== "completed")).toEqual([]);
    expect(after.some((r) => lostIPs.has(String(r.fields.endpoint).split(":")[0]))).toBe(false);
    expect(new Set(after.map((r) => r.fields.endpoint)).size).toBe(4);
  });

  it("losing every zone is master disruption: nodes Unknown, pods not ready, but nothing tainted or evicted", () => {
    const sim = cluster(3);
    sim.runUntil(10_000);
    for (const z of ["zone-a", "zone-b", "zone-c"]) sim.loseZone(z);
    sim.runUntil(800_000);
    expect(times(sim, "node-lifecycle.NodeStatusUnknown").length).toBe(3);
    expect(recs(sim, "node-lifecycle.TaintAdded")).toEqual([]);
    expect(recs(sim, "taint-eviction")).toEqual([]);
  });
});

describe("stallKubeProxy", () => {
  it("keeps stale rules on the stalled node only: requests to a deleted pod time out there until the stall ends", () => {
    const sim = cluster(3);
    sim.addClient({ name: "n1", target: "http://api:80", rate: 100, node: "node-1" });
    sim.addClient({ name: "n2", target: "http://api:80", rate: 100, node: "node-2" });
    sim.runUntil(30_000);
    sim.stallKubeProxy("node-2", 10_000);
    const victim = sim.pods({ app: "api" }).find((p) => p.spec.nodeName === "node-3");
    sim.deletePod(victim?.metadata.name as string);
    sim.runUntil(45_000);
    const timedOut = (client: string): TraceRecord[] => requests(sim).filter((r) => r.fields.client === client && r.fields.outcome === "timedOut");
    // node-1 synced 15 ms after the deletion; node-2 kept the pod's rule for the whole stall.
    expect(timedOut("n1").length).toBeLessThanOrEqual(3);
    expect(timedOut("n2").length).toBeGreaterThan(250); // ~ 100/s x 1/3 x 10 s = 333
    expect(Math.max(...timedOut("n2").map((r) => Number(r.fields.start)))).toBeLessThan(40_000);
    expect(times(sim, "kube-proxy.sync", ["node", "node-2"]).filter((t) => t > 30_000)[0]).toBe(40_000);
    expect(recs(sim, "fault.stallKubeProxy").map((r) => r.fields)).toEqual([{ node: "node-2", until: 40_000 }]);
  });
});

describe("watch delays per node", () => {
  it("each node's kube-proxy sees the change after its own delay, so each programs it at its own time", () => {
    const sim = cluster(3, { timings: { nodes: { "node-2": { watchDelay: constant(500) }, "node-3": { watchDelay: constant(2000) } } } });
    sim.runUntil(30_000);
    sim.deletePod(sim.pods({ app: "api" })[0].metadata.name);
    sim.runUntil(40_000);
    // Pod marked for deletion -> EndpointSlice controller (5 ms watch + 10 ms sync: the
    // endpoint turns terminating, not ready) -> each node's watch delay -> its sync
    // (minSyncPeriod passed long ago).
    const first = (node: string): number => times(sim, "kube-proxy.sync", ["node", node]).filter((t) => t > 30_000)[0];
    expect(first("node-1")).toBe(30_020);
    expect(first("node-2")).toBe(30_515);
    expect(first("node-3")).toBe(32_015);
  });

  it("setWatchDelay changes one node's delay during the run, and is in the trace", () => {
    const sim = cluster(3);
    sim.setWatchDelay(constant(3000), { node: "node-3" });
    sim.setProxySyncDuration(constant(250), { node: "node-1" });
    sim.runUntil(30_000);
    sim.deletePod(sim.pods({ app: "api" })[0].metadata.name);
    sim.runUntil(40_000);
    const first = (node: string): number => times(sim, "kube-proxy.sync", ["node", node]).filter((t) => t > 30_000)[0];
    expect(first("node-1")).toBe(30_270); // rules take effect when the 250 ms sync ends
    expect(first("node-2")).toBe(30_020);
    expect(first("node-3")).toBe(33_015);
    expect(recs(sim, /^setting\./).map((r) => [r.kind, r.fields])).toEqual([
      ["setting.watchDelay", { node: "node-3", delay: "constant(3000)" }],
      ["setting.proxySyncDuration", { node: "node-1", duration: "constant(250)" }],
    ]);
  });
});

describe("EndpointSlice controller workers (--concurrent-service-endpoint-syncs)", () => {
  // Three Services select the same pods; a pod change enqueues all three. Each sync takes
  // 100 ms (timings.endpointSliceSyncLatency): 5 workers (upstream's default) run them side
  // by side, 1 worker one after the other, so the last slice is written 200 ms later.
  it.each([
    [5, [30_105, 30_105, 30_105]],
    [1, [30_105, 30_205, 30_305]],
  ])("%i worker(s): slice writes at %j", (workers, want) => {
    const sim = new Simulation({ seed: 2, keepTrace: 10_000, timings: { endpointSliceWorkers: workers, endpointSliceSyncLatency: constant(100) } });
    const svc = (name: string): Service => ({ ...apiService, metadata: { name } });
    sim.apply([deployment("api", 1), svc("api"), svc("api2"), svc("api3")]);
    sim.setApplication({ app: "api" }, { serviceTime: constant(1) });
    sim.settle();
    sim.runUntil(30_000);
    sim.deletePod(sim.pods({ app: "api" })[0].metadata.name);
    sim.runUntil(30_400);
    expect(times(sim, "EndpointSlice.MODIFIED").filter((t) => t > 30_000 && t < 30_400)).toEqual(want);
  });
});

describe("fault and setting errors name the field", () => {
  const sim = cluster(1);
  it.each<[string, () => unknown, string]>([
    ["failNode unknown", () => sim.failNode("node-9"), 'failNode: node: Not found: "node-9": known nodes: node-1, node-2, node-3'],
    ["recoverNode not failed", () => sim.recoverNode("node-1"), 'recoverNode: node: Invalid value: "node-1": the node has not failed'],
    ["loseZone unknown", () => sim.loseZone("zone-x"), 'loseZone: zone: Not found: "zone-x": known zones: zone-a, zone-b, zone-c'],
    ["stallKubeProxy negative", () => sim.stallKubeProxy("node-1", -1), "stallKubeProxy: duration: Invalid value: -1: must be a finite number of ms >= 0"],
    ["stallKubeProxy unknown", () => sim.stallKubeProxy("nope", 10), 'stallKubeProxy: node: Not found: "nope": known nodes: node-1, node-2, node-3'],
    ["setWatchDelay not a distribution", () => sim.setWatchDelay(5 as never), "setWatchDelay: delay: Invalid value: 5: must be a Distribution (e.g. constant(5), exponential(20))"],
    ["setProxySyncDuration unknown node", () => sim.setProxySyncDuration(constant(1), { node: "x" }), 'setProxySyncDuration: node: Not found: "x": known nodes: node-1, node-2, node-3'],
    ["timings.nodes unknown", () => new Simulation({ seed: 1, timings: { nodes: { "node-7": { watchDelay: constant(1) } } } }), 'timings.nodes["node-7"]: Not found: "node-7": known nodes: node-1, node-2, node-3'],
    ["defaultTolerationSeconds", () => new Simulation({ seed: 1, nodeLifecycle: { defaultTolerationSeconds: -1 } }), "nodeLifecycle.defaultTolerationSeconds: Invalid value: -1: must be an integer number of seconds >= 0"],
    ["workers", () => new Simulation({ seed: 1, timings: { endpointSliceWorkers: 0 } }), "timings.endpointSliceWorkers: Invalid value: 0: must be an integer >= 1"],
    ["grace period", () => new Simulation({ seed: 1, nodeLifecycle: { nodeMonitorGracePeriod: 0 } }), "nodeLifecycle.nodeMonitorGracePeriod: Invalid value: 0: must be a finite number > 0"],
    ["zone threshold", () => new Simulation({ seed: 1, nodeLifecycle: { unhealthyZoneThreshold: 1.5 } }), "nodeLifecycle.unhealthyZoneThreshold: Invalid value: 1.5: must be in (0, 1]"],
  ])("%s", (_n, fn, message) => {
    expect(fn).toThrow(message);
  });

  it("failNode twice", () => {
    const s = cluster(1);
    s.failNode("node-2");
    expect(() => s.failNode("node-2")).toThrow('failNode: node: Invalid value: "node-2": the node has already failed');
    expect(() => s.addClient({ name: "c", target: "api:80", rate: 1, node: "node-2" })).toThrow('client "c": node: Invalid value: "node-2": the node has failed (recoverNode first)');
  });
});

describe("property: every request ends in exactly one outcome under random fault schedules (crashes, partitions, zones, stalls)", () => {
  type Op = { readonly at: number; readonly kind: "fail" | "recover" | "zone" | "stall" | "delete" | "partition" | "heal"; readonly node: number; readonly ms: number };
  const op = fc.record({
    at: fc.integer({ min: 0, max: 40_000 }),
    kind: fc.constantFrom<Op["kind"]>("fail", "recover", "zone", "stall", "delete", "partition", "heal"),
    node: fc.integer({ min: 0, max: 2 }),
    ms: fc.integer({ min: 0, max: 20_000 }),
  });
  it("fixed seed, 20 schedules, keep-alive and per-request clients on every node", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 6 }), (ops) => {
        const sim = new Simulation({ seed: 3, nodeLifecycle: { nodeMonitorGracePeriod: 10_000, defaultTolerationSeconds: 5 } });
        sim.apply([deployment("api", 3), apiService]);
        sim.setApplication({ app: "api" }, { concurrency: 2, serviceTime: exponential(20) });
        sim.settle();
        const t0 = sim.now;
        sim.addClient({ name: "a", target: "http://api:80", rate: 40, node: "node-1" });
        sim.addClient({ name: "b", target: "http://api:80", rate: 40, node: "node-2", connections: { mode: "keep-alive", poolSize: 2 } });
        sim.addClient({ name: "c", target: "http://api:80", rate: 40, node: "node-3", connections: { mode: "multiplexed" } });
        const names = ["node-1", "node-2", "node-3"];
        for (const o of [...ops].sort((x, y) => x.at - y.at)) {
          sim.at(t0 + o.at, (s) => {
            const n = names[o.node];
            const failed = s.failedNodeNames.includes(n);
            const partitioned = s.partitionedNodeNames.includes(n);
            if (o.kind === "fail" && !failed) s.failNode(n);
            else if (o.kind === "partition" && !failed && !partitioned) s.partitionNode(n);
            else if (o.kind === "heal" && partitioned) s.healPartition(n);
            else if (o.kind === "recover" && failed) s.recoverNode(n);
            else if (o.kind === "zone") s.loseZone(`zone-${"abc"[o.node]}`);
            else if (o.kind === "stall" && !failed && !partitioned) s.stallKubeProxy(n, o.ms);
            else if (o.kind === "delete") {
              const p = s.pods({ app: "api" }).find((x) => x.metadata.deletionTimestamp === undefined);
              if (p) s.deletePod(p.metadata.name);
            }
          });
        }
        sim.runFor(60_000);
        for (const n of sim.failedNodeNames) sim.recoverNode(n);
        for (const n of sim.partitionedNodeNames) sim.healPartition(n);
        sim.drain();
        const r = sim.results();
        const o = r.outcomes;
        return r.inFlight === 0 && r.started === o.completed + o.refused + o.reset + o.timedOut + o.dropped && r.started > 0;
      }),
      { seed: 20_251_204, numRuns: 20 },
    );
  });
});
