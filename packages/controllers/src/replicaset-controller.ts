import type { Callbacks, SimTime } from "@kube-netsim/core";
import { compileLabelSelector } from "@kube-netsim/model";
import type { ObjectStore, Pod, ReplicaSet } from "@kube-netsim/model";
import { isPodReady } from "./endpointslice/pod-to-endpoint.js";

/**
 * What a ReplicaSet needs done to reach its desired replica count.
 *
 * @example
 * ```ts
 * const diff: ReplicaSetDiff = replicaSetDiff(rs, ownedActivePods, scheduler.now);
 * for (let i = 0; i < diff.create; i++) store.create(podFromTemplate(rs));
 * for (const p of diff.delete) console.log(`delete ${p.metadata.name}`);
 * ```
 */
export interface ReplicaSetDiff {
  /** Number of pods to create. */
  readonly create: number;
  /** Pods to delete, in the order upstream would pick them. */
  readonly delete: readonly Pod[];
}

/**
 * A pod counts towards a ReplicaSet when it is not terminal and not being deleted (pkg/controller/controller_utils.go IsPodActive).
 *
 * @example
 * ```ts
 * isPodActive(pod);                                                              // true: Pending or Running
 * isPodActive({ ...pod, status: { phase: "Succeeded" } });                        // false: terminal
 * isPodActive({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: 5_000 } }); // false: being deleted
 * ```
 */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && pod.metadata.deletionTimestamp === undefined;
}


const PHASE_RANK: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

// pkg/controller/controller_utils.go logarithmicRankDiff: int64(log2(age in ns)), -1 when
// the age is not positive. SimTime is in ms.
function logarithmicRank(t: number, now: number): number {
  const ageNs = (now - t) * 1e6;
  return ageNs > 0 ? Math.trunc(Math.log2(ageNs)) : -1;
}

