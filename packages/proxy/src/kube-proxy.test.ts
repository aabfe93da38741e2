import { describe, it, expect } from "vitest";
import { Interner, RandomSource, Scheduler } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Endpoint, EndpointSlice, Node, Service, ServiceSpec } from "@kube-netsim/model";
import { IptablesDataPlane } from "./iptables/iptables-data-plane.js";
import { IptablesSelector } from "./iptables/probability.js";
import { KubeProxy } from "./kube-proxy.js";
import type { KubeProxyOptions } from "./kube-proxy.js";
import { ROUTE_DROPPED, ROUTE_NO_RULE, ROUTE_REJECTED } from "./service-frontend.js";

// A tiny cluster: a clock, an API server, and kube-proxies built by hand. Services get
// fixed ClusterIPs so the addresses in the assertions are readable.

interface World {
  readonly scheduler: Scheduler;
  readonly store: ObjectStore;
  readonly addresses: Interner;
  readonly random: RandomSource;
  proxy(nodeName: string, options?: Partial<KubeProxyOptions>): KubeProxy;
}

function world(seed: number = 1): World {
  const scheduler = new Scheduler();
  const random = new RandomSource(seed);
  const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
  const addresses = new Interner();
  for (const [i, name] of ["node-a", "node-b", "node-c"].entries()) store.create(node(name, `zone-${"abc"[i]}`));
  return {
    scheduler,
    store,
    addresses,
    random,
    proxy: (nodeName, options = {}) =>
      new KubeProxy(scheduler, store, {
        nodeName,
        dataPlane: new IptablesDataPlane(),
        addresses,
        random: random.stream(`kube-proxy/${nodeName}`),
        ...options,
      }),
  };
}

function node(name: string, zone: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone } },
    spec: {},
  };
}

function service(name: string, clusterIP: string, spec: Partial<ServiceSpec> = {}): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080 }], clusterIP, ...spec },
  };
}

function slice(name: string, serviceName: string, endpoints: readonly Endpoint[], port: number = 8080): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": serviceName } },
    addressType: "IPv4",
    endpoints,
    ports: [{ name: "http", protocol: "TCP", port }],
  };
}

/** A Ready endpoint (the controller writes all three conditions). */
const ready = (ip: string, nodeName: string): Endpoint => ({ addresses: [ip], nodeName, conditions: { ready: true, serving: true, terminating: false } });
/** A terminating endpoint that still serves (graceful shutdown). */
const servingTerminating = (ip: string, nodeName: string): Endpoint => ({ addresses: [ip], nodeName, conditions: { ready: false, serving: true, terminating: true } });

const API = "10.96.0.10:80/TCP";

describe("KubeProxy: each node sees changes at its own time", () => {
  it("an update soon after a sync waits for minSyncPeriod (measured from that sync)", () => {
    const w = world();
    const p = w.proxy("node-a", { watchDelay: 1000, minSyncPeriod: 1000 });
    // The first sync waits for the initial lists (t=1000). Service and slice written at t=0 reach the proxy at t=1000.
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-1", "api", [ready("10.244.0.2", "node-a")]));
    w.scheduler.runUntil(200);
    // Written at t=200, delivered at t=1200: the sync that takes it may not start before 1000+1000.
    w.store.update({ ...slice("api-1", "api", [ready("10.244.0.2", "node-a"), ready("10.244.1.2", "node-b")]) });
    w.scheduler.runUntil(999);
    expect(p.frontend(API).verdict).toBe("no-rule");
    w.scheduler.runUntil(1000);
    const f = p.frontend(API);
    expect(f.verdict).toBe("forward");
    expect(f.programmedAt).toBe(1000);
    expect(f.endpoints.map((e) => e.key)).toEqual(["10.244.0.2:8080"]);
    w.scheduler.runUntil(1999);
    expect(p.frontend(API).endpoints.map((e) => e.key)).toEqual(["10.244.0.2:8080"]); // seen at 1200, not yet synced
    expect(p.inSync).toBe(false);
    w.scheduler.runUntil(2000);
    expect(f.endpoints.map((e) => e.key)).toEqual(["10.244.0.2:8080", "10.244.1.2:8080"]);
    expect(f.programmedAt).toBe(2000);
    expect(p.inSync).toBe(true);
    expect(p.stats.syncs).toBe(2); // t=1000 (first, after the initial lists), t=2000
  });

  it("two nodes with different watch delays program the same change at different times", () => {
    const w = world();
    const slow = w.proxy("node-a", { watchDelay: 1000, minSyncPeriod: 1000 });
    const fast = w.proxy("node-b", { watchDelay: 300, minSyncPeriod: 1000 });
    w.scheduler.runUntil(5000); // both did their first sync at t=0 long ago
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-1", "api", [ready("10.244.0.2", "node-a")]));
    w.scheduler.runUntil(5299);
    expect(fast.frontend(API).verdict).toBe("no-rule");
    w.scheduler.runUntil(5300);
    expect(fast.frontend(API).verdict).toBe("forward");
    expect(fast.frontend(API).programmedAt).toBe(5300);
    expect(slow.frontend(API).verdict).toBe("no-rule");
    expect(slow.connect(slow.frontend(API), 0)).toBe(ROUTE_NO_RULE);
    w.scheduler.runUntil(5999);
    expect(slow.frontend(API).verdict).toBe("no-rule");
    w.scheduler.runUntil(6000);
    expect(slow.frontend(API).verdict).toBe("forward");
    expect(slow.frontend(API).programmedAt).toBe(6000);
  });

  it("frontend() returns one stable object per address, updated in place", () => {
    const w = world();
    const p = w.proxy("node-a");
    const before = p.frontend(API);
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-1", "api", [ready("10.244.0.2", "node-a")]));
    w.scheduler.runUntil(5000);
    expect(p.frontend(API)).toBe(before);
    expect(before.verdict).toBe("forward");
    expect(before.servicePortName).toBe("default/api:http/TCP");
  });
});

