import { Callbacks } from "@kube-netsim/core";
import type { Distribution, Interner, RandomStream, Scheduler, SimTime } from "@kube-netsim/core";
import type { ObjectStore, Service, ServicePort, StringMap } from "@kube-netsim/model";
import type { DataPlane } from "./data-plane.js";
import { EndpointSliceCache, servicePortNameKey } from "./endpointslice-cache.js";
import type { EndpointsByPort } from "./endpointslice-cache.js";
import { ServiceFrontend, ROUTE_DROPPED, ROUTE_NO_RULE, ROUTE_REJECTED } from "./service-frontend.js";
import { SyncRunner } from "./sync-runner.js";
import { NO_DESTINATIONS, destinationIds } from "./destinations.js";
import type { SyncRunnerKind } from "./sync-runner.js";
import { categorizeEndpoints, externallyAccessible } from "./topology.js";
import type { CategorizedEndpoints } from "./topology.js";
import type { ProxyEndpoint } from "./endpoint.js";
import type { KubeProxyInternals } from "./external.js";
import { LOCAL_ORIGIN_SUFFIX, externalAccess, externalAddressKinds, nodeInternalIP, programExternal } from "./external.js";
import { formatIptablesSave } from "./iptables/iptables-save.js";
import { formatNftRuleset } from "./nftables/nft-ruleset.js";
import type { IpvsDataPlane } from "./ipvs/ipvs-data-plane.js";
import type { SharedServiceView, ServiceHistory } from "./shared-service-view.js";

/**
 * Settings of one node's kube-proxy (defaults from pkg/proxy/apis/config/v1alpha1/defaults.go).
 *
 * @example
 * ```ts
 * const options: KubeProxyOptions = {
 *   nodeName: "node-1",
 *   dataPlane: new NftablesDataPlane(),
 *   addresses: new Interner(),                          // shared with the traffic layer
 *   random: new RandomSource(1).stream("kube-proxy/node-1"),
 *   minSyncPeriod: 1000,
 *   watchDelay: 50,                                     // ms behind the API server
 * };
 * const kp = new KubeProxy(scheduler, store, options);
 * ```
 */
export interface KubeProxyOptions {
  /** The node this kube-proxy runs on. */
  readonly nodeName: string;
  /** The data plane (mode). */
  readonly dataPlane: DataPlane;
  /** Interns `IP:port` strings to destination ids shared with the traffic layer. */
  readonly addresses: Interner;
  /** Stream for the data plane's per-connection draws (the kernel's random numbers on this node). */
  readonly random: RandomStream;
  /** `minSyncPeriod` in ms. Default 1000. */
  readonly minSyncPeriod?: number;
  /** Forced full sync interval in ms (FullSyncPeriod). Default 3,600,000 (1 h). */
  readonly fullSyncPeriod?: number;
  /**
   * `syncPeriod` in ms (KubeProxyConfiguration; default 30 s). kube-proxy counts itself
   * unhealthy when a change has waited longer than twice this for a sync
   * (cmd/kube-proxy/app/server.go: NewProxyHealthServer(..., 2*config.SyncPeriod)).
   */
  readonly syncPeriod?: number;
  /** Which sync runner (see {@link SyncRunnerOptions.kind}). Default `"bounded-frequency"`. */
  readonly syncRunner?: SyncRunnerKind;
  /** Delay (ms) of this kube-proxy's watches of Services and EndpointSlices: a number or a draw per event. Default 0. */
  readonly watchDelay?: number | (() => number);
  /** Time a sync takes (iptables-restore); rules change when it ends. Default 0. */
  readonly syncDuration?: Distribution;
  /** Called when a sync's rules take effect: the node, whether it was a full sync, and the Services it rewrote. */
  readonly onSync?: (event: { readonly node: string; readonly full: boolean; readonly services: readonly string[]; readonly at: SimTime }) => void;
  /**
   * Shared mode: the {@link SharedServiceView} of the cluster's kube-proxies. The node then
   * keeps per-node state only for the Services it has to program (frontends someone asked
   * for, external addresses, ClientIP affinity, UDP) and builds any other frontend from the
   * shared view when it is first asked for; what it answers is the same. Ignored (the
   * node keeps its own copy of everything) for IPVS, whose virtual servers hold per-node
   * connection state, for the `burst` sync runner (syncs may overlap), and when Services
   * or EndpointSlices exist before this kube-proxy.
   */
  readonly shared?: SharedServiceView;
}

/** One sync's rules taking effect in shared mode: when, the log positions checked out, the node's labels then. */
interface SharedApply {
  readonly at: SimTime;
  readonly s: number;
  readonly e: number;
  readonly labels: StringMap;
}

interface ServicePortInfo {
  readonly address: string;
  readonly spn: string;
  readonly internalTrafficPolicy: "Cluster" | "Local";
  readonly externalTrafficPolicy: "Cluster" | "Local";
  readonly externallyAccessible: boolean;
  /** ClientIP affinity timeout in ms; 0 for sessionAffinity None. */
  readonly affinityTimeout: number;
  /** NodePort (on this node's IP), load-balancer ingress and externalIP addresses of the port. */
  readonly external: readonly string[];
  /** What each of `external` is. */
  readonly externalKinds: readonly ("node-port" | "load-balancer" | "external-ip")[];
  /** `spec.healthCheckNodePort`, 0 when none. */
  readonly healthCheckNodePort: number;
  /** The traffic policies as one key (endpoint categories are shared per list and key). */
  readonly policyKey: string;
}

/**
 * Counters of one kube-proxy.
 *
 * @example
 * ```ts
 * const s: KubeProxyStats = sim.kubeProxy("node-3").stats;
 * s; // e.g. { syncs: 3, fullSyncs: 1, servicesProgrammed: 5 }: one full sync, then partial ones
 * ```
 */
