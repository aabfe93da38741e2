import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { endpoint } from "@kube-netsim/testing";
import { Interner, RandomSource, Scheduler, constant } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Endpoint, EndpointConditions, EndpointSlice, Node, Service, TrafficPolicy } from "@kube-netsim/model";
import type { DataPlane } from "./data-plane.js";
import { CiliumDataPlane } from "./cilium/cilium-data-plane.js";
import { IptablesDataPlane } from "./iptables/iptables-data-plane.js";
import { IpvsDataPlane } from "./ipvs/ipvs-data-plane.js";
import { IPVS_SCHEDULER_NAMES } from "./ipvs/schedulers.js";
import type { IpvsSchedulerName } from "./ipvs/schedulers.js";
import { KubeProxy } from "./kube-proxy.js";
import type { KubeProxyOptions } from "./kube-proxy.js";
import { NftablesDataPlane } from "./nftables/nftables-data-plane.js";
import { ROUTE_DROPPED, ROUTE_REJECTED } from "./service-frontend.js";
import type { ServiceFrontend } from "./service-frontend.js";

// Property tests of every data plane behind a real KubeProxy: random EndpointSlices
// (0..30 endpoints, random and nil conditions, random nodes), both internal traffic
// policies, both session affinities. The expected outcome is computed here from the
// spec (kubernetes-networking.md 1.1-1.4, 4.1), independently of topology.ts.
//
// Four properties per mode (iptables, nftables, IPVS with each of its 9 schedulers,
// Cilium). numRuns are chosen so that the whole file (12 modes) runs in a few seconds.

// ---------------------------------------------------------------------------
// Modes

interface Mode {
  readonly name: string;
  readonly make: () => DataPlane;
  /** The IPVS scheduler, for IPVS modes. */
  readonly ipvs?: IpvsSchedulerName;
}

const MODES: readonly Mode[] = [
  { name: "iptables", make: () => new IptablesDataPlane() },
  { name: "nftables", make: () => new NftablesDataPlane() },
  ...IPVS_SCHEDULER_NAMES.map((s): Mode => ({ name: `ipvs (${s})`, make: () => new IpvsDataPlane(s), ipvs: s })),
  { name: "cilium", make: () => new CiliumDataPlane() },
];

/**
 * The IPVS schedulers that look a table up and return NULL when the bucket's real server
 * is quiesced (weight 0), with no second choice: kube-proxy sets no sh-fallback /
 * mh-fallback flag (net/netfilter/ipvs/ip_vs_sh.c ip_vs_sh_get, ip_vs_dh.c
 * ip_vs_dh_schedule, ip_vs_mh.c ip_vs_mh_get). While a gone endpoint drains at weight 0
 * (pkg/proxy/ipvs/graceful_termination.go), the clients hashed to it get no destination:
 * the VIP is local on kube-ipvs0, so they are refused (ip_vs_leave sends port unreachable).
 */
const HASH_TABLE_SCHEDULERS: ReadonlySet<IpvsSchedulerName> = new Set<IpvsSchedulerName>(["sh", "dh", "mh"]);

// ---------------------------------------------------------------------------
// A tiny cluster

/** kube-proxy under test runs on this node; the others host remote endpoints. */
const NODE = "node-a";
const NODES = ["node-a", "node-b", "node-c"] as const;
const CLUSTER_IP = "10.96.0.10";
const ADDRESS = `${CLUSTER_IP}:80/TCP`;
const TARGET_PORT = 8080;

interface Timing {
  readonly minSyncPeriod: number;
  readonly watchDelay: number;
  readonly syncRunner: "bounded-frequency" | "burst";
  /** How long a sync takes (the old rules stay until it ends); 0 = instant. */
  readonly syncDuration: number;
}

interface World {
  readonly scheduler: Scheduler;
  readonly store: ObjectStore;
  readonly addresses: Interner;
  readonly plane: DataPlane;
  readonly proxy: KubeProxy;
  /** Names of the EndpointSlices that currently exist. */
  readonly slices: Set<string>;
}