function compareNames(a: Pod, b: Pod): number {
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

// pkg/controller/controller_utils.go afterOrZero + logarithmicRankDiff, for rules 6 and 8:
// a zero (absent) time first; then, without `now`, the later time first; with `now`
// (LogarithmicScaleDown, GA and locked on since 1.31), the smaller log2 age bucket
// first, and within one bucket the smaller UID (then, here, the name).
function compareTimes(a: Pod, b: Pod, ta: number | undefined, tb: number | undefined, now: number | undefined): number {
  if (ta === tb) return 0;
  if (ta === undefined || tb === undefined) return ta === undefined ? -1 : 1;
  if (now === undefined) return tb - ta;
  const diff = logarithmicRank(ta, now) - logarithmicRank(tb, now);
  if (diff !== 0) return diff;
  const ua = a.metadata.uid ?? "";
  const ub = b.metadata.uid ?? "";
  return ua < ub ? -1 : ua > ub ? 1 : compareNames(a, b);
}

/**
 * Orders pods the way the ReplicaSet controller prefers to delete them: the first
 * pod in the result is the first to go.
 *
 * @remarks
 * pkg/controller/controller_utils.go ActivePodsWithRanks.Less, in order: unassigned
 * before assigned; Pending before Unknown before Running; not ready before ready;
 * ready for less time before ready for longer; newer before older (a pod without a
 * ready or creation time counts as the newest, as upstream's zero time does). With
 * `now` (the controller passes it, as upstream sets `Now`), the two times are compared
 * on a log2 scale of their age (LogarithmicScaleDown, GA and locked on since 1.31): pods
 * in the same power-of-two age bucket are ordered by UID. Without `now`, exact times
 * are compared. The pod-deletion-cost annotation, the co-location rank and restart
 * counts are not modelled yet. Where upstream leaves ties to sort order we break them
 * by name, so a seed fixes the pick.
 *
 * @param pods - the candidates (not modified).
 * @param now - the current time (ms) for the logarithmic comparison; omit for exact times.
 *
 * @example
 * ```ts
 * // web-a: Running on node-1, Ready since 1 s; web-b: Running, not Ready;
 * // web-c: Pending, not scheduled; web-d: Running on node-2, Ready since 50 s.
 * rankPodsForDeletion([webA, webB, webC, webD], 60_000).map((p) => p.metadata.name);
 * // ["web-c", "web-b", "web-d", "web-a"]: unscheduled, then not ready, then ready for less time
 * ```
 */
export function rankPodsForDeletion(pods: readonly Pod[], now?: SimTime): Pod[] {
  const readyTime = (p: Pod): number | undefined =>
    p.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime;
  return [...pods].sort((a, b) => {
    // 1. Unassigned < assigned.
    const aa = a.spec.nodeName ? 1 : 0;
    const ba = b.spec.nodeName ? 1 : 0;
    if (aa !== ba) return aa - ba;
    // 2. Pending < Unknown < Running (other phases rank as Pending, like a missing map key).
    const ap = PHASE_RANK[a.status?.phase ?? "Pending"] ?? 0;
    const bp = PHASE_RANK[b.status?.phase ?? "Pending"] ?? 0;
    if (ap !== bp) return ap - bp;
    // 3. Not ready < ready.
    const ar = isPodReady(a);
    const br = isPodReady(b);
    if (ar !== br) return ar ? 1 : -1;
    // 6. Both ready: ready for a shorter time first.
    if (ar) {
      const ta = readyTime(a);
      const tb = readyTime(b);
      if (ta !== tb) return compareTimes(a, b, ta, tb, now);
    }
    // 8. Newer first.
    const ca = a.metadata.creationTimestamp;
    const cb = b.metadata.creationTimestamp;
    if (ca !== cb) return compareTimes(a, b, ca, cb, now);
    return compareNames(a, b);
  });
}

/**
 * The most pods one ReplicaSet sync creates or deletes (pkg/controller/replicaset/replica_set.go
 * `BurstReplicas`, 500). The rest wait for the next sync, which comes when the controller
 * has seen its writes.
 *
 * @example
 * ```ts
 * replicaSetDiff({ ...rs, spec: { ...rs.spec, replicas: 10_000 } }, []).create; // 500 (BURST_REPLICAS): the rest on later syncs
 * ```
 */
export const BURST_REPLICAS = 500;

/**
 * The pure core of the ReplicaSet controller (pkg/controller/replicaset/replica_set.go
 * manageReplicas): compares `spec.replicas` (default 1) with the active pods it owns,
 * creating or deleting at most {@link BURST_REPLICAS} at a time. `now` is passed on to
 * {@link rankPodsForDeletion}.
 *
 * @example
 * ```ts
 * // rs: spec.replicas 2; the four pods of rankPodsForDeletion's example:
 * const { create, delete: doomed } = replicaSetDiff(rs, [webA, webB, webC, webD], 60_000);
 * create;                              // 0
 * doomed.map((p) => p.metadata.name);  // ["web-c", "web-b"]
 * replicaSetDiff(rs, [webA]).create;   // 1
 * ```
 */
export function replicaSetDiff(rs: ReplicaSet, ownedActivePods: readonly Pod[], now?: SimTime): ReplicaSetDiff {
  const want = rs.spec.replicas ?? 1;
  const have = ownedActivePods.length;
  if (have < want) return { create: Math.min(want - have, BURST_REPLICAS), delete: [] };
  if (have > want) return { create: 0, delete: rankPodsForDeletion(ownedActivePods, now).slice(0, Math.min(have - want, BURST_REPLICAS)) };
  return { create: 0, delete: [] };
}

/**
 * Builds the pod a ReplicaSet creates (name from `generateName: <rs>-`, labels and spec from the template).
 *
 * @example
 * ```ts
 * const pod = podFromTemplate(rs); // rs: ReplicaSet "web-5d9c", template labels { app: "web" }
 * pod.metadata.generateName;       // "web-5d9c-": the API server appends a random suffix
 * pod.metadata.ownerReferences;    // [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d9c", uid: rs.metadata.uid, controller: true }]
 * pod.status;                      // { phase: "Pending" }
 * store.create(pod);
 * ```
 */
export function podFromTemplate(rs: ReplicaSet): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "",
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: rs.spec.template.metadata?.labels,
      annotations: rs.spec.template.metadata?.annotations,
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid ?? "", controller: true }],
    },
    spec: rs.spec.template.spec,
    status: { phase: "Pending" },
  };
}

/**
 * Timings of the ReplicaSet controller.
 *
 * @example
 * ```ts
 * const options: ReplicaSetControllerOptions = { watchDelay: 5 }; // informer lag, ms
 * new ReplicaSetController(store, new Callbacks(scheduler), options);
 * ```
 */
