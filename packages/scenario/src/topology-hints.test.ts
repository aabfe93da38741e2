import { describe, it, expect } from "vitest";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service, ServiceSpec, StringMap } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";
import type { NodeSpec } from "./simulation.js";

// Topology hints end to end: the EndpointSlice controller writes them, kube-proxy on
// each node follows them (all-or-nothing), and cross-zone traffic shows the effect.

function deployment(replicas: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "api" } },
      template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

function service(spec: Partial<ServiceSpec>, annotations?: StringMap): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name: "api", ...(annotations ? { annotations } : {}) }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}

function run(svc: Service, replicas: number, nodes?: NodeSpec[]): Simulation {
  const sim = new Simulation({ seed: 3, ...(nodes ? { nodes } : {}) });
  sim.apply([deployment(replicas), svc]);
  sim.setApplication({ app: "api" }, { serviceTime: exponential(2) });
  sim.settle();
  return sim;
}

const hintsOf = (sim: Simulation): (string | undefined)[] =>
  sim.store
    .list("EndpointSlice")
    .flatMap((s) => s.endpoints)
    .map((e) => e.hints?.forZones?.map((z) => z.name).join(","))
    .sort();

describe("Simulation: topology hints", () => {
  it("no trafficDistribution: no hints, a zone-a client spreads over all zones", () => {
    const sim = run(service({}), 6);
    expect(hintsOf(sim).every((h) => h === undefined)).toBe(true);
    sim.addClient({ name: "c", target: "api:80", rate: 300, node: "node-1" });
    sim.runFor(10_000);
    sim.drain();
    // 4 of 6 endpoints are in other zones: 2/3 of requests cross, within 0.03.
    expect(Math.abs(sim.crossZoneTraffic().share - 2 / 3)).toBeLessThan(0.03);
  });

  it("trafficDistribution PreferClose: own-zone hints, and no request leaves the client's zone", () => {
    const sim = run(service({ trafficDistribution: "PreferClose" }), 6);
    expect(hintsOf(sim)).toEqual(["zone-a", "zone-a", "zone-b", "zone-b", "zone-c", "zone-c"]);
    expect(sim.kubeProxy("node-1").frontend(`${sim.store.get("Service", "default", "api")?.spec.clusterIP}:80/TCP`).endpoints.length).toBe(2);
    sim.addClient({ name: "c", target: "api:80", rate: 300, node: "node-1" });
    sim.runFor(10_000);
    sim.drain();
    const x = sim.crossZoneTraffic();
    expect(x.crossZone).toBe(0);
    expect(Object.keys(x.byZonePair)).toEqual(["zone-a -> zone-a"]);
  });

  it("PreferClose is all-or-nothing in kube-proxy: a zone with no endpoint spreads cluster-wide", () => {
    // 2 pods: zones a and b hinted; node-3 (zone-c) has no endpoint hinted for its zone.
    const sim = run(service({ trafficDistribution: "PreferClose" }), 2);
    const ip = sim.store.get("Service", "default", "api")?.spec.clusterIP;
    expect(sim.kubeProxy("node-3").frontend(`${ip}:80/TCP`).endpoints.length).toBe(2);
    expect(sim.kubeProxy("node-1").frontend(`${ip}:80/TCP`).endpoints.length).toBe(1);
  });

  it("topology-mode Auto with equal CPU: own-zone hints; with too few endpoints for the zones, no hints at all", () => {
    const auto = { "service.kubernetes.io/topology-mode": "Auto" };
    expect(hintsOf(run(service({}, auto), 6))).toEqual(["zone-a", "zone-a", "zone-b", "zone-b", "zone-c", "zone-c"]);
    expect(hintsOf(run(service({}, auto), 2))).toEqual([undefined, undefined]);
  });

  it("topology-mode Auto with unequal CPU: zone-a (half the CPU) gets endpoints hinted over from the other zones", () => {
    const nodes: NodeSpec[] = [
      { name: "node-1", zone: "zone-a", cpu: "8" },
      { name: "node-2", zone: "zone-b", cpu: "4" },
      { name: "node-3", zone: "zone-c", cpu: "4" },
    ];
    const auto = service({}, { "service.kubernetes.io/topology-mode": "Auto" });
    // 12 endpoints, 4 per zone; desired a = 6, b = c = 3 (minimums 5, 3, 3): one endpoint of
    // zone-b and one of zone-c are hinted for zone-a.
    const hints = hintsOf(run(auto, 12, nodes));
    expect(hints.filter((h) => h === "zone-a").length).toBe(6);
    expect(hints.filter((h) => h === "zone-b").length).toBe(3);
    expect(hints.filter((h) => h === "zone-c").length).toBe(3);
    // 6 endpoints: minimums ceil(3/1.2) + 2 x ceil(1.5/1.2) = 3 + 2 + 2 = 7 > 6, so the
    // overload threshold cannot be met and no endpoint gets a hint.
    expect(hintsOf(run(auto, 6, nodes))).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it("the disabled reason of Auto hints is reported as upstream's event message", () => {
    const auto = service({}, { "service.kubernetes.io/topology-mode": "Auto" });
    expect(run(auto, 2).topologyHints("api")).toEqual({ disabled: "Insufficient number of endpoints (2 endpoints, 3 zones)" });
    expect(Object.fromEntries(run(auto, 6).topologyHints("api")?.hintsByZone ?? [])).toEqual({ "zone-a": 2, "zone-b": 2, "zone-c": 2 });
    expect(run(service({ trafficDistribution: "PreferClose" }), 6).topologyHints("api")).toBeUndefined();
  });

  it("PreferSameNode: a node with a local endpoint uses it alone; a node without one falls back to its zone", () => {
    const nodes: NodeSpec[] = [
      { name: "node-1", zone: "zone-a" },
      { name: "node-2", zone: "zone-a" },
      { name: "node-3", zone: "zone-b" },
      { name: "node-4", zone: "zone-a" },
    ];
    // 3 pods spread over node-1..node-3; node-4 has none.
    const sim = run(service({ trafficDistribution: "PreferSameNode" }), 3, nodes);
    const ip = sim.store.get("Service", "default", "api")?.spec.clusterIP;
    const podOn = (n: string): string | undefined => sim.pods({ app: "api" }).find((p) => p.spec.nodeName === n)?.status?.podIP;
    expect(sim.kubeProxy("node-1").frontend(`${ip}:80/TCP`).endpoints.map((e) => e.ip)).toEqual([podOn("node-1")]);
    const zoneA = ["node-1", "node-2"].map(podOn).sort();
    expect(sim.kubeProxy("node-4").frontend(`${ip}:80/TCP`).endpoints.map((e) => e.ip).sort()).toEqual(zoneA);
  });

  it("removing trafficDistribution removes the hints from slices that did not otherwise change", () => {
    const sim = run(service({ trafficDistribution: "PreferClose" }), 6);
    expect(hintsOf(sim).every((h) => h !== undefined)).toBe(true);
    sim.apply([service({})]);
    sim.settle();
    expect(hintsOf(sim).every((h) => h === undefined)).toBe(true);
    const ip = sim.store.get("Service", "default", "api")?.spec.clusterIP;
    expect(sim.kubeProxy("node-1").frontend(`${ip}:80/TCP`).endpoints.length).toBe(6);
  });
});