export interface KubeProxyStats {
  /** Syncs run. */
  readonly syncs: number;
  /** Full syncs (the first, and one per FullSyncPeriod). */
  readonly fullSyncs: number;
  /** Service chains rewritten, summed over syncs (partial syncs rewrite only changed Services). */
  readonly servicesProgrammed: number;
}

/**
 * kube-proxy on one node: its own view of Services and EndpointSlices (pending until a
 * sync checks them out), a rate-limited sync loop, and the compiled rules a new
 * connection goes through.
 *
 * @remarks
 * **Details.** Watch events update the pending state and request a sync
 * ({@link SyncRunner}); a sync applies pending changes and reprograms only the
 * Services that changed (partial sync, pkg/proxy/iptables/proxier.go since 1.27), or
 * every Service on a full sync. For each Service port, endpoint selection follows
 * {@link categorizeEndpoints}: ClusterIP traffic uses the Cluster endpoints, or the
 * Local ones with `internalTrafficPolicy: Local`; no usable endpoint anywhere means
 * REJECT (connection refused), endpoints elsewhere but none here (Local) means DROP
 * (spec 1.4). Until the sync ends, the old rules stay in force: that lag is what makes
 * nodes disagree during churn.
 *
 * **Gotchas.** Headless and ExternalName Services get no rules, as upstream
 * (ShouldSkipService). NodePort, LoadBalancer and externalIPs come with the Service
 * types release.
 *
 * @example
 * ```ts
 * // A Simulation builds one per node; read what a node programmed:
 * const kp = sim.kubeProxy("node-2");
 * kp.programmedAddresses(); // ["10.98.120.98:80/TCP", ...]
 * kp.inSync;                // false while changes wait for the next sync
 * kp.stats.syncs;           // syncs so far
 * ```
 */
export class KubeProxy {
  /** The node this kube-proxy runs on. */
  readonly nodeName: string;
  private readonly cache: EndpointSliceCache;
  private readonly runner: SyncRunner;
  private readonly frontends = new Map<string, ServiceFrontend>();
  /** How many of `frontends` are UDP addresses (a sync looks for stale UDP entries only if any). */
  private udpFrontends = 0;
  private readonly pendingServices = new Map<string, Service | null>();
  private readonly appliedServices = new Map<string, readonly ServicePortInfo[]>();
  /** Per Service, the ports its rules were last written for (the addresses a rewrite may leave stale). */
  private readonly programmedPorts = new Map<string, readonly ServicePortInfo[]>();
  private nodeLabels: StringMap = {};
  private nodeIP = "";
  private readonly healthLocal = new Map<string, number>();
  /** When the oldest change not yet synced arrived (-1: none). */
  private queuedSince: SimTime = -1;
  private readonly healthTimeout: number;
  /** The Node exists and is not being deleted by the cluster autoscaler (/healthz's NodeEligible). */
  private nodeEligible = true;
  private readonly internals: KubeProxyInternals = {
    dataPlane: () => this.options.dataPlane,
    addresses: () => this.options.addresses,
    frontend: (address) => this.frontend(address),
  };
  private lastFullSync: SimTime = -Infinity;
  private readonly fullSyncPeriod: number;
  private syncs = 0;
  private fullSyncs = 0;
  private programmed = 0;
  private readonly later: Callbacks;
  private dirty = true;
  private started = false;
  private applying = 0;
  private syncDuration: Distribution | undefined;
  /** Shared mode's view (undefined: per-node mode). */
  private readonly view: SharedServiceView | undefined;
  /** Shared mode: log positions seen (Service, EndpointSlice), checked out by the last sync, and in force (last apply). */
  private seenS = 0;
  private seenE = 0;
  private checkedS = 0;
  private checkedE = 0;
  private viewS = 0;
  private viewE = 0;
  /** Shared mode: the applies since (and including) the last full one. */
  private applies: SharedApply[] = [];
  /** Shared mode: the Service object each entry of appliedServices was computed from. */
  private readonly appliedObjects = new Map<string, Service>();