function world(seed: number, mode: Mode, timing: Timing): World {
  const scheduler = new Scheduler();
  const random = new RandomSource(seed);
  const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
  const addresses = new Interner();
  for (const [i, name] of NODES.entries()) store.create(node(name, `zone-${"abc"[i]}`));
  const plane = mode.make();
  const options: KubeProxyOptions = {
    nodeName: NODE,
    dataPlane: plane,
    addresses,
    random: random.stream(`kube-proxy/${NODE}`),
    minSyncPeriod: timing.minSyncPeriod,
    watchDelay: timing.watchDelay,
    syncRunner: timing.syncRunner,
    ...(timing.syncDuration > 0 ? { syncDuration: constant(timing.syncDuration) } : {}),
  };
  const proxy = new KubeProxy(scheduler, store, options);
  return { scheduler, store, addresses, plane, proxy, slices: new Set() };
}

function node(name: string, zone: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone } },
    spec: {},
  };
}

interface ServiceConfig {
  readonly internalTrafficPolicy: TrafficPolicy;
  readonly sessionAffinity: "None" | "ClientIP";
  /** `sessionAffinityConfig.clientIP.timeoutSeconds` (ClientIP only). */
  readonly timeoutSeconds: number;
}

function service(config: ServiceConfig): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "api", namespace: "default" },
    spec: {
      selector: { app: "api" },
      ports: [{ name: "http", port: 80, targetPort: TARGET_PORT }],
      clusterIP: CLUSTER_IP,
      internalTrafficPolicy: config.internalTrafficPolicy,
      sessionAffinity: config.sessionAffinity,
      ...(config.sessionAffinity === "ClientIP" ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: config.timeoutSeconds } } } : {}),
    },
  };
}

/** One generated endpoint: `conditions` and its fields may be absent (nil). */
interface GenEndpoint {
  readonly ip: string;
  readonly nodeName?: string;
  readonly conditions?: EndpointConditions;
}

/** One version of the Service's endpoints, spread over `sliceCount` EndpointSlices. */
interface EndpointsVersion {
  readonly endpoints: readonly GenEndpoint[];
  readonly sliceCount: number;
}

function toEndpoint(e: GenEndpoint): Endpoint {
  return {
    addresses: [e.ip],
    ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
    ...(e.conditions !== undefined ? { conditions: e.conditions } : {}),
  };
}

function slice(name: string, endpoints: readonly GenEndpoint[]): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": "api" } },
    addressType: "IPv4",
    endpoints: endpoints.map(toEndpoint),
    ports: [{ name: "http", protocol: "TCP", port: TARGET_PORT }],
  };
}

/** Writes a version of the endpoints: endpoint i goes to slice `api-(i mod sliceCount)`; extra old slices are deleted. */
function writeEndpoints(w: World, version: EndpointsVersion): void {
  const wanted = new Set<string>();
  for (let s = 0; s < version.sliceCount; s++) {
    const name = `api-${s}`;
    wanted.add(name);
    const obj = slice(
      name,
      version.endpoints.filter((_, i) => i % version.sliceCount === s),
    );
    if (w.slices.has(name)) w.store.update(obj);
    else w.store.create(obj);
  }
  for (const name of [...w.slices]) if (!wanted.has(name)) w.store.delete("EndpointSlice", "default", name);
  w.slices.clear();
  for (const name of wanted) w.slices.add(name);
}

/** Runs the clock until kube-proxy has run a sync after the last write and has nothing pending. */
function settle(w: World): void {
  const before = w.proxy.stats.syncs;
  for (let i = 0; i < 10_000 && !(w.proxy.inSync && w.proxy.stats.syncs > before); i++) {
    w.scheduler.runUntil(w.scheduler.now + 50);
  }
  expect(w.proxy.stats.syncs).toBeGreaterThan(before);
  expect(w.proxy.inSync).toBe(true);
}

/** `IP:port` of a destination id, or the route code. */
function outcomeName(w: World, destination: number): string {
  if (destination >= 0) return w.addresses.name(destination);
  return destination === ROUTE_REJECTED ? "REJECT" : destination === ROUTE_DROPPED ? "DROP" : "NO-RULE";
}

