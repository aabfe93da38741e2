import { describe, it, expect } from "vitest";
import { Callbacks, RandomSource, Scheduler, constant } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Node, Pod, PodRequests, Taint } from "@kube-netsim/model";
import fc from "fast-check";
import { LeastPodsPicker, PodScheduler, allocatablePods, allocatableResources, isNodeSchedulable, pickNode, unschedulableMessage } from "./pod-scheduler.js";

function mkNode(
  name: string,
  o: { ready?: "True" | "False" | "Unknown"; unschedulable?: boolean; maxPods?: number; taints?: readonly Taint[]; cpu?: string; memory?: string } = {},
): Node {
  const allocatable = {
    ...(o.maxPods !== undefined ? { pods: String(o.maxPods) } : {}),
    ...(o.cpu !== undefined ? { cpu: o.cpu } : {}),
    ...(o.memory !== undefined ? { memory: o.memory } : {}),
  };
  const status = {
    ...(o.ready !== undefined ? { conditions: [{ type: "Ready" as const, status: o.ready }] } : {}),
    ...(Object.keys(allocatable).length > 0 ? { capacity: allocatable, allocatable } : {}),
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    spec: { podCIDR: "10.244.0.0/24", ...(o.unschedulable !== undefined ? { unschedulable: o.unschedulable } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    ...(Object.keys(status).length > 0 ? { status } : {}),
  };
}

function mkPod(name: string, nodeName?: string, requests?: { cpu?: string; memory?: string }): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "web" } },
    spec: { containers: [{ name: "c", ...(requests ? { resources: { requests } } : {}) }], ...(nodeName !== undefined ? { nodeName } : {}) },
    status: { phase: "Pending" },
  };
}

function setup(opts: { bindDelay?: number; watchDelay?: number } = {}): { s: Scheduler; store: ObjectStore } {
  const s = new Scheduler();
  const rng = new RandomSource(1);
  const store = new ObjectStore(s, { random: rng.stream("apiserver") });
  new PodScheduler(store, new Callbacks(s), {
    random: rng.stream("kube-scheduler"),
    ...(opts.bindDelay !== undefined ? { bindDelay: constant(opts.bindDelay) } : {}),
    ...(opts.watchDelay !== undefined ? { watchDelay: opts.watchDelay } : {}),
  });
  return { s, store };
}

const perNode = (store: ObjectStore): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of store.list("Pod")) if (p.spec.nodeName) out[p.spec.nodeName] = (out[p.spec.nodeName] ?? 0) + 1;
  return out;
};

describe("isNodeSchedulable", () => {
  it.each([
    ["Ready=True", mkNode("n", { ready: "True" }), true],
    ["no Ready condition reported", mkNode("n"), true],
    ["Ready=False (NotReady)", mkNode("n", { ready: "False" }), false],
    ["Ready=Unknown (node lost)", mkNode("n", { ready: "Unknown" }), false],
    ["cordoned (spec.unschedulable)", mkNode("n", { ready: "True", unschedulable: true }), false],
    ["unschedulable: false", mkNode("n", { ready: "True", unschedulable: false }), true],
  ])("%s -> %s", (_name, node, want) => {
    expect(isNodeSchedulable(node)).toBe(want);
  });
});

describe("pickNode", () => {
  const counts = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));
  it.each([
    ["fewest pods wins", [mkNode("n1"), mkNode("n2"), mkNode("n3")], { n1: 2, n2: 1, n3: 3 }, "n2"],
    ["a node missing from the counts has 0 pods", [mkNode("n1"), mkNode("n2")], { n1: 1 }, "n2"],
    ["ties broken by name, whatever the list order", [mkNode("n3"), mkNode("n1"), mkNode("n2")], {}, "n1"],
    ["ties broken by name among the least loaded only", [mkNode("a"), mkNode("c"), mkNode("b")], { a: 1 }, "b"],
    ["skips a cordoned node even when it is emptiest", [mkNode("n1", { unschedulable: true }), mkNode("n2")], { n2: 5 }, "n2"],
    ["skips a NotReady node", [mkNode("n1", { ready: "False" }), mkNode("n2", { ready: "True" })], { n2: 5 }, "n2"],
    ["skips a node whose Ready is Unknown", [mkNode("n1", { ready: "Unknown" }), mkNode("n2")], { n2: 5 }, "n2"],
    ["undefined when no node is schedulable", [mkNode("n1", { unschedulable: true }), mkNode("n2", { ready: "False" })], {}, undefined],
    ["undefined when there are no nodes", [], {}, undefined],
  ])("%s", (_name, nodes, c, want) => {
    expect(pickNode(nodes, counts(c))).toBe(want);
  });
});