  constructor(
    private readonly scheduler: Scheduler,
    store: ObjectStore,
    private readonly options: KubeProxyOptions,
  ) {
    this.nodeName = options.nodeName;
    this.fullSyncPeriod = options.fullSyncPeriod ?? 3_600_000;
    const syncPeriod = options.syncPeriod ?? 30_000;
    if (!(syncPeriod > 0) || !Number.isFinite(syncPeriod)) throw new RangeError(`syncPeriod: Invalid value: ${syncPeriod}: must be a finite number of ms > 0`);
    this.healthTimeout = 2 * syncPeriod;
    this.syncDuration = options.syncDuration;
    this.cache = new EndpointSliceCache({ nodeName: options.nodeName });
    this.later = new Callbacks(scheduler);
    this.runner = new SyncRunner(scheduler, (now) => this.sync(now), {
      minSyncPeriod: options.minSyncPeriod ?? 1000,
      maxInterval: this.fullSyncPeriod,
      kind: options.syncRunner,
    });
    const delay = options.watchDelay ?? 0;
    const node = store.get("Node", undefined, options.nodeName);
    if (node !== undefined) this.nodeEligible = !(node.spec?.taints ?? []).some((t) => t.key === "ToBeDeletedByClusterAutoscaler");
    this.nodeLabels = node?.metadata.labels ?? {};
    this.nodeIP = nodeInternalIP(node);
    const shared = options.shared;
    const sharedOk =
      shared !== undefined &&
      shared.empty &&
      options.dataPlane.mode !== "ipvs" &&
      // The burst runner (before 1.33) can start a sync before the previous one's rules are
      // written (with a sync duration): per-node state then.
      options.syncRunner !== "burst" &&
      options.dataPlane.connectionClosed === undefined &&
      store.list("Service").length === 0 &&
      store.list("EndpointSlice").length === 0;
    this.view = sharedOk ? shared : undefined;
    if (this.view !== undefined) {
      const view = this.view;
      view.join({ positions: () => [this.viewS, this.checkedS, this.seenS, this.viewE, this.checkedE, this.seenE] });
      store.watch(
        "Service",
        (e) => {
          this.seenS = view.observeService(e) + 1;
          this.dirty = true;
          this.requestSync();
        },
        { delay, name: `kube-proxy/${options.nodeName}` },
      );
      store.watch(
        "EndpointSlice",
        (e) => {
          const pos = view.observeSlice(e);
          if (pos >= 0) {
            this.seenE = pos + 1;
            this.dirty = true;
            this.requestSync();
          }
        },
        { delay, name: `kube-proxy/${options.nodeName}` },
      );
    } else {
      store.watch(
        "Service",
        (e) => {
          this.pendingServices.set(`${e.object.metadata.namespace}/${e.object.metadata.name}`, e.type === "DELETED" ? null : e.object);
          this.dirty = true;
          this.requestSync();
        },
        { delay, name: `kube-proxy/${options.nodeName}` },
      );
      store.watch(
        "EndpointSlice",
        (e) => {
          if (this.cache.updatePending(e.object, e.type === "DELETED")) {
            this.dirty = true;
            this.requestSync();
          }
        },
        { delay, name: `kube-proxy/${options.nodeName}` },
      );
    }
    store.watch(
      "Node",
      (e) => {
        if (e.object.metadata.name !== options.nodeName) return;
        // proxy_health.go NodeEligible: not deleted, no ToBeDeletedByClusterAutoscaler taint.
        this.nodeEligible = e.type !== "DELETED" && !(e.object.spec?.taints ?? []).some((t) => t.key === "ToBeDeletedByClusterAutoscaler");
        this.nodeLabels = e.object.metadata.labels ?? {};
        this.nodeIP = nodeInternalIP(e.object);
        // Node label changes force a full sync (topology labels feed endpoint selection).
        this.lastFullSync = -Infinity;
        this.dirty = true;
        this.requestSync();
      },
      { delay, name: `kube-proxy/${options.nodeName}` },
    );
    // Like kube-proxy, sync for the first time once the informers' initial lists have
    // arrived (OnServicesSynced / OnEndpointSlicesSynced), not before. The start is
    // scheduled after the watches, so at an equal time the initial deliveries run first.
    const initialDelay = typeof delay === "number" ? delay : delay();
    this.later.after(initialDelay, () => {
      this.started = true;
      this.runner.start();
    });
  }

  private requestSync(): void {
    if (!this.started) return;
    // pkg/proxy/iptables/proxier.go Sync: healthzServer.QueuedUpdate, then the runner.
    // pkg/proxy/healthcheck/proxy_health.go QueuedUpdate keeps the oldest unsynced change.
    if (this.queuedSince < 0) this.queuedSince = this.scheduler.now;
    this.runner.run();
  }

  /**
   * Whether kube-proxy counts itself healthy now (pkg/proxy/healthcheck/proxy_health.go
   * Health): no change has waited for a sync longer than twice `syncPeriod` (60 s by
   * default). A stalled kube-proxy that keeps receiving changes turns unhealthy; one that
   * receives nothing (its node cut off) stays healthy.
   */
  get healthy(): boolean {
    return this.queuedSince < 0 || this.scheduler.now - this.queuedSince < this.healthTimeout;
  }

  /**
   * What kube-proxy's `/healthz` (port 10256) answers (pkg/proxy/healthcheck/proxy_health.go
   * healthzHandler): 200 when it is {@link KubeProxy.healthy} and its node is eligible (the
   * Node exists and has no `ToBeDeletedByClusterAutoscaler` taint), else 503. Cloud load
   * balancers probe it for `externalTrafficPolicy: Cluster` Services (KEP-3836).
   *
   * @example
   * ```ts
   * sim.kubeProxy("node-1").healthz(); // { statusCode: 200, healthy: true, nodeEligible: true }
   * ```
   */
  healthz(): { readonly statusCode: 200 | 503; readonly healthy: boolean; readonly nodeEligible: boolean } {
    const healthy = this.healthy;
    return { statusCode: healthy && this.nodeEligible ? 200 : 503, healthy, nodeEligible: this.nodeEligible };
  }

  /**
   * Stalls the sync loop until virtual time `until` (ms): no sync starts before then, the
   * rules programmed so far stay in force, and changes seen meanwhile wait (coalesced) for
   * the first sync after the stall. `Infinity` stalls it until {@link KubeProxy.restart}.
   */
  stall(until: SimTime): void {
    this.runner.hold(until);
  }

  /** Whether the sync loop is stalled now ({@link KubeProxy.stall}). */
  get stalled(): boolean {
    return this.runner.held;
  }

  /**
   * kube-proxy starts again (its node came back): it ends any stall and runs a full sync
   * of everything it has seen, as a restarted kube-proxy does once its informers have synced.
   */
  restart(): void {
    this.lastFullSync = -Infinity;
    this.dirty = true;
    this.runner.release();
  }

  /** Changes how long each sync takes from now on (undefined: instant). */
  setSyncDuration(duration: Distribution | undefined): void {
    this.syncDuration = duration;
  }

  /**
   * Whether this kube-proxy runs in shared mode ({@link KubeProxyOptions.shared}): it was
   * given a view, its data plane is not IPVS, its sync runner is not `burst`, and no
   * Service or EndpointSlice existed when it started. Its answers are the same either way.
   *
   * @example
   * ```ts
   * new Simulation({ seed: 1 }).kubeProxy("node-1").sharedMode;                                 // true
   * new Simulation({ seed: 1, kubeProxy: { mode: "ipvs" } }).kubeProxy("node-1").sharedMode;    // false
   * ```
   */
  get sharedMode(): boolean {
    return this.view !== undefined;
  }

