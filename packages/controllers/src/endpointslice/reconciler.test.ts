import { describe, it, expect } from "vitest";
import fc from "fast-check";
import type { EndpointSlice, Node, Pod, PodPhase, Service, ServicePort } from "@kube-netsim/model";
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from "@kube-netsim/model";
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  LABEL_HEADLESS_SERVICE,
  reconcileEndpointSlices,
  type EndpointSliceReconcileResult,
} from "./reconciler.js";
import {
  endpointPortsForPod,
  findPort,
  podToEndpoint,
  shouldPodBeInEndpoints,
} from "./pod-to-endpoint.js";
import { endpointKey, endpointsEqualBeyondHash, portMapKey } from "./endpoint-hash.js";

// ---------------------------------------------------------------------------
// Builders

const NS = "default";
const SVC_UID = "svc-uid-1";

interface SvcOptions {
  readonly ports?: readonly ServicePort[];
  readonly labels?: Record<string, string>;
  readonly publishNotReadyAddresses?: boolean;
  readonly clusterIP?: string;
  readonly deletionTimestamp?: number;
  readonly uid?: string;
}

function mkService(o: SvcOptions = {}): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "web",
      namespace: NS,
      uid: o.uid ?? SVC_UID,
      ...(o.labels !== undefined ? { labels: o.labels } : {}),
      ...(o.deletionTimestamp !== undefined ? { deletionTimestamp: o.deletionTimestamp } : {}),
    },
    spec: {
      selector: { app: "web" },
      clusterIP: o.clusterIP ?? "10.96.0.10",
      ports: o.ports ?? [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }],
      ...(o.publishNotReadyAddresses !== undefined ? { publishNotReadyAddresses: o.publishNotReadyAddresses } : {}),
    },
  };
}

interface PodOptions {
  readonly ip?: string | null;
  readonly ready?: boolean;
  readonly node?: string;
  readonly deletionTimestamp?: number;
  readonly phase?: PodPhase;
  readonly httpPort?: number;
  readonly hostname?: string;
  readonly subdomain?: string;
}

