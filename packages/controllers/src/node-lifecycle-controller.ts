import type { Callbacks, SimTime } from "@kube-netsim/core";
import { LABEL_ZONE, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from "@kube-netsim/model";
import type { Node, NodeCondition, ObjectStore, Taint } from "@kube-netsim/model";

/**
 * `--node-monitor-period` default: how often the controller checks node health (5 s).
 *
 * @example
 * ```ts
 * new NodeLifecycleController(store, later, heartbeats, { nodeMonitorPeriod: DEFAULT_NODE_MONITOR_PERIOD }); // 5000 ms, the default
 * ```
 */
export const DEFAULT_NODE_MONITOR_PERIOD = 5_000;
/**
 * `--node-monitor-grace-period` default: 50 s since Kubernetes 1.32 (kubernetes/kubernetes#126287,
 * pkg/controller/nodelifecycle/config/v1alpha1/defaults.go); 40 s before.
 *
 * @example
 * ```ts
 * DEFAULT_NODE_MONITOR_GRACE_PERIOD; // 50000
 * // Model a Kubernetes <= 1.31 control plane:
 * new NodeLifecycleController(store, later, heartbeats, { nodeMonitorGracePeriod: 40_000 });
 * ```
 */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD = 50_000;
/**
 * The kubelet renews its node Lease every `nodeLeaseDurationSeconds` (40) × 0.25 = 10 s
 * (pkg/kubelet/kubelet.go nodeLeaseRenewIntervalFraction; component-helpers lease controller).
 *
 * @example
 * ```ts
 * const heartbeats = new KubeletHeartbeats(store, DEFAULT_LEASE_RENEW_INTERVAL); // renewals at 0, 10 s, 20 s, ...
 * heartbeats.lastRenewal("node-1", 65_000); // 60000
 * ```
 */
export const DEFAULT_LEASE_RENEW_INTERVAL = 10_000;
/**
 * `--node-eviction-rate` default: NoExecute taints per second per zone (0.1).
 *
 * @example
 * ```ts
 * // 0.1 per second: in a zone losing 3 nodes at once, their NoExecute taints come 10 s apart.
 * new NodeLifecycleController(store, later, heartbeats, { nodeEvictionRate: DEFAULT_NODE_EVICTION_RATE });
 * ```
 */
export const DEFAULT_NODE_EVICTION_RATE = 0.1;
/**
 * `--secondary-node-eviction-rate` default (0.01), used in partially disrupted zones of large clusters.
 *
 * @example
 * ```ts
 * // Large clusters (> 50 nodes) keep tainting partially disrupted zones at this slower rate: 1 node per 100 s.
 * new NodeLifecycleController(store, later, heartbeats, { secondaryNodeEvictionRate: DEFAULT_SECONDARY_NODE_EVICTION_RATE });
 * ```
 */
export const DEFAULT_SECONDARY_NODE_EVICTION_RATE = 0.01;
/**
 * `--unhealthy-zone-threshold` default (0.55).
 *
 * @example
 * ```ts
 * // A zone of 5 nodes with 3 not ready (60 % >= 55 %, and more than 2) is in PartialDisruption:
 * controller.zoneState("zone-a"); // "PartialDisruption"
 * DEFAULT_UNHEALTHY_ZONE_THRESHOLD; // 0.55
 * ```
 */
export const DEFAULT_UNHEALTHY_ZONE_THRESHOLD = 0.55;
/**
 * `--large-cluster-size-threshold` default (50 nodes).
 *
 * @example
 * ```ts
 * // At most 50 nodes: tainting stops in a partially disrupted zone; above, it goes on at the secondary rate.
 * new NodeLifecycleController(store, later, heartbeats, { largeClusterSizeThreshold: DEFAULT_LARGE_CLUSTER_SIZE_THRESHOLD });
 * ```
 */
export const DEFAULT_LARGE_CLUSTER_SIZE_THRESHOLD = 50;
/**
 * NodeEvictionPeriod: how often the tainting pass runs (pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go, 100 ms).
 *
 * @example
 * ```ts
 * // A node found Unknown at the 120 s pass is tainted in the next pass (125 s), at the next tainting tick:
 * // 125_000 + NODE_EVICTION_PERIOD = 125100 ms
 * ```
 */
export const NODE_EVICTION_PERIOD = 100;
/**
 * Nodes with this label are left out of the zone disruption counts (node_lifecycle_controller.go).
 *
 * @example
 * ```ts
 * const node = { apiVersion: "v1", kind: "Node", metadata: { name: "edge-1", labels: { [LABEL_NODE_EXCLUDE_DISRUPTION]: "" } } };
 * store.create(node); // not counted when computing its zone's ZoneState
 * ```
 */
export const LABEL_NODE_EXCLUDE_DISRUPTION = "node.kubernetes.io/exclude-disruption";

/**
 * State of a zone as the node lifecycle controller sees it (ComputeZoneState).
 *
 * @example
 * ```ts
 * const state: ZoneState = controller.zoneState("zone-a"); // "Normal" while every node there is Ready
 * if (state === "FullDisruption") console.log("every node of zone-a is not ready");
 * ```
 */
export type ZoneState = "Normal" | "PartialDisruption" | "FullDisruption";

/**
 * Something the node lifecycle controller did, for traces.
 *
 * @example
 * ```ts
 * // A node whose kubelet stopped at 62.1 s (default timings, watchDelay 5 ms):
 * const e: NodeLifecycleEvent = { reason: "NodeStatusUnknown", node: "node-2", detail: "Ready=Unknown", at: 120_000 };
 * // then { reason: "MarkPodsNotReady", node: "node-2", detail: "1", at: 120000 }
 * // and  { reason: "TaintAdded", node: "node-2", detail: "node.kubernetes.io/unreachable:NoExecute", at: 125100 }
 * ```
 */
export interface NodeLifecycleEvent {
  /** `NodeStatusUnknown` (Ready set Unknown), `MarkPodsNotReady`, `TaintAdded`, `TaintRemoved`, `ZoneState`, `MasterDisruption`. */
  readonly reason: "NodeStatusUnknown" | "MarkPodsNotReady" | "TaintAdded" | "TaintRemoved" | "ZoneState" | "MasterDisruption";
  /** The node (or the zone, for `ZoneState`). */
  readonly node: string;
  /** The taint (`key:Effect`), the new zone state, or the number of pods marked. */
  readonly detail: string;
  readonly at: SimTime;
}

/**
 * The kubelets' heartbeats: each running kubelet renews its node Lease every
 * `renewInterval` ms from the time it started. Renewal times are computed, not scheduled,
 * so a healthy cluster costs no events; the node lifecycle controller reads them.
 *
 * @remarks
 * A kubelet that starts again (its node came back) also posts its node status with the
 * Ready condition True at once (pkg/kubelet/kubelet_node_status.go), which
 * {@link KubeletHeartbeats.start} writes.
 *
 * @example
 * ```ts
 * const heartbeats = new KubeletHeartbeats(store); // every node's kubelet renews its Lease every 10 s from now (0)
 * scheduler.runUntil(62_100);
 * heartbeats.stop("node-2");                     // the node is lost
 * heartbeats.lastRenewal("node-2", 100_000);     // 60000: the last renewal before it stopped
 * heartbeats.start("node-2");                    // back: posts Ready=True, renews from now on
 * ```
 */
export class KubeletHeartbeats {
  private readonly since = new Map<string, SimTime>();
  private readonly stoppedAt = new Map<string, SimTime>();
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly store: ObjectStore,
    /** Lease renewal interval (ms). */
    readonly renewInterval: number = DEFAULT_LEASE_RENEW_INTERVAL,
  ) {
    if (!(renewInterval > 0) || !Number.isFinite(renewInterval)) throw new RangeError(`leaseRenewInterval: Invalid value: ${renewInterval}: must be a finite number of ms > 0`);
    for (const n of store.list("Node")) this.since.set(n.metadata.name, store.now);
  }

  /** Calls `fn` whenever a kubelet stops or starts. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Whether the kubelet of `node` is running (every registered node's kubelet runs until {@link KubeletHeartbeats.stop}). */
  running(node: string): boolean {
    return (this.since.has(node) || this.store.get("Node", undefined, node) !== undefined) && !this.stoppedAt.has(node);
  }

  /** Whether every kubelet is running. */
  get allRunning(): boolean {
    return this.stoppedAt.size === 0;
  }

  /** The kubelet of `node` stops: no renewal after now. */
  stop(node: string): void {
    if (!this.running(node)) return;
    this.stoppedAt.set(node, this.store.now);
    for (const fn of this.listeners) fn();
  }

  /** The kubelet of `node` starts: it posts Ready=True and renews its Lease now and every interval after. */
  start(node: string): void {
    if (this.running(node)) return;
    const now = this.store.now;
    this.stoppedAt.delete(node);
    this.since.set(node, now);
    this.store.mutate("Node", undefined, node, (d) => {
      const conditions = (d.status?.conditions ?? []).filter((c) => c.type !== "Ready");
      const old = d.status?.conditions?.find((c) => c.type === "Ready");
      const changed = old?.status !== "True";
      conditions.push({ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastTransitionTime: changed ? now : old?.lastTransitionTime });
      d.status = { ...d.status, conditions };
    });
    for (const fn of this.listeners) fn();
  }

  /** The last Lease renewal of `node` at or before `t`, or -Infinity when none. */
  lastRenewal(node: string, t: SimTime): SimTime {
    // A node registered later has a kubelet that started when it registered.
    const s = this.since.get(node) ?? this.store.get("Node", undefined, node)?.metadata.creationTimestamp;
    if (s === undefined || t < s) return -Infinity;
    const end = Math.min(t, this.stoppedAt.get(node) ?? Infinity);
    return s + Math.floor((end - s) / this.renewInterval) * this.renewInterval;
  }
}