  /** The data plane of this kube-proxy. */
  get dataPlane(): DataPlane {
    return this.options.dataPlane;
  }

  /** True when every change this kube-proxy has seen is in its rules (nothing pending, no sync under way). */
  get inSync(): boolean {
    return !this.dirty && this.applying === 0;
  }

  /** Whether the data plane counts connections, so clients must report their closes ({@link KubeProxy.connectionClosed}). */
  get tracksConnections(): boolean {
    return this.options.dataPlane.connectionClosed !== undefined;
  }

  /** A connection this kube-proxy's rules routed to destination `destination` closed. */
  connectionClosed(frontend: ServiceFrontend, destination: number): void {
    this.options.dataPlane.connectionClosed?.(frontend, this.options.addresses.name(destination), this.scheduler.now);
  }

  /** Counters so far. */
  get stats(): KubeProxyStats {
    return { syncs: this.syncs, fullSyncs: this.fullSyncs, servicesProgrammed: this.programmed };
  }

  /**
   * The rules for `clusterIP:port/PROTOCOL` on this node. Always returns the same
   * object for one address (created with verdict `no-rule` if nothing is programmed
   * for it yet), so callers may keep it.
   *
   * @example
   * ```ts
   * const ip = sim.store.get("Service", "default", "api")?.spec.clusterIP;
   * sim.kubeProxy("node-1").frontend(`${ip}:80/TCP`).endpoints.map((e) => e.key);
   * // ["10.244.0.2:8080", "10.244.1.2:8080", "10.244.2.2:8080"]
   * ```
   */
  frontend(address: string): ServiceFrontend {
    let f = this.frontends.get(address);
    if (!f) {
      f = new ServiceFrontend(address);
      this.frontends.set(address, f);
      if (address.includes("/UDP")) this.udpFrontends++;
      if (this.view !== undefined) {
        this.view.materialize(address);
        this.materializeAddress(address);
      }
    }
    return f;
  }

  /**
   * The frontends with rules on this node, sorted by address (for printing and inspection).
   *
   * @example
   * ```ts
   * for (const f of sim.kubeProxy("node-1").programmedFrontends()) console.log(f.address, f.endpoints.length);
   * ```
   */
  programmedFrontends(): ServiceFrontend[] {
    return this.programmedAddresses().map((a) => this.frontend(a));
  }

  /**
   * What this kube-proxy has programmed, printed as its data plane's own tool shows it:
   * `iptables-save` (iptables mode, with NodePort, load-balancer and externalIP rules),
   * `nft list ruleset` (nftables, with the `service-nodeports` map and `external-` chains), `ipvsadm -Ln` (IPVS: a
   * virtual server per ClusterIP, NodePort on the node's IP, load-balancer IP and
   * externalIP), or Cilium's service list (`cilium-dbg service list`, with the frontend's
   * type).
   *
   * @example
   * ```ts
   * console.log(sim.kubeProxy("node-1").ruleset()); // iptables-save, nft list ruleset, ipvsadm -Ln or Cilium's service list
   * ```
   */
  ruleset(): string {
    this.materializeAll();
    // iptables prints external addresses too (KUBE-NODEPORTS, KUBE-EXT: it needs the
    // local-origin frontends for the Cluster endpoints), and so does nftables.
    const all = [...this.frontends.values()].filter((f) => f.verdict !== "no-rule").sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const plane = this.options.dataPlane;
    switch (plane.mode) {
      case "iptables":
        return formatIptablesSave(all);
      case "nftables":
        return formatNftRuleset(all);
      case "ipvs":
        return formatIpvsadm(all.filter((f) => f.kind !== "local-origin"), plane as IpvsDataPlane);
      default:
        return formatCiliumServiceList(all.filter((f) => f.kind !== "local-origin"));
    }
  }

  /**
   * Every address programmed on this node, sorted.
   *
   * @example
   * ```ts
   * sim.kubeProxy("node-1").programmedAddresses(); // ["10.98.120.98:80/TCP"]
   * ```
   */
  programmedAddresses(): string[] {
    this.materializeAll();
    return [...this.frontends.values()].filter((f) => f.verdict !== "no-rule" && f.kind !== "local-origin").map((f) => f.address).sort();
  }

  /**
   * The rules that traffic starting on this node (a pod or a host process) meets when it
   * goes to an external address of a Service (NodePort on this node's IP, load-balancer
   * IP, externalIP): short-circuited to the Cluster endpoints, whatever the
   * externalTrafficPolicy (pkg/proxy/iptables/proxier.go, KUBE-EXT chain). Same object
   * for one address on every call.
   */
  localOriginFrontend(address: string): ServiceFrontend {
    return this.frontend(address + LOCAL_ORIGIN_SUFFIX);
  }

  /**
   * What this node's health-check server answers for a Service with a
   * healthCheckNodePort (pkg/proxy/healthcheck/service_health.go): 200 when the node has
   * at least one local ready endpoint of the Service (as of its last sync), else 503.
   *
   * @example
   * ```ts
   * // a LoadBalancer Service with externalTrafficPolicy: Local, and no api pod on node-3:
   * sim.kubeProxy("node-3").healthCheck("default", "api"); // { statusCode: 503, localEndpoints: 0 }
   * ```
   */
  healthCheck(namespace: string, name: string): { readonly statusCode: 200 | 503; readonly localEndpoints: number; readonly serviceProxyHealthy: boolean } {
    const n = this.healthLocal.get(`${namespace}/${name}`) ?? 0;
    // hcHandler.ServeHTTP: 200 only with local endpoints AND a healthy kube-proxy.
    const serviceProxyHealthy = this.healthy;
    return { statusCode: n > 0 && serviceProxyHealthy ? 200 : 503, localEndpoints: n, serviceProxyHealthy };
  }

