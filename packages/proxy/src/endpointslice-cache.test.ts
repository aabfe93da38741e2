import { describe, it, expect } from "vitest";
import type { Endpoint, EndpointPort, EndpointSlice } from "@kube-netsim/model";
import {
  EndpointSliceCache,
  parseServicePortNameKey,
  servicePortNameKey,
  type EndpointsByPort,
} from "./endpointslice-cache.js";

function slice(
  name: string,
  endpoints: readonly Endpoint[],
  opts: { service?: string | null; namespace?: string; ports?: readonly EndpointPort[]; addressType?: EndpointSlice["addressType"]; rv?: string } = {},
): EndpointSlice {
  const service = opts.service === undefined ? "api" : opts.service;
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name,
      namespace: opts.namespace ?? "default",
      ...(opts.rv !== undefined ? { resourceVersion: opts.rv } : {}),
      labels: service === null ? {} : { "kubernetes.io/service-name": service },
    },
    addressType: opts.addressType ?? "IPv4",
    endpoints,
    ports: opts.ports ?? [{ name: "http", protocol: "TCP", port: 8080 }],
  };
}

const ep = (ip: string, extra: Partial<Endpoint> = {}): Endpoint => ({ addresses: [ip], ...extra });

const keysOf = (m: EndpointsByPort, port = "default/api:http/TCP"): string[] => (m.get(port) ?? []).map((e) => e.key);

describe("servicePortNameKey", () => {
  it("formats and parses back, with and without a port name", () => {
    const named = { namespace: "shop", name: "api", port: "http", protocol: "TCP" } as const;
    const unnamed = { namespace: "shop", name: "api", port: "", protocol: "UDP" } as const;
    expect(servicePortNameKey(named)).toBe("shop/api:http/TCP");
    expect(servicePortNameKey(unnamed)).toBe("shop/api:/UDP");
    expect(parseServicePortNameKey("shop/api:http/TCP")).toEqual(named);
    expect(parseServicePortNameKey("shop/api:/UDP")).toEqual(unnamed);
    expect(() => parseServicePortNameKey("shop/api")).toThrow(RangeError);
    expect(() => parseServicePortNameKey("shop/api:http/ICMP")).toThrow(RangeError);
  });
});

describe("EndpointSliceCache: pending and applied", () => {
  it("an update is pending until checkoutChanges applies it", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1")]), false)).toBe(true);
    expect(cache.hasPendingChanges()).toBe(true);
    expect(cache.endpointsFor("default/api").size).toBe(0);
    const changes = cache.checkoutChanges();
    expect([...changes.keys()]).toEqual(["default/api"]);
    const change = changes.get("default/api");
    expect(change?.previous.size).toBe(0);
    expect(keysOf(change!.current)).toEqual(["10.0.0.1:8080"]);
    expect(keysOf(cache.endpointsFor("default/api"))).toEqual(["10.0.0.1:8080"]);
    expect(cache.hasPendingChanges()).toBe(false);
    expect(cache.checkoutChanges().size).toBe(0);
  });

  it("a deep-equal update (new object) is not a change, against applied and against pending", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(slice("api-1", [ep("10.0.0.1")]), false);
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1")]), false)).toBe(false); // vs pending
    cache.checkoutChanges();
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1")]), false)).toBe(false); // vs applied
    expect(cache.hasPendingChanges()).toBe(false);
  });

  it("the whole object is compared (reflect.DeepEqual): a new resourceVersion is a change", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(slice("api-1", [ep("10.0.0.1")], { rv: "1" }), false);
    cache.checkoutChanges();
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1")], { rv: "2" }), false)).toBe(true);
    const change = cache.checkoutChanges().get("default/api");
    expect(keysOf(change!.previous)).toEqual(keysOf(change!.current));
  });

  it("a change reports previous and current", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(slice("api-1", [ep("10.0.0.1")]), false);
    cache.checkoutChanges();
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1"), ep("10.0.0.2")]), false)).toBe(true);
    expect(keysOf(cache.endpointsFor("default/api"))).toEqual(["10.0.0.1:8080"]); // still the applied one
    const change = cache.checkoutChanges().get("default/api")!;
    expect(keysOf(change.previous)).toEqual(["10.0.0.1:8080"]);
    expect(keysOf(change.current)).toEqual(["10.0.0.1:8080", "10.0.0.2:8080"]);
  });

  it("removing: unknown slice is no change; an applied slice is", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    expect(cache.updatePending(slice("ghost", [ep("10.0.0.9")]), true)).toBe(false);
    cache.updatePending(slice("api-1", [ep("10.0.0.1")]), false);
    cache.checkoutChanges();
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1")]), true)).toBe(true);
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1")]), true)).toBe(false); // already pending removal
    const change = cache.checkoutChanges().get("default/api")!;
    expect(keysOf(change.previous)).toEqual(["10.0.0.1:8080"]);
    expect(change.current.size).toBe(0);
    expect(cache.endpointsFor("default/api").size).toBe(0);
  });

  it("added then removed before a sync: the service is reported with equal previous and current", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1")]), false)).toBe(true);
    expect(cache.updatePending(slice("api-1", [ep("10.0.0.1")]), true)).toBe(true);
    const change = cache.checkoutChanges().get("default/api")!;
    expect(change.previous.size).toBe(0);
    expect(change.current.size).toBe(0);
  });

  it("checkoutChanges lists only services with pending slices, sorted by namespace/name", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(slice("web-1", [ep("10.0.1.1")], { service: "web" }), false);
    cache.checkoutChanges();
    cache.updatePending(slice("z-1", [ep("10.0.2.1")], { service: "zeta" }), false);
    cache.updatePending(slice("a-1", [ep("10.0.3.1")], { service: "alpha", namespace: "prod" }), false);
    cache.updatePending(slice("a-1", [ep("10.0.4.1")], { service: "alpha" }), false);
    expect([...cache.checkoutChanges().keys()]).toEqual(["default/alpha", "default/zeta", "prod/alpha"]);
  });
});

