import { describe, it, expect } from "vitest";
import fc from "fast-check";
import type { Endpoint, EndpointSlice, Node } from "@kube-netsim/model";
import {
  TopologyCache,
  cpuMillis,
  getAllocations,
  getGivingAndReceivingZones,
  hintsEnabled,
  reconcileTrafficDistributionHints,
  serviceOverloaded,
  zoneCpuRatios,
} from "./topology-cache.js";
import type { HintableSlice, HintsSliceInfo } from "./topology-cache.js";

// Cases and numbers from staging/src/k8s.io/endpointslice/topologycache/topologycache_test.go
// (TestAddHints, TestSetNodes) and trafficdist_test.go.

const FC = { seed: Number(process.env.FC_SEED ?? 20261204), numRuns: 200 };

/** An endpoint; `ready` "unknown" leaves the condition unset (nil: not ready for hints). */
const ep = (ip: string, zone: string | undefined, ready: boolean | "unknown" = true, nodeName?: string): Endpoint => ({
  addresses: [ip],
  ...(zone !== undefined ? { zone } : {}),
  ...(nodeName !== undefined ? { nodeName } : {}),
  conditions: ready === "unknown" ? {} : { ready },
});

function info(toCreate: Endpoint[][], toUpdate: Endpoint[][] = [], unchanged: EndpointSlice[] = []): HintsSliceInfo & { promoted: EndpointSlice[] } {
  const promoted: EndpointSlice[] = [];
  const upd: HintableSlice[] = toUpdate.map((e) => ({ endpoints: [...e] }));
  return {
    toCreate: toCreate.map((e) => ({ endpoints: [...e] })),
    toUpdate: upd,
    unchanged,
    promoted,
    promote: (s) => {
      promoted.push(s);
      const w = { endpoints: [...s.endpoints] };
      upd.push(w);
      return w;
    },
  };
}

const zonesOf = (s: HintableSlice): (string | undefined)[] => s.endpoints.map((e) => e.hints?.forZones?.map((z) => z.name).join(","));

function cacheWith(ratios: Record<string, number> | undefined): TopologyCache {
  const c = new TopologyCache();
  if (ratios !== undefined) {
    // Nodes whose CPU gives exactly these ratios (1000 millicores per 0.001).
    c.setNodes(Object.entries(ratios).map(([zone, r], i) => node(`n${i}`, zone, `${Math.round(r * 1000)}m`)));
  }
  return c;
}

function node(name: string, zone: string, cpu: string, ready: "True" | "False" = "True", labels: Record<string, string> = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { ...(zone ? { "topology.kubernetes.io/zone": zone } : {}), ...labels } },
    status: { allocatable: { cpu }, conditions: [{ type: "Ready", status: ready }] },
  };
}

describe("hintsEnabled (endpointslice utils.go)", () => {
  it.each([
    [{ "service.kubernetes.io/topology-mode": "Auto" }, true],
    [{ "service.kubernetes.io/topology-mode": "auto" }, true],
    [{ "service.kubernetes.io/topology-mode": "Disabled" }, false],
    [{ "service.kubernetes.io/topology-aware-hints": "auto" }, true],
    [{ "service.kubernetes.io/topology-mode": "", "service.kubernetes.io/topology-aware-hints": "Auto" }, false],
    [{}, false],
  ])("%j => %s", (annotations, want) => expect(hintsEnabled(annotations)).toBe(want));
});