describe("PodScheduler", () => {
  it("spreads 6 pods over 3 nodes, 2 each, and sets PodScheduled", () => {
    const { s, store } = setup();
    for (const n of ["n1", "n2", "n3"]) store.create(mkNode(n, { ready: "True" }));
    for (let i = 0; i < 6; i++) store.create(mkPod(`p${i}`));
    s.run();
    expect(perNode(store)).toEqual({ n1: 2, n2: 2, n3: 2 });
    // Round robin in creation order, as the counts and name tiebreak imply.
    expect(store.list("Pod").map((p) => p.spec.nodeName)).toEqual(["n1", "n2", "n3", "n1", "n2", "n3"]);
    for (const p of store.list("Pod")) {
      expect(p.status?.phase).toBe("Pending");
      expect(p.status?.conditions).toEqual([{ type: "PodScheduled", status: "True", lastTransitionTime: 0 }]);
    }
  });

  it("counts pods already bound to a node", () => {
    const { s, store } = setup();
    for (const n of ["n1", "n2", "n3"]) store.create(mkNode(n));
    store.create(mkPod("pre-a", "n1"));
    store.create(mkPod("pre-b", "n1"));
    for (let i = 0; i < 4; i++) store.create(mkPod(`p${i}`));
    s.run();
    expect(perNode(store)).toEqual({ n1: 2, n2: 2, n3: 2 });
  });

  it("frees a node's slot when its pod is deleted", () => {
    const { s, store } = setup();
    for (const n of ["n1", "n2"]) store.create(mkNode(n));
    for (let i = 0; i < 4; i++) store.create(mkPod(`p${i}`));
    s.run();
    const onN2 = store.list("Pod").filter((p) => p.spec.nodeName === "n2");
    for (const p of onN2) store.delete("Pod", "default", p.metadata.name);
    s.run();
    store.create(mkPod("late-1"));
    store.create(mkPod("late-2"));
    s.run();
    expect(store.get("Pod", "default", "late-1")?.spec.nodeName).toBe("n2");
    expect(store.get("Pod", "default", "late-2")?.spec.nodeName).toBe("n2");
  });

  it("never binds to a cordoned or NotReady node", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", { unschedulable: true }));
    store.create(mkNode("n2", { ready: "False" }));
    store.create(mkNode("n3", { ready: "True" }));
    for (let i = 0; i < 4; i++) store.create(mkPod(`p${i}`));
    s.run();
    expect(perNode(store)).toEqual({ n3: 4 });
  });

  it("leaves a pod Pending when no node is schedulable, and binds it when a node is added", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", { unschedulable: true }));
    store.create(mkPod("p"));
    s.runUntil(10_000);
    const waiting = store.get("Pod", "default", "p");
    expect(waiting?.spec.nodeName).toBeUndefined();
    expect(waiting?.status?.phase).toBe("Pending");
    store.create(mkNode("n2"));
    s.run();
    const bound = store.get("Pod", "default", "p");
    expect(bound?.spec.nodeName).toBe("n2");
    expect(bound?.status?.conditions).toEqual([{ type: "PodScheduled", status: "True", lastTransitionTime: 10_000 }]);
  });

  it("binds a waiting pod when a node is uncordoned", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", { unschedulable: true }));
    store.create(mkPod("p"));
    s.run();
    expect(store.get("Pod", "default", "p")?.spec.nodeName).toBeUndefined();
    store.mutate("Node", undefined, "n1", (n) => {
      n.spec = { ...n.spec, unschedulable: false };
    });
    s.run();
    expect(store.get("Pod", "default", "p")?.spec.nodeName).toBe("n1");
  });

  it("binds after watchDelay + bindDelay, and neither binds nor counts a pod deleted meanwhile", () => {
    const { s, store } = setup({ watchDelay: 5, bindDelay: 100 });
    store.create(mkNode("n1"));
    store.create(mkNode("n2"));
    store.create(mkPod("p"));
    store.create(mkPod("gone"));
    s.runUntil(104);
    expect(store.get("Pod", "default", "p")?.spec.nodeName).toBeUndefined();
    store.delete("Pod", "default", "gone");
    s.runUntil(105);
    const p = store.get("Pod", "default", "p");
    expect(p?.spec.nodeName).toBe("n1");
    expect(p?.status?.conditions?.[0].lastTransitionTime).toBe(105);
    s.run();
    // "gone" left no phantom pod on n2: the next pod finds n2 the emptiest.
    store.create(mkPod("q"));
    s.run();
    expect(store.get("Pod", "default", "q")?.spec.nodeName).toBe("n2");
  });

  it("does not schedule a pod that is being deleted", () => {
    const { s, store } = setup();
    store.create(mkNode("n1"));
    store.create({ ...mkPod("p"), metadata: { name: "p", deletionTimestamp: 0 } });
    s.run();
    expect(store.get("Pod", "default", "p")?.spec.nodeName).toBeUndefined();
  });
});

