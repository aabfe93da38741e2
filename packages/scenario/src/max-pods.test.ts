import { describe, expect, it } from "vitest";
import type { Deployment, Pod } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";

const deployment = (replicas: number): Deployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api" },
  spec: { replicas, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api" }] } } },
});

const byNode = (pods: readonly Pod[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of pods) if (p.spec.nodeName) out[p.spec.nodeName] = (out[p.spec.nodeName] ?? 0) + 1;
  return out;
};

const podScheduled = (p: Pod) => p.status?.conditions?.find((c) => c.type === "PodScheduled");

describe("Simulation: the kubelet's maxPods", () => {
  it.each([
    ["maxPodsPerNode 0", { maxPodsPerNode: 0 }, "maxPodsPerNode: Invalid value: 0: must be an integer >= 1"],
    ["maxPodsPerNode a fraction", { maxPodsPerNode: 10.5 }, "maxPodsPerNode: Invalid value: 10.5: must be an integer >= 1"],
    ["maxPodsPerNode a string", { maxPodsPerNode: "110" as unknown as number }, 'maxPodsPerNode: Invalid value: "110": must be an integer >= 1'],
    ["a node's maxPods negative", { nodes: [{ name: "a" }, { name: "b", maxPods: -1 }] }, "nodes[1].maxPods: Invalid value: -1: must be an integer >= 1"],
  ] as const)("refuses %s with a field-path error", (_name, opts, message) => {
    expect(() => new Simulation({ seed: 1, ...opts })).toThrow(message);
  });

  it("writes maxPods as status.capacity.pods and status.allocatable.pods (default 110, per node or cluster-wide)", () => {
    const pods = (sim: Simulation, node: string) => {
      const n = sim.store.get("Node", undefined, node);
      return [n?.status?.capacity?.pods, n?.status?.allocatable?.pods];
    };
    const defaults = new Simulation({ seed: 1 });
    expect(pods(defaults, "node-1")).toEqual(["110", "110"]);
    const custom = new Simulation({ seed: 1, maxPodsPerNode: 250, nodes: [{ name: "a" }, { name: "b", maxPods: 30 }] });
    expect(pods(custom, "a")).toEqual(["250", "250"]);
    expect(pods(custom, "b")).toEqual(["30", "30"]);
    expect(custom.store.get("Node", undefined, "a")?.status?.allocatable).toEqual({ cpu: "4", memory: "16Gi", pods: "250" });
  });

  it("500 replicas on 3 nodes: 110 run per node, 170 stay Pending with the scheduler's Too many pods message", () => {
    const sim = new Simulation({ seed: 1 });
    sim.apply([deployment(500)]);
    sim.settle();
    const pods = sim.pods({ app: "api" });
    expect(pods.length).toBe(500);
    expect(byNode(pods)).toEqual({ "node-1": 110, "node-2": 110, "node-3": 110 });
    const pending = pods.filter((p) => !p.spec.nodeName);
    expect(pending.length).toBe(170);
    for (const p of pending) {
      expect(p.status?.phase).toBe("Pending");
      expect(podScheduled(p)).toMatchObject({
        status: "False",
        reason: "Unschedulable",
        message: "0/3 nodes are available: 3 Too many pods. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
      });
    }
    expect(pods.filter((p) => p.status?.phase === "Running").length).toBe(330);
  });

  it("a deleted running pod frees its slot for a Pending one (the scheduler retries on AssignedPodDelete)", () => {
    const sim = new Simulation({ seed: 1, maxPodsPerNode: 2 });
    sim.apply([deployment(8)]);
    sim.settle();
    const before = sim.pods({ app: "api" });
    expect(byNode(before)).toEqual({ "node-1": 2, "node-2": 2, "node-3": 2 });
    const pendingBefore = before.filter((p) => !p.spec.nodeName).map((p) => p.metadata.name);
    expect(pendingBefore.length).toBe(2);
    const victim = before.find((p) => p.spec.nodeName === "node-2") as Pod;
    sim.deletePod(victim.metadata.name);
    sim.settle();
    const after = sim.pods({ app: "api" });
    expect(after.find((p) => p.metadata.name === victim.metadata.name)).toBeUndefined();
    expect(byNode(after)).toEqual({ "node-1": 2, "node-2": 2, "node-3": 2 });
    // The slot on node-2 was taken again once the terminating pod was gone (the ReplicaSet's
    // replacement came while the old pod was still terminating and found no room).
    const onNode2 = after.filter((p) => p.spec.nodeName === "node-2");
    expect(onNode2.every((p) => p.status?.phase === "Running")).toBe(true);
    expect(after.filter((p) => !p.spec.nodeName).length).toBe(2);
  });

  it("a node with a larger maxPods takes the pods the others cannot", () => {
    const sim = new Simulation({ seed: 1, nodes: [{ name: "small-1", maxPods: 3 }, { name: "small-2", maxPods: 3 }, { name: "big", maxPods: 20 }] });
    sim.apply([deployment(20)]);
    sim.settle();
    expect(byNode(sim.pods({ app: "api" }))).toEqual({ "small-1": 3, "small-2": 3, big: 14 });
  });

  it("the same seed gives the same digest with Pending pods", () => {
    const run = (): string => {
      const sim = new Simulation({ seed: 7, maxPodsPerNode: 4 });
      sim.apply([deployment(15)]);
      sim.settle();
      return sim.results().digest;
    };
    expect(run()).toBe(run());
  });
});
