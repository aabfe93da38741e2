import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Interner, RandomSource, Scheduler } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Endpoint, EndpointSlice, Node, Service } from "@kube-netsim/model";
import { CiliumDataPlane } from "./cilium/cilium-data-plane.js";
import { IptablesDataPlane } from "./iptables/iptables-data-plane.js";
import { IpvsDataPlane } from "./ipvs/ipvs-data-plane.js";
import { NftablesDataPlane } from "./nftables/nftables-data-plane.js";
import { KubeProxy } from "./kube-proxy.js";
import { SharedServiceView } from "./shared-service-view.js";

// Shared mode at the kube-proxy level: the same random writes (several slices per Service,
// updates that are no change, deletions, headless Services, affinity, Local policies, node
// label changes, stalls, restarts) reach kube-proxies that share a view trimmed after every
// change and kube-proxies with their own state; every answer must be the same.

const NODES = ["node-a", "node-b", "node-c"] as const;

function node(name: string, rev: number): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": `zone-${name.slice(-1)}`, rev: String(rev) } }, spec: {} };
}

interface SvcCase {
  readonly headless: boolean;
  readonly affinity: boolean;
  readonly internalLocal: boolean;
  readonly udp: boolean;
}

function service(i: number, c: SvcCase): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `s${i}`, namespace: "default" },
    spec: {
      selector: { app: `s${i}` },
      clusterIP: c.headless ? "None" : `10.96.0.${10 + i}`,
      ports: [{ name: "http", port: 80, targetPort: 8080, protocol: c.udp ? "UDP" : "TCP" }],
      ...(c.affinity ? { sessionAffinity: "ClientIP" as const } : {}),
      ...(c.internalLocal ? { internalTrafficPolicy: "Local" as const } : {}),
    },
  };
}

function slice(svc: number, n: number, eps: readonly { ip: number; node: number; ready: boolean; zone: boolean }[], udp: boolean): EndpointSlice {
  const endpoints: Endpoint[] = eps.map((e) => ({
    addresses: [`10.244.${e.node}.${e.ip + 2}`],
    nodeName: NODES[e.node],
    zone: `zone-${NODES[e.node].slice(-1)}`,
    conditions: { ready: e.ready, serving: e.ready, terminating: false },
    ...(e.zone ? { hints: { forZones: [{ name: `zone-${NODES[e.node].slice(-1)}` }] } } : {}),
  }));
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `s${svc}-${n}`, namespace: "default", labels: { "kubernetes.io/service-name": `s${svc}` } },
    addressType: "IPv4",
    endpoints,
    ports: [{ name: "http", protocol: udp ? "UDP" : "TCP", port: 8080 }],
  };
}

type Op =
  | { readonly op: "service"; readonly svc: number; readonly c: SvcCase }
  | { readonly op: "delete-service"; readonly svc: number }
  | { readonly op: "slice"; readonly svc: number; readonly n: number; readonly eps: readonly { ip: number; node: number; ready: boolean; zone: boolean }[] }
  | { readonly op: "delete-slice"; readonly svc: number; readonly n: number }
  | { readonly op: "label"; readonly node: number; readonly rev: number }
  | { readonly op: "stall"; readonly node: number; readonly ms: number }
  | { readonly op: "restart"; readonly node: number }
  | { readonly op: "probe"; readonly node: number; readonly svc: number; readonly udp: boolean }
  | { readonly op: "wait"; readonly ms: number };

type Mode = "iptables" | "nftables" | "cilium" | "ipvs";