function podIP(i: number): string {
  return `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

function podName(i: number): string {
  return `pod-${String(i).padStart(4, "0")}`;
}

function mkPod(i: number, o: PodOptions = {}): Pod {
  const ip = o.ip === undefined ? podIP(i) : o.ip;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podName(i),
      namespace: NS,
      uid: `pod-uid-${i}`,
      labels: { app: "web" },
      ...(o.deletionTimestamp !== undefined ? { deletionTimestamp: o.deletionTimestamp } : {}),
    },
    spec: {
      nodeName: o.node ?? "node-a",
      containers: [{ name: "app", ports: [{ name: "http", containerPort: o.httpPort ?? 8080, protocol: "TCP" }] }],
      ...(o.hostname !== undefined ? { hostname: o.hostname } : {}),
      ...(o.subdomain !== undefined ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? "Running",
      ...(ip !== null ? { podIP: ip } : {}),
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }],
    },
  };
}

function mkNode(name: string, zone?: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, ...(zone !== undefined ? { labels: { "topology.kubernetes.io/zone": zone } } : {}) },
  };
}

const NODES: ReadonlyMap<string, Node> = new Map([
  ["node-a", mkNode("node-a", "zone-a")],
  ["node-b", mkNode("node-b", "zone-b")],
  ["node-nozone", mkNode("node-nozone")],
]);

function range(from: number, to: number): number[] {
  const r: number[] = [];
  for (let i = from; i < to; i++) r.push(i);
  return r;
}

/** A deterministic `newSliceName` that also counts its calls. */
function namer(prefix = "web"): { readonly next: () => string; readonly calls: () => number } {
  let n = 0;
  return {
    next: () => `${prefix}-${(++n).toString(36).padStart(5, "0")}`,
    calls: () => n,
  };
}

interface RunOptions {
  readonly service?: Service;
  readonly max?: number;
  readonly now?: number;
  readonly names?: { readonly next: () => string };
  readonly nodes?: ReadonlyMap<string, Node>;
}

function run(pods: readonly Pod[], existing: readonly EndpointSlice[], o: RunOptions = {}): EndpointSliceReconcileResult {
  return reconcileEndpointSlices({
    service: o.service ?? mkService(),
    pods,
    nodes: o.nodes ?? NODES,
    existingSlices: existing,
    maxEndpointsPerSlice: o.max ?? 100,
    now: o.now ?? 1000,
    newSliceName: (o.names ?? namer()).next,
  });
}

/** existing − delete + update + create, by name, sorted by name. */
function apply(existing: readonly EndpointSlice[], r: EndpointSliceReconcileResult): EndpointSlice[] {
  const byName = new Map(existing.map((s) => [s.metadata.name, s]));
  for (const s of r.delete) byName.delete(s.metadata.name);
  for (const s of r.update) {
    expect(byName.has(s.metadata.name), `update of unknown slice ${s.metadata.name}`).toBe(true);
    byName.set(s.metadata.name, s);
  }
  for (const s of r.create) {
    expect(byName.has(s.metadata.name), `create of existing slice ${s.metadata.name}`).toBe(false);
    byName.set(s.metadata.name, s);
  }
  return [...byName.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

function podNames(slice: EndpointSlice): string[] {
  return slice.endpoints.map((e) => e.targetRef?.name ?? "?");
}

function sizes(r: EndpointSliceReconcileResult): { create: number[]; update: number[]; delete: number[] } {
  return {
    create: r.create.map((s) => s.endpoints.length),
    update: r.update.map((s) => s.endpoints.length),
    delete: r.delete.map((s) => s.endpoints.length),
  };
}

const NOTHING = { create: [], update: [], delete: [] };

// ---------------------------------------------------------------------------

describe("reconcileEndpointSlices: a first slice", () => {
  it("3 ready pods -> 1 slice with 3 endpoints, conditions, ports, labels, ownerRef, trigger time", () => {
    const names = namer();
    const r = run([mkPod(0), mkPod(1, { node: "node-b" }), mkPod(2)], [], { now: 4321, names });
    expect(r.update).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.create).toHaveLength(1);
    const s = r.create[0];
    expect(s).toEqual({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: "web-00001",
        generateName: "web-",
        namespace: "default",
        labels: {
          [LABEL_SERVICE_NAME]: "web",
          [LABEL_MANAGED_BY]: ENDPOINTSLICE_CONTROLLER_NAME,
        },
        ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "web", uid: SVC_UID, controller: true }],
        annotations: { [ANNOTATION_LAST_CHANGE_TRIGGER_TIME]: "1970-01-01T00:00:04.321Z" },
      },
      addressType: "IPv4",
      endpoints: [
        {
          addresses: ["10.244.0.1"],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: "node-a",
          zone: "zone-a",
          targetRef: { kind: "Pod", name: "pod-0000", namespace: "default", uid: "pod-uid-0" },
        },
        {
          addresses: ["10.244.0.2"],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: "node-b",
          zone: "zone-b",
          targetRef: { kind: "Pod", name: "pod-0001", namespace: "default", uid: "pod-uid-1" },
        },
        {
          addresses: ["10.244.0.3"],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: "node-a",
          zone: "zone-a",
          targetRef: { kind: "Pod", name: "pod-0002", namespace: "default", uid: "pod-uid-2" },
        },
      ],
      ports: [{ name: "http", protocol: "TCP", port: 8080 }],
    });
    expect(s.metadata.resourceVersion).toBeUndefined();
    expect(names.calls()).toBe(1);
  });

  it("a named targetPort resolves per pod: 'http' on 8080 and on 9090 -> two slices", () => {
    const service = mkService({ ports: [{ name: "web", protocol: "TCP", port: 80, targetPort: "http" }] });
    const r = run([mkPod(0, { httpPort: 8080 }), mkPod(1, { httpPort: 9090 }), mkPod(2, { httpPort: 8080 })], [], {
      service,
    });
    expect(r.create.map((s) => ({ ports: s.ports, pods: podNames(s) }))).toEqual([
      { ports: [{ name: "web", protocol: "TCP", port: 8080 }], pods: ["pod-0000", "pod-0002"] },
      { ports: [{ name: "web", protocol: "TCP", port: 9090 }], pods: ["pod-0001"] },
    ]);
  });

  it("service labels are copied (reserved ones ignored); headless Services get the headless label", () => {
    const service = mkService({
      labels: { team: "a", [LABEL_SERVICE_NAME]: "spoofed", [LABEL_MANAGED_BY]: "me" },
      clusterIP: "None",
    });
    const r = run([mkPod(0)], [], { service });
    expect(r.create[0].metadata.labels).toEqual({
      team: "a",
      [LABEL_HEADLESS_SERVICE]: "",
      [LABEL_SERVICE_NAME]: "web",
      [LABEL_MANAGED_BY]: ENDPOINTSLICE_CONTROLLER_NAME,
    });
  });

  it("a Service pending deletion gets no new slices", () => {
    const r = run([mkPod(0)], [], { service: mkService({ deletionTimestamp: 5 }) });
    expect(r).toEqual(NOTHING);
  });

  it("rejects an invalid maxEndpointsPerSlice", () => {
    expect(() => run([mkPod(0)], [], { max: 0 })).toThrow(RangeError);
    expect(() => run([mkPod(0)], [], { max: 1001 })).toThrow(RangeError);
    expect(() => run([mkPod(0)], [], { max: 2.5 })).toThrow(RangeError);
  });
});

describe("reconcileEndpointSlices: slice packing (spec §6.3, 250 pods, max 100)", () => {
  const names = namer();
  const pods250 = range(0, 250).map((i) => mkPod(i));
  const r1 = run(pods250, [], { names });
  const state1 = apply([], r1);

  it("250 pods -> slices of 100, 100, 50 filled in pod order", () => {
    expect(sizes(r1)).toEqual({ create: [100, 100, 50], update: [], delete: [] });
    expect(state1.map((s) => s.metadata.name)).toEqual(["web-00001", "web-00002", "web-00003"]);
    expect(podNames(state1[0])).toEqual(range(0, 100).map(podName));
    expect(podNames(state1[1])).toEqual(range(100, 200).map(podName));
    expect(podNames(state1[2])).toEqual(range(200, 250).map(podName));
    expect(run(pods250, state1)).toEqual(NOTHING);
  });

  // Remove pods 0..9 (all in the first slice).
  const pods240 = range(10, 250).map((i) => mkPod(i));
  const r2 = run(pods240, state1, { names });
  const state2 = apply(state1, r2);

  it("removing 10 pods of the first slice updates only that slice (90)", () => {
    expect(r2.create).toEqual([]);
    expect(r2.delete).toEqual([]);
    expect(r2.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([["web-00001", 90]]);
    expect(podNames(r2.update[0])).toEqual(range(10, 100).map(podName));
  });

  // Add 5 pods.
  const pods245 = [...pods240, ...range(250, 255).map((i) => mkPod(i))];
  const r3 = run(pods245, state2, { names });
  const state3 = apply(state2, r3);

  it("adding 5 pods (only additions) fills the unchanged slice closest to full that fits all 5 (getSliceToFill)", () => {
    // candidates: web-00001 90+5=95 (diff 5), web-00002 100+5 (does not fit), web-00003 50+5=55 (diff 45)
    expect(r3.create).toEqual([]);
    expect(r3.delete).toEqual([]);
    expect(r3.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([["web-00001", 95]]);
    expect(podNames(r3.update[0]).slice(90)).toEqual(range(250, 255).map(podName));
  });

  // Add 120 pods.
  const pods365 = [...pods245, ...range(255, 375).map((i) => mkPod(i))];
  const r4 = run(pods365, state3, { names });
  const state4 = apply(state3, r4);

  it("adding 120 pods creates one new slice of 100 and puts the other 20 into the slice of 50 (-> 70)", () => {
    // 120 >= max -> new slice with the first 100 (pods 255..354); 20 left < max ->
    // getSliceToFill: web-00001 95+20 and web-00002 100+20 do not fit, web-00003 50+20=70 does.
    expect(r4.create.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([["web-00004", 100]]);
    expect(podNames(r4.create[0])).toEqual(range(255, 355).map(podName));
    expect(r4.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([["web-00003", 70]]);
    expect(podNames(r4.update[0]).slice(50)).toEqual(range(355, 375).map(podName));
    expect(r4.delete).toEqual([]);
    expect(state4.map((s) => s.endpoints.length)).toEqual([95, 100, 70, 100]);
    expect(run(pods365, state4)).toEqual(NOTHING);
  });

  it("removals and additions in one run: the slice being updated is filled first, the rest go to the closest-to-full unchanged slice", () => {
    // From state1 [100, 100, 50]: remove pods 100..109 (web-00002 -> 90), add 15 pods.
    const pods = [...range(0, 100), ...range(110, 250), ...range(250, 265)].map((i) => mkPod(i));
    const r = run(pods, state1, { names: namer("x") });
    expect(r.create).toEqual([]);
    expect(r.delete).toEqual([]);
    // web-00002 refilled with 10 (-> 100); the other 5 fit web-00003 (50 -> 55), web-00001 is full.
    expect(r.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([
      ["web-00002", 100],
      ["web-00003", 55],
    ]);
    expect(podNames(r.update[0]).slice(90)).toEqual(range(250, 260).map(podName));
    expect(podNames(r.update[1]).slice(50)).toEqual(range(260, 265).map(podName));
  });

  it("several slices being updated are filled fullest first", () => {
    // From state1: web-00001 loses 5 (95), web-00003 loses 10 (40); 8 new pods.
    const pods = [...range(5, 200), ...range(210, 250), ...range(250, 258)].map((i) => mkPod(i));
    const r = run(pods, state1);
    expect(r.create).toEqual([]);
    expect(r.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([
      ["web-00001", 100],
      ["web-00003", 43],
    ]);
    expect(podNames(r.update[0]).slice(95)).toEqual(range(250, 255).map(podName));
    expect(podNames(r.update[1]).slice(40)).toEqual(range(255, 258).map(podName));
  });

  it("getSliceToFill picks the closest to full, not the first that fits", () => {
    // From state1, remove pods 0..59 (web-00001 -> 40), then add 5 pods in a second run:
    // web-00001 40+5 (diff 55) and web-00003 50+5 (diff 45) both fit; web-00003 is closer to full.
    const pods = range(60, 250).map((i) => mkPod(i));
    const state = apply(state1, run(pods, state1));
    const r = run([...pods, ...range(250, 255).map((i) => mkPod(i))], state);
    expect(r.create).toEqual([]);
    expect(r.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([["web-00003", 55]]);
  });

  it("a run that adds max or more endpoints never touches an unchanged slice for the first max", () => {
    // From state1, add exactly 100 pods: 100 is not < max, so a new slice is created even
    // though nothing else changes.
    const pods = range(0, 350).map((i) => mkPod(i));
    const r = run(pods, state1, { names: namer("n") });
    expect(sizes(r)).toEqual({ create: [100], update: [], delete: [] });
  });

  it("an emptied slice is deleted when no endpoint needs a slice", () => {
    const r = run(range(0, 200).map((i) => mkPod(i)), state1);
    expect(r.create).toEqual([]);
    expect(r.update).toEqual([]);
    expect(r.delete.map((s) => s.metadata.name)).toEqual(["web-00003"]);
    expect(r.delete[0]).toBe(state1[2]);
  });

  it("finalize: an emptied slice and a pending create become one update that keeps the old name", () => {
    // Remove all 100 pods of web-00002 and add 100 new ones.
    const pods = [...range(0, 100), ...range(200, 350)].map((i) => mkPod(i));
    const n = namer("never");
    const r = run(pods, state1, { names: n, now: 777 });
    expect(r.create).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.update).toHaveLength(1);
    const u = r.update[0];
    expect(u.metadata.name).toBe("web-00002");
    expect(podNames(u)).toEqual(range(250, 350).map(podName));
    expect(u.metadata.annotations).toEqual({ [ANNOTATION_LAST_CHANGE_TRIGGER_TIME]: "1970-01-01T00:00:00.777Z" });
    expect(n.calls()).toBe(0);
  });
});

describe("reconcileEndpointSlices: placeholder slice", () => {
  it("no pods -> one placeholder slice without ports and endpoints", () => {
    const r = run([], []);
    expect(r.update).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.create).toHaveLength(1);
    expect(r.create[0].metadata.name).toBe("web-00001");
    expect(r.create[0].ports).toEqual([]);
    expect(r.create[0].endpoints).toEqual([]);
    expect(r.create[0].metadata.ownerReferences).toEqual([
      { apiVersion: "v1", kind: "Service", name: "web", uid: SVC_UID, controller: true },
    ]);
  });

  const placeholderState = apply([], run([], []));

  it("an existing identical placeholder is kept (nothing to do)", () => {
    expect(run([], placeholderState)).toEqual(NOTHING);
    // Pods that are not published (no IP, Failed) also leave the placeholder alone.
    expect(run([mkPod(0, { ip: null }), mkPod(1, { phase: "Failed" })], placeholderState)).toEqual(NOTHING);
  });

  it("pods appear -> the placeholder is deleted and the create is paired into an update of its name", () => {
    const n = namer("never");
    const r = run([mkPod(0), mkPod(1)], placeholderState, { names: n });
    expect(r.create).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([["web-00001", 2]]);
    expect(r.update[0].ports).toEqual([{ name: "http", protocol: "TCP", port: 8080 }]);
    expect(n.calls()).toBe(0);
  });

  it("all pods go away -> the slice becomes the placeholder (update of the same name)", () => {
    const state = apply([], run([mkPod(0), mkPod(1)], []));
    const r = run([], state);
    expect(r.create).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.update.map((s) => [s.metadata.name, s.endpoints.length, s.ports])).toEqual([["web-00001", 0, []]]);
    expect(run([], apply(state, r))).toEqual(NOTHING);
  });

  it("headless Service without ports: the placeholder shares the [] port map and is filled only when fewer than max endpoints arrive", () => {
    // Upstream quirk (reconcileByPortMapping): the placeholder is an unchanged 0-endpoint slice
    // of the desired [] port map, so getSliceToFill may pick it; with >= max endpoints a new
    // slice is created and the empty placeholder stays.
    const service: Service = { ...mkService({ clusterIP: "None" }), spec: { selector: { app: "web" }, clusterIP: "None" } };
    const state = apply([], run([], [], { service }));
    expect(state.map((s) => s.metadata.labels?.[LABEL_HEADLESS_SERVICE])).toEqual([""]);
    const one = run([mkPod(0)], state, { service, max: 2, names: namer("new") });
    expect(sizes(one)).toEqual({ create: [], update: [1], delete: [] });
    expect(one.update[0].metadata.name).toBe("web-00001");
    const two = run([mkPod(0), mkPod(1)], state, { service, max: 2, names: namer("new") });
    expect(two.create.map((s) => [s.metadata.name, s.endpoints.length, s.ports])).toEqual([["new-00001", 2, []]]);
    expect(two.update).toEqual([]);
    expect(two.delete).toEqual([]);
  });

  it("a placeholder whose labels no longer match the Service is replaced (as an update)", () => {
    const r = run([], placeholderState, { service: mkService({ labels: { tier: "front" } }) });
    expect(r.create).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.update).toHaveLength(1);
    expect(r.update[0].metadata.labels?.["tier"]).toBe("front");
  });
});

describe("reconcileEndpointSlices: endpoint conditions and membership", () => {
  interface Case {
    readonly name: string;
    readonly pod: Pod;
    readonly publishNotReady?: boolean;
    readonly conditions: { ready: boolean; serving: boolean; terminating: boolean };
  }
  const cases: Case[] = [
    { name: "ready", pod: mkPod(0), conditions: { ready: true, serving: true, terminating: false } },
    { name: "not ready", pod: mkPod(0, { ready: false }), conditions: { ready: false, serving: false, terminating: false } },
    {
      name: "terminating ready",
      pod: mkPod(0, { deletionTimestamp: 10 }),
      conditions: { ready: false, serving: true, terminating: true },
    },
    {
      name: "terminating not ready",
      pod: mkPod(0, { deletionTimestamp: 10, ready: false }),
      conditions: { ready: false, serving: false, terminating: true },
    },
    {
      name: "publishNotReadyAddresses, not ready",
      pod: mkPod(0, { ready: false }),
      publishNotReady: true,
      conditions: { ready: true, serving: false, terminating: false },
    },
    {
      name: "publishNotReadyAddresses, terminating",
      pod: mkPod(0, { deletionTimestamp: 10 }),
      publishNotReady: true,
      conditions: { ready: true, serving: true, terminating: true },
    },
  ];
  for (const c of cases) {
    it(`conditions: ${c.name}`, () => {
      const service = mkService({ publishNotReadyAddresses: c.publishNotReady ?? false });
      const r = run([c.pod], [], { service });
      expect(r.create).toHaveLength(1);
      expect(r.create[0].endpoints.map((e) => e.conditions)).toEqual([c.conditions]);
    });
  }

  it("pods without IP, Failed or Succeeded pods are omitted", () => {
    const r = run(
      [mkPod(0, { ip: null }), mkPod(1, { phase: "Failed" }), mkPod(2), mkPod(3, { phase: "Succeeded" })],
      [],
    );
    expect(r.create.map(podNames)).toEqual([["pod-0002"]]);
  });

  it("a pod on an unknown node is skipped, unless publishNotReadyAddresses (then it has no zone)", () => {
    const pods = [mkPod(0, { node: "gone" }), mkPod(1)];
    expect(run(pods, []).create.map(podNames)).toEqual([["pod-0001"]]);
    const r = run(pods, [], { service: mkService({ publishNotReadyAddresses: true }) });
    expect(r.create.map(podNames)).toEqual([["pod-0000", "pod-0001"]]);
    expect(r.create[0].endpoints[0]).toEqual({
      addresses: ["10.244.0.1"],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: "gone",
      targetRef: { kind: "Pod", name: "pod-0000", namespace: "default", uid: "pod-uid-0" },
    });
  });

  it("a pod only on an unknown node still yields the placeholder", () => {
    const r = run([mkPod(0, { node: "gone" })], []);
    expect(r.create.map((s) => [s.endpoints.length, s.ports])).toEqual([[0, []]]);
  });

  it("a node without zone label -> no zone", () => {
    const r = run([mkPod(0, { node: "node-nozone" })], []);
    expect(r.create[0].endpoints[0].zone).toBeUndefined();
    expect("zone" in r.create[0].endpoints[0]).toBe(false);
  });

  it("a pod becoming not ready updates its endpoint in place; other slices are untouched", () => {
    const pods = range(0, 5).map((i) => mkPod(i));
    const state = apply([], run(pods, [], { max: 2 }));
    expect(state.map((s) => s.endpoints.length)).toEqual([2, 2, 1]);
    const changed = pods.map((p, i) => (i === 2 ? mkPod(2, { ready: false }) : p));
    const r = run(changed, state, { max: 2, now: 99 });
    expect(r.create).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.update.map((s) => s.metadata.name)).toEqual(["web-00002"]);
    expect(r.update[0].endpoints.map((e) => e.conditions?.ready)).toEqual([false, true]);
    expect(r.update[0].metadata.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME]).toBe("1970-01-01T00:00:00.099Z");
  });

  it.each<[number, string]>([
    [0, "1970-01-01T00:00:00Z"],
    [1000, "1970-01-01T00:00:01Z"],
    [1500.25, "1970-01-01T00:00:01.50025Z"],
    [3_723_004, "1970-01-01T01:02:03.004Z"],
  ])("the trigger-time annotation at virtual %d ms is RFC3339Nano: %s (utils.go addTriggerTimeAnnotation)", (now, want) => {
    const r = run([mkPod(0)], [], { now });
    expect(r.create[0].metadata.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME]).toBe(want);
  });

  it("a changed node zone updates the endpoint", () => {
    const state = apply([], run([mkPod(0)], []));
    const nodes = new Map([["node-a", mkNode("node-a", "zone-z")]]);
    const r = run([mkPod(0)], state, { nodes });
    expect(r.update.map((s) => s.endpoints[0].zone)).toEqual(["zone-z"]);
  });

  it("a Service label change updates every slice (labels only)", () => {
    const pods = range(0, 3).map((i) => mkPod(i));
    const state = apply([], run(pods, [], { max: 2 }));
    const r = run(pods, state, { max: 2, service: mkService({ labels: { v: "2" } }) });
    expect(r.update.map((s) => [s.metadata.name, s.metadata.labels?.["v"], s.endpoints.length])).toEqual([
      ["web-00001", "2", 2],
      ["web-00002", "2", 1],
    ]);
  });

  it("hostname is set iff spec.hostname is set and spec.subdomain is the Service name", () => {
    const r = run(
      [
        mkPod(0, { hostname: "h0", subdomain: "web" }),
        mkPod(1, { hostname: "h1", subdomain: "other" }),
        mkPod(2, { subdomain: "web" }),
      ],
      [],
    );
    expect(r.create[0].endpoints.map((e) => e.hostname)).toEqual(["h0", undefined, undefined]);
  });
});

describe("reconcileEndpointSlices: slices that are not ours", () => {
  const state = apply([], run([mkPod(0)], []));

  it("a slice owned by another Service uid is deleted (and not reused by finalize)", () => {
    const foreign: EndpointSlice = {
      ...state[0],
      metadata: {
        ...state[0].metadata,
        name: "web-old",
        ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "web", uid: "old-uid", controller: true }],
      },
    };
    const n = namer("new");
    const r = run([mkPod(0), mkPod(1)], [foreign], { names: n });
    expect(r.delete.map((s) => s.metadata.name)).toEqual(["web-old"]);
    expect(r.create.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([["new-00001", 2]]);
    expect(r.update).toEqual([]);
  });

  it("slices managed by another controller and slices being deleted are ignored", () => {
    const mirrored: EndpointSlice = {
      ...state[0],
      metadata: {
        ...state[0].metadata,
        name: "web-mirror",
        labels: { [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: "endpointslicemirroring-controller.k8s.io" },
      },
    };
    const dying: EndpointSlice = { ...state[0], metadata: { ...state[0].metadata, name: "web-dying", deletionTimestamp: 3 } };
    expect(run([mkPod(0)], [...state, mirrored, dying])).toEqual(NOTHING);
  });

  it("a slice of another address type is deleted", () => {
    const v6: EndpointSlice = { ...state[0], metadata: { ...state[0].metadata, name: "web-v6" }, addressType: "IPv6" };
    const r = run([mkPod(0)], [...state, v6]);
    expect(r.create).toEqual([]);
    expect(r.update).toEqual([]);
    expect(r.delete.map((s) => s.metadata.name)).toEqual(["web-v6"]);
  });

  it("a slice whose port map is no longer desired is deleted, its name reused for the new port map", () => {
    const service = mkService({ ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 9000 }] });
    const r = run([mkPod(0)], state, { service });
    expect(r.create).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.update.map((s) => [s.metadata.name, s.ports])).toEqual([
      ["web-00001", [{ name: "http", protocol: "TCP", port: 9000 }]],
    ]);
  });
});

describe("endpointPortsForPod / findPort (pkg/api/v1/pod FindPort)", () => {
  const pod: Pod = {
    ...mkPod(0),
    spec: {
      nodeName: "node-a",
      containers: [
        { name: "a", ports: [{ name: "http", containerPort: 8080 }, { name: "dns", containerPort: 5353, protocol: "UDP" }] },
        { name: "b", ports: [{ name: "metrics", containerPort: 9100, protocol: "TCP" }] },
      ],
    },
  };
  const table: { name: string; port: ServicePort; want: number | undefined }[] = [
    { name: "numeric targetPort as is", port: { port: 80, targetPort: 8081 }, want: 8081 },
    { name: "absent targetPort defaults to port", port: { port: 80 }, want: 80 },
    { name: "named, default protocol TCP on both", port: { port: 80, targetPort: "http" }, want: 8080 },
    { name: "named in second container", port: { port: 80, targetPort: "metrics" }, want: 9100 },
    { name: "named with UDP", port: { port: 53, protocol: "UDP", targetPort: "dns" }, want: 5353 },
    { name: "named, protocol mismatch", port: { port: 53, protocol: "TCP", targetPort: "dns" }, want: undefined },
    { name: "named, not exposed", port: { port: 80, targetPort: "grpc" }, want: undefined },
  ];
  for (const c of table) {
    it(c.name, () => {
      expect(findPort(pod, c.port)).toBe(c.want);
    });
  }

  it("unresolvable ports are omitted; names default to '' and protocols to TCP", () => {
    const service = mkService({
      ports: [
        { name: "web", port: 80, targetPort: "http" },
        { name: "grpc", port: 81, targetPort: "grpc" },
        { port: 82 },
      ],
    });
    expect(endpointPortsForPod(service, pod)).toEqual([
      { name: "web", protocol: "TCP", port: 8080 },
      { name: "", protocol: "TCP", port: 82 },
    ]);
  });

  it("a Service without ports gives []", () => {
    const service: Service = { ...mkService(), spec: { selector: { app: "web" }, clusterIP: "None" } };
    expect(endpointPortsForPod(service, pod)).toEqual([]);
  });
});

describe("podToEndpoint / shouldPodBeInEndpoints", () => {
  it("uses IPv4 podIPs, ignoring IPv6 ones (dual-stack not modelled)", () => {
    const pod: Pod = { ...mkPod(0), status: { ...mkPod(0).status, podIP: "fd00::1", podIPs: [{ ip: "fd00::1" }, { ip: "10.1.2.3" }] } };
    expect(podToEndpoint(pod, NODES.get("node-a"), mkService()).addresses).toEqual(["10.1.2.3"]);
  });

  it("a pod with only an IPv6 address gets no IPv4 endpoint (its port group is still known)", () => {
    const pod: Pod = { ...mkPod(0), status: { ...mkPod(0).status, podIP: "fd00::1" } };
    expect(run([pod], []).create.map((s) => s.endpoints.length)).toEqual([0]);
  });

  it("terminating pods are included only with includeTerminating", () => {
    const pod = mkPod(0, { deletionTimestamp: 1 });
    expect(shouldPodBeInEndpoints(pod, true)).toBe(true);
    expect(shouldPodBeInEndpoints(pod, false)).toBe(false);
    expect(shouldPodBeInEndpoints(mkPod(1, { phase: "Pending" }), false)).toBe(true);
    expect(shouldPodBeInEndpoints(mkPod(1, { ip: null }), true)).toBe(false);
  });
});

describe("endpoint identity (util/endpointset.go, controller_utils.go)", () => {
  const svc = mkService();
  const a = podToEndpoint(mkPod(0), NODES.get("node-a"), svc);

  it("the key ignores conditions, node, zone and uid", () => {
    const b = podToEndpoint(mkPod(0, { ready: false, node: "node-b" }), NODES.get("node-b"), svc);
    expect(endpointKey(a)).toBe(endpointKey(b));
    expect(endpointsEqualBeyondHash(a, b)).toBe(false);
    expect(endpointKey(a)).not.toBe(endpointKey(podToEndpoint(mkPod(1), NODES.get("node-a"), svc)));
  });

  it("equality beyond hash ignores hints and notices uid", () => {
    expect(endpointsEqualBeyondHash(a, { ...a, hints: { forZones: [{ name: "zone-a" }] } })).toBe(true);
    expect(endpointsEqualBeyondHash(a, { ...a, targetRef: { ...a.targetRef!, uid: "other" } })).toBe(false);
    expect(endpointsEqualBeyondHash(a, { ...a, conditions: { ready: true, serving: true } })).toBe(false);
  });

  it("port map keys are order independent and default name/protocol", () => {
    expect(portMapKey([{ name: "a", port: 1 }, { name: "b", protocol: "UDP", port: 2 }])).toBe(
      portMapKey([{ name: "b", protocol: "UDP", port: 2 }, { name: "a", protocol: "TCP", port: 1 }]),
    );
    expect(portMapKey(undefined)).toBe(portMapKey([]));
    expect(portMapKey([{ name: "a", port: 1 }])).not.toBe(portMapKey([{ name: "a", port: 2 }]));
    expect(portMapKey([{ port: 1 }])).toBe(portMapKey([{ name: "", protocol: "TCP", port: 1 }]));
  });
});

// ---------------------------------------------------------------------------
// Property: idempotence, exactly-once placement, slice size bound.

interface PodSpecGen {
  readonly present: boolean;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly ip: boolean;
  readonly failed: boolean;
  readonly node: "node-a" | "node-b" | "gone";
  readonly httpPort: 8080 | 9090 | 0;
}

const podGen: fc.Arbitrary<PodSpecGen> = fc.record({
  present: fc.boolean(),
  ready: fc.boolean(),
  terminating: fc.boolean(),
  ip: fc.constantFrom(true, true, true, false),
  failed: fc.constantFrom(false, false, false, true),
  node: fc.constantFrom("node-a" as const, "node-b" as const, "node-a" as const, "gone" as const),
  httpPort: fc.constantFrom(8080 as const, 8080 as const, 9090 as const, 0 as const),
});

function buildPod(i: number, g: PodSpecGen): Pod {
  const pod = mkPod(i, {
    ready: g.ready,
    ip: g.ip ? podIP(i) : null,
    node: g.node,
    ...(g.httpPort !== 0 ? { httpPort: g.httpPort } : {}),
    ...(g.terminating ? { deletionTimestamp: 5 } : {}),
    ...(g.failed ? { phase: "Failed" as const } : {}),
  });
  // httpPort 0: the pod exposes no "http" port, so the named Service port is omitted for it.
  return g.httpPort === 0 ? { ...pod, spec: { ...pod.spec, containers: [{ name: "app" }] } } : pod;
}

describe("reconcileEndpointSlices: properties", () => {
  it("is idempotent, places each desired pod exactly once, never exceeds max", () => {
    const service0 = mkService({
      ports: [
        { name: "web", protocol: "TCP", port: 80, targetPort: "http" },
        { name: "admin", protocol: "TCP", port: 81, targetPort: 7000 },
      ],
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.array(podGen, { minLength: 0, maxLength: 14 }), fc.boolean()), {
          minLength: 1,
          maxLength: 6,
        }),
        (max, publishNotReady, steps) => {
          const names = namer();
          let state: EndpointSlice[] = [];
          let now = 0;
          for (const [gens, relabel] of steps) {
            now += 1000;
            const service: Service = {
              ...service0,
              metadata: { ...service0.metadata, labels: { rev: relabel ? "b" : "a" } },
              spec: { ...service0.spec, publishNotReadyAddresses: publishNotReady },
            };
            const pods = gens.flatMap((g, i) => (g.present ? [buildPod(i, g)] : []));
            const input = { service, pods, nodes: NODES, maxEndpointsPerSlice: max, newSliceName: names.next };
            const r = reconcileEndpointSlices({ ...input, existingSlices: state, now });
            state = apply(state, r);

            // Idempotence: a second reconcile has nothing to do.
            const again = reconcileEndpointSlices({ ...input, existingSlices: state, now: now + 1 });
            expect(again).toEqual(NOTHING);

            // Size bound and at least one slice (placeholder).
            expect(state.length).toBeGreaterThanOrEqual(1);
            for (const s of state) expect(s.endpoints.length).toBeLessThanOrEqual(max);

            // Exactly-once placement, with up-to-date endpoint and ports.
            const desired = pods.filter(
              (p) => shouldPodBeInEndpoints(p, true) && (publishNotReady || NODES.has(p.spec.nodeName ?? "")),
            );
            const seen = new Map<string, number>();
            for (const s of state) {
              for (const e of s.endpoints) {
                const name = e.targetRef?.name ?? "?";
                seen.set(name, (seen.get(name) ?? 0) + 1);
                const pod = pods.find((p) => p.metadata.name === name);
                expect(pod).toBeDefined();
                expect(e).toEqual(podToEndpoint(pod!, NODES.get(pod!.spec.nodeName ?? ""), service));
                expect(portMapKey(s.ports)).toBe(portMapKey(endpointPortsForPod(service, pod!)));
              }
              expect(s.metadata.labels?.["rev"]).toBe(relabel ? "b" : "a");
            }
            expect([...seen.keys()].sort()).toEqual(desired.map((p) => p.metadata.name).sort());
            for (const count of seen.values()) expect(count).toBe(1);
          }
        },
      ),
      { numRuns: 300, seed: 20240611 },
    );
  });
});

describe("reconcileEndpointSlices reuses a frozen pod's endpoint only while its other inputs are the same", () => {
  const deepFreeze = <T>(o: T): T => {
    if (o !== null && typeof o === "object" && !Object.isFrozen(o)) {
      Object.freeze(o);
      for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
    }
    return o;
  };
  const endpointsOf = (r: EndpointSliceReconcileResult) => r.create.flatMap((s) => s.endpoints);

  it("follows the node's zone, publishNotReadyAddresses and the Service's name for the same pod objects", () => {
    const pods = [mkPod(1, { node: "node-a" }), mkPod(2, { node: "node-a", ready: false })].map(deepFreeze);
    const first = endpointsOf(run(pods, []));
    expect(first.map((e) => [e.zone, e.conditions?.ready])).toEqual([
      ["zone-a", true],
      ["zone-a", false],
    ]);
    // Same pod objects, the node now in another zone.
    const moved = new Map(NODES).set("node-a", mkNode("node-a", "zone-c"));
    expect(endpointsOf(run(pods, [], { nodes: moved })).map((e) => e.zone)).toEqual(["zone-c", "zone-c"]);
    // Same pod objects, publishNotReadyAddresses: the not-ready pod's endpoint is ready.
    expect(endpointsOf(run(pods, [], { service: mkService({ publishNotReadyAddresses: true }) })).map((e) => e.conditions?.ready)).toEqual([true, true]);
    // And back: the first answer again, equal to a fresh build.
    expect(endpointsOf(run(pods, []))).toEqual(first);
    expect(first).toEqual(pods.map((p) => podToEndpoint(p, NODES.get("node-a"), mkService())));
  });

  it("gives a hostname only for the Service the pod's subdomain names", () => {
    const pods = [mkPod(1, { node: "node-a", hostname: "h1", subdomain: "web" })].map(deepFreeze);
    expect(endpointsOf(run(pods, []))[0].hostname).toBe("h1");
    const other = { ...mkService(), metadata: { ...mkService().metadata, name: "other" } };
    expect(endpointsOf(run(pods, [], { service: other }))[0].hostname).toBeUndefined();
    expect(endpointsOf(run(pods, []))[0].hostname).toBe("h1");
  });
});
