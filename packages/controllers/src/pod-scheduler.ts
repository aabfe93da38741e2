import type { Callbacks, Distribution, RandomStream } from "@kube-netsim/core";
import { parseQuantity, podRequests } from "@kube-netsim/model";
import type { Node, ObjectStore, Pod, PodCondition, PodRequests, Toleration } from "@kube-netsim/model";
import { toleratesTaint } from "./taint-eviction-controller.js";

/**
 * Whether a node can take new pods: Ready condition not False/Unknown and not cordoned.
 *
 * @example
 * ```ts
 * isNodeSchedulable({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } }); // true: no Ready condition yet
 * isNodeSchedulable({ ...node, spec: { unschedulable: true } });                         // false: cordoned
 * isNodeSchedulable({ ...node, status: { conditions: [{ type: "Ready", status: "Unknown" }] } }); // false
 * ```
 */
export function isNodeSchedulable(node: Node): boolean {
  if (node.spec?.unschedulable) return false;
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  return ready === undefined || ready.status === "True";
}

/**
 * How many pods a node takes: its `status.allocatable.pods` (the kubelet's `--max-pods`,
 * 110 by default: pkg/kubelet/apis/config/v1beta1/defaults.go), or `Infinity` when the
 * node reports none (a hand-built Node without status) or a value that is not a
 * non-negative integer.
 *
 * @example
 * ```ts
 * allocatablePods({ ...node, status: { allocatable: { cpu: "4", pods: "110" } } }); // 110
 * allocatablePods({ apiVersion: "v1", kind: "Node", metadata: { name: "n1" } });    // Infinity
 * ```
 */
export function allocatablePods(node: Node): number {
  const pods = node.status?.allocatable?.pods;
  return pods !== undefined && /^[0-9]+$/.test(pods) ? Number(pods) : Infinity;
}

/**
 * What a node offers pods' requests: `status.allocatable.cpu` in millicores and
 * `.memory` in bytes, each `Infinity` when the node reports none (a hand-built Node without
 * status, as {@link allocatablePods}) or a value that is not a quantity. Memoized per Node
 * object.
 *
 * @example
 * ```ts
 * allocatableResources({ ...node, status: { allocatable: { cpu: "4", memory: "16Gi", pods: "110" } } });
 * // { cpu: 4000, memory: 17179869184 }
 * ```
 */
export function allocatableResources(node: Node): PodRequests {
  let r = allocatableByNode.get(node);
  if (r === undefined) {
    const a = node.status?.allocatable;
    r = Object.freeze({ cpu: quantityOr(a?.cpu, true), memory: quantityOr(a?.memory, false) });
    allocatableByNode.set(node, r);
  }
  return r;
}

const allocatableByNode = new WeakMap<Node, PodRequests>();

function quantityOr(q: string | undefined, milli: boolean): number {
  if (q === undefined) return Infinity;
  try {
    const parsed = parseQuantity(q);
    return parsed.negative ? Infinity : milli ? parsed.milliValue : parsed.value;
  } catch {
    return Infinity;
  }
}

/** No requests: such a pod fits any node on cpu and memory. */
const NO_REQUESTS: PodRequests = Object.freeze({ cpu: 0, memory: 0 });

/**
 * NodeResourcesFit's cpu and memory check (pkg/scheduler/framework/plugins/noderesources/fit.go
 * fitsRequest): a resource the pod requests (> 0) must fit in the node's allocatable minus
 * what its bound pods request; a resource the pod does not request is not checked.
 */
function fitsResources(request: PodRequests, allocatable: PodRequests, used: PodRequests | undefined): boolean {
  const u = used ?? NO_REQUESTS;
  return (request.cpu === 0 || request.cpu <= allocatable.cpu - u.cpu) && (request.memory === 0 || request.memory <= allocatable.memory - u.memory);
}