describe("LeastPodsPicker (the scheduler's pickNode without a scan of every node)", () => {
  // Pod requests: none (most pods), cpu only, memory only, both.
  const request = fc.constantFrom({ cpu: 0, memory: 0 }, { cpu: 0, memory: 0 }, { cpu: 500, memory: 0 }, { cpu: 1500, memory: 0 }, { cpu: 0, memory: 2 ** 30 }, { cpu: 1000, memory: 2 ** 31 });
  type Op =
    | { readonly t: "count"; readonly node: number; readonly d: 1 | -1; readonly r: PodRequests; readonly ask: PodRequests }
    | {
        readonly t: "node";
        readonly node: number;
        readonly ready: "True" | "False" | "Unknown" | undefined;
        readonly unschedulable: boolean;
        readonly maxPods: number | undefined;
        readonly cpu: string | undefined;
        readonly memory: string | undefined;
        readonly ask: PodRequests;
      }
    | { readonly t: "delete"; readonly node: number; readonly ask: PodRequests };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant("count" as const), node: fc.nat(7), d: fc.constantFrom(1 as const, -1 as const), r: request, ask: request }) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant("node" as const),
        node: fc.nat(7),
        ready: fc.constantFrom("True" as const, "False" as const, "Unknown" as const, undefined),
        unschedulable: fc.boolean(),
        // No limit (a hand-built Node), small limits that fill up, and one node's limit larger than the others'.
        maxPods: fc.constantFrom(undefined, 1, 2, 3, 6),
        // No cpu/memory reported (no limit), and allocatables that a few requests fill.
        cpu: fc.constantFrom(undefined, "1", "2", "4", "3500m"),
        memory: fc.constantFrom(undefined, "1Gi", "4Gi", "16Gi"),
        ask: request,
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("delete" as const), node: fc.nat(7), ask: request }) },
  );

  it("answers what pickNode answers, for pods with and without requests, after any sequence of node writes (capacities included) and pod count changes", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const s = new Scheduler();
        const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
        const counts = new Map<string, number>();
        const requested = new Map<string, { cpu: number; memory: number }>();
        const picker = new LeastPodsPicker(store, counts, requested);
        // Names that sort differently as strings and as numbers (node-10 < node-2).
        const name = (i: number): string => `node-${[1, 2, 10, 11, 3, 20, 100, 9][i]}`;
        for (const o of ops) {
          if (o.t === "count") {
            const n = name(o.node);
            const from = counts.get(n) ?? 0;
            counts.set(n, from + o.d);
            const used = requested.get(n) ?? { cpu: 0, memory: 0 };
            requested.set(n, { cpu: used.cpu + o.d * o.r.cpu, memory: used.memory + o.d * o.r.memory });
            picker.moved(n, from, from + o.d);
          } else if (o.t === "delete") {
            store.delete("Node", undefined, name(o.node));
          } else {
            const n = mkNode(name(o.node), { ready: o.ready, unschedulable: o.unschedulable, maxPods: o.maxPods, cpu: o.cpu, memory: o.memory });
            if (store.get("Node", undefined, n.metadata.name)) store.update(n);
            else store.create(n);
          }
          expect(picker.pick(o.ask)).toBe(pickNode(store.list("Node"), counts, o.ask, requested));
          expect(picker.pick()).toBe(pickNode(store.list("Node"), counts));
        }
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});