  /**
   * A new connection from `clientIP` to a frontend: returns the destination id of the
   * chosen endpoint (>= 0), or {@link ROUTE_REJECTED}, {@link ROUTE_DROPPED} or
   * {@link ROUTE_NO_RULE}. Allocation-free.
   */
  connect(frontend: ServiceFrontend, clientIP: number): number {
    switch (frontend.verdict) {
      case "forward": {
        const i = this.options.dataPlane.select(frontend, clientIP, this.options.random, this.scheduler.now);
        // IPVS with no schedulable real server: the VIP is local, so the stack answers RST.
        return i >= 0 ? frontend.destinations[i] : ROUTE_REJECTED;
      }
      case "reject":
        return ROUTE_REJECTED;
      case "drop":
        return ROUTE_DROPPED;
      default:
        return ROUTE_NO_RULE;
    }
  }

  private sync(now: SimTime): number {
    this.syncs++;
    this.dirty = false;
    const full = now - this.lastFullSync >= this.fullSyncPeriod;
    const s = this.seenS;
    const e = this.seenE;
    let keys: string[];
    let changedRecs: readonly ServiceHistory[] = NO_RECS;
    if (this.view !== undefined) {
      // Shared mode: the Services with log entries since the last checkout (every one, full).
      const recs = this.view.changedKeys(this.checkedS, s, this.checkedE, e, full);
      keys = recs.map(keyOf);
      changedRecs = recs;
      this.checkedS = s;
      this.checkedE = e;
    } else {
      const changed = new Set<string>();
      for (const [key, svc] of this.pendingServices) {
        changed.add(key);
        if (svc === null) this.appliedServices.delete(key);
        else this.appliedServices.set(key, servicePorts(svc, this.nodeIP));
      }
      this.pendingServices.clear();
      for (const key of this.cache.checkoutChangedServices()) changed.add(key);
      keys = full ? [...new Set([...this.appliedServices.keys(), ...changed])].sort() : [...changed].sort();
    }
    if (full) {
      this.fullSyncs++;
      this.lastFullSync = now;
    }
    const took = this.syncDuration?.sample(this.options.random) ?? 0;
    if (took > 0) {
      this.applying++;
      this.later.after(took, (t) => {
        this.applying--;
        if (this.view !== undefined) this.applyShared(changedRecs, t, s, e, full);
        else this.apply(keys, t);
        this.queuedSince = -1; // healthzServer.Updated at the end of syncProxyRules
        this.options.onSync?.({ node: this.nodeName, full, services: keys, at: t });
      });
    } else {
      if (this.view !== undefined) this.applyShared(changedRecs, now, s, e, full);
      else this.apply(keys, now);
      this.queuedSince = -1; // healthzServer.Updated at the end of syncProxyRules
      this.options.onSync?.({ node: this.nodeName, full, services: keys, at: now });
    }
    return took;
  }

  // Writes the rules of the given Services (the iptables-restore of one sync).
  private apply(keys: readonly string[], now: SimTime): void {
    // The addresses these Services' rules were last written for: the ones not written again
    // below lose their rules. (Only those: a sync's cost follows the Services it rewrites,
    // not every Service the node knows.)
    const stale = new Set<string>();
    for (const key of keys) {
      const before = this.programmedPorts.get(key);
      // Rewriting the same ports writes every address again: none can be left stale.
      if (before === undefined || before === this.appliedServices.get(key)) continue;
      for (const port of before) {
        this.addIfProgrammedFor(stale, port.address, key);
        for (const a of port.external) {
          this.addIfProgrammedFor(stale, a, key);
          this.addIfProgrammedFor(stale, a + LOCAL_ORIGIN_SUFFIX, key);
        }
      }
    }
    // Only read when someone listens for stale UDP entries (no listener can be added during a sync).
    const udpBefore = this.staleUdpListeners.length > 0 && this.udpFrontends > 0 ? new Map<ServiceFrontend, Int32Array>() : NO_UDP;
    if (udpBefore !== NO_UDP) {
      for (const f of this.frontends.values()) if (f.address.endsWith("/UDP") && f.destinations.length > 0) udpBefore.set(f, f.destinations);
    }
    for (const key of keys) {
      this.programmed++;
      this.healthLocal.delete(key);
      const ports = this.appliedServices.get(key);
      if (ports === undefined || ports.length === 0) this.programmedPorts.delete(key);
      else this.programmedPorts.set(key, ports);
      const byPort = this.endpointsOf(key);
      for (const port of ports ?? NO_PORTS) {
        this.programPort(port, key, now, byPort, this.nodeLabels);
        stale.delete(port.address);
        for (const a of port.external) {
          stale.delete(a);
          stale.delete(a + LOCAL_ORIGIN_SUFFIX);
        }
      }
    }
    // Addresses of Services (or ports) that are gone lose their rules.
    for (const address of stale) {
      const f = this.frontends.get(address) as ServiceFrontend;
      this.options.dataPlane.unprogram(f);
      f.verdict = "no-rule";
      f.servicePortName = "";
      f.internalTrafficPolicy = "Cluster";
      f.endpoints = [];
      f.destinations = NO_DESTINATIONS;
      f.compiled = undefined;
      f.programmedAt = now;
    }
    // After the rules, conntrack.CleanStaleEntries (pkg/proxy/conntrack/cleanup.go): UDP
    // conntrack entries to endpoints that are gone are deleted; TCP entries are left alone.
    if (udpBefore !== NO_UDP) {
      for (const [f, before] of udpBefore) {
        const after = new Set(f.destinations);
        const gone: number[] = [];
        for (const d of before) if (!after.has(d)) gone.push(d);
        if (gone.length > 0) for (const l of this.staleUdpListeners) l(f, gone);
      }
    }
  }

  /** The endpoints of a Service as this node's last checkout (per-node) or last apply (shared mode) has them. */
  private endpointsOf(key: string): EndpointsByPort {
    if (this.view === undefined) return this.cache.endpointsFor(key);
    const rec = this.view.history(key);
    return rec === undefined ? NO_ENDPOINTS : this.view.endpointsAt(rec, this.viewE, this.nodeName);
  }

