import type { Callbacks, Distribution, RandomStream } from "@kube-netsim/core";
import type { Node, ObjectStore, Pod } from "@kube-netsim/model";

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
 * Picks a node for a pod: the schedulable node with the fewest pods bound to it, ties
 * broken by node name.
 *
 * @remarks
 * A simplification of kube-scheduler's default scoring, whose PodTopologySpread
 * default constraints (pkg/scheduler/framework/plugins/podtopologyspread, maxSkew 3
 * by hostname and 5 by zone) and NodeResourcesBalancedAllocation also spread
 * replicas evenly. Resource requests are not modelled yet.
 * @returns the node name, or undefined when no node is schedulable.
 *
 * @example
 * ```ts
 * pickNode(nodes, new Map([["n0", 2], ["n1", 1], ["n2", 1]])); // "n1": fewest pods, ties by name
 * ```
 */
export function pickNode(nodes: readonly Node[], podsPerNode: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = Infinity;
  for (const n of nodes) {
    if (!isNodeSchedulable(n)) continue;
    const c = podsPerNode.get(n.metadata.name) ?? 0;
    const name = n.metadata.name;
    if (c < bestCount || (c === bestCount && best !== undefined && name < best)) {
      best = name;
      bestCount = c;
    }
  }
  return best;
}

/**
 * @internal What {@link pickNode} would answer for the store's nodes and the scheduler's pod
 * counts, kept up to date instead of recomputed: schedulable nodes in buckets by pod count,
 * each bucket sorted by name, rebuilt only when a Node was written (ObjectStore.kindRevision).
 * A pick costs O(1) and a bind O(log n) instead of a scan of every node, so binding n pods
 * on n/100 nodes is no longer quadratic. Same answers as pickNode (tested).
 */
export class LeastPodsPicker {
  private revision = -1;
  private readonly schedulable = new Set<string>();
  private readonly buckets = new Map<number, string[]>();
  private min = Infinity;

  constructor(
    private readonly store: ObjectStore,
    private readonly podsPerNode: ReadonlyMap<string, number>,
  ) {}

  /** The node {@link pickNode} would choose now, or undefined when none is schedulable. */
  pick(): string | undefined {
    const revision = this.store.kindRevision("Node");
    if (revision !== this.revision) this.rebuild(revision);
    return this.min === Infinity ? undefined : (this.buckets.get(this.min) as string[])[0];
  }

  /** The pod count of `node` changed from `from` to `to`. */
  moved(node: string, from: number, to: number): void {
    if (!this.schedulable.has(node)) return;
    this.remove(from, node);
    this.insert(to, node);
  }

  private rebuild(revision: number): void {
    this.revision = revision;
    this.schedulable.clear();
    this.buckets.clear();
    this.min = Infinity;
    for (const n of this.store.list("Node")) {
      if (!isNodeSchedulable(n)) continue;
      this.schedulable.add(n.metadata.name);
      this.insert(this.podsPerNode.get(n.metadata.name) ?? 0, n.metadata.name);
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
 * each to a node chosen by {@link pickNode}, setting the `PodScheduled` condition.
 * A pod that finds no schedulable node stays Pending and is retried when a node is
 * added or changes.
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
  private readonly picker: LeastPodsPicker;
  private readonly waiting = new Set<string>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    private readonly options: PodSchedulerOptions,
  ) {
    const delay = options.watchDelay ?? 0;
    this.picker = new LeastPodsPicker(store, this.podsPerNode);
    store.watch(
      "Pod",
      (e) => {
        const p = e.object;
        const key = `${p.metadata.namespace}/${p.metadata.name}`;
        if (e.type === "DELETED") {
          this.waiting.delete(key);
          if (p.spec.nodeName) this.count(p.spec.nodeName, -1);
          return;
        }
        if (e.type === "ADDED" && p.spec.nodeName) this.count(p.spec.nodeName, +1);
        if (!p.spec.nodeName && p.metadata.deletionTimestamp === undefined && !this.inFlight.has(key)) this.schedule(p);
      },
      { delay, name: "kube-scheduler" },
    );
    store.watch("Node", () => this.retryWaiting(), { delay, name: "kube-scheduler" });
  }

  private count(node: string, d: number): void {
    const from = this.podsPerNode.get(node) ?? 0;
    this.podsPerNode.set(node, from + d);
    this.picker.moved(node, from, from + d);
  }

  private schedule(p: Pod): void {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    this.inFlight.add(key);
    const delay = this.options.bindDelay ? this.options.bindDelay.sample(this.options.random) : 0;
    this.later.after(delay, (now) => {
      this.inFlight.delete(key);
      const cur = this.store.get("Pod", p.metadata.namespace, p.metadata.name);
      if (!cur || cur.spec.nodeName || cur.metadata.deletionTimestamp !== undefined) return;
      const node = this.picker.pick(); // pickNode(this.store.list("Node"), this.podsPerNode), without the scan
      if (node === undefined) {
        this.waiting.add(key);
        return;
      }
      this.waiting.delete(key);
      this.count(node, +1);
      this.store.bindPod(cur.metadata.namespace, cur.metadata.name, node);
    });
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