describe("LeastPodsPicker with node capacities", () => {
  it("passes over a full least-loaded node for a fuller node that has room, and takes it back when a pod leaves", () => {
    const s = new Scheduler();
    const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
    const counts = new Map<string, number>([["small", 2], ["big", 5]]);
    store.create(mkNode("small", { maxPods: 2 }));
    store.create(mkNode("big", { maxPods: 10 }));
    const picker = new LeastPodsPicker(store, counts);
    expect(picker.pick()).toBe("big");
    counts.set("small", 1);
    picker.moved("small", 2, 1);
    expect(picker.pick()).toBe("small");
    counts.set("big", 10);
    picker.moved("big", 5, 10);
    counts.set("small", 2);
    picker.moved("small", 1, 2);
    expect(picker.pick()).toBeUndefined();
  });
});

describe("allocatablePods", () => {
  it.each([
    ["the kubelet default", mkNode("n", { maxPods: 110 }), 110],
    ["a raised --max-pods", mkNode("n", { maxPods: 3344 }), 3344],
    ["no status (hand-built Node): no limit", mkNode("n"), Infinity],
    ["allocatable without pods: no limit", { ...mkNode("n"), status: { allocatable: { cpu: "4" } } }, Infinity],
    ["a quantity that is not a plain integer: no limit", { ...mkNode("n"), status: { allocatable: { pods: "1k" } } }, Infinity],
  ])("%s -> %s", (_name, node, want) => {
    expect(allocatablePods(node)).toBe(want);
  });
});

describe("pickNode with maxPods", () => {
  const counts = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));
  it.each([
    ["a node at its allocatable pods is not feasible", [mkNode("n1", { maxPods: 2 }), mkNode("n2", { maxPods: 5 })], { n1: 2, n2: 4 }, "n2"],
    ["one below the limit is feasible", [mkNode("n1", { maxPods: 3 }), mkNode("n2", { maxPods: 5 })], { n1: 2, n2: 4 }, "n1"],
    ["every node full: none", [mkNode("n1", { maxPods: 1 }), mkNode("n2", { maxPods: 1 })], { n1: 1, n2: 1 }, undefined],
    ["a node without allocatable pods has no limit", [mkNode("n1", { maxPods: 1 }), mkNode("n2")], { n1: 1, n2: 500 }, "n2"],
  ])("%s", (_name, nodes, c, want) => {
    expect(pickNode(nodes, counts(c))).toBe(want);
  });
});