/**
 * Picks a node for a pod: among the schedulable nodes with room (fewer bound pods than
 * {@link allocatablePods}, and the pod's cpu and memory requests within the node's
 * {@link allocatableResources} minus what its bound pods request), the one with the
 * fewest pods bound to it, ties broken by node name.
 *
 * @remarks
 * A simplification of kube-scheduler's default scoring, whose PodTopologySpread
 * default constraints (pkg/scheduler/framework/plugins/podtopologyspread, maxSkew 3
 * by hostname and 5 by zone) and NodeResourcesBalancedAllocation also spread
 * replicas evenly. The room is NodeResourcesFit's filter
 * (pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest: `len(nodeInfo.Pods)+1 >
 * allowedPodNumber` is "Too many pods"; a positive cpu or memory request above the
 * node's allocatable minus its pods' requests is "Insufficient cpu" / "Insufficient memory").
 * @param request - the pod's {@link podRequests} (none by default).
 * @param requested - the summed requests of the pods bound to each node (none by default).
 * @returns the node name, or undefined when no node is feasible.
 *
 * @example
 * ```ts
 * pickNode(nodes, new Map([["n0", 2], ["n1", 1], ["n2", 1]])); // "n1": fewest pods, ties by name
 * // n1 already has 3 of its 4 CPUs requested: a pod asking for 1500m goes to n2
 * pickNode(nodes, new Map([["n0", 2], ["n1", 1], ["n2", 1]]), { cpu: 1500, memory: 0 }, new Map([["n1", { cpu: 3000, memory: 0 }]])); // "n2"
 * ```
 */
export function pickNode(
  nodes: readonly Node[],
  podsPerNode: ReadonlyMap<string, number>,
  request: PodRequests = NO_REQUESTS,
  requested: ReadonlyMap<string, PodRequests> = new Map(),
): string | undefined {
  let best: string | undefined;
  let bestCount = Infinity;
  for (const n of nodes) {
    if (!isNodeSchedulable(n)) continue;
    const c = podsPerNode.get(n.metadata.name) ?? 0;
    if (c >= allocatablePods(n)) continue;
    if (!fitsResources(request, allocatableResources(n), requested.get(n.metadata.name))) continue;
    const name = n.metadata.name;
    if (c < bestCount || (c === bestCount && best !== undefined && name < best)) {
      best = name;
      bestCount = c;
    }
  }
  return best;
}

/** The NoSchedule taints the node lifecycle controller puts on a node by its Ready condition. */
const READY_TAINT = { False: "node.kubernetes.io/not-ready", Unknown: "node.kubernetes.io/unreachable" } as const;

/**
 * Why kube-scheduler's filters refuse one node, in its words (one reason, or NodeResourcesFit's
 * several), or undefined when the node is feasible. The filters run in the default profile's order
 * (pkg/scheduler/apis/config/v1/default_plugins.go) and the first failure names the node:
 * NodeUnschedulable ("node(s) were unschedulable",
 * pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go), TaintToleration
 * (the first NoSchedule/NoExecute taint the pod does not tolerate,
 * plugins/tainttoleration/taint_toleration.go), NodeResourcesFit ("Too many pods",
 * plugins/noderesources/fit.go fitsRequest: "Too many pods", "Insufficient cpu",
 * "Insufficient memory", every one that applies). kube-netsim's scheduler keeps pods off a
 * node whose Ready condition is False or Unknown before the node lifecycle controller's
 * NoSchedule taint lands; such a node is named by the taint it is about to get.
 * @returns the reasons, and whether preemption could help (NodeResourcesFit's
 * `Unschedulable`; the other filters, and NodeResourcesFit when the pod requests more cpu
 * or memory than the node's whole allocatable, are `UnschedulableAndUnresolvable`).
 */