/**
 * Settings of the {@link NodeLifecycleController} (kube-controller-manager flags; defaults in brackets).
 *
 * @example
 * ```ts
 * const options: NodeLifecycleControllerOptions = {
 *   nodeMonitorGracePeriod: 40_000, // --node-monitor-grace-period=40s (Kubernetes <= 1.31)
 *   nodeEvictionRate: 0.1,
 *   watchDelay: 5,
 *   onEvent: (e) => console.log(e.at, e.reason, e.node, e.detail),
 * };
 * new NodeLifecycleController(store, later, heartbeats, options);
 * ```
 */
export interface NodeLifecycleControllerOptions {
  /** `--node-monitor-period` [5000 ms]. */
  readonly nodeMonitorPeriod?: number;
  /** `--node-monitor-grace-period` [50000 ms, Kubernetes 1.32+]. */
  readonly nodeMonitorGracePeriod?: number;
  /** `--node-eviction-rate` in nodes per second [0.1]. */
  readonly nodeEvictionRate?: number;
  /** `--secondary-node-eviction-rate` [0.01]. */
  readonly secondaryNodeEvictionRate?: number;
  /** `--unhealthy-zone-threshold` [0.55]. */
  readonly unhealthyZoneThreshold?: number;
  /** `--large-cluster-size-threshold` [50]. */
  readonly largeClusterSizeThreshold?: number;
  /** Delay (ms) of the controller's watches: a number, or a draw per event (the Lease informer, whose renewals are computed rather than delivered, takes one draw for the run); a renewal counts once it has been seen [0]. */
  readonly watchDelay?: number | (() => number);
  /** Called for each thing the controller does (for traces). */
  readonly onEvent?: (event: NodeLifecycleEvent) => void;
}