  /**
   * Shared mode: one sync's rules take effect. Every Service in `keys` is counted and
   * reported as rewritten (as in per-node mode), but only the ones this node must hold
   * state for are programmed now: those it has programmed before, those with a frontend
   * someone asked for, and those whose programming has node-local effects (external
   * addresses: health checks and NodePorts; ClientIP affinity lists; UDP conntrack
   * cleanup). Any other frontend is built from the view when first asked for
   * ({@link KubeProxy.frontend}), as it stands after this apply.
   */
  private applyShared(recs: readonly ServiceHistory[], now: SimTime, s: number, e: number, full: boolean): void {
    const view = this.view as SharedServiceView;
    // A Service not programmed here whose new version drops an address of the version in
    // force until now: per-node mode leaves that address without rules ("no-rule", stamped
    // with this apply's time). Program the old version first, as the node's earlier apply
    // did, so that the rewrite below leaves the same stale frontend.
    if (this.applies.length > 0) {
      for (const rec of recs) {
        if (this.appliedServices.has(rec.key)) continue;
        const before = view.serviceIndexAt(rec, this.viewS);
        if (before < 0) continue;
        const old = rec.svcVal[before];
        if (old === null || before === view.serviceIndexAt(rec, this.checkedS)) continue;
        const oldPorts = servicePorts(old, this.nodeIP);
        const next = view.serviceAt(rec, this.checkedS);
        const newPorts = next === null ? NO_PORTS : servicePorts(next, this.nodeIP);
        if (oldPorts.some((p) => !newPorts.some((q) => q.address === p.address))) this.materializeService(rec, old, oldPorts);
      }
    }
    // The rules are written from the latest checkout (per-node mode reads its cache as it is
    // now); `s` and `e` (this sync's checkout) say which Services this apply rewrote.
    this.viewS = this.checkedS;
    this.viewE = this.checkedE;
    const record: SharedApply = { at: now, s, e, labels: this.nodeLabels };
    if (full) this.applies = [record];
    else this.applies.push(record);
    const program: string[] = [];
    for (const rec of recs) {
      const key = rec.key;
      const i = view.serviceIndexAt(rec, this.viewS);
      const svc = i < 0 ? null : rec.svcVal[i];
      if (
        (svc !== null && (rec.svcEager[i] || (rec.materialized && this.hasFrontendFor(svc)))) ||
        (this.appliedServices.size > 0 && (this.appliedServices.has(key) || this.programmedPorts.has(key)))
      ) {
        program.push(key);
        if (svc === null) {
          this.appliedServices.delete(key);
          this.appliedObjects.delete(key);
        } else if (this.appliedObjects.get(key) !== svc) {
          this.appliedServices.set(key, servicePorts(svc, this.nodeIP));
          this.appliedObjects.set(key, svc);
        }
      }
    }
    this.programmed += recs.length - program.length;
    this.apply(program, now);
  }

  /** Shared mode: whether one of a Service's addresses has a frontend on this node. */
  private hasFrontendFor(svc: Service): boolean {
    for (const p of servicePorts(svc, this.nodeIP)) if (this.frontends.has(p.address)) return true;
    return false;
  }

  /** Shared mode: a frontend for `address` was just created: program it from the view if a Service in it has that address. */
  private materializeAddress(address: string): void {
    const view = this.view as SharedServiceView;
    if (this.applies.length === 0) return;
    for (const rec of view.servicesWithAddress(address)) {
      if (this.appliedServices.has(rec.key)) continue;
      const svc = view.serviceAt(rec, this.viewS);
      if (svc === null) continue;
      const ports = servicePorts(svc, this.nodeIP);
      if (!ports.some((p) => p.address === address)) continue;
      this.materializeService(rec, svc, ports);
      return;
    }
  }

  /** Shared mode: programs every Service of the view this node has not programmed yet (for the printers). */
  private materializeAll(): void {
    const view = this.view;
    if (view === undefined || this.applies.length === 0) return;
    for (const rec of view.allHistories()) {
      if (this.appliedServices.has(rec.key)) continue;
      const svc = view.serviceAt(rec, this.viewS);
      if (svc !== null) this.materializeService(rec, svc, servicePorts(svc, this.nodeIP));
    }
  }

  /**
   * Shared mode: programs a Service as the node's last apply that rewrote it did (same
   * endpoints, node labels and time: the Service has not changed in the view since).
   */
  private materializeService(rec: ServiceHistory, svc: Service, ports: readonly ServicePortInfo[]): void {
    const view = this.view as SharedServiceView;
    const key = rec.key;
    this.appliedServices.set(key, ports);
    this.appliedObjects.set(key, svc);
    if (ports.length > 0) this.programmedPorts.set(key, ports);
    // The last apply whose keys held this Service: the one that checked out its latest
    // version (of either kind), or the last full one.
    const ps = view.serviceVersionPos(rec, this.viewS);
    const pe = view.sliceVersionPos(rec, this.viewE);
    let apply = this.applies[0];
    for (let i = this.applies.length - 1; i > 0; i--) {
      const a = this.applies[i];
      const prev = this.applies[i - 1];
      if ((prev.s <= ps && ps < a.s) || (prev.e <= pe && pe < a.e)) {
        apply = a;
        break;
      }
    }
    const byPort = view.endpointsAt(rec, this.viewE, this.nodeName);
    for (const port of ports) this.programPort(port, key, apply.at, byPort, apply.labels);
  }

  private addIfProgrammedFor(stale: Set<string>, address: string, serviceKey: string): void {
    const f = this.frontends.get(address);
    if (f !== undefined && serviceKeyOf(f.servicePortName) === serviceKey) stale.add(address);
  }

