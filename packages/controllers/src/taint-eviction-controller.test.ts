import { describe, it, expect } from "vitest";
import { Callbacks, RandomSource, Scheduler } from "@kube-netsim/core";
import { ObjectStore, TAINT_NODE_UNREACHABLE } from "@kube-netsim/model";
import type { Node, Pod, Taint, Toleration } from "@kube-netsim/model";
import { TaintEvictionController, minTolerationTime, toleratesTaint } from "./taint-eviction-controller.js";

const unreachable: Taint = { key: TAINT_NODE_UNREACHABLE, effect: "NoExecute" };
const defaultToleration: Toleration = { key: TAINT_NODE_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };

describe("toleratesTaint (pkg/apis/core/v1/helper ToleratesTaint)", () => {
  it.each<[string, Toleration, Taint, boolean]>([
    ["Exists on the key", { key: "k", operator: "Exists" }, { key: "k", value: "v", effect: "NoExecute" }, true],
    ["Equal with the same value", { key: "k", value: "v" }, { key: "k", value: "v", effect: "NoSchedule" }, true],
    ["Equal with another value", { key: "k", value: "w" }, { key: "k", value: "v", effect: "NoSchedule" }, false],
    ["another key", { key: "j", operator: "Exists" }, { key: "k", effect: "NoExecute" }, false],
    ["empty key with Exists tolerates everything", { operator: "Exists" }, { key: "k", effect: "NoExecute" }, true],
    ["another effect", { key: "k", operator: "Exists", effect: "NoSchedule" }, { key: "k", effect: "NoExecute" }, false],
    ["empty effect matches every effect", { key: "k", operator: "Exists" }, { key: "k", effect: "PreferNoSchedule" }, true],
  ])("%s", (_n, toleration, taint, want) => {
    expect(toleratesTaint(toleration, taint)).toBe(want);
  });
});

describe("minTolerationTime (getMatchingTolerations + getMinTolerationTime)", () => {
  it.each<[string, Taint[], Toleration[], number]>([
    ["the API server's default toleration: 300 s", [unreachable], [defaultToleration], 300_000],
    ["no toleration: now", [unreachable], [], 0],
    ["tolerated forever (no tolerationSeconds)", [unreachable], [{ key: TAINT_NODE_UNREACHABLE, operator: "Exists" }], -1],
    ["the smallest of the matching ones", [unreachable], [defaultToleration, { operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }], 60_000],
    ["a non-positive tolerationSeconds counts as 0", [unreachable], [{ ...defaultToleration, tolerationSeconds: -5 }], 0],
    ["one of two taints not tolerated: now", [unreachable, { key: "x", effect: "NoExecute" }], [defaultToleration], 0],
    ["no taint: nothing to do", [], [defaultToleration], -1],
  ])("%s", (_n, taints, tolerations, want) => {
    expect(minTolerationTime(taints, tolerations)).toBe(want);
  });
});

describe("TaintEvictionController", () => {
  function setup(tolerations: readonly Toleration[] = [defaultToleration]) {
    const s = new Scheduler();
    const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
    const node: Node = { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" }, spec: {} };
    store.create(node);
    const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }], nodeName: "node-1", tolerations } };
    store.create(pod);
    const later = new Callbacks(s);
    const evicted: [string, number][] = [];
    const tec = new TaintEvictionController(store, later, { watchDelay: 5, onEvict: (p, _n, at) => evicted.push([p.metadata.name, at]) });
    const taint = (at: number, taints: Taint[]): void =>
      later.at(at, () => {
        store.mutate("Node", undefined, "node-1", (d) => {
          d.spec = { ...d.spec, taints };
        });
      });
    const deletedAt = (): number | undefined => store.get("Pod", "default", "p")?.metadata.deletionTimestamp;
    return { s, store, tec, evicted, taint, deletedAt };
  }

  it("deletes the pod tolerationSeconds after it saw the taint (watch delay 5 ms)", () => {
    const { s, tec, evicted, taint, deletedAt } = setup();
    taint(125_100, [{ ...unreachable, timeAdded: 125_100 }]);
    s.runUntil(125_105);
    expect(tec.scheduledEviction("default/p")).toBe(425_105);
    s.runUntil(425_104);
    expect(deletedAt()).toBeUndefined();
    s.runUntil(425_105);
    expect(deletedAt()).toBe(425_105);
    expect(evicted).toEqual([["p", 425_105]]);
  });

  it("deletes a pod that does not tolerate the taint at once", () => {
    const { s, taint, deletedAt } = setup([]);
    taint(1000, [unreachable]);
    s.runUntil(2000);
    expect(deletedAt()).toBe(1005);
  });

  it("cancels the eviction when the taint goes before the toleration runs out", () => {
    const { s, tec, taint, deletedAt } = setup();
    taint(1000, [unreachable]);
    taint(200_000, []);
    s.runUntil(1_000_000);
    expect(deletedAt()).toBeUndefined();
    expect(tec.scheduledEviction("default/p")).toBeUndefined();
  });

  it("leaves a pod that tolerates the taint forever", () => {
    const { s, taint, deletedAt } = setup([{ operator: "Exists" }]);
    taint(1000, [unreachable]);
    s.runUntil(10_000_000);
    expect(deletedAt()).toBeUndefined();
  });
});
