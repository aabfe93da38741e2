import type { Callbacks, SimTime } from "@kube-netsim/core";
import type { ObjectStore, Pod, Taint, Toleration, Watch } from "@kube-netsim/model";

/**
 * Whether a toleration tolerates a taint (pkg/apis/core/v1/helper ToleratesTaint):
 * effects match (an empty toleration effect matches all), keys match (an empty key with
 * `Exists` matches all), and with `Equal` (the default) the values match.
 *
 * @example
 * ```ts
 * toleratesTaint({ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
 *   { key: "node.kubernetes.io/unreachable", effect: "NoExecute" }); // true
 * ```
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const op = toleration.operator ?? "Equal";
  if (op === "Exists") return true;
  return op === "Equal" && (toleration.value ?? "") === (taint.value ?? "");
}

/**
 * How long a pod with `tolerations` may stay on a node with the NoExecute `taints`
 * (pkg/controller/tainteviction/taint_eviction.go getMatchingTolerations and
 * getMinTolerationTime): 0 if some taint is not tolerated (evict now), the smallest
 * `tolerationSeconds` (in ms, a non-positive one counts as 0) among the tolerations used,
 * or -1 when they all tolerate forever. No taint at all: -1.
 *
 * @example
 * ```ts
 * // the default tolerations added by the API server: 300 s for unreachable
 * minTolerationTime([{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }],
 *   [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }]); // 300000
 * ```
 */
export function minTolerationTime(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  if (taints.length === 0) return -1;
  const used: Toleration[] = [];
  for (const taint of taints) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return 0;
    used.push(...matching);
  }
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

/**
 * Options of the {@link TaintEvictionController}.
 *
 * @example
 * ```ts
 * const options: TaintEvictionControllerOptions = {
 *   watchDelay: 5,
 *   onEvict: (pod, node, at) => console.log(`${at} ms: evicted ${pod.metadata.name} from ${node}`),
 * };
 * new TaintEvictionController(store, new Callbacks(scheduler), options);
 * ```
 */
export interface TaintEvictionControllerOptions {
  /** Delay (ms) of the controller's Node and Pod watches: a number, or a draw per event. Default 0. */
  readonly watchDelay?: number | (() => number);
  /** Called when a pod is evicted (deleted because of a NoExecute taint it does not tolerate any longer). */
  readonly onEvict?: (pod: Pod, node: string, at: SimTime) => void;
}

interface Work {
  readonly createdAt: SimTime;
  readonly fireAt: SimTime;
}

/**
 * The taint eviction controller (pkg/controller/tainteviction/taint_eviction.go, run by
 * kube-controller-manager): deletes pods from nodes with NoExecute taints they do not
 * tolerate, at once or when their `tolerationSeconds` run out.
 *
 * @remarks
 * When it sees a node's NoExecute taints change (after its watch delay), it schedules, for
 * each pod on the node, a deletion at now + the pod's {@link minTolerationTime} (now if a
 * taint is not tolerated), keeping an earlier one already scheduled; when the taints go
 * (the node is Ready again) every scheduled deletion is cancelled. A pod deleted here is
 * marked for graceful deletion like `kubectl delete`; on a node whose kubelet is gone it
 * stays Terminating (the kubelet is the one that finishes a deletion), while its
 * ReplicaSet, which counts only pods not being deleted (IsPodActive), creates a
 * replacement at once.
 *
 * @example
 * ```ts
 * const tec = new TaintEvictionController(store, new Callbacks(scheduler), { watchDelay: 5 });
 * // node-2 got node.kubernetes.io/unreachable:NoExecute at 125.1 s; its pod tolerates it for 300 s (the default toleration):
 * tec.scheduledEviction("default/web-0"); // 425105 (125100 + 5 ms watch delay + 300000)
 * ```
 */