describe("SetNodes (TestSetNodes)", () => {
  it.each([
    ["empty", [], undefined],
    ["single node", [node("a", "zone-a", "1000m")], undefined],
    ["single zone", [node("a", "zone-a", "1000m"), node("b", "zone-a", "1000m")], undefined],
    ["2 zones", [node("a", "zone-a", "1000m"), node("b", "zone-b", "1000m")], { "zone-a": 0.5, "zone-b": 0.5 }],
    ["2 zones, unready node in 1, ready node in 1", [node("a", "zone-a", "1000m", "False"), node("b", "zone-b", "1000m")], undefined],
    ["2 zones, control plane node in 1, ready node in 1", [node("a", "zone-a", "1000m"), node("b", "zone-b", "1000m", "True", { "node-role.kubernetes.io/control-plane": "" })], undefined],
    ["2 zones, unready node in 1, ready node in 2", [node("a", "zone-a", "1000m"), node("b", "zone-b", "1000m"), node("c", "zone-b", "1000m", "False")], { "zone-a": 0.5, "zone-b": 0.5 }],
    [
      "3 zones, 4 nodes in 1, 2 nodes in 1, 1 node in 1",
      [node("a", "zone-a", "1000m"), node("b", "zone-a", "1000m"), node("c", "zone-a", "1000m"), node("d", "zone-a", "2000m"), node("e", "zone-b", "3000m"), node("f", "zone-b", "1500m"), node("g", "zone-c", "500m")],
      { "zone-a": 0.5, "zone-b": 0.45, "zone-c": 0.05 },
    ],
    ["a node without a zone makes the information insufficient", [node("a", "zone-a", "1000m"), node("b", "zone-b", "1000m"), node("c", "", "1000m")], undefined],
    ["a node without CPU too", [node("a", "zone-a", "1000m"), node("b", "zone-b", "0")], undefined],
  ] as const)("%s", (_name, nodes, want) => {
    const r = zoneCpuRatios(nodes as readonly Node[]);
    expect(r === undefined ? undefined : Object.fromEntries(r)).toEqual(want);
  });

  it("parses CPU quantities", () => {
    expect([cpuMillis("4"), cpuMillis("3500m"), cpuMillis("2.5"), cpuMillis(1.5), cpuMillis("x")]).toEqual([4000, 3500, 2500, 1500, NaN]);
  });
});

describe("getAllocations (topologycache.go)", () => {
  it("desired = ratio x N, minimum = ceil(desired / 1.2), maximum = minimum + N - sum(minimum)", () => {
    const a = getAllocations(new Map([["zone-a", 0.35], ["zone-b", 0.35], ["zone-c", 0.3]]), 10);
    expect(typeof a).toBe("object");
    const m = a as Map<string, { minimum: number; maximum: number; desired: number }>;
    expect(m.get("zone-a")).toEqual({ minimum: 3, desired: 3.5, maximum: 4 });
    expect(m.get("zone-c")).toEqual({ minimum: 3, desired: 3, maximum: 4 });
  });

  it.each([
    ["no node information", undefined, 3, "Insufficient Node information: allocatable CPU or zone not specified on one or more nodes"],
    ["more zones than endpoints", { "zone-a": 0.3, "zone-b": 0.4, "zone-c": 0.3 }, 2, "Insufficient number of endpoints (2 endpoints, 3 zones)"],
    ["minimums above N (0.05 of 3 endpoints still needs 1)", { "zone-a": 0.5, "zone-b": 0.45, "zone-c": 0.05 }, 3, "Unable to allocate minimum required endpoints to each zone without exceeding overload threshold (3 endpoints, 3 zones)"],
  ])("refused: %s", (_name, ratios, n, reason) => {
    expect(getAllocations(ratios === undefined ? undefined : new Map(Object.entries(ratios)), n)).toBe(reason);
  });

  it("property: when allocations exist, every minimum is at most N and sum(minimum) <= N <= sum(maximum)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 200 }), (cpus, n) => {
        const total = cpus.reduce((a, b) => a + b, 0);
        const ratios = new Map(cpus.map((c, i) => [`zone-${i}`, c / total]));
        const a = getAllocations(ratios, n);
        if (typeof a === "string") return true;
        let minSum = 0;
        let maxSum = 0;
        for (const z of a.values()) {
          if (z.minimum > n || z.desired < z.minimum) return false;
          minSum += z.minimum;
          maxSum += z.maximum;
        }
        return minSum <= n && n <= maxSum;
      }),
      FC,
    );
  });
});