  private readonly staleUdpListeners: ((frontend: ServiceFrontend, destinations: readonly number[]) => void)[] = [];

  /**
   * Subscribes to the UDP conntrack entries this kube-proxy deletes after a sync: for each
   * UDP Service address, the destinations (endpoint ids) that were removed. Clients on
   * this node drop their flows to them (until then, datagrams follow the stale entry).
   * @returns a function that unsubscribes.
   */
  onStaleUdpEntries(listener: (frontend: ServiceFrontend, destinations: readonly number[]) => void): () => void {
    this.staleUdpListeners.push(listener);
    return (): void => {
      const i = this.staleUdpListeners.indexOf(listener);
      if (i >= 0) this.staleUdpListeners.splice(i, 1);
    };
  }

  private programPort(port: ServicePortInfo, serviceKey: string, at: SimTime, byPort: EndpointsByPort, nodeLabels: StringMap): void {
    const f = this.frontend(port.address);
    f.servicePortName = port.spn;
    f.programmedAt = at;
    f.affinityTimeout = port.affinityTimeout;
    f.internalTrafficPolicy = port.internalTrafficPolicy;
    const endpoints = byPort.get(port.spn) ?? [];
    const c = categorizeForNode(endpoints, port, this.nodeName, nodeLabels);
    if (port.healthCheckNodePort > 0) {
      let ready = 0;
      for (const ep of endpoints) if (ep.isLocal && ep.ready) ready++;
      this.healthLocal.set(serviceKey, (this.healthLocal.get(serviceKey) ?? 0) + ready);
    }
    if (port.external.length > 0) programExternal(this.internals, port, c, at);
    // ClusterIP traffic: Local internal policy uses local endpoints only (pkg/proxy/iptables/proxier.go: internalPolicyChain).
    let usable = (port.internalTrafficPolicy === "Local" ? c.localEndpoints : c.clusterEndpoints) ?? [];
    // IPVS: a Local policy with no local endpoint falls back to CategorizeEndpoints'
    // clusterEndpoints (pkg/proxy/ipvs/proxier.go syncEndpoint, kubernetes#93456). Those are
    // nil unless the port also uses Cluster endpoints (it is externally accessible), so a
    // ClusterIP-only Service with internalTrafficPolicy Local gets no real server at all.
    // (The spec's 4.1 reads as if every Local Service fell back; upstream's code does not.)
    const plane = this.options.dataPlane;
    if (usable.length === 0 && port.internalTrafficPolicy === "Local" && plane.localFallsBackToCluster) usable = c.clusterEndpoints ?? [];
    if (usable.length === 0) {
      // spec 1.4: no endpoint anywhere => REJECT; endpoints elsewhere but none usable here => DROP.
      // IPVS has no DROP for ClusterIP traffic: a virtual server with no real server is a local
      // address with nothing behind it, so the node's stack answers with a RST (spec 4.1).
      f.verdict = c.hasAnyEndpoints && !plane.localFallsBackToCluster ? "drop" : "reject";
      this.options.dataPlane.unprogram(f);
      f.endpoints = [];
      f.destinations = NO_DESTINATIONS;
      f.compiled = undefined;
      return;
    }
    f.verdict = "forward";
    f.endpoints = usable;
    f.destinations = destinationIds(usable, this.options.addresses);
    this.options.dataPlane.program(f);
  }
}

// A Service's endpoint list is one frozen array shared by every node that has no endpoint
// of it (endpointslice-cache.ts). Without local endpoints and without topology hints,
// CategorizeEndpoints reads nothing of the node, so its result for such a list and traffic
// policy is the same on every node: computed once, frozen, and shared.
interface SharedCategories {
  readonly nodeIndependent: boolean;
  readonly byPolicy: Map<string, CategorizedEndpoints>;
}
const categoriesByList = new WeakMap<readonly ProxyEndpoint[], SharedCategories>();

function categorizeForNode(endpoints: readonly ProxyEndpoint[], port: ServicePortInfo, nodeName: string, nodeLabels: StringMap): CategorizedEndpoints {
  let shared = categoriesByList.get(endpoints);
  if (shared === undefined) {
    if (!Object.isFrozen(endpoints)) return categorizeEndpoints(endpoints, port, nodeName, nodeLabels);
    let nodeIndependent = true;
    for (const ep of endpoints) {
      if (ep.isLocal || (ep.nodeHints !== undefined && ep.nodeHints.size > 0) || (ep.zoneHints !== undefined && ep.zoneHints.size > 0)) {
        nodeIndependent = false;
        break;
      }
    }
    shared = { nodeIndependent, byPolicy: new Map() };
    categoriesByList.set(endpoints, shared);
  }
  if (!shared.nodeIndependent) return categorizeEndpoints(endpoints, port, nodeName, nodeLabels);
  const policy = port.policyKey;
  let c = shared.byPolicy.get(policy);
  if (c === undefined) {
    const r = categorizeEndpoints(endpoints, port, nodeName, nodeLabels);
    const freeze = (l: readonly ProxyEndpoint[] | null): readonly ProxyEndpoint[] | null => (l === null ? null : Object.freeze(l.slice()));
    const clusterEndpoints = freeze(r.clusterEndpoints);
    const localEndpoints = freeze(r.localEndpoints);
    const allReachableEndpoints =
      r.allReachableEndpoints === r.clusterEndpoints ? clusterEndpoints : r.allReachableEndpoints === r.localEndpoints ? localEndpoints : freeze(r.allReachableEndpoints);
    c = Object.freeze({ clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: r.hasAnyEndpoints });
    shared.byPolicy.set(policy, c);
  }
  return c;
}

