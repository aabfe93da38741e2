import { describe, expect, it } from "vitest";
import type { Deployment, Pod, ResourceRequirements } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";

const deployment = (name: string, replicas: number, resources?: ResourceRequirements): Deployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ...(resources ? { resources } : {}) }] } },
  },
});

const byNode = (pods: readonly Pod[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of pods) if (p.spec.nodeName) out[p.spec.nodeName] = (out[p.spec.nodeName] ?? 0) + 1;
  return out;
};

const podScheduled = (p: Pod) => p.status?.conditions?.find((c) => c.type === "PodScheduled");
const INSUFFICIENT_CPU = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";

describe("Simulation: cpu and memory requests (NodeResourcesFit)", () => {
  it("writes each node's cpu and memory as status.capacity and status.allocatable (defaults 4 and 16Gi)", () => {
    const sim = new Simulation({ seed: 1, nodes: [{ name: "a" }, { name: "b", cpu: "8", memory: "32Gi" }] });
    expect(sim.store.get("Node", undefined, "a")?.status?.allocatable).toEqual({ cpu: "4", memory: "16Gi", pods: "110" });
    expect(sim.store.get("Node", undefined, "b")?.status?.capacity).toEqual({ cpu: "8", memory: "32Gi", pods: "110" });
  });

  it.each([
    ["a node's cpu not a quantity", { nodes: [{ name: "a", cpu: "four" }] }, `nodes[0].cpu: Invalid value: "four": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`],
    ["a node's memory with a bad suffix", { nodes: [{ name: "a" }, { name: "b", memory: "16ki" }] }, `nodes[1].memory: Invalid value: "16ki": unable to parse quantity's suffix`],
    ["a node's memory negative", { nodes: [{ name: "a", memory: "-1Gi" }] }, `nodes[0].memory: Invalid value: "-1Gi": must be greater than or equal to 0`],
  ] as const)("refuses %s with a field-path error", (_name, opts, message) => {
    expect(() => new Simulation({ seed: 1, ...opts })).toThrow(message);
  });

  it("refuses a container request above its limit as the API server does", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.apply([deployment("api", 1, { requests: { cpu: "2" }, limits: { cpu: "1" } })])).toThrow(
      'spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    );
  });

  it("7 pods requesting 1500m on 3 nodes of 4 CPUs: 2 per node, the 7th Pending with Insufficient cpu", () => {
    const sim = new Simulation({ seed: 1 });
    sim.apply([deployment("api", 7, { requests: { cpu: "1500m", memory: "256Mi" } })]);
    sim.settle();
    const pods = sim.pods({ app: "api" });
    expect(byNode(pods)).toEqual({ "node-1": 2, "node-2": 2, "node-3": 2 });
    const pending = pods.filter((p) => !p.spec.nodeName);
    expect(pending.length).toBe(1);
    expect(pending[0].status?.phase).toBe("Pending");
    expect(podScheduled(pending[0])).toMatchObject({ status: "False", reason: "Unschedulable", message: INSUFFICIENT_CPU });
    expect(pods.filter((p) => p.status?.phase === "Running").length).toBe(6);
  });

  it("pods without requests still fit nodes whose cpu is taken (only the pod count is checked)", () => {
    const sim = new Simulation({ seed: 1 });
    sim.apply([deployment("api", 6, { requests: { cpu: "2" } }), deployment("web", 6)]);
    sim.settle();
    expect(byNode(sim.pods({ app: "api" }))).toEqual({ "node-1": 2, "node-2": 2, "node-3": 2 });
    expect(byNode(sim.pods({ app: "web" }))).toEqual({ "node-1": 2, "node-2": 2, "node-3": 2 });
  });

  it("memory: a bigger node takes what the small ones cannot; a request above every node is never placed", () => {
    const sim = new Simulation({ seed: 1, nodes: [{ name: "small-1", memory: "4Gi" }, { name: "small-2", memory: "4Gi" }, { name: "big", memory: "64Gi" }] });
    sim.apply([deployment("cache", 6, { requests: { memory: "3Gi" } }), deployment("huge", 1, { requests: { memory: "128Gi" } })]);
    sim.settle();
    expect(byNode(sim.pods({ app: "cache" }))).toEqual({ "small-1": 1, "small-2": 1, big: 4 });
    const huge = sim.pods({ app: "huge" })[0];
    expect(huge.spec.nodeName).toBeUndefined();
    expect(podScheduled(huge)?.message).toBe("0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  });

  it("the same seed gives the same digest with requests", () => {
    const run = (): string => {
      const sim = new Simulation({ seed: 7 });
      sim.apply([deployment("api", 9, { requests: { cpu: "1" } })]);
      sim.settle();
      return sim.results().digest;
    };
    expect(run()).toBe(run());
  });
});