describe("KubeProxy: REJECT vs DROP (spec 1.4)", () => {
  it("no endpoints anywhere -> reject (connection refused)", () => {
    const w = world();
    const p = w.proxy("node-a");
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-placeholder", "api", []));
    w.scheduler.runUntil(5000);
    const f = p.frontend(API);
    expect(f.verdict).toBe("reject");
    expect(f.endpoints).toEqual([]);
    expect(p.connect(f, 0)).toBe(ROUTE_REJECTED);
    expect(p.programmedAddresses()).toEqual([API]);
  });

  it("a Service with no EndpointSlice at all is rejected too", () => {
    const w = world();
    const p = w.proxy("node-a");
    w.store.create(service("api", "10.96.0.10"));
    w.scheduler.runUntil(5000);
    expect(p.frontend(API).verdict).toBe("reject");
  });

  it("only not-ready, not-serving endpoints -> reject", () => {
    const w = world();
    const p = w.proxy("node-a");
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-1", "api", [{ addresses: ["10.244.0.2"], nodeName: "node-a", conditions: { ready: false, serving: false, terminating: false } }]));
    w.scheduler.runUntil(5000);
    expect(p.connect(p.frontend(API), 0)).toBe(ROUTE_REJECTED);
  });

  it("internalTrafficPolicy Local: endpoints only elsewhere -> drop here, local endpoints only where they exist", () => {
    const w = world();
    const a = w.proxy("node-a");
    const b = w.proxy("node-b");
    w.store.create(service("api", "10.96.0.10", { internalTrafficPolicy: "Local" }));
    w.store.create(slice("api-1", "api", [ready("10.244.1.2", "node-b"), ready("10.244.2.2", "node-c"), ready("10.244.1.3", "node-b")]));
    w.scheduler.runUntil(5000);
    const fa = a.frontend(API);
    expect(fa.verdict).toBe("drop");
    expect(a.connect(fa, 0)).toBe(ROUTE_DROPPED);
    const fb = b.frontend(API);
    expect(fb.verdict).toBe("forward");
    expect(fb.endpoints.map((e) => e.key)).toEqual(["10.244.1.2:8080", "10.244.1.3:8080"]);
    const local = new Set([w.addresses.lookup("10.244.1.2:8080"), w.addresses.lookup("10.244.1.3:8080")]);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(b.connect(fb, 0));
    expect(seen).toEqual(local); // never 10.244.2.2 (node-c)
  });

  it("internalTrafficPolicy Cluster (default) uses every ready endpoint from any node", () => {
    const w = world();
    const a = w.proxy("node-a");
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-1", "api", [ready("10.244.1.2", "node-b"), ready("10.244.2.2", "node-c")]));
    w.scheduler.runUntil(5000);
    expect(a.frontend(API).endpoints.map((e) => e.key)).toEqual(["10.244.1.2:8080", "10.244.2.2:8080"]);
  });
});