/** Whether the IPVS virtual server of the frontend holds a quiesced (weight 0, draining) real server. */
function hasDrainingRealServer(w: World): boolean {
  if (!(w.plane instanceof IpvsDataPlane)) return false;
  return (w.plane.virtualServer(ADDRESS)?.destinations() ?? []).some((d) => d.weight === 0);
}

// ---------------------------------------------------------------------------
// The expected outcome, from the spec

interface View {
  readonly key: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly local: boolean;
}

/** Conditions as kube-proxy reads them (spec 1.1, "ten things" 2): nil ready/serving => true, nil terminating => false. */
function view(e: GenEndpoint): View {
  return {
    key: `${e.ip}:${TARGET_PORT}`,
    ready: e.conditions?.ready ?? true,
    serving: e.conditions?.serving ?? true,
    terminating: e.conditions?.terminating ?? false,
    local: e.nodeName === NODE,
  };
}

type Expected =
  | { readonly verdict: "forward"; readonly endpoints: readonly View[]; readonly candidates: readonly View[] }
  | { readonly verdict: "reject" }
  | { readonly verdict: "drop" };

/**
 * What node-a's rules must do with a new ClusterIP connection. `candidates` are the
 * endpoints the policy draws from (all of them for Cluster, the local ones for Local),
 * `endpoints` the usable ones among them: the Ready ones, else the Serving-and-Terminating
 * ones (spec 1.2, "ten things" 1).
 */
function expectedOutcome(endpoints: readonly GenEndpoint[], policy: TrafficPolicy, mode: Mode): Expected {
  const all = endpoints.map(view);
  const usable = (from: readonly View[]): View[] => {
    const ready = from.filter((v) => v.ready);
    return ready.length > 0 ? ready : from.filter((v) => v.serving && v.terminating);
  };
  const cluster = usable(all);
  if (policy === "Cluster") return cluster.length > 0 ? { verdict: "forward", endpoints: cluster, candidates: all } : { verdict: "reject" };
  const localCandidates = all.filter((v) => v.local);
  const local = usable(localCandidates);
  if (local.length > 0) return { verdict: "forward", endpoints: local, candidates: localCandidates };
  // IPVS with a Local policy and no local endpoint falls back to CategorizeEndpoints'
  // clusterEndpoints (pkg/proxy/ipvs/proxier.go syncEndpoint, kubernetes#93456), which
  // pkg/proxy/topology.go leaves nil for a port that is not externally accessible: these
  // ClusterIP-only Services get a virtual server with no real server, and the node answers
  // RST (spec 4.1: "no endpoints ... effectively connection refused"). IPVS never drops
  // ClusterIP traffic. (Spec 4.1's fallback sentence applies to externally accessible ports.)
  if (mode.ipvs !== undefined) return { verdict: "reject" };
  // Spec 1.4: no usable endpoint anywhere => REJECT; endpoints elsewhere only => DROP.
  return cluster.length > 0 ? { verdict: "drop" } : { verdict: "reject" };
}

/**
 * Checks one new connection against the expected outcome. The one allowed deviation: a
 * hash-table IPVS scheduler refusing a client hashed to a draining real server (see
 * {@link HASH_TABLE_SCHEDULERS}).
 */