describe("EndpointSliceCache: rejected and ignored slices", () => {
  it("a slice without the kubernetes.io/service-name label is rejected with an error", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    expect(cache.updatePending(slice("orphan", [ep("10.0.0.1")], { service: null }), false)).toBe(false);
    expect(cache.updatePending(slice("blank", [ep("10.0.0.1")], { service: "" }), false)).toBe(false);
    expect(cache.errors()).toEqual([
      "no kubernetes.io/service-name label set on endpoint slice: orphan",
      "no kubernetes.io/service-name label set on endpoint slice: blank",
    ]);
    expect(cache.hasPendingChanges()).toBe(false);
  });

  it("a slice without a namespace is rejected", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    const s = slice("api-1", [ep("10.0.0.1")]);
    const noNs: EndpointSlice = { ...s, metadata: { name: "api-1", labels: { "kubernetes.io/service-name": "api" } } };
    expect(cache.updatePending(noNs, false)).toBe(false);
    expect(cache.errors()[0]).toMatch(/^expected EndpointSlice name and namespace to be set/);
  });

  it("slices of another address type are ignored without error (EndpointsChangeTracker)", () => {
    const v4 = new EndpointSliceCache({ nodeName: "node-a" });
    expect(v4.updatePending(slice("api-v6", [ep("fd00::1")], { addressType: "IPv6" }), false)).toBe(false);
    expect(v4.updatePending(slice("api-fqdn", [ep("example.com")], { addressType: "FQDN" }), false)).toBe(false);
    expect(v4.errors()).toEqual([]);
    const v6 = new EndpointSliceCache({ nodeName: "node-a", addressType: "IPv6" });
    expect(v6.updatePending(slice("api-v6", [ep("fd00::1")], { addressType: "IPv6" }), false)).toBe(true);
    expect(keysOf(v6.checkoutChanges().get("default/api")!.current)).toEqual(["[fd00::1]:8080"]);
  });
});

