import { describe, it, expect } from "vitest";
import { Callbacks, RandomSource, Scheduler, constant } from "@kube-netsim/core";
import type { SimTime } from "@kube-netsim/core";
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_ZONE, ObjectStore } from "@kube-netsim/model";
import type { EndpointSlice, Node, Pod, Service, StringMap, WatchEventType } from "@kube-netsim/model";
import fc from "fast-check";
import { EndpointSliceController, NameOrder } from "./endpointslice-controller.js";
import type { EndpointSliceControllerOptions } from "./endpointslice-controller.js";
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME } from "./reconciler.js";

// ---------------------------------------------------------------------------
// Builders

function mkNode(name: string, zone: string): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name, labels: { [LABEL_ZONE]: zone } }, spec: { podCIDR: "10.244.0.0/24" } };
}

function mkService(name: string, selector: StringMap | undefined, labels: StringMap = {}): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels },
    spec: { ...(selector !== undefined ? { selector } : {}), ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }] },
  };
}

function mkPod(name: string, ip: string, node: string, ready: boolean, labels: StringMap = { app: "web" }): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: { nodeName: node, containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }] }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

interface SliceWrite {
  readonly type: WatchEventType;
  readonly name: string;
  readonly at: SimTime;
  readonly endpoints: number;
}

interface Setup {
  readonly s: Scheduler;
  readonly store: ObjectStore;
  readonly controller: EndpointSliceController;
  /** Every EndpointSlice write, seen by a watch without delay. */
  readonly writes: SliceWrite[];
  /** Times of the controller's syncs, by Service key. */
  readonly syncs: { key: string; at: SimTime }[];
}

function setup(o: Partial<Omit<EndpointSliceControllerOptions, "random">> = {}): Setup {
  const s = new Scheduler();
  const rng = new RandomSource(1);
  const store = new ObjectStore(s, { random: rng.stream("apiserver") });
  const writes: SliceWrite[] = [];
  store.watch("EndpointSlice", (e) => writes.push({ type: e.type, name: e.object.metadata.name, at: s.now, endpoints: e.object.endpoints.length }));
  const controller = new EndpointSliceController(store, new Callbacks(s), { ...o, random: rng.stream("endpointslice-controller") });
  const syncs: { key: string; at: SimTime }[] = [];
  const sync = controller.sync.bind(controller);
  controller.sync = (key: string, now: SimTime): void => {
    syncs.push({ key, at: now });
    sync(key, now);
  };
  store.create(mkNode("n1", "zone-a"));
  store.create(mkNode("n2", "zone-b"));
  return { s, store, controller, writes, syncs };
}

const slicesOf = (store: ObjectStore, service: string): EndpointSlice[] =>
  store.list("EndpointSlice", "default").filter((sl) => sl.metadata.labels?.[LABEL_SERVICE_NAME] === service);

const endpointsOf = (store: ObjectStore, service: string) =>
  slicesOf(store, service)
    .flatMap((sl) => sl.endpoints)
    .sort((a, b) => (a.addresses[0] < b.addresses[0] ? -1 : 1));

// ---------------------------------------------------------------------------