export interface ReplicaSetControllerOptions {
  /** Delay (ms) of the controller's watches (informer lag): a number, or a draw per event. Default 0. */
  readonly watchDelay?: number | (() => number);
}

/**
 * The ReplicaSet controller: keeps the number of active pods owned by each
 * ReplicaSet equal to `spec.replicas`, creating pods from the template and deleting
 * the lowest-ranked ones ({@link rankPodsForDeletion}), at most {@link BURST_REPLICAS} per
 * sync. Deleting a pod here sets its `deletionTimestamp` (graceful deletion); the kubelet
 * finishes it.
 *
 * Upstream reads its informer cache and holds further creates and deletes back with
 * "expectations" until it has seen its own writes; this controller reads the API server's
 * state, which already holds its writes, and its next sync comes when its watch delivers
 * them (or any other change of the ReplicaSet or its pods), so the bursts are paced the
 * same way, one watch delay apart.
 *
 * @example
 * ```ts
 * new ReplicaSetController(store, later, { watchDelay: 5 });
 * store.create(replicaSet);      // spec.replicas: 3
 * scheduler.runUntil(100);
 * store.list("Pod").length;      // 3, named <replicaset>-<5 characters>
 * ```
 */
export class ReplicaSetController {
  private readonly dirty = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    options: ReplicaSetControllerOptions = {},
  ) {
    const delay = options.watchDelay ?? 0;
    store.watch("ReplicaSet", (e) => this.enqueue(`${e.object.metadata.namespace}/${e.object.metadata.name}`), { delay, name: "replicaset-controller" });
    store.watch(
      "Pod",
      (e) => {
        const owner = e.object.metadata.ownerReferences?.find((o) => o.controller && o.kind === "ReplicaSet");
        if (owner) this.enqueue(`${e.object.metadata.namespace}/${owner.name}`);
      },
      { delay, name: "replicaset-controller" },
    );
  }

  private enqueue(key: string): void {
    this.dirty.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    // Coalesce all changes seen at this instant into one pass, like a workqueue.
    this.later.after(0, (now) => this.drain(now));
  }

  private drain(now: SimTime): void {
    this.scheduled = false;
    const keys = [...this.dirty].sort();
    this.dirty.clear();
    for (const key of keys) this.sync(key, now);
  }

  /** Reconciles one ReplicaSet (`namespace/name`). */
  sync(key: string, now: SimTime): void {
    const slash = key.indexOf("/");
    const rs = this.store.get("ReplicaSet", key.slice(0, slash), key.slice(slash + 1));
    if (!rs) return;
    const selector = compileLabelSelector(rs.spec.selector);
    // The pods with an ownerReference to this ReplicaSet, from the store's owner index (as
    // upstream's getRSPods reads its controllerUIDIndex, pkg/controller/replicaset/replica_set.go),
    // in creation order like a namespace listing.
    const candidates = this.store.listOwnedBy("Pod", rs.metadata.namespace, rs.metadata.uid ?? "");
    const owned = candidates.filter((p) => isPodActive(p) && selector.matches(p.metadata.labels));
    const diff = replicaSetDiff(rs, owned, now);
    for (let i = 0; i < diff.create; i++) this.store.create(podFromTemplate(rs));
    for (const pod of diff.delete) {
      this.store.mutate("Pod", pod.metadata.namespace, pod.metadata.name, (d) => {
        d.metadata.deletionTimestamp = now;
      });
    }
    // After writes, read again (as before); without any, the same pods are still there.
    const wrote = diff.create > 0 || diff.delete.length > 0;
    const pods = wrote ? this.store.listOwnedBy("Pod", rs.metadata.namespace, rs.metadata.uid ?? "") : candidates;
    let replicas = 0;
    let ready = 0;
    for (const p of pods) {
      if (!isPodActive(p)) continue;
      replicas++;
      if (isPodReady(p)) ready++;
    }
    const status = rs.status;
    if (status?.replicas !== replicas || status?.readyReplicas !== ready) {
      this.store.mutate("ReplicaSet", rs.metadata.namespace, rs.metadata.name, (d) => {
        d.status = { replicas, readyReplicas: ready, availableReplicas: ready };
      });
    }
  }
}