describe("unschedulableMessage (FitError.Error with the default preemption's PostFilter message)", () => {
  const counts = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));
  // The tolerations the DefaultTolerationSeconds admission plugin gives every pod.
  const defaults = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists" as const, effect: "NoExecute" as const, tolerationSeconds: 300 },
    { key: "node.kubernetes.io/unreachable", operator: "Exists" as const, effect: "NoExecute" as const, tolerationSeconds: 300 },
  ];
  const full = (name: string): Node => mkNode(name, { ready: "True", maxPods: 110 });
  it.each([
    [
      "3 nodes at the kubelet's default 110",
      [full("node-1"), full("node-2"), full("node-3")],
      { "node-1": 110, "node-2": 110, "node-3": 110 },
      "0/3 nodes are available: 3 Too many pods. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    ],
    [
      "a cordoned node and 2 full ones",
      [mkNode("node-1", { ready: "True", unschedulable: true, maxPods: 110 }), full("node-2"), full("node-3")],
      { "node-2": 110, "node-3": 110 },
      "0/3 nodes are available: 1 node(s) were unschedulable, 2 Too many pods. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    ],
    [
      "every node cordoned: preemption cannot help anywhere",
      [mkNode("node-1", { unschedulable: true }), mkNode("node-2", { unschedulable: true })],
      {},
      "0/2 nodes are available: 2 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    ],
    [
      "NotReady with the lifecycle controller's NoSchedule taint (the NoExecute one is tolerated for 300 s)",
      [
        mkNode("node-1", {
          ready: "False",
          taints: [
            { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
            { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" },
          ],
        }),
        full("node-2"),
      ],
      { "node-2": 110 },
      "0/2 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    ],
    [
      "Ready=Unknown before its taint lands: named by the taint it gets",
      [mkNode("node-1", { ready: "Unknown" })],
      {},
      "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    ],
    [
      "an untolerated taint with a value comes before Too many pods",
      [mkNode("node-1", { ready: "True", maxPods: 1, taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] })],
      { "node-1": 1 },
      "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    ],
    [
      "counts sort as strings, as Go's sort.Strings does (10 before 2)",
      [...Array.from({ length: 10 }, (_, i) => full(`big-${i}`)), mkNode("c1", { unschedulable: true }), mkNode("c2", { unschedulable: true })],
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`big-${i}`, 110])),
      "0/12 nodes are available: 10 Too many pods, 2 node(s) were unschedulable. preemption: 0/12 nodes are available: 10 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    ],
  ])("%s", (_name, nodes, c, want) => {
    expect(unschedulableMessage(nodes, counts(c), defaults)).toBe(want);
  });

  it("a tolerated NoSchedule taint does not count; PreferNoSchedule never does", () => {
    const node = mkNode("node-1", {
      ready: "True",
      maxPods: 1,
      taints: [
        { key: "dedicated", value: "gpu", effect: "NoSchedule" },
        { key: "spot", effect: "PreferNoSchedule" },
      ],
    });
    expect(unschedulableMessage([node], counts({ "node-1": 1 }), [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }])).toBe(
      "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
  });

  it("undefined while some node is feasible", () => {
    expect(unschedulableMessage([full("node-1"), full("node-2")], counts({ "node-1": 110, "node-2": 109 }), defaults)).toBeUndefined();
  });
});

describe("PodScheduler with maxPods", () => {
  const podScheduled = (store: ObjectStore, name: string) => store.get("Pod", "default", name)?.status?.conditions?.find((c) => c.type === "PodScheduled");
  const TOO_MANY = "0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.";

  it("binds up to each node's allocatable pods and leaves the rest Pending with PodScheduled=False, reason Unschedulable", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", { maxPods: 2 }));
    store.create(mkNode("n2", { maxPods: 2 }));
    for (let i = 0; i < 6; i++) store.create(mkPod(`p${i}`));
    s.run();
    expect(perNode(store)).toEqual({ n1: 2, n2: 2 });
    for (const name of ["p4", "p5"]) {
      expect(store.get("Pod", "default", name)?.spec.nodeName).toBeUndefined();
      expect(podScheduled(store, name)).toEqual({ type: "PodScheduled", status: "False", reason: "Unschedulable", message: TOO_MANY, lastTransitionTime: 0 });
    }
  });

  it("retries when a bound pod is deleted (AssignedPodDelete): the first waiting pod takes the freed slot", () => {
    const { s, store } = setup({ watchDelay: 5 });
    store.create(mkNode("n1", { maxPods: 2 }));
    store.create(mkNode("n2", { maxPods: 2 }));
    for (let i = 0; i < 6; i++) store.create(mkPod(`p${i}`));
    s.runUntil(1_000);
    const victim = store.list("Pod").find((p) => p.spec.nodeName === "n2") as Pod;
    store.delete("Pod", "default", victim.metadata.name);
    s.runUntil(2_000);
    expect(store.get("Pod", "default", "p4")?.spec.nodeName).toBe("n2");
    expect(podScheduled(store, "p4")).toEqual({ type: "PodScheduled", status: "True", lastTransitionTime: 1_005 });
    expect(store.get("Pod", "default", "p5")?.spec.nodeName).toBeUndefined();
    expect(podScheduled(store, "p5")?.reason).toBe("Unschedulable");
  });

  it("does not rewrite an unchanged condition, and keeps lastTransitionTime when only the message changes", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", { maxPods: 1 }));
    store.create(mkNode("n2", { maxPods: 1 }));
    for (let i = 0; i < 3; i++) store.create(mkPod(`p${i}`));
    s.runUntil(100);
    const rv = store.get("Pod", "default", "p2")?.metadata.resourceVersion;
    // A node change that does not change the message: retried, not rewritten.
    store.mutate("Node", undefined, "n1", (n) => {
      n.metadata.labels = { pool: "a" };
    });
    s.runUntil(200);
    expect(store.get("Pod", "default", "p2")?.metadata.resourceVersion).toBe(rv);
    store.mutate("Node", undefined, "n1", (n) => {
      n.spec = { ...n.spec, unschedulable: true };
    });
    s.runUntil(300);
    expect(podScheduled(store, "p2")).toEqual({
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message: "0/2 nodes are available: 1 Too many pods, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
      lastTransitionTime: 0,
    });
  });

  it("raising a node's allocatable pods lets a waiting pod in", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", { maxPods: 1 }));
    store.create(mkPod("a"));
    store.create(mkPod("b"));
    s.runUntil(100);
    expect(store.get("Pod", "default", "b")?.spec.nodeName).toBeUndefined();
    const n1 = store.get("Node", undefined, "n1") as Node;
    store.update({ ...n1, status: { ...n1.status, capacity: { pods: "2" }, allocatable: { pods: "2" } } });
    s.run();
    expect(store.get("Pod", "default", "b")?.spec.nodeName).toBe("n1");
  });

  it("with no node at all: SchedulerError, no nodes available to schedule pods", () => {
    const { s, store } = setup();
    store.create(mkPod("p"));
    s.run();
    expect(podScheduled(store, "p")).toEqual({ type: "PodScheduled", status: "False", reason: "SchedulerError", message: "no nodes available to schedule pods", lastTransitionTime: 0 });
  });
});