function checkConnection(w: World, mode: Mode, expected: Expected, destination: number): void {
  switch (expected.verdict) {
    case "reject":
      expect(destination).toBe(ROUTE_REJECTED);
      return;
    case "drop":
      expect(destination).toBe(ROUTE_DROPPED);
      return;
    case "forward": {
      if (destination === ROUTE_REJECTED && mode.ipvs !== undefined && HASH_TABLE_SCHEDULERS.has(mode.ipvs) && hasDrainingRealServer(w)) return;
      expect(destination).toBeGreaterThanOrEqual(0);
      const key = w.addresses.name(destination);
      const chosen = expected.endpoints.find((v) => v.key === key);
      expect(chosen, `connection went to ${key}, not a usable endpoint`).toBeDefined();
      if (chosen !== undefined && !chosen.ready) {
        // Not ready: only allowed as the serving-terminating fallback, when no candidate is ready.
        expect(expected.candidates.some((v) => v.ready)).toBe(false);
        expect(chosen.serving && chosen.terminating).toBe(true);
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------
// Generators

const seedArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0x7fffffff });
const policyArb: fc.Arbitrary<TrafficPolicy> = fc.constantFrom<TrafficPolicy>("Cluster", "Local");
const timingArb: fc.Arbitrary<Timing> = fc.record({
  minSyncPeriod: fc.constantFrom(0, 1000),
  watchDelay: fc.constantFrom(0, 250),
  syncRunner: fc.constantFrom<"bounded-frequency" | "burst">("bounded-frequency", "burst"),
  syncDuration: fc.constantFrom(0, 300),
});

// Endpoints with every condition possibly nil, from the property-testing kit
// (@kube-netsim/testing `endpoint`: 10.244.<0..2>.<2..254>, a node or none, nil or partial conditions).
const endpointArb: fc.Arbitrary<GenEndpoint> = endpoint({ nodes: NODES }).map((e) => ({
  ip: e.addresses[0],
  ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
  ...(e.conditions !== undefined ? { conditions: e.conditions } : {}),
}));

const endpointsArb: fc.Arbitrary<GenEndpoint[]> = fc.uniqueArray(endpointArb, { minLength: 0, maxLength: 30, selector: (e) => e.ip });

/** Endpoints of which none is Ready (a rollout's last pods terminating): the serving-terminating fallback. */
const noneReadyArb: fc.Arbitrary<GenEndpoint[]> = endpointsArb.map((eps) => eps.map((e) => ({ ...e, conditions: { ...e.conditions, ready: false } })));

const versionArb: fc.Arbitrary<EndpointsVersion> = fc.record({
  endpoints: fc.oneof({ weight: 3, arbitrary: endpointsArb }, { weight: 1, arbitrary: noneReadyArb }),
  sliceCount: fc.integer({ min: 1, max: 3 }),
});

/** Pod IPs of clients (10.244.128.0/17, disjoint from the endpoints), as unsigned 32-bit integers. */
const clientsArb = (max: number): fc.Arbitrary<number[]> =>
  fc.uniqueArray(fc.integer({ min: 0x0af48000, max: 0x0af4ffff }), { minLength: 1, maxLength: max });

// ---------------------------------------------------------------------------
// Properties

/**
 * fast-check parameters of property `property` of mode `index`: the file's global seed
 * (vitest.setup.ts, FC_SEED) shifted per mode and property, so that the 12 modes do not
 * all replay the same inputs.
 */
function runs(index: number, property: number, numRuns: number): fc.Parameters<unknown> {
  const base = fc.readConfigureGlobal().seed ?? 0;
  return { numRuns, seed: (base + 1_000_003 * index + 7919 * property) | 0 };
}

describe.each(MODES.map((mode, index) => ({ ...mode, index })))("data plane $name behind KubeProxy (property)", (mode) => {
  it("on a synced node, new connections go only to usable endpoints: ready ones, serving-terminating only when none is ready; REJECT / DROP otherwise", () => {
    interface Step {
      readonly version: EndpointsVersion;
      /** Client indices of the step's new connections. */
      readonly connections: readonly number[];
      /** Close the step's connections at its end (IPVS: active -> TIME_WAIT). */
      readonly close: boolean;
      /** Virtual time before the next version is written (lets IPVS drain real servers). */
      readonly advance: number;
    }
    const stepArb: fc.Arbitrary<Step> = fc.record({
      version: versionArb,
      connections: fc.array(fc.nat(), { minLength: 1, maxLength: 24 }),
      close: fc.boolean(),
      advance: fc.constantFrom(0, 1_000, 70_000, 200_000),
    });
    fc.assert(
      fc.property(
        seedArb,
        policyArb,
        fc.constantFrom<"None" | "ClientIP">("None", "ClientIP"),
        timingArb,
        clientsArb(8),
        fc.array(stepArb, { minLength: 1, maxLength: 3 }),
        (seed, policy, affinity, timing, clients, steps) => {
          const w = world(seed, mode, timing);
          w.store.create(service({ internalTrafficPolicy: policy, sessionAffinity: affinity, timeoutSeconds: 10800 }));
          for (const step of steps) {
            writeEndpoints(w, step.version);
            settle(w);
            const f: ServiceFrontend = w.proxy.frontend(ADDRESS);
            const expected = expectedOutcome(step.version.endpoints, policy, mode);
            // The programmed rules: verdict and, when forwarding, exactly the usable endpoints in IP:port string order.
            expect(f.verdict).toBe(expected.verdict);
            if (expected.verdict === "forward") {
              const keys = expected.endpoints.map((v) => v.key).sort();
              expect(f.endpoints.map((e) => e.key)).toEqual(keys);
            }
            const open: number[] = [];
            for (const c of step.connections) {
              const d = w.proxy.connect(f, clients[c % clients.length]);
              checkConnection(w, mode, expected, d);
              if (d >= 0) open.push(d);
            }
            if (step.close) for (const d of open) w.proxy.connectionClosed(f, d);
            w.scheduler.runUntil(w.scheduler.now + step.advance);
          }
        },
      ),
      runs(mode.index, 1, 60),
    );
  });

  it("sessionAffinity ClientIP: a client whose connections are less than timeoutSeconds apart always lands on the same endpoint while the endpoints do not change", () => {
    interface Turn {
      /** Gap before the turn's connection, in thousandths of the largest gap (see below). */
      readonly gapPermille: number;
      /** Rewrite the same endpoints first, reversed and split over another number of slices. */
      readonly rewrite: boolean;
    }
    const turnArb: fc.Arbitrary<Turn> = fc.record({
      gapPermille: fc.integer({ min: 0, max: 1000 }),
      rewrite: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    });
    fc.assert(
      fc.property(
        seedArb,
        policyArb,
        timingArb,
        versionArb,
        fc.integer({ min: 1, max: 10800 }),
        clientsArb(6),
        fc.array(turnArb, { minLength: 6, maxLength: 40 }),
        (seed, policy, timing, version, timeoutSeconds, clients, turns) => {
          const w = world(seed, mode, timing);
          w.store.create(service({ internalTrafficPolicy: policy, sessionAffinity: "ClientIP", timeoutSeconds }));
          writeEndpoints(w, version);
          settle(w);
          const f = w.proxy.frontend(ADDRESS);
          const expected = expectedOutcome(version.endpoints, policy, mode);
          // Clients connect in turn with gaps of at most (timeout - 1 ms) / clients, so one
          // client's consecutive connections are normally less than timeoutSeconds apart.
          // The gaps span hours of virtual time, so the hourly full syncs rewrite the rules in
          // between; some turns also rewrite the EndpointSlices with the same endpoints
          // (another order, another split): affinity state must survive a rewrite of
          // unchanged endpoints (spec "ten things" 9). Stickiness is asserted only for
          // connections really less than the timeout after the client's previous one (a
          // rewrite's sync can take longer than a 1 s timeout).
          // At most 6 clients, so iptables' 100-address xt_recent lists never evict.
          const timeoutMs = timeoutSeconds * 1000;
          const maxGap = Math.floor((timeoutMs - 1) / clients.length);
          const last = new Map<number, { readonly at: number; readonly to: string }>();
          turns.forEach((turn, i) => {
            if (turn.rewrite) {
              writeEndpoints(w, { endpoints: [...version.endpoints].reverse(), sliceCount: (version.sliceCount % 3) + 1 });
              settle(w);
              expect(f.endpoints.map((e) => e.key)).toEqual(expected.verdict === "forward" ? expected.endpoints.map((v) => v.key).sort() : []);
            }
            w.scheduler.runUntil(w.scheduler.now + Math.floor((turn.gapPermille / 1000) * maxGap));
            const client = clients[i % clients.length];
            const d = w.proxy.connect(f, client);
            checkConnection(w, mode, expected, d);
            const to = outcomeName(w, d);
            const previous = last.get(client);
            if (previous !== undefined && w.scheduler.now - previous.at < timeoutMs) expect(to).toBe(previous.to);
            last.set(client, { at: w.scheduler.now, to });
          });
        },
      ),
      runs(mode.index, 2, 40),
    );
  });

  it("sessionAffinity None: one client's many connections use more than one endpoint when >= 2 are usable (except where one client legitimately maps to one server)", () => {
    // 64 connections per client. For the random data planes (iptables statistic, nftables
    // numgen, Cilium's random slot, IPVS mh which hashes a random source port) the chance
    // that all 64 land on one of m >= 2 endpoints is about m * (1/m)^64 <= 2^-63 (~1e-19)
    // per client, far below 1e-9 even summed over every run of this file. rr, wrr, lc,
    // wlc, sed and nq are deterministic.
    const CONNECTIONS = 64;
    fc.assert(
      fc.property(seedArb, policyArb, timingArb, versionArb, clientsArb(4), fc.boolean(), (seed, policy, timing, version, clients, closeEach) => {
        const w = world(seed, mode, timing);
        w.store.create(service({ internalTrafficPolicy: policy, sessionAffinity: "None", timeoutSeconds: 10800 }));
        writeEndpoints(w, version);
        settle(w);
        const f = w.proxy.frontend(ADDRESS);
        const expected = expectedOutcome(version.endpoints, policy, mode);
        const perClient = new Map<number, Set<string>>();
        const everyone = new Set<string>();
        for (const client of clients) {
          const used = new Set<string>();
          for (let i = 0; i < CONNECTIONS; i++) {
            const d = w.proxy.connect(f, client);
            checkConnection(w, mode, expected, d);
            used.add(outcomeName(w, d));
            everyone.add(outcomeName(w, d));
            // Closed at once: the connection leaves IPVS's active count (and stays inactive for TIME_WAIT).
            if (closeEach && d >= 0) w.proxy.connectionClosed(f, d);
          }
          perClient.set(client, used);
        }
        if (expected.verdict !== "forward") {
          expect(everyone.size).toBe(1);
          return;
        }
        const usable = expected.endpoints.length;
        const oneServerPerClient = (): void => {
          for (const used of perClient.values()) expect(used.size).toBe(1);
        };
        if (usable < 2) {
          oneServerPerClient();
        } else if (mode.ipvs === "dh") {
          // dh hashes the DESTINATION address, which for a kube-proxy virtual server is
          // always the ClusterIP (ip_vs_dh.c): every client of the Service maps to the same
          // single real server.
          expect(everyone.size).toBe(1);
        } else if (mode.ipvs === "sh") {
          // sh hashes the SOURCE address only (kube-proxy sets no sh-port flag, ip_vs_sh.c):
          // one client always maps to one real server.
          oneServerPerClient();
        } else if (closeEach && (mode.ipvs === "sed" || mode.ipvs === "nq")) {
          // With every connection closed before the next, activeconns is always 0: sed
          // minimises activeconns + 1 and ignores inactive connections (ip_vs_sed.c), nq
          // takes the first idle server (ip_vs_nq.c); both pick the first real server in
          // list order every time, for every client.
          expect(everyone.size).toBe(1);
        } else {
          for (const used of perClient.values()) expect(used.size).toBeGreaterThan(1);
        }
      }),
      runs(mode.index, 3, 40),
    );
  });

  it("is deterministic: the same seed and the same calls choose the same endpoints", () => {
    type Op =
      | { readonly op: "connect"; readonly client: number }
      | { readonly op: "close" }
      | { readonly op: "advance"; readonly ms: number }
      | { readonly op: "write"; readonly version: EndpointsVersion };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 8, arbitrary: fc.nat().map((client): Op => ({ op: "connect", client })) },
      { weight: 2, arbitrary: fc.constant<Op>({ op: "close" }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 200_000 }).map((ms): Op => ({ op: "advance", ms })) },
      { weight: 1, arbitrary: versionArb.map((version): Op => ({ op: "write", version })) },
    );
    fc.assert(
      fc.property(
        seedArb,
        policyArb,
        fc.constantFrom<"None" | "ClientIP">("None", "ClientIP"),
        timingArb,
        clientsArb(8),
        versionArb,
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        (seed, policy, affinity, timing, clients, initial, ops) => {
          const run = (): { trace: string[]; ruleset: string } => {
            const w = world(seed, mode, timing);
            w.store.create(service({ internalTrafficPolicy: policy, sessionAffinity: affinity, timeoutSeconds: 60 }));
            writeEndpoints(w, initial);
            settle(w);
            const f = w.proxy.frontend(ADDRESS);
            const open: number[] = [];
            const trace: string[] = [];
            for (const o of ops) {
              switch (o.op) {
                case "connect": {
                  const d = w.proxy.connect(f, clients[o.client % clients.length]);
                  trace.push(`${w.scheduler.now} ${outcomeName(w, d)}`);
                  if (d >= 0) open.push(d);
                  break;
                }
                case "close": {
                  const d = open.shift();
                  if (d !== undefined) w.proxy.connectionClosed(f, d);
                  break;
                }
                case "advance":
                  w.scheduler.runUntil(w.scheduler.now + o.ms);
                  break;
                case "write":
                  writeEndpoints(w, o.version);
                  break;
              }
            }
            w.scheduler.runUntil(w.scheduler.now + 5000);
            return { trace, ruleset: w.proxy.ruleset() };
          };
          const a = run();
          const b = run();
          expect(b.trace).toEqual(a.trace);
          expect(b.ruleset).toBe(a.ruleset);
        },
      ),
      runs(mode.index, 4, 25),
    );
  });
});

