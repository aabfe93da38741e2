import { describe, it, expect } from "vitest";
import { Callbacks, RandomSource, Scheduler } from "@kube-netsim/core";
import { ObjectStore, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from "@kube-netsim/model";
import type { Node, Pod } from "@kube-netsim/model";
import { KubeletHeartbeats, NodeLifecycleController } from "./node-lifecycle-controller.js";
import type { NodeLifecycleControllerOptions, NodeLifecycleEvent } from "./node-lifecycle-controller.js";

// Timings below are upstream's defaults unless a case says otherwise: monitor pass every
// 5 s, grace period 50 s (Kubernetes 1.32+), Lease renewed every 10 s, 0.1 taints/s/zone.

function mkNode(name: string, zone: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "topology.kubernetes.io/zone": zone } },
    spec: { podCIDR: "10.244.0.0/24" },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  };
}

function mkPod(name: string, nodeName: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "c" }], nodeName },
    status: { phase: "Running", podIP: "10.244.0.2", conditions: [{ type: "Ready", status: "True", lastTransitionTime: 0 }] },
  };
}

function setup(nodes: readonly [string, string][], options: NodeLifecycleControllerOptions = {}) {
  const s = new Scheduler();
  const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
  for (const [n, z] of nodes) store.create(mkNode(n, z));
  const later = new Callbacks(s);
  const hb = new KubeletHeartbeats(store);
  const events: NodeLifecycleEvent[] = [];
  const nlc = new NodeLifecycleController(store, later, hb, { watchDelay: 5, ...options, onEvent: (e) => events.push(e) });
  const at = (t: number, fn: () => void): void => later.at(t, fn);
  const ready = (n: string): string | undefined => store.get("Node", undefined, n)?.status?.conditions?.find((c) => c.type === "Ready")?.status;
  const taints = (n: string): string[] => (store.get("Node", undefined, n)?.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
  const when = (reason: NodeLifecycleEvent["reason"], node: string): number[] => events.filter((e) => e.reason === reason && e.node === node).map((e) => e.at);
  return { s, store, hb, nlc, events, at, ready, taints, when };
}

describe("NodeLifecycleController: when a lost node turns Unknown", () => {
  // The kubelet renews at 0, 10 s, 20 s, ...; the controller first sees a renewal at the
  // first 5 s pass at or after it + its Lease informer delay (5 ms here, as in the
  // simulation), and gives up at the first pass strictly after probe + grace.
  it.each([
    { name: "fails at 62.1 s (renewed 60 s, seen at the 65 s pass): Unknown at the first pass after 115 s", failAt: 62_100, grace: 50_000, delay: 5, unknownAt: 120_000 },
    { name: "fails at the renewal at 60 s (it still renews)", failAt: 60_000, grace: 50_000, delay: 5, unknownAt: 120_000 },
    { name: "fails just before the renewal at 70 s", failAt: 69_999, grace: 50_000, delay: 5, unknownAt: 120_000 },
    { name: "fails at 70.001 s (renewed 70 s, seen at 75 s)", failAt: 70_001, grace: 50_000, delay: 5, unknownAt: 130_000 },
    { name: "the 40 s grace period of Kubernetes <= 1.31", failAt: 62_100, grace: 40_000, delay: 5, unknownAt: 110_000 },
    { name: "no informer delay: the 60 s renewal is seen at the 60 s pass", failAt: 62_100, grace: 50_000, delay: 0, unknownAt: 115_000 },
  ])("$name", ({ failAt, grace, delay, unknownAt }) => {
    const { s, store, hb, at, ready, when } = setup([["node-1", "a"], ["node-2", "b"]], { nodeMonitorGracePeriod: grace, watchDelay: delay });
    store.create(mkPod("p", "node-2"));
    at(failAt, () => hb.stop("node-2"));
    s.runUntil(unknownAt - 1);
    expect(ready("node-2")).toBe("True");
    s.runUntil(unknownAt);
    expect(ready("node-2")).toBe("Unknown");
    expect(when("NodeStatusUnknown", "node-2")).toEqual([unknownAt]);
    // MarkPodsNotReady in the same pass.
    expect(when("MarkPodsNotReady", "node-2")).toEqual([unknownAt]);
    expect(store.get("Pod", "default", "p")?.status?.conditions?.find((c) => c.type === "Ready")).toEqual({ type: "Ready", status: "False", lastTransitionTime: unknownAt });
    expect(ready("node-1")).toBe("True");
  });

  it("a kubelet back before the grace period ran out changes nothing, and the loop goes quiet", () => {
    const { s, hb, at, events, ready } = setup([["node-1", "a"], ["node-2", "b"]]);
    at(62_100, () => hb.stop("node-2"));
    at(90_000, () => hb.start("node-2"));
    s.runUntil(3_600_000);
    expect(events).toEqual([]);
    expect(ready("node-2")).toBe("True");
    expect(s.pending).toBe(0);
  });

  it("a node registered later counts from its creation", () => {
    const { s, store, hb, at, when } = setup([["node-1", "a"]]);
    at(33_000, () => store.create(mkNode("node-9", "b")));
    at(62_100, () => hb.stop("node-9")); // renewed at 33, 43, 53 s (seen at the 55 s pass)
    s.runUntil(200_000);
    expect(when("NodeStatusUnknown", "node-9")).toEqual([110_000]);
  });

  it("writes nothing and schedules nothing while every kubelet is running", () => {
    const { s, store, events } = setup([["node-1", "a"], ["node-2", "b"]]);
    const rv = store.resourceVersion;
    s.runUntil(3_600_000);
    expect(events).toEqual([]);
    expect(store.resourceVersion).toBe(rv);
    expect(s.pending).toBe(0);
  });
});

describe("NodeLifecycleController: NoExecute taints", () => {
  it("taints an Unknown node one pass later, at the next 100 ms tainting tick, and the NoSchedule taint follows the condition", () => {
    const { s, hb, at, taints, when } = setup([["node-1", "a"], ["node-2", "b"]]);
    at(62_100, () => hb.stop("node-2"));
    s.runUntil(125_099);
    expect(taints("node-2")).toEqual([`${TAINT_NODE_UNREACHABLE}:NoSchedule`]);
    s.runUntil(125_100);
    expect(taints("node-2")).toEqual([`${TAINT_NODE_UNREACHABLE}:NoExecute`, `${TAINT_NODE_UNREACHABLE}:NoSchedule`]);
    expect(when("TaintAdded", "node-2")).toEqual([125_100]);
  });

  it("rate-limits taints per zone: 0.1 per second, burst 1 (the first at once, then one per 10 s)", () => {
    const nodes: [string, string][] = [["a1", "a"], ["a2", "a"], ["a3", "a"], ["b1", "b"], ["b2", "b"], ["b3", "b"], ["b4", "b"]];
    const { s, hb, at, when } = setup(nodes);
    at(62_100, () => ["a1", "a2", "a3"].forEach((n) => hb.stop(n)));
    s.runUntil(200_000);
    // Zone a is fully disrupted (HealthyQPSFunc keeps 0.1/s); zone b is healthy.
    expect([...when("TaintAdded", "a1"), ...when("TaintAdded", "a2"), ...when("TaintAdded", "a3")]).toEqual([125_100, 135_100, 145_100]);
  });

  it("takes no taint in a partially disrupted zone of a small cluster (ReducedQPSFunc: <= 50 nodes => 0)", () => {
    const nodes: [string, string][] = [["a1", "a"], ["a2", "a"], ["a3", "a"], ["a4", "a"], ["b1", "b"]];
    const { s, hb, at, events, nlc } = setup(nodes);
    at(62_100, () => ["a1", "a2", "a3"].forEach((n) => hb.stop(n))); // 3 of 4 not ready: 75 % >= 55 %
    s.runUntil(600_000);
    expect(nlc.zoneState("a")).toBe("PartialDisruption");
    expect(events.filter((e) => e.reason === "TaintAdded")).toEqual([]);
    expect(events.filter((e) => e.reason === "MarkPodsNotReady").map((e) => e.node)).toEqual(["a1", "a2", "a3"]);
  });

  it("enters master disruption mode when every zone is fully disrupted: no taints at all", () => {
    const { s, hb, at, events, ready } = setup([["node-1", "a"], ["node-2", "b"]]);
    at(62_100, () => ["node-1", "node-2"].forEach((n) => hb.stop(n)));
    s.runUntil(600_000);
    expect(ready("node-1")).toBe("Unknown");
    expect(events.filter((e) => e.reason === "TaintAdded")).toEqual([]);
    expect(events.filter((e) => e.reason === "MasterDisruption").map((e) => e.detail)).toEqual(["enter"]);
  });

  it("uses the not-ready taint for a node whose kubelet posts Ready=False", () => {
    const { s, store, at, taints, when } = setup([["node-1", "a"], ["node-2", "b"]]);
    at(30_000, () => {
      store.mutate("Node", undefined, "node-2", (d) => {
        d.status = { conditions: [{ type: "Ready", status: "False" }] };
      });
    });
    s.runUntil(60_000);
    // The controller's node informer has the write at 30.005 s, so the 35 s pass reads False
    // and queues the taint at once (observed False: no MarkPodsNotReady, the kubelet that
    // posts NotReady handles its pods itself).
    expect(when("MarkPodsNotReady", "node-2")).toEqual([]);
    expect(when("TaintAdded", "node-2")).toEqual([35_100]);
    expect(taints("node-2")).toEqual([`${TAINT_NODE_NOT_READY}:NoExecute`, `${TAINT_NODE_NOT_READY}:NoSchedule`]);
  });

  it("removes the taints at the first pass after the kubelet posts Ready again, then goes quiet", () => {
    const { s, hb, at, taints, when, ready } = setup([["node-1", "a"], ["node-2", "b"]]);
    at(62_100, () => hb.stop("node-2"));
    at(200_000, () => hb.start("node-2"));
    s.runUntil(200_000);
    expect(ready("node-2")).toBe("True");
    s.runUntil(210_000);
    expect(when("TaintRemoved", "node-2")).toEqual([200_000]);
    expect(taints("node-2")).toEqual([]);
    s.runUntil(400_000);
    expect(s.pending).toBe(0);
  });
});