function run(ops: readonly Op[], mode: Mode, shared: boolean, delays: readonly number[]): unknown[] {
  const scheduler = new Scheduler();
  const random = new RandomSource(5);
  const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
  const addresses = new Interner();
  NODES.forEach((n) => store.create(node(n, 0)));
  const view = shared ? new SharedServiceView({ trimEvery: 1 }) : undefined;
  const proxies = NODES.map((nodeName, i) => {
    const stream = random.stream(`watch/${nodeName}`);
    return new KubeProxy(scheduler, store, {
      nodeName,
      dataPlane: mode === "nftables" ? new NftablesDataPlane() : mode === "cilium" ? new CiliumDataPlane() : mode === "ipvs" ? new IpvsDataPlane("rr") : new IptablesDataPlane(),
      addresses,
      random: random.stream(`kube-proxy/${nodeName}`),
      minSyncPeriod: 100 * i,
      watchDelay: () => stream.next() * delays[i],
      shared: view,
    });
  });
  const out: unknown[] = [];
  const udp = new Map<number, boolean>();
  for (const o of ops) {
    switch (o.op) {
      case "service": {
        udp.set(o.svc, o.c.udp);
        const existing = store.get("Service", "default", `s${o.svc}`);
        const next = service(o.svc, o.c);
        if (existing === undefined) store.create(next);
        else store.update({ ...next, metadata: existing.metadata, spec: { ...next.spec, clusterIP: existing.spec.clusterIP } });
        break;
      }
      case "delete-service":
        store.delete("Service", "default", `s${o.svc}`);
        break;
      case "slice": {
        const s = slice(o.svc, o.n, o.eps, udp.get(o.svc) ?? false);
        const existing = store.get("EndpointSlice", "default", s.metadata.name);
        if (existing === undefined) store.create(s);
        else store.update({ ...s, metadata: existing.metadata });
        break;
      }
      case "delete-slice":
        store.delete("EndpointSlice", "default", `s${o.svc}-${o.n}`);
        break;
      case "label":
        store.update({ ...node(NODES[o.node], o.rev), metadata: { ...(store.get("Node", undefined, NODES[o.node]) as Node).metadata, labels: node(NODES[o.node], o.rev).metadata.labels } });
        break;
      case "stall":
        proxies[o.node].stall(scheduler.now + o.ms);
        break;
      case "restart":
        proxies[o.node].restart();
        break;
      case "probe": {
        const f = proxies[o.node].frontend(`10.96.0.${10 + o.svc}:80/${o.udp ? "UDP" : "TCP"}`);
        out.push([scheduler.now, o.node, f.address, f.verdict, f.servicePortName, f.endpoints.map((e) => `${e.key}|${e.isLocal}`).join(","), f.programmedAt, f.affinityTimeout, proxies[o.node].inSync]);
        break;
      }
      case "wait":
        scheduler.runUntil(scheduler.now + o.ms);
        break;
    }
  }
  scheduler.runUntil(scheduler.now + 5000);
  // Every address any Service could have had, on every node (deleted ones included), before the printers.
  for (const kp of proxies) {
    for (let svc = 0; svc < 4; svc++) {
      for (const protocol of ["TCP", "UDP"]) {
        const f = kp.frontend(`10.96.0.${10 + svc}:80/${protocol}`);
        out.push([f.address, f.verdict, f.servicePortName, f.programmedAt, f.endpoints.length, f.internalTrafficPolicy, f.affinityTimeout, f.kind]);
      }
    }
  }
  for (const kp of proxies) {
    out.push(kp.stats, kp.inSync, kp.ruleset(), kp.programmedFrontends().map((f) => [f.address, f.verdict, f.servicePortName, f.endpoints.map((e) => `${e.key}|${e.isLocal}|${e.ready}`).join(","), f.programmedAt, f.internalTrafficPolicy, f.affinityTimeout]));
  }
  return out;
}

const svcCase: fc.Arbitrary<SvcCase> = fc.record({ headless: fc.boolean(), affinity: fc.boolean(), internalLocal: fc.boolean(), udp: fc.boolean() });
const eps = fc.array(fc.record({ ip: fc.nat(4), node: fc.nat(2), ready: fc.boolean(), zone: fc.boolean() }), { maxLength: 4 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("service" as const), svc: fc.nat(3), c: svcCase }),
  fc.record({ op: fc.constant("delete-service" as const), svc: fc.nat(3) }),
  fc.record({ op: fc.constant("slice" as const), svc: fc.nat(3), n: fc.nat(1), eps }),
  fc.record({ op: fc.constant("slice" as const), svc: fc.nat(3), n: fc.nat(1), eps }),
  fc.record({ op: fc.constant("delete-slice" as const), svc: fc.nat(3), n: fc.nat(1) }),
  fc.record({ op: fc.constant("label" as const), node: fc.nat(2), rev: fc.nat(2) }),
  fc.record({ op: fc.constant("stall" as const), node: fc.nat(2), ms: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ op: fc.constant("restart" as const), node: fc.nat(2) }),
  fc.record({ op: fc.constant("probe" as const), node: fc.nat(2), svc: fc.nat(3), udp: fc.boolean() }),
  fc.record({ op: fc.constant("probe" as const), node: fc.nat(2), svc: fc.nat(3), udp: fc.boolean() }),
  fc.record({ op: fc.constant("probe" as const), node: fc.nat(2), svc: fc.nat(3), udp: fc.boolean() }),
  fc.record({ op: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 1500 }) }),
  fc.record({ op: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 200 }) }),
);