function filterReasons(
  node: Node,
  pods: number,
  tolerations: readonly Toleration[],
  request: PodRequests,
  used: PodRequests | undefined,
): { reasons: readonly string[]; resolvable: boolean } | undefined {
  if (node.spec?.unschedulable) return { reasons: ["node(s) were unschedulable"], resolvable: false };
  for (const t of node.spec?.taints ?? []) {
    if (t.effect === "PreferNoSchedule") continue;
    if (tolerations.some((tol) => toleratesTaint(tol, t))) continue;
    return { reasons: [`node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`], resolvable: false };
  }
  if (!isNodeSchedulable(node)) {
    const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status as "False" | "Unknown";
    return { reasons: [`node(s) had untolerated taint {${READY_TAINT[ready]}: }`], resolvable: false };
  }
  const reasons: string[] = [];
  let resolvable = true;
  if (pods >= allocatablePods(node)) reasons.push("Too many pods");
  const allocatable = allocatableResources(node);
  const u = used ?? NO_REQUESTS;
  if (request.cpu > 0 && request.cpu > allocatable.cpu - u.cpu) {
    reasons.push("Insufficient cpu");
    if (request.cpu > allocatable.cpu) resolvable = false;
  }
  if (request.memory > 0 && request.memory > allocatable.memory - u.memory) {
    reasons.push("Insufficient memory");
    if (request.memory > allocatable.memory) resolvable = false;
  }
  return reasons.length === 0 ? undefined : { reasons, resolvable };
}

/** `"<count> <reason>"` per reason, sorted as strings and joined, as FitError.Error does. */
function histogram(reasons: Map<string, number>): string {
  return [...reasons].map(([r, n]) => `${n} ${r}`).sort().join(", ");
}

/**
 * The message kube-scheduler writes on a pod's `PodScheduled=False` condition when no
 * node is feasible: FitError.Error (pkg/scheduler/framework/types.go) — `0/<nodes> nodes
 * are available: ` and the filter reasons counted per node (a node NodeResourcesFit
 * refuses for both cpu and memory counts under each), sorted, then the default
 * preemption plugin's answer (plugins/defaultpreemption/default_preemption.go PostFilter,
 * pkg/scheduler/framework/preemption/preemption.go Preempt): with every pod at priority 0
 * there is nothing to preempt, so each node refused only by NodeResourcesFit says `No
 * preemption victims found for incoming pod` and every other node (also one whose whole
 * allocatable is below the pod's request) `Preemption is not helpful for scheduling`.
 * @param request - the pod's {@link podRequests} (none by default).
 * @param requested - the summed requests of the pods bound to each node (none by default).
 * @returns the message, or undefined when some node is feasible.
 *
 * @example
 * ```ts
 * // 3 nodes with maxPods 110, each holding 110 pods
 * unschedulableMessage(nodes, new Map([["node-1", 110], ["node-2", 110], ["node-3", 110]]), []);
 * // "0/3 nodes are available: 3 Too many pods. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
 * // 3 nodes of 4 CPUs, each with 3000m requested, and a pod requesting 1500m
 * unschedulableMessage(nodes, counts, [], { cpu: 1500, memory: 0 }, requested);
 * // "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
 * ```
 */
export function unschedulableMessage(
  nodes: readonly Node[],
  podsPerNode: ReadonlyMap<string, number>,
  tolerations: readonly Toleration[],
  request: PodRequests = NO_REQUESTS,
  requested: ReadonlyMap<string, PodRequests> = new Map(),
): string | undefined {
  const filter = new Map<string, number>();
  let victimless = 0;
  for (const n of nodes) {
    const name = n.metadata.name;
    const r = filterReasons(n, podsPerNode.get(name) ?? 0, tolerations, request, requested.get(name));
    if (r === undefined) return undefined;
    for (const reason of r.reasons) filter.set(reason, (filter.get(reason) ?? 0) + 1);
    if (r.resolvable) victimless++;
  }
  const total = nodes.length;
  const preemption = new Map<string, number>();
  if (victimless > 0) preemption.set("No preemption victims found for incoming pod", victimless);
  if (victimless < total) preemption.set("Preemption is not helpful for scheduling", total - victimless);
  return `0/${total} nodes are available: ${histogram(filter)}. preemption: 0/${total} nodes are available: ${histogram(preemption)}.`;
}

