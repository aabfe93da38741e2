import { describe, expect, it } from "vitest";
import { Simulation } from "./simulation.js";

describe("Simulation: node count and pod CIDRs", () => {
  it.each([
    ["zero nodes", { nodes: 0 }, "nodes: Invalid value: 0: must be an integer between 1 and 5000"],
    ["a fraction", { nodes: 2.5 }, "nodes: Invalid value: 2.5: must be an integer between 1 and 5000"],
    ["past Kubernetes' 5,000-node limit", { nodes: 5001 }, "nodes: Invalid value: 5001: must be an integer between 1 and 5000"],
    ["too many node specs", { nodes: Array.from({ length: 5001 }, (_, i) => ({ name: `n${i}` })) }, "nodes: Too many: 5001: must have at most 5000 items"],
    ["default /16 holds 256 node /24s", { nodes: 300 }, "nodes: Invalid value: 300: clusterCIDR 10.244.0.0/16 holds only 256 node pod CIDRs of /24"],
    ["mask shorter than the clusterCIDR", { nodes: 3, clusterCIDR: "10.128.0.0/9", nodeCIDRMaskSize: 8 }, "nodeCIDRMaskSize: Invalid value: 8: must be an integer between 9 (the clusterCIDR prefix) and 30"],
  ] as const)("refuses %s with a field-path error", (_name, opts, message) => {
    expect(() => new Simulation({ seed: 1, ...opts })).toThrow(message);
  });

  it("builds 1,000 nodes on a /9 pod network, each with its own /24 and a kube-proxy", () => {
    const sim = new Simulation({ seed: 1, nodes: 1000, clusterCIDR: "10.128.0.0/9", nodeCIDRMaskSize: 24 });
    expect(sim.nodeNames.length).toBe(1000);
    expect(sim.nodeNames[999]).toBe("node-1000");
    sim.apply([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api" },
        spec: { replicas: 1000, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api" }] } } },
      },
    ]);
    sim.settle();
    const byNode = new Map(sim.pods({ app: "api" }).map((p) => [p.spec.nodeName, p.status?.podIP ?? ""]));
    expect(byNode.size).toBe(1000);
    // The 1,000th /24 of 10.128.0.0/9: index 999 = 3 x 256 + 231, so 10.131.231.0/24.
    expect(byNode.get("node-1000")).toMatch(/^10\.131\.231\.[0-9]+$/);
    expect(byNode.get("node-1")).toMatch(/^10\.128\.0\.[0-9]+$/);
    expect(sim.kubeProxy("node-1000").stats.syncs).toBeGreaterThan(0);
  });
});