interface ZoneTainter {
  /** Node names waiting for their NoExecute taint, in the order they were added. */
  readonly queue: string[];
  /** Token bucket of burst 1: the time the next token is there; Infinity for a limiter that never accepts. */
  availableAt: SimTime;
  /** The `--node-eviction-rate` in force (0: never). */
  qps: number;
}

function positive(v: number, field: string): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${field}: Invalid value: ${v}: must be a finite number > 0`);
  return v;
}

function readyOf(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready");
}

function hasTaint(node: Node, key: string, effect: Taint["effect"]): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === effect);
}

/**
 * The node lifecycle controller of kube-controller-manager
 * (pkg/controller/nodelifecycle/node_lifecycle_controller.go): it watches the kubelets'
 * heartbeats, marks lost nodes, their pods and taints them so the taint eviction
 * controller evicts what runs there.
 *
 * @remarks
 * Every `nodeMonitorPeriod` (monitorNodeHealth), for each node: the probe time is the pass
 * at which the controller first saw the node's latest Lease renewal (tryUpdateNodeHealth);
 * once the current pass is strictly after probe + `nodeMonitorGracePeriod`, the node's
 * Ready condition becomes Unknown (reason `NodeStatusUnknown`) and, in the same pass, its
 * pods' Ready conditions become False (MarkPodsNotReady), which takes their endpoints out
 * of service. In the pass after that (processTaintBaseEviction reads the condition the
 * pass started with), the node joins its zone's tainting queue; a tainting pass every
 * 100 ms (doNoExecuteTaintingPass) adds `node.kubernetes.io/unreachable:NoExecute` (or
 * `not-ready` for Ready False) at `--node-eviction-rate` per zone (a token bucket of burst
 * 1: the first at once, then one per 10 s). A zone whose nodes are all not ready is in
 * FullDisruption, one with more than 2 and at least 55 % not ready in PartialDisruption,
 * which stops tainting there in clusters of at most 50 nodes (ReducedQPSFunc); when every
 * zone is fully disrupted, the controller assumes the problem is its own, removes the
 * taints and stops tainting (master disruption mode). A node whose Ready condition is True
 * again loses its taints at the next pass (markNodeAsReachable). NoSchedule condition
 * taints follow the Ready condition on every node change (doNoScheduleTaintingPass).
 *
 * **Details.** Passes run only while something is not healthy (a kubelet stopped, a node
 * not Ready, a taint, a non-Normal zone); they fall on the same 5 s grid an always-running
 * controller would use, with the Lease renewals computed by {@link KubeletHeartbeats}, so
 * the timings are those of the eager loop while a healthy cluster costs no events.
 *
 * @example
 * ```ts
 * const heartbeats = new KubeletHeartbeats(store);
 * const controller = new NodeLifecycleController(store, new Callbacks(scheduler), heartbeats, { watchDelay: 5 });
 * scheduler.runUntil(62_100);
 * heartbeats.stop("node-2");
 * scheduler.runUntil(130_000);
 * // node-2: Ready=Unknown and its pods not Ready at 120 s; node.kubernetes.io/unreachable:NoExecute at 125.1 s
 * ```
 */
export class NodeLifecycleController {
  private readonly period: number;
  private readonly grace: number;
  private readonly evictionQps: number;
  private readonly secondaryQps: number;
  private readonly unhealthyThreshold: number;
  private readonly largeCluster: number;
  private readonly delay: number | (() => number);
  /** The Lease informer's delay: renewals are computed, not delivered, so one draw for the run. */
  private readonly leaseDelay: number;
  private readonly tainters = new Map<string, ZoneTainter>();
  private readonly zoneStates = new Map<string, ZoneState>();
  /** Probe times set when leaving master disruption mode. */
  private readonly probeFloor = new Map<string, SimTime>();
  private passAt = -1;
  private tickAt = -1;

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    private readonly heartbeats: KubeletHeartbeats,
    private readonly options: NodeLifecycleControllerOptions = {},
  ) {
    this.period = positive(options.nodeMonitorPeriod ?? DEFAULT_NODE_MONITOR_PERIOD, "nodeMonitorPeriod");
    this.grace = positive(options.nodeMonitorGracePeriod ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD, "nodeMonitorGracePeriod");
    this.evictionQps = positive(options.nodeEvictionRate ?? DEFAULT_NODE_EVICTION_RATE, "nodeEvictionRate");
    this.secondaryQps = options.secondaryNodeEvictionRate ?? DEFAULT_SECONDARY_NODE_EVICTION_RATE;
    if (!(this.secondaryQps >= 0)) throw new RangeError(`secondaryNodeEvictionRate: Invalid value: ${this.secondaryQps}: must be >= 0`);
    this.unhealthyThreshold = options.unhealthyZoneThreshold ?? DEFAULT_UNHEALTHY_ZONE_THRESHOLD;
    if (!(this.unhealthyThreshold > 0 && this.unhealthyThreshold <= 1)) throw new RangeError(`unhealthyZoneThreshold: Invalid value: ${this.unhealthyThreshold}: must be in (0, 1]`);
    this.largeCluster = options.largeClusterSizeThreshold ?? DEFAULT_LARGE_CLUSTER_SIZE_THRESHOLD;
    this.delay = options.watchDelay ?? 0;
    this.leaseDelay = typeof this.delay === "number" ? this.delay : this.delay();
    heartbeats.onChange(() => this.wake());
    store.watch(
      "Node",
      (e) => {
        if (e.type !== "DELETED") this.noScheduleTaintingPass(e.object.metadata.name);
        this.wake();
      },
      { delay: this.delay, name: "node-lifecycle-controller", initialList: false },
    );
  }

  /** The zone states as of the last pass (zones with every node Ready are `Normal`). */
  zoneState(zone: string): ZoneState {
    return this.zoneStates.get(zone) ?? "Normal";
  }

  private emit(reason: NodeLifecycleEvent["reason"], node: string, detail: string): void {
    this.options.onEvent?.({ reason, node, detail, at: this.store.now });
  }

  /** Makes sure a monitor pass is scheduled, on the controller's period grid. */
  private wake(): void {
    if (this.passAt >= 0) return;
    const now = this.store.now;
    this.passAt = Math.ceil(now / this.period) * this.period;
    this.later.at(this.passAt, () => this.monitorNodeHealth());
  }

  private zoneOf(node: Node): string {
    return node.metadata.labels?.[LABEL_ZONE] ?? "";
  }

  private tainter(zone: string): ZoneTainter {
    let t = this.tainters.get(zone);
    if (!t) {
      t = { queue: [], availableAt: -Infinity, qps: this.evictionQps };
      this.tainters.set(zone, t);
    }
    return t;
  }

  // The pass at which the controller first saw the latest renewal it can see now.
  private probeTime(node: string, now: SimTime): SimTime {
    // A renewal counts from the first pass at which the Lease informer has it.
    const renewed = this.heartbeats.lastRenewal(node, now);
    const seen = renewed === -Infinity ? -Infinity : Math.ceil((renewed + this.leaseDelay) / this.period) * this.period;
    return Math.max(seen, this.probeFloor.get(node) ?? -Infinity);
  }

  private monitorNodeHealth(): void {
    this.passAt = -1;
    const now = this.store.now;
    const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
    const nodes = this.store.list("Node");
    let unhealthy = !this.heartbeats.allRunning;
    for (const listed of nodes) {
      const name = listed.metadata.name;
      const observed = readyOf(listed);
      let node = listed;
      // tryUpdateNodeHealth: no fresh heartbeat within the grace period => Ready Unknown.
      if (now > this.probeTime(name, now) + this.grace && observed?.status !== "Unknown") {
        node =
          this.store.mutate("Node", undefined, name, (d) => {
            const conditions = (d.status?.conditions ?? []).filter((c) => c.type !== "Ready");
            conditions.push({ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: now });
            d.status = { ...d.status, conditions };
          }) ?? listed;
        this.emit("NodeStatusUnknown", name, "Ready=Unknown");
      }
      const current = readyOf(node);
      if (listed.metadata.labels?.[LABEL_NODE_EXCLUDE_DISRUPTION] === undefined) {
        const zone = this.zoneOf(node);
        const list = zoneConditions.get(zone) ?? [];
        list.push(current);
        zoneConditions.set(zone, list);
      }
      this.processTaintBasedEviction(node, observed);
      if (current !== undefined && current.status !== "True" && (observed === undefined || observed.status === "True")) this.markPodsNotReady(name, now);
      if (current?.status !== "True" || (node.spec?.taints ?? []).some((t) => t.key === TAINT_NODE_UNREACHABLE || t.key === TAINT_NODE_NOT_READY)) unhealthy = true;
    }
    this.handleDisruption(zoneConditions, now);
    for (const s of this.zoneStates.values()) if (s !== "Normal") unhealthy = true;
    for (const t of this.tainters.values()) if (t.queue.length > 0) unhealthy = true;
    if (unhealthy) {
      this.passAt = now + this.period;
      this.later.at(this.passAt, () => this.monitorNodeHealth());
    }
    this.armTaintingPass();
  }

  // processTaintBaseEviction: decided on the Ready condition the pass started with.
  private processTaintBasedEviction(node: Node, observed: NodeCondition | undefined): void {
    const name = node.metadata.name;
    const tainter = this.tainter(this.zoneOf(node));
    const status = observed?.status;
    if (status === "False" || status === "Unknown") {
      const want = status === "False" ? TAINT_NODE_NOT_READY : TAINT_NODE_UNREACHABLE;
      const opposite = status === "False" ? TAINT_NODE_UNREACHABLE : TAINT_NODE_NOT_READY;
      if (hasTaint(node, opposite, "NoExecute")) {
        this.swapTaints(name, [want], [opposite]); // swap at once
      } else if (!hasTaint(node, want, "NoExecute") && !tainter.queue.includes(name)) {
        tainter.queue.push(name); // markNodeForTainting
      }
    } else if (status === "True") {
      this.markNodeAsReachable(name);
    }
  }

  private markNodeAsReachable(name: string): void {
    this.swapTaints(name, [], [TAINT_NODE_UNREACHABLE, TAINT_NODE_NOT_READY]);
    for (const t of this.tainters.values()) {
      const i = t.queue.indexOf(name);
      if (i >= 0) t.queue.splice(i, 1);
    }
  }

  // controllerutil.SwapNodeControllerTaint for NoExecute taints (TimeAdded = now).
  private swapTaints(name: string, add: readonly string[], remove: readonly string[]): void {
    const node = this.store.get("Node", undefined, name);
    if (!node) return;
    const taints = node.spec?.taints ?? [];
    const removed = taints.filter((t) => t.effect === "NoExecute" && remove.includes(t.key));
    const missing = add.filter((k) => !hasTaint(node, k, "NoExecute"));
    if (removed.length === 0 && missing.length === 0) return;
    const now = this.store.now;
    const next: Taint[] = taints.filter((t) => !(t.effect === "NoExecute" && remove.includes(t.key)));
    for (const k of missing) next.push({ key: k, effect: "NoExecute", timeAdded: now });
    this.store.update({ ...node, metadata: { ...node.metadata, resourceVersion: undefined }, spec: { ...node.spec, taints: next } });
    for (const t of removed) this.emit("TaintRemoved", name, `${t.key}:NoExecute`);
    for (const k of missing) this.emit("TaintAdded", name, `${k}:NoExecute`);
  }

  // pkg/controller/util/node/controller_utils.go MarkPodsNotReady: the Ready condition of
  // every pod bound to the node becomes False.
  private markPodsNotReady(nodeName: string, now: SimTime): void {
    let marked = 0;
    for (const pod of this.store.list("Pod")) {
      if (pod.spec.nodeName !== nodeName) continue;
      const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
      if (ready === undefined || ready.status === "False") continue;
      const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === "Ready" ? { ...c, status: "False" as const, lastTransitionTime: now } : c));
      this.store.update({ ...pod, metadata: { ...pod.metadata, resourceVersion: undefined }, status: { ...pod.status, conditions } });
      marked++;
    }
    this.emit("MarkPodsNotReady", nodeName, String(marked));
  }

  // ComputeZoneState.
  private computeZoneState(conditions: readonly (NodeCondition | undefined)[]): ZoneState {
    let ready = 0;
    let notReady = 0;
    for (const c of conditions) {
      if (c?.status === "True") ready++;
      else notReady++;
    }
    if (ready === 0 && notReady > 0) return "FullDisruption";
    if (notReady > 2 && notReady / (notReady + ready) >= this.unhealthyThreshold) return "PartialDisruption";
    return "Normal";
  }

  // handleDisruption: zone states drive each zone's tainting rate.
  private handleDisruption(zoneConditions: Map<string, (NodeCondition | undefined)[]>, now: SimTime): void {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conditions] of zoneConditions) {
      const s = this.computeZoneState(conditions);
      if (s !== "FullDisruption") allAreFullyDisrupted = false;
      newStates.set(zone, s);
      this.tainter(zone);
    }
    for (const zone of [...this.zoneStates.keys()]) if (!zoneConditions.has(zone)) this.zoneStates.delete(zone);
    let allWasFullyDisrupted = this.zoneStates.size > 0;
    for (const zone of zoneConditions.keys()) if (this.zoneState(zone) !== "FullDisruption") allWasFullyDisrupted = false;
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    if (allAreFullyDisrupted) {
      // Master disruption mode: every node looks lost, so the problem is probably ours.
      this.emit("MasterDisruption", "", "enter");
      for (const n of this.store.list("Node")) this.markNodeAsReachable(n.metadata.name);
      for (const zone of zoneConditions.keys()) {
        this.swapLimiter(this.tainter(zone), 0, now);
        this.setZoneState(zone, "FullDisruption");
      }
      return;
    }
    if (allWasFullyDisrupted) {
      this.emit("MasterDisruption", "", "exit");
      for (const n of this.store.list("Node")) this.probeFloor.set(n.metadata.name, now);
      for (const [zone, conditions] of zoneConditions) {
        this.setLimiterInZone(zone, conditions.length, newStates.get(zone) as ZoneState, now);
        this.setZoneState(zone, newStates.get(zone) as ZoneState);
      }
      return;
    }
    for (const [zone, conditions] of zoneConditions) {
      const s = newStates.get(zone) as ZoneState;
      if (this.zoneState(zone) === s) continue;
      this.setLimiterInZone(zone, conditions.length, s, now);
      this.setZoneState(zone, s);
    }
  }

  private setZoneState(zone: string, s: ZoneState): void {
    if (this.zoneState(zone) !== s) this.emit("ZoneState", zone, s);
    if (s === "Normal") this.zoneStates.delete(zone);
    else this.zoneStates.set(zone, s);
  }

  private setLimiterInZone(zone: string, size: number, s: ZoneState, now: SimTime): void {
    // PartialDisruption: ReducedQPSFunc (secondary rate in large clusters, none in small ones);
    // Normal and FullDisruption: the normal rate (HealthyQPSFunc).
    const qps = s === "PartialDisruption" ? (size > this.largeCluster ? this.secondaryQps : 0) : this.evictionQps;
    this.swapLimiter(this.tainter(zone), qps, now);
  }

  // RateLimitedTimedQueue.SwapLimiter: a new bucket, drained if the old one was empty.
  private swapLimiter(t: ZoneTainter, qps: number, now: SimTime): void {
    if (t.qps === qps) return;
    const wasEmpty = now < t.availableAt;
    t.qps = qps;
    t.availableAt = qps <= 0 ? Infinity : wasEmpty ? now + 1000 / qps : -Infinity;
  }

  private armTaintingPass(): void {
    if (this.tickAt >= 0) return;
    let next = Infinity;
    for (const t of this.tainters.values()) if (t.queue.length > 0 && t.availableAt !== Infinity) next = Math.min(next, Math.max(this.store.now, t.availableAt));
    if (next === Infinity) return;
    // The tainting pass runs every NodeEvictionPeriod: the first tick strictly after now.
    const tick = Math.max(Math.floor(this.store.now / NODE_EVICTION_PERIOD) + 1, Math.ceil(next / NODE_EVICTION_PERIOD)) * NODE_EVICTION_PERIOD;
    this.tickAt = tick;
    this.later.at(tick, () => this.noExecuteTaintingPass());
  }

  // doNoExecuteTaintingPass with RateLimitedTimedQueue.Try: one token per taint.
  private noExecuteTaintingPass(): void {
    this.tickAt = -1;
    const now = this.store.now;
    for (const [, t] of [...this.tainters].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      while (t.queue.length > 0 && now >= t.availableAt) {
        t.availableAt = now + 1000 / t.qps;
        const name = t.queue.shift() as string;
        const node = this.store.get("Node", undefined, name);
        const status = node ? readyOf(node)?.status : undefined;
        if (status === "False") this.swapTaints(name, [TAINT_NODE_NOT_READY], [TAINT_NODE_UNREACHABLE]);
        else if (status === "Unknown") this.swapTaints(name, [TAINT_NODE_UNREACHABLE], [TAINT_NODE_NOT_READY]);
      }
    }
    this.armTaintingPass();
  }

  // doNoScheduleTaintingPass: NoSchedule taints mirror the Ready condition and spec.unschedulable.
  private noScheduleTaintingPass(name: string): void {
    const node = this.store.get("Node", undefined, name);
    if (!node) return;
    const status = readyOf(node)?.status;
    const want = new Set<string>();
    if (status === "False") want.add(TAINT_NODE_NOT_READY);
    if (status === "Unknown") want.add(TAINT_NODE_UNREACHABLE);
    if (node.spec?.unschedulable) want.add("node.kubernetes.io/unschedulable");
    const managed = (k: string): boolean => k === TAINT_NODE_NOT_READY || k === TAINT_NODE_UNREACHABLE || k === "node.kubernetes.io/unschedulable";
    const taints = node.spec?.taints ?? [];
    const have = new Set(taints.filter((t) => t.effect === "NoSchedule" && managed(t.key)).map((t) => t.key));
    if (have.size === want.size && [...want].every((k) => have.has(k))) return;
    const next: Taint[] = taints.filter((t) => !(t.effect === "NoSchedule" && managed(t.key)));
    for (const k of [...want].sort()) next.push({ key: k, effect: "NoSchedule" });
    this.store.update({ ...node, metadata: { ...node.metadata, resourceVersion: undefined }, spec: { ...node.spec, taints: next } });
  }
}