/**
 * @internal What {@link pickNode} would answer for the store's nodes and the scheduler's pod
 * counts, kept up to date instead of recomputed: schedulable nodes with room in buckets by
 * pod count, each bucket sorted by name, rebuilt only when a Node was written
 * (ObjectStore.kindRevision). A full node (count >= allocatable pods) is in no bucket, so
 * the least-loaded bucket always holds a node with room, whatever the nodes' capacities.
 * A pick costs O(1) and a bind O(log n) instead of a scan of every node, so binding n pods
 * on n/100 nodes is no longer quadratic. A pod with cpu or memory requests scans the
 * buckets from the least loaded for the first node its requests fit (requests are rare,
 * and a node short of cpu stays in its bucket). Same answers as pickNode (tested).
 */
export class LeastPodsPicker {
  private revision = -1;
  /** Allocatable pods of each schedulable node. */
  private readonly capacity = new Map<string, number>();
  /** Allocatable cpu and memory of each schedulable node. */
  private readonly allocatable = new Map<string, PodRequests>();
  private readonly buckets = new Map<number, string[]>();
  private min = Infinity;

  constructor(
    private readonly store: ObjectStore,
    private readonly podsPerNode: ReadonlyMap<string, number>,
    private readonly requested: ReadonlyMap<string, PodRequests> = new Map(),
  ) {}

  /** The node {@link pickNode} would choose now for a pod with these requests (none by default), or undefined when none is feasible. */
  pick(request: PodRequests = NO_REQUESTS): string | undefined {
    const revision = this.store.kindRevision("Node");
    if (revision !== this.revision) this.rebuild(revision);
    if (this.min === Infinity) return undefined;
    if (request.cpu === 0 && request.memory === 0) return (this.buckets.get(this.min) as string[])[0];
    const counts = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const c of counts) {
      for (const name of this.buckets.get(c) as string[]) {
        if (fitsResources(request, this.allocatable.get(name) as PodRequests, this.requested.get(name))) return name;
      }
    }
    return undefined;
  }

  /** The pod count of `node` changed from `from` to `to`. */
  moved(node: string, from: number, to: number): void {
    const cap = this.capacity.get(node);
    if (cap === undefined) return;
    if (from < cap) this.remove(from, node);
    if (to < cap) this.insert(to, node);
  }

  private rebuild(revision: number): void {
    this.revision = revision;
    this.capacity.clear();
    this.allocatable.clear();
    this.buckets.clear();
    this.min = Infinity;
    for (const n of this.store.list("Node")) {
      if (!isNodeSchedulable(n)) continue;
      const name = n.metadata.name;
      const cap = allocatablePods(n);
      this.capacity.set(name, cap);
      this.allocatable.set(name, allocatableResources(n));
      const count = this.podsPerNode.get(name) ?? 0;
      if (count < cap) this.insert(count, name);
    }
  }

  private insert(count: number, name: string): void {
    let list = this.buckets.get(count);
    if (list === undefined) {
      list = [];
      this.buckets.set(count, list);
    }
    list.splice(lowerBound(list, name), 0, name);
    if (count < this.min) this.min = count;
  }

  private remove(count: number, name: string): void {
    const list = this.buckets.get(count);
    if (list === undefined) return;
    const i = lowerBound(list, name);
    if (list[i] === name) list.splice(i, 1);
    if (list.length > 0) return;
    this.buckets.delete(count);
    if (count === this.min) {
      this.min = Infinity;
      for (const c of this.buckets.keys()) if (c < this.min) this.min = c;
    }
  }
}