describe("AddHints (TestAddHints)", () => {
  it("no node information: hints removed, reason given", () => {
    const si = info([[ep("10.1.2.3", "zone-a")]]);
    const r = cacheWith(undefined).addHints("ns/svc", si);
    expect(r.disabled).toBe("Insufficient Node information: allocatable CPU or zone not specified on one or more nodes");
    expect(zonesOf(si.toCreate[0])).toEqual([undefined]);
  });

  it("slice to create with 2 endpoints, zone ratios require 3", () => {
    const si = info([[ep("10.1.2.3", "zone-a"), ep("10.1.2.4", "zone-b")]]);
    const r = cacheWith({ "zone-a": 0.3, "zone-b": 0.4, "zone-c": 0.3 }).addHints("ns/svc", si);
    expect(r.disabled).toBe("Insufficient number of endpoints (2 endpoints, 3 zones)");
    expect(zonesOf(si.toCreate[0])).toEqual([undefined, undefined]);
  });

  it("slice to create with 2 ready, 1 unready, 1 unknown endpoints, zone ratios only require 2", () => {
    const si = info([[ep("10.1.2.3", "zone-a"), ep("10.1.2.4", "zone-b"), ep("10.1.2.5", "zone-b", false), ep("10.1.2.6", "zone-b", "unknown")]]);
    const cache = cacheWith({ "zone-a": 0.45, "zone-b": 0.55 });
    const r = cache.addHints("ns/svc", si);
    expect(Object.fromEntries(r.hintsByZone ?? [])).toEqual({ "zone-a": 1, "zone-b": 1 });
    expect(zonesOf(si.toCreate[0])).toEqual(["zone-a", "zone-b", undefined, undefined]);
    expect(cache.hasPopulatedHints("ns/svc")).toBe(true);
  });

  it("slices to create and update within 3 zone threshold: zone-a gives its first endpoint to zone-b (4/3/3)", () => {
    const si = info(
      [
        [ep("10.1.2.3", "zone-a"), ep("10.1.2.4", "zone-b")],
        [ep("10.1.3.3", "zone-c"), ep("10.1.3.4", "zone-c"), ep("10.1.3.4", "zone-a")],
      ],
      [
        [ep("10.2.2.3", "zone-a"), ep("10.2.2.4", "zone-a")],
        [ep("10.2.3.3", "zone-b"), ep("10.2.3.4", "zone-c"), ep("10.2.3.4", "zone-a")],
      ],
    );
    const r = cacheWith({ "zone-a": 0.35, "zone-b": 0.35, "zone-c": 0.3 }).addHints("ns/svc", si);
    expect(Object.fromEntries(r.hintsByZone ?? [])).toEqual({ "zone-a": 4, "zone-b": 3, "zone-c": 3 });
    expect(zonesOf(si.toCreate[0])).toEqual(["zone-b", "zone-b"]);
    expect(zonesOf(si.toCreate[1])).toEqual(["zone-c", "zone-c", "zone-a"]);
    expect(zonesOf(si.toUpdate[0])).toEqual(["zone-a", "zone-a"]);
    expect(zonesOf(si.toUpdate[1])).toEqual(["zone-b", "zone-c", "zone-a"]);
  });

  it("an endpoint without a zone removes every hint", () => {
    const si = info([[ep("10.1.2.3", "zone-a"), ep("10.1.2.4", undefined)]]);
    expect(cacheWith({ "zone-a": 0.5, "zone-b": 0.5 }).addHints("ns/svc", si).disabled).toBe("One or more endpoints do not have a zone specified");
    expect(zonesOf(si.toCreate[0])).toEqual([undefined, undefined]);
  });

  it("an unchanged slice keeps valid hints, and one with a hint for a zone without allocation is updated", () => {
    const good: EndpointSlice = { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "s1" }, addressType: "IPv4", endpoints: [{ ...ep("10.0.0.1", "zone-a"), hints: { forZones: [{ name: "zone-a" }] } }] };
    const stale: EndpointSlice = { ...good, metadata: { name: "s2" }, endpoints: [{ ...ep("10.0.0.2", "zone-b"), hints: { forZones: [{ name: "zone-x" }] } }] };
    const si = info([], [], [good, stale]);
    const r = cacheWith({ "zone-a": 0.5, "zone-b": 0.5 }).addHints("ns/svc", si);
    expect(si.promoted.map((s) => s.metadata.name)).toEqual(["s2"]);
    expect(zonesOf(si.toUpdate[0])).toEqual(["zone-b"]);
    expect(Object.fromEntries(r.hintsByZone ?? [])).toEqual({ "zone-a": 1, "zone-b": 1 });
  });
});