describe("SharedServiceView", () => {
  it("kube-proxies sharing a view (trimmed after every change) answer exactly as kube-proxies with their own state, for random writes, delays, stalls, restarts and label changes (property)", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.constantFrom<Mode>("iptables", "nftables", "cilium"),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 3 }),
        (ops, mode, delays) => {
          expect(run(ops, mode, true, delays)).toEqual(run(ops, mode, false, delays));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("a Service deleted, or whose address changed, before anyone asked a node for its frontend leaves the same stale frontend (no-rule, stamped with the sync that removed it) as per-node state", () => {
    const tcp: SvcCase = { headless: false, affinity: false, internalLocal: false, udp: false };
    const endpoints = [{ ip: 1, node: 0, ready: true, zone: false }];
    const deleted: Op[] = [
      { op: "service", svc: 0, c: tcp },
      { op: "slice", svc: 0, n: 0, eps: endpoints },
      { op: "wait", ms: 1000 },
      { op: "delete-service", svc: 0 },
      { op: "wait", ms: 1000 },
      { op: "probe", node: 1, svc: 0, udp: false },
    ];
    const shared = run(deleted, "iptables", true, [0, 10, 20]);
    expect(shared).toEqual(run(deleted, "iptables", false, [0, 10, 20]));
    expect((shared[0] as unknown[]).slice(3, 5)).toEqual(["no-rule", ""]);
    expect((shared[0] as unknown[])[6]).toBeGreaterThan(1000); // programmedAt: the sync after the deletion
    const changed: Op[] = [
      { op: "service", svc: 0, c: tcp },
      { op: "wait", ms: 1000 },
      { op: "service", svc: 0, c: { ...tcp, udp: true } },
      { op: "wait", ms: 1000 },
      { op: "probe", node: 2, svc: 0, udp: false },
      { op: "probe", node: 2, svc: 0, udp: true },
    ];
    expect(run(changed, "nftables", true, [0, 10, 20])).toEqual(run(changed, "nftables", false, [0, 10, 20]));
  });

  it("IPVS kube-proxies, and kube-proxies created after a Service exists, ignore the view and answer as without it", () => {
    const ops: Op[] = [
      { op: "service", svc: 0, c: { headless: false, affinity: false, internalLocal: false, udp: false } },
      { op: "slice", svc: 0, n: 0, eps: [{ ip: 1, node: 0, ready: true, zone: false }, { ip: 2, node: 1, ready: true, zone: false }] },
      { op: "wait", ms: 2000 },
      { op: "probe", node: 2, svc: 0, udp: false },
    ];
    const shared = run(ops, "ipvs", true, [0, 10, 20]);
    expect(shared).toEqual(run(ops, "ipvs", false, [0, 10, 20]));
    expect((shared[0] as unknown[])[3]).toBe("forward");
    const view = new SharedServiceView();
    const scheduler = new Scheduler();
    const store = new ObjectStore(scheduler, { random: new RandomSource(1).stream("apiserver") });
    const kp = (dataPlane: IptablesDataPlane | IpvsDataPlane): KubeProxy =>
      new KubeProxy(scheduler, store, { nodeName: "node-a", dataPlane, addresses: new Interner(), random: new RandomSource(1).stream("kp"), shared: view });
    expect(kp(new IpvsDataPlane("rr")).sharedMode).toBe(false);
    expect(kp(new IptablesDataPlane()).sharedMode).toBe(true);
    // Created after a Service exists: its initial list is not in the log, so it keeps its own state.
    store.create(service(0, { headless: false, affinity: false, internalLocal: false, udp: false }));
    expect(kp(new IptablesDataPlane()).sharedMode).toBe(false);
  });

  it("trims versions every kube-proxy has applied: after a settled run only the versions in force remain", () => {
    const scheduler = new Scheduler();
    const random = new RandomSource(1);
    const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
    NODES.forEach((n) => store.create(node(n, 0)));
    const view = new SharedServiceView({ trimEvery: 1 });
    const proxies = NODES.map(
      (nodeName) => new KubeProxy(scheduler, store, { nodeName, dataPlane: new IptablesDataPlane(), addresses: new Interner(), random: random.stream(nodeName), minSyncPeriod: 0, shared: view }),
    );
    store.create(service(0, { headless: false, affinity: false, internalLocal: false, udp: false }));
    for (let k = 0; k < 10; k++) {
      const s = slice(0, 0, [{ ip: k % 4, node: k % 3, ready: true, zone: false }], false);
      const existing = store.get("EndpointSlice", "default", s.metadata.name);
      if (existing === undefined) store.create(s);
      else store.update({ ...s, metadata: existing.metadata });
      scheduler.runUntil(scheduler.now + 100);
    }
    // 1 Service version + 10 slice versions written; the last change trimmed all but the
    // versions in force at the oldest position any kube-proxy may read (2 Service-side: none
    // older; slices: the one in force and the newest).
    expect(view.versions).toBeLessThanOrEqual(3);
    expect(proxies.every((kp) => kp.inSync)).toBe(true);
    expect(proxies[0].frontend("10.96.0.10:80/TCP").endpoints.map((e) => e.key)).toEqual(["10.244.0.3:8080"]);
  });

  it("a kube-proxy that has not received the newest version yet builds a frontend from the version in force for it (kept by trimming)", () => {
    const scheduler = new Scheduler();
    const random = new RandomSource(1);
    const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
    NODES.forEach((n) => store.create(node(n, 0)));
    const view = new SharedServiceView({ trimEvery: 1 });
    const [fast, slow] = ["node-a", "node-b"].map(
      (nodeName, i) =>
        new KubeProxy(scheduler, store, { nodeName, dataPlane: new IptablesDataPlane(), addresses: new Interner(), random: random.stream(nodeName), minSyncPeriod: 0, watchDelay: 50 * i, shared: view }),
    );
    store.create(service(0, { headless: false, affinity: false, internalLocal: false, udp: false }));
    const write = (ip: number): void => {
      const s = slice(0, 0, [{ ip, node: 2, ready: true, zone: false }], false);
      const existing = store.get("EndpointSlice", "default", s.metadata.name);
      if (existing === undefined) store.create(s);
      else store.update({ ...s, metadata: existing.metadata });
    };
    write(0);
    scheduler.runUntil(1000);
    write(1);
    scheduler.runUntil(2000);
    write(2); // node-a gets it at once (and the view trims), node-b 50 ms later
    scheduler.runUntil(2010);
    expect(fast.frontend("10.96.0.10:80/TCP").endpoints.map((e) => e.key)).toEqual(["10.244.2.4:8080"]);
    const f = slow.frontend("10.96.0.10:80/TCP");
    expect(f.endpoints.map((e) => e.key)).toEqual(["10.244.2.3:8080"]);
    expect(f.programmedAt).toBe(1050); // node-b's sync of the second version
    scheduler.runUntil(2100);
    expect(f.endpoints.map((e) => e.key)).toEqual(["10.244.2.4:8080"]);
  });

  it("a stalled kube-proxy keeps only the versions in force for it alive, not every version written since; it answers from them, then catches up on restart", () => {
    const scheduler = new Scheduler();
    const random = new RandomSource(1);
    const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
    NODES.forEach((n) => store.create(node(n, 0)));
    const view = new SharedServiceView({ trimEvery: 1 });
    const [running, stalled] = ["node-a", "node-b"].map(
      (nodeName) => new KubeProxy(scheduler, store, { nodeName, dataPlane: new IptablesDataPlane(), addresses: new Interner(), random: random.stream(nodeName), minSyncPeriod: 0, shared: view }),
    );
    store.create(service(0, { headless: false, affinity: false, internalLocal: false, udp: false }));
    const write = (ip: number): void => {
      const s = slice(0, 0, [{ ip, node: 2, ready: true, zone: false }], false);
      const existing = store.get("EndpointSlice", "default", s.metadata.name);
      if (existing === undefined) store.create(s);
      else store.update({ ...s, metadata: existing.metadata });
    };
    write(0);
    scheduler.runUntil(1000);
    stalled.stall(Infinity);
    for (let k = 1; k <= 20; k++) {
      write(k % 5);
      scheduler.runUntil(1000 + 100 * k);
    }
    // 1 Service version; slices: the one in force on the stalled node, and the two newest
    // (the view trims when the first node receives a change, before the other one has): 4
    // of the 22 written.
    expect(view.versions).toBe(4);
    expect(stalled.inSync).toBe(false);
    expect(stalled.frontend("10.96.0.10:80/TCP").endpoints.map((e) => e.key)).toEqual(["10.244.2.2:8080"]);
    expect(running.frontend("10.96.0.10:80/TCP").endpoints.map((e) => e.key)).toEqual(["10.244.2.2:8080"]); // 20 % 5 = 0 again
    write(3);
    scheduler.runUntil(4000);
    stalled.restart();
    scheduler.runUntil(5000);
    expect(stalled.inSync).toBe(true);
    expect(stalled.frontend("10.96.0.10:80/TCP").endpoints.map((e) => e.key)).toEqual(["10.244.2.5:8080"]);
  });

  it("rejects a trimEvery that is not a positive integer", () => {
    expect(() => new SharedServiceView({ trimEvery: 0 })).toThrow("trimEvery: Invalid value: 0: must be an integer >= 1");
  });
});