describe("EndpointSliceCache: merge into EndpointsByPort", () => {
  it("merges all slices of a service by IP:port and sorts by the IP:port string", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(slice("api-b", [ep("10.0.0.9"), ep("10.0.0.10")]), false);
    cache.updatePending(slice("api-a", [ep("10.0.0.2"), ep("10.0.0.10")]), false);
    cache.checkoutChanges();
    expect(keysOf(cache.endpointsFor("default/api"))).toEqual(["10.0.0.10:8080", "10.0.0.2:8080", "10.0.0.9:8080"]);
  });

  it("only addresses[0] is used; endpoints without addresses are skipped", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(slice("api-1", [{ addresses: ["10.0.0.1", "10.0.0.99"] }, { addresses: [] }]), false);
    cache.checkoutChanges();
    expect(keysOf(cache.endpointsFor("default/api"))).toEqual(["10.0.0.1:8080"]);
  });

  it.each<[string, Endpoint, Endpoint, string]>([
    [
      "terminating first, non-terminating later: the later copy wins",
      ep("10.0.0.1", { nodeName: "old", conditions: { ready: false, serving: true, terminating: true } }),
      ep("10.0.0.1", { nodeName: "new", conditions: { ready: true } }),
      "new",
    ],
    [
      "non-terminating first, terminating later: the first copy stays",
      ep("10.0.0.1", { nodeName: "new", conditions: { ready: true } }),
      ep("10.0.0.1", { nodeName: "old", conditions: { ready: false, serving: true, terminating: true } }),
      "new",
    ],
    [
      "both terminating: the first copy stays",
      ep("10.0.0.1", { nodeName: "first", conditions: { terminating: true } }),
      ep("10.0.0.1", { nodeName: "second", conditions: { terminating: true } }),
      "first",
    ],
    [
      "both non-terminating: the later copy overwrites",
      ep("10.0.0.1", { nodeName: "first" }),
      ep("10.0.0.1", { nodeName: "second" }),
      "second",
    ],
  ])("duplicate IP:port across slices: %s", (_name, inA, inB, winner) => {
    // Slices are walked in slice-name order ("api-a" then "api-b"), whatever the arrival order.
    for (const order of [["a", "b"], ["b", "a"]]) {
      const cache = new EndpointSliceCache({ nodeName: "node-a" });
      for (const which of order) cache.updatePending(slice(`api-${which}`, [which === "a" ? inA : inB]), false);
      cache.checkoutChanges();
      const list = cache.endpointsFor("default/api").get("default/api:http/TCP")!;
      expect(list.length).toBe(1);
      expect(list[0].nodeName).toBe(winner);
    }
  });

  it("forms one entry per (port name, protocol); skips port 0 / missing; defaults name '' and TCP", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(
      slice("api-1", [ep("10.0.0.1")], {
        ports: [
          { name: "http", protocol: "TCP", port: 8080 },
          { name: "dns", protocol: "UDP", port: 53 },
          { name: "dns", protocol: "TCP", port: 53 },
          { port: 9000 }, // name and protocol absent: API defaults "" and TCP
          { name: "zero", protocol: "TCP", port: 0 },
          { name: "none", protocol: "TCP" },
        ],
      }),
      false,
    );
    cache.checkoutChanges();
    const m = cache.endpointsFor("default/api");
    expect([...m.keys()]).toEqual(["default/api:/TCP", "default/api:dns/TCP", "default/api:dns/UDP", "default/api:http/TCP"]);
    expect(m.get("default/api:/TCP")![0].key).toBe("10.0.0.1:9000");
    expect(m.get("default/api:dns/UDP")![0].key).toBe("10.0.0.1:53");
  });

  it("a port with no endpoints is absent from the map", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(slice("api-1", []), false);
    const change = cache.checkoutChanges().get("default/api")!;
    expect(change.current.size).toBe(0);
  });

  it("precomputes conditions, locality and hints per endpoint", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a", preferSameTrafficDistribution: false });
    cache.updatePending(
      slice("api-1", [
        ep("10.0.0.1", { nodeName: "node-a", zone: "z1", hints: { forZones: [{ name: "z1" }], forNodes: [{ name: "node-a" }] } }),
        ep("10.0.0.2", { nodeName: "node-b", conditions: { ready: false, serving: true, terminating: true } }),
      ]),
      false,
    );
    cache.checkoutChanges();
    const [a, b] = cache.endpointsFor("default/api").get("default/api:http/TCP")!;
    expect(a).toMatchObject({ ip: "10.0.0.1", port: 8080, isLocal: true, ready: true, serving: true, terminating: false, zone: "z1" });
    expect([...a.zoneHints!]).toEqual(["z1"]);
    expect(a.nodeHints).toBeUndefined(); // gate off
    expect(b).toMatchObject({ isLocal: false, ready: false, serving: true, terminating: true });
  });

  it("slices of the same service name in different namespaces are different services", () => {
    const cache = new EndpointSliceCache({ nodeName: "node-a" });
    cache.updatePending(slice("api-1", [ep("10.0.0.1")], { namespace: "dev" }), false);
    cache.updatePending(slice("api-1", [ep("10.0.0.2")], { namespace: "prod" }), false);
    cache.checkoutChanges();
    expect(keysOf(cache.endpointsFor("dev/api"), "dev/api:http/TCP")).toEqual(["10.0.0.1:8080"]);
    expect(keysOf(cache.endpointsFor("prod/api"), "prod/api:http/TCP")).toEqual(["10.0.0.2:8080"]);
  });
});