describe("getGivingAndReceivingZones and serviceOverloaded", () => {
  it("moves whole endpoints while both surplus and deficit are >= 0.5 and one is >= 1", () => {
    const alloc = new Map([
      ["zone-a", { minimum: 3, maximum: 4, desired: 3.5 }],
      ["zone-b", { minimum: 3, maximum: 4, desired: 3.5 }],
      ["zone-c", { minimum: 3, maximum: 4, desired: 3 }],
    ]);
    const r = getGivingAndReceivingZones(alloc, new Map([["zone-a", 5], ["zone-b", 2], ["zone-c", 3]]));
    expect(Object.fromEntries(r.giving)).toEqual({ "zone-a": 1 });
    expect(Object.fromEntries(r.receiving)).toEqual({ "zone-b": 1 });
  });

  it.each([
    ["balanced", { "zone-a": 5, "zone-b": 5 }, { "zone-a": 0.5, "zone-b": 0.5 }, false],
    ["zone-b below ceil(10 x 0.5 / 1.2) = 5", { "zone-a": 6, "zone-b": 4 }, { "zone-a": 0.5, "zone-b": 0.5 }, true],
    ["a zone with no endpoint", { "zone-a": 10 }, { "zone-a": 0.5, "zone-b": 0.5 }, true],
    ["no hints at all", {}, { "zone-a": 0.5, "zone-b": 0.5 }, false],
  ])("serviceOverloaded: %s", (_name, hints, ratios, want) => {
    expect(serviceOverloaded(new Map(Object.entries(hints)), new Map(Object.entries(ratios)))).toBe(want);
  });
});

describe("trafficDistribution (trafficdist.ReconcileHints)", () => {
  it("PreferClose: every ready endpoint with a zone is hinted for its own zone; not-ready ones are left alone", () => {
    const si = info([[ep("10.0.0.1", "zone-a", true, "n1"), ep("10.0.0.2", "zone-b", false, "n2"), ep("10.0.0.3", undefined, true, "n3")]]);
    reconcileTrafficDistributionHints("PreferClose", si);
    expect(si.toCreate[0].endpoints.map((e) => e.hints)).toEqual([{ forZones: [{ name: "zone-a" }] }, undefined, undefined]);
  });

  it("PreferSameNode: zone and node hints", () => {
    const si = info([[ep("10.0.0.1", "zone-a", true, "n1")]]);
    reconcileTrafficDistributionHints("PreferSameNode", si);
    expect(si.toCreate[0].endpoints[0].hints).toEqual({ forZones: [{ name: "zone-a" }], forNodes: [{ name: "n1" }] });
  });

  it("unset: hints are removed, and unchanged slices with hints are promoted to updates", () => {
    const hinted: EndpointSlice = { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "s1" }, addressType: "IPv4", endpoints: [{ ...ep("10.0.0.1", "zone-a"), hints: { forZones: [{ name: "zone-a" }] } }] };
    const si = info([], [], [hinted]);
    reconcileTrafficDistributionHints(undefined, si);
    expect(si.promoted.map((s) => s.metadata.name)).toEqual(["s1"]);
    expect(si.toUpdate[0].endpoints[0].hints).toBeUndefined();
  });

  it("an unchanged slice with correct hints is not rewritten", () => {
    const hinted: EndpointSlice = { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "s1" }, addressType: "IPv4", endpoints: [{ ...ep("10.0.0.1", "zone-a"), hints: { forZones: [{ name: "zone-a" }] } }] };
    const si = info([], [], [hinted]);
    reconcileTrafficDistributionHints("PreferSameZone", si);
    expect(si.promoted).toEqual([]);
  });
});