describe("allocatableResources", () => {
  it.each([
    ["the simulation's default node", mkNode("n", { cpu: "4", memory: "16Gi" }), { cpu: 4000, memory: 17179869184 }],
    ["millicores and decimal memory", mkNode("n", { cpu: "3500m", memory: "8G" }), { cpu: 3500, memory: 8e9 }],
    ["a hand-built Node without status: no limit", mkNode("n"), { cpu: Infinity, memory: Infinity }],
    ["not a quantity: no limit", mkNode("n", { cpu: "lots" }), { cpu: Infinity, memory: Infinity }],
  ])("%s", (_name, node, want) => {
    expect(allocatableResources(node)).toEqual(want);
  });
});

describe("unschedulableMessage with cpu and memory requests (NodeResourcesFit fitsRequest)", () => {
  const node = (name: string, o: { maxPods?: number } = {}): Node => mkNode(name, { ready: "True", cpu: "4", memory: "16Gi", maxPods: o.maxPods ?? 110 });
  const three = [node("node-1"), node("node-2"), node("node-3")];
  const used = (o: Record<string, { cpu?: number; memory?: number }>): Map<string, PodRequests> =>
    new Map(Object.entries(o).map(([k, v]) => [k, { cpu: v.cpu ?? 0, memory: v.memory ?? 0 }]));
  const GiB = 2 ** 30;
  it.each([
    [
      "3 nodes of 4 CPUs with 3000m requested each, a pod asking 1500m",
      three,
      { "node-1": 2, "node-2": 2, "node-3": 2 },
      { cpu: 1500, memory: 0 },
      used({ "node-1": { cpu: 3000 }, "node-2": { cpu: 3000 }, "node-3": { cpu: 3000 } }),
      "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    ],
    [
      "short of both cpu and memory: the node counts under each reason",
      [node("node-1"), node("node-2")],
      { "node-1": 1, "node-2": 1 },
      { cpu: 1000, memory: 4 * GiB },
      used({ "node-1": { cpu: 3500, memory: 14 * GiB }, "node-2": { cpu: 3500 } }),
      "0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    ],
    [
      "Too many pods and Insufficient cpu on one node",
      [node("node-1", { maxPods: 2 })],
      { "node-1": 2 },
      { cpu: 2000, memory: 0 },
      used({ "node-1": { cpu: 3000 } }),
      "0/1 nodes are available: 1 Insufficient cpu, 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    ],
    [
      "a request above a node's whole allocatable: preemption is not helpful (Unresolvable)",
      three,
      {},
      { cpu: 0, memory: 32 * GiB },
      used({}),
      "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    ],
    [
      "a resource the pod does not request is not checked, even on an overcommitted node",
      [node("node-1"), node("node-2")],
      { "node-1": 1, "node-2": 1 },
      { cpu: 0, memory: 2 * GiB },
      used({ "node-1": { cpu: 9000, memory: 15 * GiB }, "node-2": { cpu: 9000, memory: 15 * GiB } }),
      "0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    ],
    [
      "a cordoned node is named by NodeUnschedulable, not by its resources",
      [mkNode("node-1", { unschedulable: true, cpu: "1" }), node("node-2")],
      { "node-2": 1 },
      { cpu: 2000, memory: 0 },
      used({ "node-2": { cpu: 3000 } }),
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    ],
  ])("%s", (_name, nodes, c, request, requested, want) => {
    expect(unschedulableMessage(nodes, new Map(Object.entries(c)), [], request, requested)).toBe(want);
    expect(pickNode(nodes, new Map(Object.entries(c)), request, requested)).toBeUndefined();
  });

  it("undefined, and pickNode finds the node, when a request fits exactly (requested + request = allocatable)", () => {
    const requested = used({ "node-1": { cpu: 2500, memory: 12 * GiB } });
    expect(unschedulableMessage([node("node-1")], new Map([["node-1", 1]]), [], { cpu: 1500, memory: 4 * GiB }, requested)).toBeUndefined();
    expect(pickNode([node("node-1")], new Map([["node-1", 1]]), { cpu: 1500, memory: 4 * GiB }, requested)).toBe("node-1");
  });

  it("a pod without requests fits a node whose cpu is overcommitted", () => {
    const requested = used({ "node-1": { cpu: 9000 } });
    expect(pickNode([node("node-1")], new Map([["node-1", 1]]), { cpu: 0, memory: 0 }, requested)).toBe("node-1");
  });
});

describe("PodScheduler with cpu and memory requests", () => {
  const podScheduled = (store: ObjectStore, name: string) => store.get("Pod", "default", name)?.status?.conditions?.find((c) => c.type === "PodScheduled");
  const INSUFFICIENT_CPU = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";

  it("binds pods requesting 1500m two per 4-CPU node; the 7th stays Pending with Insufficient cpu, and takes a freed slot", () => {
    const { s, store } = setup({ watchDelay: 5 });
    for (const n of ["n1", "n2", "n3"]) store.create(mkNode(n, { cpu: "4", memory: "16Gi", maxPods: 110 }));
    for (let i = 0; i < 7; i++) store.create(mkPod(`p${i}`, undefined, { cpu: "1500m" }));
    s.runUntil(100);
    expect(perNode(store)).toEqual({ n1: 2, n2: 2, n3: 2 });
    expect(store.get("Pod", "default", "p6")?.spec.nodeName).toBeUndefined();
    expect(podScheduled(store, "p6")).toEqual({ type: "PodScheduled", status: "False", reason: "Unschedulable", message: INSUFFICIENT_CPU, lastTransitionTime: 5 });
    // A pod without requests still fits (only the pod count is checked).
    store.create(mkPod("small"));
    s.runUntil(200);
    expect(store.get("Pod", "default", "small")?.spec.nodeName).toBe("n1");
    // Deleting a 1500m pod frees its cpu (AssignedPodDelete retries the waiting pod).
    const victim = store.get("Pod", "default", "p1") as Pod;
    store.delete("Pod", "default", "p1");
    s.runUntil(300);
    expect(store.get("Pod", "default", "p6")?.spec.nodeName).toBe(victim.spec.nodeName);
  });

  it("counts the requests of pods already bound to a node", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", { cpu: "2", memory: "4Gi" }));
    store.create(mkPod("bound", "n1", { memory: "3Gi" }));
    store.create(mkPod("big", undefined, { memory: "2Gi" }));
    s.run();
    expect(store.get("Pod", "default", "big")?.spec.nodeName).toBeUndefined();
    expect(podScheduled(store, "big")?.message).toBe(
      "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
  });

  it("a larger node added later takes the waiting pod", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", { cpu: "2", memory: "4Gi" }));
    store.create(mkPod("huge", undefined, { cpu: "6" }));
    s.runUntil(100);
    expect(podScheduled(store, "huge")?.message).toBe("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    store.create(mkNode("n2", { cpu: "8", memory: "32Gi" }));
    s.run();
    expect(store.get("Pod", "default", "huge")?.spec.nodeName).toBe("n2");
  });
});