describe("KubeProxy: serving-but-terminating endpoints", () => {
  it("are used only when no ready endpoint exists", () => {
    const w = world();
    const p = w.proxy("node-a", { minSyncPeriod: 0 });
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-1", "api", [servingTerminating("10.244.0.2", "node-a"), ready("10.244.1.2", "node-b")]));
    w.scheduler.runUntil(100);
    const f = p.frontend(API);
    expect(f.endpoints.map((e) => e.key)).toEqual(["10.244.1.2:8080"]);
    // The ready one goes away: the terminating one still serves, so it is used (not REJECT).
    w.store.update(slice("api-1", "api", [servingTerminating("10.244.0.2", "node-a")]));
    w.scheduler.runUntil(200);
    expect(f.verdict).toBe("forward");
    expect(f.endpoints.map((e) => e.key)).toEqual(["10.244.0.2:8080"]);
    expect(p.connect(f, 0)).toBe(w.addresses.lookup("10.244.0.2:8080"));
    // A new ready endpoint: the terminating one is not mixed in.
    w.store.update(slice("api-1", "api", [servingTerminating("10.244.0.2", "node-a"), ready("10.244.2.2", "node-c")]));
    w.scheduler.runUntil(300);
    expect(f.endpoints.map((e) => e.key)).toEqual(["10.244.2.2:8080"]);
  });
});

describe("KubeProxy: rule order", () => {
  it("endpoints are sorted by the string IP:port (10.0.0.10:80 before 10.0.0.9:80), destinations in the same order", () => {
    const w = world();
    const p = w.proxy("node-a");
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-1", "api", [ready("10.0.0.9", "node-a"), ready("10.0.0.2", "node-b"), ready("10.0.0.10", "node-c")], 80));
    w.scheduler.runUntil(1000); // first sync at t=0, the next one allowed at t=1000
    const f = p.frontend(API);
    const keys = f.endpoints.map((e) => e.key);
    expect(keys).toEqual(["10.0.0.10:80", "10.0.0.2:80", "10.0.0.9:80"]);
    expect([...f.destinations]).toEqual(keys.map((k) => w.addresses.lookup(k)));
    expect((f.compiled as { selector: unknown }).selector).toBe(IptablesSelector.forEndpointCount(3));
  });
});

describe("KubeProxy: Services that get no rules", () => {
  it("a headless Service gets no rules", () => {
    const w = world();
    const p = w.proxy("node-a");
    w.store.create(service("db", "None"));
    w.store.create(slice("db-1", "db", [ready("10.244.0.2", "node-a")]));
    w.scheduler.runUntil(1000);
    expect(p.stats.syncs).toBe(1); // the first sync saw the change: it just has no rules
    expect(p.programmedAddresses()).toEqual([]);
    expect(p.inSync).toBe(true);
  });

  it("deleting a Service returns its address to no-rule", () => {
    const w = world();
    const p = w.proxy("node-a", { minSyncPeriod: 1000 });
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(slice("api-1", "api", [ready("10.244.0.2", "node-a")]));
    w.scheduler.runUntil(1000);
    const f = p.frontend(API);
    expect(f.verdict).toBe("forward");
    w.store.delete("Service", "default", "api");
    w.scheduler.runUntil(3000);
    expect(f.verdict).toBe("no-rule");
    expect(f.endpoints).toEqual([]);
    expect(f.destinations.length).toBe(0);
    expect(f.servicePortName).toBe("");
    expect(p.connect(f, 0)).toBe(ROUTE_NO_RULE);
    expect(p.programmedAddresses()).toEqual([]);
  });

  it("removing one port of a Service removes only that port's rule", () => {
    const w = world();
    const p = w.proxy("node-a", { minSyncPeriod: 0 });
    const twoPorts = service("api", "10.96.0.10", {
      ports: [
        { name: "http", port: 80, targetPort: 8080 },
        { name: "metrics", port: 9090, targetPort: 9090 },
      ],
    });
    w.store.create(twoPorts);
    w.scheduler.runUntil(10);
    expect(p.programmedAddresses()).toEqual(["10.96.0.10:80/TCP", "10.96.0.10:9090/TCP"]);
    w.store.update({ ...twoPorts, spec: { ...twoPorts.spec, ports: [{ name: "http", port: 80, targetPort: 8080 }] } });
    w.scheduler.runUntil(20);
    expect(p.programmedAddresses()).toEqual(["10.96.0.10:80/TCP"]);
  });
});

