import { describe, it, expect } from "vitest";
import { Callbacks, RandomSource, Scheduler, constant } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Node, Pod } from "@kube-netsim/model";
import fc from "fast-check";
import { LeastPodsPicker, PodScheduler, isNodeSchedulable, pickNode } from "./pod-scheduler.js";

function mkNode(name: string, o: { ready?: "True" | "False" | "Unknown"; unschedulable?: boolean } = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    spec: { podCIDR: "10.244.0.0/24", ...(o.unschedulable !== undefined ? { unschedulable: o.unschedulable } : {}) },
    ...(o.ready !== undefined ? { status: { conditions: [{ type: "Ready" as const, status: o.ready }] } } : {}),
  };
}

function mkPod(name: string, nodeName?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "web" } },
    spec: { containers: [{ name: "c" }], ...(nodeName !== undefined ? { nodeName } : {}) },
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
  type Op =
    | { readonly t: "count"; readonly node: number; readonly d: 1 | -1 }
    | { readonly t: "node"; readonly node: number; readonly ready: "True" | "False" | "Unknown" | undefined; readonly unschedulable: boolean }
    | { readonly t: "delete"; readonly node: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant("count" as const), node: fc.nat(7), d: fc.constantFrom(1 as const, -1 as const) }) },
    {
      weight: 2,
      arbitrary: fc.record({ t: fc.constant("node" as const), node: fc.nat(7), ready: fc.constantFrom("True" as const, "False" as const, "Unknown" as const, undefined), unschedulable: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("delete" as const), node: fc.nat(7) }) },
  );

  it("answers what pickNode answers, after any sequence of node writes and pod count changes", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const s = new Scheduler();
        const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
        const counts = new Map<string, number>();
        const picker = new LeastPodsPicker(store, counts);
        // Names that sort differently as strings and as numbers (node-10 < node-2).
        const name = (i: number): string => `node-${[1, 2, 10, 11, 3, 20, 100, 9][i]}`;
        for (const o of ops) {
          if (o.t === "count") {
            const n = name(o.node);
            const from = counts.get(n) ?? 0;
            counts.set(n, from + o.d);
            picker.moved(n, from, from + o.d);
          } else if (o.t === "delete") {
            store.delete("Node", undefined, name(o.node));
          } else {
            const n = mkNode(name(o.node), { ready: o.ready, unschedulable: o.unschedulable });
            if (store.get("Node", undefined, n.metadata.name)) store.update(n);
            else store.create(n);
          }
          expect(picker.pick()).toBe(pickNode(store.list("Node"), counts));
        }
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});