export class TaintEvictionController {
  private readonly taintedNodes = new Map<string, readonly Taint[]>();
  private readonly work = new Map<string, Work>();
  private podWatch: Watch | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    private readonly options: TaintEvictionControllerOptions = {},
  ) {
    const delay = options.watchDelay ?? 0;
    store.watch(
      "Node",
      (e) => {
        const oldTaints = noExecuteTaintsOf(e.oldObject?.spec?.taints);
        const newTaints = e.type === "DELETED" ? [] : noExecuteTaintsOf(e.object.spec?.taints);
        if (e.type === "MODIFIED" && sameTaints(oldTaints, newTaints)) return;
        this.handleNodeUpdate(e.object.metadata.name, newTaints);
      },
      { delay, name: "taint-eviction-controller", initialList: false },
    );
  }

  /** When the pod `namespace/name` is due to be evicted, or undefined when no eviction is scheduled. */
  scheduledEviction(key: string): SimTime | undefined {
    return this.work.get(key)?.fireAt;
  }

  private handleNodeUpdate(nodeName: string, taints: readonly Taint[]): void {
    if (taints.length === 0) this.taintedNodes.delete(nodeName);
    else this.taintedNodes.set(nodeName, taints);
    this.watchPods(this.taintedNodes.size > 0);
    const pods = this.store.list("Pod").filter((p) => p.spec.nodeName === nodeName);
    for (const pod of pods) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (taints.length === 0) this.work.delete(key);
      else this.processPodOnNode(key, nodeName, pod.spec.tolerations ?? [], taints);
    }
  }

  private processPodOnNode(key: string, nodeName: string, tolerations: readonly Toleration[], taints: readonly Taint[]): void {
    const now = this.store.now;
    const min = minTolerationTime(taints, tolerations);
    if (min < 0) {
      this.work.delete(key); // tolerated forever
      return;
    }
    let createdAt = now;
    const scheduled = this.work.get(key);
    if (scheduled !== undefined) {
      if (min > 0 && scheduled.createdAt + min < now + min) return; // an earlier deletion is already due
      createdAt = scheduled.createdAt;
    }
    const w: Work = { createdAt, fireAt: now + min };
    this.work.set(key, w);
    this.later.at(w.fireAt, () => {
      if (this.work.get(key) !== w) return; // cancelled or replaced
      this.work.delete(key);
      this.evict(key, nodeName);
    });
  }

  // Pod changes matter only while some node has NoExecute taints (a pod bound to a tainted
  // node, or whose tolerations change there), so the Pod watch runs only then: a cluster
  // without taints pays nothing for this controller.
  private watchPods(on: boolean): void {
    if (on === (this.podWatch !== undefined)) return;
    if (!on) {
      this.podWatch?.stop();
      this.podWatch = undefined;
      return;
    }
    this.podWatch = this.store.watch(
      "Pod",
      (e) => {
        const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
        if (e.type === "DELETED") {
          this.work.delete(key);
          return;
        }
        const old = e.oldObject;
        if (old && old.spec.nodeName === e.object.spec.nodeName && old.spec.tolerations === e.object.spec.tolerations) return;
        const node = e.object.spec.nodeName;
        const taints = node ? this.taintedNodes.get(node) : undefined;
        if (node && taints) this.processPodOnNode(key, node, e.object.spec.tolerations ?? [], taints);
      },
      { delay: this.options.watchDelay ?? 0, name: "taint-eviction-controller", initialList: false },
    );
  }

  // deletePodHandler: a graceful delete (the pod's own grace period), as kubectl delete.
  private evict(key: string, nodeName: string): void {
    const slash = key.indexOf("/");
    const now = this.store.now;
    const pod = this.store.mutate("Pod", key.slice(0, slash), key.slice(slash + 1), (d) => {
      if (d.metadata.deletionTimestamp === undefined) d.metadata.deletionTimestamp = now;
    });
    if (pod) this.options.onEvict?.(pod, nodeName, now);
  }
}

function noExecuteTaintsOf(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === "NoExecute");
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return a.length === b.length && a.every((t, i) => t.key === b[i].key && (t.value ?? "") === (b[i].value ?? "") && t.effect === b[i].effect);
}