describe("KubeProxy: partial sync", () => {
  it("servicesProgrammed grows only by the number of changed Services", () => {
    const w = world();
    const p = w.proxy("node-a", { minSyncPeriod: 1000 });
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(service("web", "10.96.0.11"));
    w.store.create(service("db", "10.96.0.12"));
    w.store.create(slice("api-1", "api", [ready("10.244.0.2", "node-a")]));
    w.store.create(slice("web-1", "web", [ready("10.244.0.3", "node-a")]));
    w.store.create(slice("db-1", "db", [ready("10.244.0.4", "node-a")]));
    w.scheduler.runUntil(1000);
    const s1 = p.stats;
    expect(s1.syncs).toBe(1); // t=0: the first sync runs after the initial deliveries and sees all six objects
    expect(s1.fullSyncs).toBe(1); // only the first
    expect(s1.servicesProgrammed).toBe(3);
    w.store.update(slice("web-1", "web", [ready("10.244.0.3", "node-a"), ready("10.244.1.3", "node-b")]));
    w.scheduler.runUntil(3000);
    const s2 = p.stats;
    expect(s2.syncs).toBe(2);
    expect(s2.fullSyncs).toBe(1);
    expect(s2.servicesProgrammed - s1.servicesProgrammed).toBe(1);
    // Rewriting a slice with the same endpoints is still a change: kube-proxy compares the
    // whole object, resourceVersion included (pkg/proxy/endpointslicecache.go esDataChanged,
    // reflect.DeepEqual on the EndpointSlice). One partial sync of that one Service.
    w.store.update(slice("web-1", "web", [ready("10.244.0.3", "node-a"), ready("10.244.1.3", "node-b")]));
    w.scheduler.runUntil(5000);
    expect(p.stats).toEqual({ syncs: s2.syncs + 1, fullSyncs: 1, servicesProgrammed: s2.servicesProgrammed + 1 });
    const s3 = p.stats;
    // Nothing written: nothing to sync (the hourly full sync is far away).
    w.scheduler.runUntil(9000);
    expect(p.stats).toEqual(s3);
    // Two Services change together: +2.
    w.store.update(slice("api-1", "api", []));
    w.store.delete("Service", "default", "db");
    w.scheduler.runUntil(11_000);
    expect(p.stats.servicesProgrammed - s3.servicesProgrammed).toBe(2);
    expect(p.frontend(API).verdict).toBe("reject");
    expect(p.frontend("10.96.0.11:80/TCP").endpoints.length).toBe(2); // untouched
    expect(p.frontend("10.96.0.12:80/TCP").verdict).toBe("no-rule");
  });

  it("a full sync every fullSyncPeriod reprograms every Service", () => {
    const w = world();
    const p = w.proxy("node-a", { minSyncPeriod: 1000, fullSyncPeriod: 10_000 });
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(service("web", "10.96.0.11"));
    w.scheduler.runUntil(5000);
    const s1 = p.stats;
    expect(s1.servicesProgrammed).toBe(2);
    w.scheduler.runUntil(19_999); // the forced sync 10 s after the first one (t=0)
    expect(p.stats.fullSyncs).toBe(2);
    expect(p.stats.servicesProgrammed).toBe(4);
  });

  it("a Node label change forces a full sync", () => {
    const w = world();
    const p = w.proxy("node-a", { minSyncPeriod: 0 });
    w.store.create(service("api", "10.96.0.10"));
    w.store.create(service("web", "10.96.0.11"));
    w.scheduler.runUntil(10);
    const s1 = p.stats;
    w.store.mutate("Node", undefined, "node-a", (n) => {
      n.metadata.labels = { ...n.metadata.labels, "topology.kubernetes.io/zone": "zone-x" };
    });
    w.scheduler.runUntil(20);
    expect(p.stats.fullSyncs).toBe(s1.fullSyncs + 1);
    expect(p.stats.servicesProgrammed).toBe(s1.servicesProgrammed + 2);
  });
});