describe("expectedOutcome (the oracle of these properties)", () => {
  const iptables = MODES[0];
  const ipvs = MODES[2];
  const ep = (ip: string, nodeName: string | undefined, conditions?: EndpointConditions): GenEndpoint => ({
    ip,
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(conditions !== undefined ? { conditions } : {}),
  });
  const keys = (e: Expected): string[] | string => (e.verdict === "forward" ? e.endpoints.map((v) => v.key).sort() : e.verdict);

  it.each([
    { name: "no endpoints: reject", eps: [], policy: "Cluster" as const, mode: iptables, want: "reject" },
    { name: "nil conditions are ready", eps: [ep("10.244.0.2", "node-b")], policy: "Cluster" as const, mode: iptables, want: ["10.244.0.2:8080"] },
    {
      name: "ready wins over serving-terminating",
      eps: [ep("10.244.0.2", "node-a", { ready: false, serving: true, terminating: true }), ep("10.244.0.3", "node-b", { ready: true })],
      policy: "Cluster" as const,
      mode: iptables,
      want: ["10.244.0.3:8080"],
    },
    {
      name: "serving-terminating fallback; terminating but not serving never",
      eps: [ep("10.244.0.2", "node-a", { ready: false, terminating: true }), ep("10.244.0.3", "node-b", { ready: false, serving: false, terminating: true })],
      policy: "Cluster" as const,
      mode: iptables,
      want: ["10.244.0.2:8080"],
    },
    { name: "not ready, not terminating: reject", eps: [ep("10.244.0.2", "node-a", { ready: false })], policy: "Cluster" as const, mode: iptables, want: "reject" },
    { name: "Local, endpoints elsewhere only: drop", eps: [ep("10.244.0.2", "node-b")], policy: "Local" as const, mode: iptables, want: "drop" },
    { name: "Local, endpoints elsewhere only, IPVS (ClusterIP only): no real server, reject", eps: [ep("10.244.0.2", "node-b")], policy: "Local" as const, mode: ipvs, want: "reject" },
    { name: "Local, no nodeName is not local", eps: [ep("10.244.0.2", undefined)], policy: "Local" as const, mode: iptables, want: "drop" },
    {
      name: "Local: local serving-terminating beats remote ready",
      eps: [ep("10.244.0.2", "node-a", { ready: false, serving: true, terminating: true }), ep("10.244.0.3", "node-b")],
      policy: "Local" as const,
      mode: iptables,
      want: ["10.244.0.2:8080"],
    },
  ])("$name", ({ eps, policy, mode, want }) => {
    expect(keys(expectedOutcome(eps, policy, mode))).toEqual(want);
  });
});