describe("EndpointSliceController: slices for a Service with a selector", () => {
  it("creates the Service's slice after the sync, with its endpoints, ports, labels and owner", () => {
    const { s, store } = setup();
    const svc = store.create(mkService("web", { app: "web" }, { team: "payments" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    store.create(mkPod("web-2", "10.244.2.2", "n2", true));
    store.create(mkPod("other", "10.244.1.3", "n1", true, { app: "other" }));
    expect(slicesOf(store, "web")).toHaveLength(0); // nothing before the controller's sync runs
    s.run();

    const slices = slicesOf(store, "web");
    expect(slices).toHaveLength(1);
    const [slice] = slices;
    expect(slice.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(slice.metadata.labels).toEqual({ team: "payments", [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: ENDPOINTSLICE_CONTROLLER_NAME });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Service", name: "web", uid: svc.metadata.uid, controller: true }]);
    expect(slice.metadata.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME]).toBeDefined();
    expect(slice.addressType).toBe("IPv4");
    expect(slice.ports).toEqual([{ name: "http", protocol: "TCP", port: 8080 }]);
    expect(endpointsOf(store, "web").map((e) => ({ ...e, targetRef: { kind: e.targetRef?.kind, name: e.targetRef?.name } }))).toEqual([
      {
        addresses: ["10.244.1.2"],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: "n1",
        zone: "zone-a",
        targetRef: { kind: "Pod", name: "web-1" },
      },
      {
        addresses: ["10.244.2.2"],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: "n2",
        zone: "zone-b",
        targetRef: { kind: "Pod", name: "web-2" },
      },
    ]);
  });

  it.each([
    ["absent", undefined],
    ["empty {}", {}],
  ])("manages no slices for a Service whose selector is %s (endpoints are the user's)", (_name, selector) => {
    const { s, store } = setup();
    store.create(mkService("manual", selector));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    s.run();
    expect(store.count("EndpointSlice")).toBe(0);
  });

  it("gives a Service that selects no pod the placeholder slice (no endpoints, no ports)", () => {
    const { s, store } = setup();
    store.create(mkService("lonely", { app: "nobody" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    s.run();
    const slices = slicesOf(store, "lonely");
    expect(slices).toHaveLength(1);
    expect(slices[0].endpoints).toEqual([]);
    expect(slices[0].ports ?? []).toEqual([]);
  });

  it("flips ready (and serving) to false when a pod becomes not ready, in place", () => {
    const { s, store } = setup();
    store.create(mkService("web", { app: "web" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    store.create(mkPod("web-2", "10.244.2.2", "n2", true));
    s.run();
    const before = slicesOf(store, "web")[0].metadata.name;
    store.mutate("Pod", "default", "web-2", (p) => {
      p.status = { ...p.status, conditions: [{ type: "Ready", status: "False" }] };
    });
    s.run();
    const slices = slicesOf(store, "web");
    expect(slices.map((x) => x.metadata.name)).toEqual([before]);
    expect(endpointsOf(store, "web").map((e) => [e.addresses[0], e.conditions])).toEqual([
      ["10.244.1.2", { ready: true, serving: true, terminating: false }],
      ["10.244.2.2", { ready: false, serving: false, terminating: false }],
    ]);
  });

  it("follows pods leaving the selector (label change) and node zone changes", () => {
    const { s, store } = setup();
    store.create(mkService("web", { app: "web" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    store.create(mkPod("web-2", "10.244.2.2", "n2", true));
    s.run();
    store.mutate("Pod", "default", "web-1", (p) => {
      p.metadata.labels = { app: "canary" };
    });
    store.mutate("Node", undefined, "n2", (n) => {
      n.metadata.labels = { [LABEL_ZONE]: "zone-c" };
    });
    s.run();
    expect(endpointsOf(store, "web").map((e) => [e.addresses[0], e.zone])).toEqual([["10.244.2.2", "zone-c"]]);
  });

  it("deletes the Service's slices when the Service is deleted, and leaves slices it does not own", () => {
    const { s, store } = setup();
    store.create(mkService("web", { app: "web" }));
    store.create(mkService("api", { app: "api" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    store.create(mkPod("api-1", "10.244.1.3", "n1", true, { app: "api" }));
    // A slice someone else manages for "web" (no ownerReference): the garbage collector keeps it.
    store.create({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "web-extra", labels: { [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: "staff" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["192.168.9.9"] }],
      ports: [{ name: "http", protocol: "TCP", port: 8080 }],
    });
    s.run();
    expect(slicesOf(store, "web")).toHaveLength(2);
    store.delete("Service", "default", "web");
    s.run();
    expect(slicesOf(store, "web").map((x) => x.metadata.name)).toEqual(["web-extra"]);
    expect(slicesOf(store, "api")).toHaveLength(1);
  });
});

describe("EndpointSliceController: timing", () => {
  it("batchPeriod coalesces several pod changes into one sync and one slice write", () => {
    const { s, store, writes, syncs } = setup({ batchPeriod: 1000 });
    store.create(mkService("web", { app: "web" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    store.create(mkPod("web-2", "10.244.2.2", "n2", true));
    s.run();
    // The Service event syncs at once; the pod events wait for the batch period.
    expect(writes.map((w) => [w.type, w.at, w.endpoints])).toEqual([["ADDED", 0, 2]]);

    s.runUntil(5000);
    const nWrites = writes.length;
    const nSyncs = syncs.length;
    store.mutate("Pod", "default", "web-1", (p) => {
      p.status = { ...p.status, conditions: [{ type: "Ready", status: "False" }] };
    });
    s.runUntil(5300);
    store.create(mkPod("web-3", "10.244.1.4", "n1", true));
    s.runUntil(5700);
    store.delete("Pod", "default", "web-2");
    s.runUntil(5999);
    expect(writes.length).toBe(nWrites); // nothing written within the window
    s.run();
    expect(syncs.slice(nSyncs)).toEqual([{ key: "default/web", at: 6000 }]);
    expect(writes.slice(nWrites).map((w) => [w.type, w.at, w.endpoints])).toEqual([["MODIFIED", 6000, 2]]);
    expect(endpointsOf(store, "web").map((e) => [e.addresses[0], e.conditions?.ready])).toEqual([
      ["10.244.1.2", false],
      ["10.244.1.4", true],
    ]);
  });

  it("without batchPeriod, each pod change is synced at once", () => {
    const { s, store, writes } = setup();
    store.create(mkService("web", { app: "web" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    s.run();
    s.runUntil(100);
    store.create(mkPod("web-2", "10.244.2.2", "n2", true));
    s.run();
    s.runUntil(200);
    store.delete("Pod", "default", "web-1");
    s.run();
    expect(writes.map((w) => [w.type, w.at, w.endpoints])).toEqual([
      ["ADDED", 0, 1],
      ["MODIFIED", 100, 2],
      ["MODIFIED", 200, 1],
    ]);
  });

  it("syncLatency delays the writes; one worker syncs Services one after another", () => {
    const { s, store, writes } = setup({ syncLatency: constant(50), workers: 1 });
    store.create(mkService("a", { app: "web" }));
    store.create(mkService("b", { app: "web" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    s.run();
    expect(writes.map((w) => [w.name.slice(0, 2), w.at])).toEqual([
      ["a-", 50],
      ["b-", 100],
    ]);
  });

  it("with two workers, two Services are synced in parallel", () => {
    const { s, store, writes } = setup({ syncLatency: constant(50), workers: 2 });
    store.create(mkService("a", { app: "web" }));
    store.create(mkService("b", { app: "web" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    s.run();
    expect(writes.map((w) => [w.name.slice(0, 2), w.at])).toEqual([
      ["a-", 50],
      ["b-", 50],
    ]);
  });

  it("re-syncs a Service changed while its sync was running, after that sync (never two at once)", () => {
    const { s, store, writes, syncs } = setup({ syncLatency: constant(50) });
    store.create(mkService("web", { app: "web" }));
    store.create(mkPod("web-1", "10.244.1.2", "n1", true));
    s.runUntil(20);
    store.create(mkPod("web-2", "10.244.2.2", "n2", true));
    s.run();
    // The pod event at 20 finds the Service's sync running: it is not started alongside
    // (that would end at 70) but queued behind it, ending at 100.
    expect(syncs.map((x) => x.at)).toEqual([50, 100]);
    // A sync reads the store when its latency has elapsed, so the first one already sees
    // web-2 and the second has nothing left to write.
    expect(writes.map((w) => [w.type, w.at, w.endpoints])).toEqual([["ADDED", 50, 2]]);
  });

  it("refuses invalid settings with the field name", () => {
    const s = new Scheduler();
    const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
    const random = new RandomSource(1).stream("x");
    expect(() => new EndpointSliceController(store, new Callbacks(s), { random, maxEndpointsPerSlice: 1001 })).toThrow(/maxEndpointsPerSlice: Invalid value: 1001/);
    expect(() => new EndpointSliceController(store, new Callbacks(s), { random, maxEndpointsPerSlice: 0 })).toThrow(/maxEndpointsPerSlice/);
    expect(() => new EndpointSliceController(store, new Callbacks(s), { random, workers: 0 })).toThrow(/workers: Invalid value: 0/);
  });

  it("splits endpoints over slices of maxEndpointsPerSlice", () => {
    const { s, store } = setup({ maxEndpointsPerSlice: 2 });
    store.create(mkService("web", { app: "web" }));
    for (let i = 0; i < 5; i++) store.create(mkPod(`web-${i}`, `10.244.1.${i + 2}`, "n1", true));
    s.run();
    expect(slicesOf(store, "web").map((x) => x.endpoints.length).sort()).toEqual([1, 2, 2]);
  });
});

describe("NameOrder (the sync's pods in name order, kept across syncs)", () => {
  const pod = (name: string): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { containers: [{ name: "c" }] } });
  const byName = (pods: readonly Pod[]): string[] => pods.map((p) => p.metadata.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  it("gives the same order as sorting every sync from scratch, whatever pods come and go between syncs", () => {
    const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(name, { maxLength: 40 }), { minLength: 1, maxLength: 8 }), (syncs) => {
        const order = new NameOrder();
        for (const names of syncs) {
          const pods = names.map(pod); // in "creation" (arbitrary) order
          expect(order.sort(pods).map((p) => p.metadata.name)).toEqual(byName(pods));
        }
      }),
      { seed: 9, numRuns: 300 },
    );
  });

  it("returns the very pod objects it was given", () => {
    const pods = ["b", "a", "c"].map(pod);
    const out = new NameOrder().sort(pods);
    expect(out).toEqual([pods[1], pods[0], pods[2]]);
    expect(out[0]).toBe(pods[1]);
  });
});