/** First index whose name is not < `name` (names compared as pickNode does, with `<`). */
function lowerBound(sorted: readonly string[], name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Options of the {@link PodScheduler}.
 *
 * @example
 * ```ts
 * const options: PodSchedulerOptions = { watchDelay: 5, bindDelay: uniform(2, 20), random: random.stream("kube-scheduler") };
 * new PodScheduler(store, new Callbacks(scheduler), options);
 * ```
 */
export interface PodSchedulerOptions {
  /** Delay (ms) of the scheduler's watch: a number, or a draw per event. Default 0. */
  readonly watchDelay?: number | (() => number);
  /** Time from seeing a pending pod to binding it. Default: none (0). */
  readonly bindDelay?: Distribution;
  /** Stream for the bind delay draws. */
  readonly random: RandomStream;
}

/**
 * kube-scheduler, reduced to binding: watches pods without `spec.nodeName` and binds
 * each to a node chosen by {@link pickNode} (fewest pods among the nodes with room for the
 * pod and for its cpu and memory requests), setting the `PodScheduled` condition.
 * A pod that finds no feasible node stays Pending with `PodScheduled=False`, reason
 * `Unschedulable` and {@link unschedulableMessage} (written only when it changes), and is
 * retried when a node is added or changes, or when a bound pod is deleted (upstream's
 * scheduling queue moves unschedulable pods back on AssignedPodDelete:
 * pkg/scheduler/framework/plugins/noderesources/fit.go EventsToRegister).
 *
 * @example
 * ```ts
 * new PodScheduler(store, later, { watchDelay: 5, random: random.stream("kube-scheduler") });
 * store.create(pod);            // no spec.nodeName
 * scheduler.runUntil(100);
 * store.get("Pod", "default", pod.metadata.name)?.spec.nodeName; // the node with the fewest pods
 * ```
 */
export class PodScheduler {
  private readonly podsPerNode = new Map<string, number>();
  /** Summed cpu and memory requests of the pods bound to each node (only nodes with some). */
  private readonly requested = new Map<string, { cpu: number; memory: number }>();
  private readonly picker: LeastPodsPicker;
  private readonly waiting = new Set<string>();
  private readonly inFlight = new Set<string>();
  /** resourceVersion of each pod's last PodScheduled=False write, whose own watch event is not a reason to retry. */
  private readonly conditionWrites = new Map<string, string | undefined>();
  /** Bumped by every pod count change: unschedulable messages are cached per (Node revision, this, tolerations). */
  private countsVersion = 0;
  private messageKey = "";
  private readonly messages = new Map<string, string | undefined>();

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    private readonly options: PodSchedulerOptions,
  ) {
    const delay = options.watchDelay ?? 0;
    this.picker = new LeastPodsPicker(store, this.podsPerNode, this.requested);
    store.watch(
      "Pod",
      (e) => {
        const p = e.object;
        const key = `${p.metadata.namespace}/${p.metadata.name}`;
        if (e.type === "DELETED") {
          this.waiting.delete(key);
          this.conditionWrites.delete(key);
          if (p.spec.nodeName) {
            this.count(p.spec.nodeName, -1, podRequests(p.spec));
            if (this.waiting.size > 0) this.retryWaiting();
          }
          return;
        }
        if (e.type === "ADDED" && p.spec.nodeName) this.count(p.spec.nodeName, +1, podRequests(p.spec));
        // A status-only update is no reason to retry (upstream skips it: eventhandlers.go isPodUpdated).
        if (e.type === "MODIFIED" && this.conditionWrites.has(key) && this.conditionWrites.get(key) === p.metadata.resourceVersion) return;
        if (!p.spec.nodeName && p.metadata.deletionTimestamp === undefined && !this.inFlight.has(key)) this.schedule(p);
      },
      { delay, name: "kube-scheduler" },
    );
    store.watch("Node", () => this.retryWaiting(), { delay, name: "kube-scheduler" });
  }

  /** A pod with requests `r` was bound to (`d` = +1) or removed from (-1) `node`. */
  private count(node: string, d: number, r: PodRequests): void {
    const from = this.podsPerNode.get(node) ?? 0;
    this.podsPerNode.set(node, from + d);
    if (r.cpu !== 0 || r.memory !== 0) {
      let used = this.requested.get(node);
      if (used === undefined) {
        used = { cpu: 0, memory: 0 };
        this.requested.set(node, used);
      }
      used.cpu += d * r.cpu;
      used.memory += d * r.memory;
    }
    this.picker.moved(node, from, from + d);
    this.countsVersion++;
  }

  private schedule(p: Pod): void {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    this.inFlight.add(key);
    const delay = this.options.bindDelay ? this.options.bindDelay.sample(this.options.random) : 0;
    this.later.after(delay, (now) => {
      this.inFlight.delete(key);
      const cur = this.store.get("Pod", p.metadata.namespace, p.metadata.name);
      if (!cur || cur.spec.nodeName || cur.metadata.deletionTimestamp !== undefined) return;
      const request = podRequests(cur.spec);
      const node = this.picker.pick(request); // pickNode(this.store.list("Node"), this.podsPerNode, request, this.requested), without the scan
      if (node === undefined) {
        this.waiting.add(key);
        this.unschedulable(cur, request, now);
        return;
      }
      this.waiting.delete(key);
      this.conditionWrites.delete(key);
      this.count(node, +1, request);
      this.store.bindPod(cur.metadata.namespace, cur.metadata.name, node);
    });
  }

  /**
   * handleSchedulingFailure (pkg/scheduler/schedule_one.go): `PodScheduled=False` with reason
   * `Unschedulable` and the FitError's message, or `SchedulerError` and "no nodes available
   * to schedule pods" when there is no node at all; not written again when unchanged
   * (pkg/api/v1/pod/util.go UpdatePodCondition keeps lastTransitionTime while the status stays).
   */
  private unschedulable(pod: Pod, request: PodRequests, now: number): void {
    let reason = "SchedulerError";
    let message: string | undefined = "no nodes available to schedule pods";
    if (this.store.count("Node") > 0) {
      reason = "Unschedulable";
      // Many pods fail against the same nodes and counts (a Deployment past the nodes'
      // maxPods): the message is computed once per (Node revision, counts, requests, tolerations).
      const tolerations = pod.spec.tolerations ?? [];
      const cacheKey = `${this.store.kindRevision("Node")}/${this.countsVersion}`;
      if (cacheKey !== this.messageKey) {
        this.messageKey = cacheKey;
        this.messages.clear();
      }
      const rKey = request.cpu === 0 && request.memory === 0 ? "" : `${request.cpu}/${request.memory}/`;
      const tKey = rKey + (tolerations.length === 0 ? "" : JSON.stringify(tolerations));
      if (this.messages.has(tKey)) message = this.messages.get(tKey);
      else {
        message = unschedulableMessage(this.store.list("Node"), this.podsPerNode, tolerations, request, this.requested);
        this.messages.set(tKey, message);
      }
      // Every node refused by the scheduler's own rules has a reason; undefined cannot happen here.
      if (message === undefined) return;
    }
    const conditions = pod.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === "PodScheduled");
    if (old !== undefined && old.status === "False" && old.reason === reason && old.message === message) return;
    const next: PodCondition = { type: "PodScheduled", status: "False", reason, message, lastTransitionTime: old?.status === "False" ? old.lastTransitionTime : now };
    const written = this.store.update({ ...pod, status: { ...pod.status, conditions: [...conditions.filter((c) => c.type !== "PodScheduled"), next] } });
    this.conditionWrites.set(`${pod.metadata.namespace}/${pod.metadata.name}`, written.metadata.resourceVersion);
  }

  private retryWaiting(): void {
    for (const key of [...this.waiting].sort()) {
      const slash = key.indexOf("/");
      const p = this.store.get("Pod", key.slice(0, slash), key.slice(slash + 1));
      this.waiting.delete(key);
      if (p && !p.spec.nodeName) this.schedule(p);
    }
  }
}