/** `ipvsadm -Ln` style listing of the virtual servers (ipvsadm prints real servers in the kernel's list order). */
function formatIpvsadm(frontends: readonly ServiceFrontend[], plane: IpvsDataPlane): string {
  const lines = ["IP Virtual Server version 1.2.1 (size=4096)", "Prot LocalAddress:Port Scheduler Flags", "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"];
  for (const f of frontends) {
    const slash = f.address.lastIndexOf("/");
    const vs = plane.virtualServer(f.address);
    const flags = f.affinityTimeout > 0 ? ` persistent ${Math.round(f.affinityTimeout / 1000)}` : "";
    lines.push(`${f.address.slice(slash + 1)}  ${f.address.slice(0, slash)} ${plane.scheduler}${flags}`);
    for (const d of vs?.destinations() ?? []) {
      lines.push(`  -> ${d.address.padEnd(28)} Masq    ${String(d.weight).padEnd(6)} ${String(d.activeConns).padEnd(10)} ${d.inactConns}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Cilium's service list (`cilium-dbg service list`) style: one frontend, its backends in slot order. */
function formatCiliumServiceList(frontends: readonly ServiceFrontend[]): string {
  const lines = ["ID   Frontend               Service Type   Backend"];
  frontends.forEach((f, i) => {
    const slash = f.address.lastIndexOf("/");
    const frontend = `${f.address.slice(0, slash)}/${f.address.slice(slash + 1)}`;
    // Cilium's service types (pkg/loadbalancer SVCType): ClusterIP, NodePort, LoadBalancer, ExternalIPs.
    const type = f.externalKind === "node-port" ? "NodePort" : f.externalKind === "load-balancer" ? "LoadBalancer" : f.externalKind === "external-ip" ? "ExternalIPs" : "ClusterIP";
    if (f.endpoints.length === 0) lines.push(`${String(i + 1).padEnd(4)} ${frontend.padEnd(22)} ${type}`);
    f.endpoints.forEach((e, j) => {
      const backend = `${j + 1} => ${e.key}/${f.address.slice(slash + 1)} (active)`;
      lines.push(j === 0 ? `${String(i + 1).padEnd(4)} ${frontend.padEnd(22)} ${type.padEnd(14)} ${backend}` : `${"".padEnd(42)}${backend}`);
    });
  });
  return lines.join("\n") + "\n";
}

/**
 * Default `sessionAffinityConfig.clientIP.timeoutSeconds` (3 hours).
 *
 * @example
 * ```ts
 * // sessionAffinity: ClientIP without sessionAffinityConfig
 * sim.kubeProxy("node-1").frontend(`${ip}:80/TCP`).affinityTimeout; // 10800000 ms = DEFAULT_CLIENT_IP_AFFINITY_SECONDS * 1000
 * ```
 */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

function serviceKeyOf(spn: string): string | undefined {
  const colon = spn.indexOf(":");
  return colon < 0 ? undefined : spn.slice(0, colon);
}

// Services in the store are frozen and the same object reaches every node's kube-proxy: a
// Service without a NodePort has the same ports on every node, so they are computed once
// for the cluster (no per-node copy of the same strings and objects).
const nodeIndependentPorts = new WeakMap<Service, readonly ServicePortInfo[]>();
const NO_PORTS: readonly ServicePortInfo[] = Object.freeze([]);
const NO_ENDPOINTS: EndpointsByPort = new Map();
const NO_RECS: readonly ServiceHistory[] = Object.freeze([]);
const keyOf = (rec: ServiceHistory): string => rec.key;
const NO_UDP: Map<ServiceFrontend, Int32Array> = new Map();

/** The service ports kube-proxy programs for a Service (none for headless and ExternalName: ShouldSkipService). */
function servicePorts(svc: Service, nodeIP: string): readonly ServicePortInfo[] {
  const ip = svc.spec.clusterIP;
  if (!ip || ip === "None" || svc.spec.type === "ExternalName") return NO_PORTS;
  const shared = nodeIndependentPorts.get(svc);
  if (shared !== undefined) return shared;
  const ports = computeServicePorts(svc, ip, nodeIP);
  // Only a NodePort is on the node's own IP; everything else is the same on every node.
  if (Object.isFrozen(svc) && !(svc.spec.ports ?? []).some((p) => (externalAccess(svc, p).nodePort ?? 0) > 0)) nodeIndependentPorts.set(svc, ports);
  return ports;
}

function computeServicePorts(svc: Service, ip: string, nodeIP: string): readonly ServicePortInfo[] {
  const ns = svc.metadata.namespace ?? "default";
  return (svc.spec.ports ?? []).map((p) => {
    const protocol = p.protocol ?? "TCP";
    return {
      address: `${ip}:${p.port}/${protocol}`,
      spn: servicePortNameKey({ namespace: ns, name: svc.metadata.name, port: p.name ?? "", protocol }),
      internalTrafficPolicy: svc.spec.internalTrafficPolicy ?? "Cluster",
      externalTrafficPolicy: svc.spec.externalTrafficPolicy ?? "Cluster",
      externallyAccessible: externallyAccessible(externalAccess(svc, p)),
      ...externalFields(svc, p, nodeIP),
      healthCheckNodePort: svc.spec.healthCheckNodePort ?? 0,
      policyKey: `${svc.spec.internalTrafficPolicy ?? "Cluster"}|${svc.spec.externalTrafficPolicy ?? "Cluster"}|${externallyAccessible(externalAccess(svc, p))}`,
      // pkg/apis/core/v1/defaults.go: ClientIP affinity defaults to 10800 s (DefaultClientIPServiceAffinitySeconds).
      affinityTimeout:
        svc.spec.sessionAffinity === "ClientIP" ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_AFFINITY_SECONDS) * 1000 : 0,
    };
  });
}

function externalFields(svc: Service, p: ServicePort, nodeIP: string): { external: string[]; externalKinds: ("node-port" | "load-balancer" | "external-ip")[] } {
  const kinds = externalAddressKinds(svc, p, nodeIP);
  return { external: kinds.map(([a]) => a), externalKinds: kinds.map(([, k]) => k) };
}
