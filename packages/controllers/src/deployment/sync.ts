/**
 * Scaling events, proportional scaling, revision history cleanup and status
 * calculation of the Deployment controller (pkg/controller/deployment/sync.go), on
 * plain numbers.
 *
 * @packageDocumentation
 */
import type { DeploymentStatus } from "./progress.js";
import { newDeploymentCondition, setDeploymentCondition, REASON_MINIMUM_REPLICAS_AVAILABLE, REASON_MINIMUM_REPLICAS_UNAVAILABLE } from "./progress.js";
import type { ReplicaSetState, RolloutSpec } from "./util.js";
import {
  MAX_INT32,
  actualReplicaCount,
  availableReplicaCount,
  compareByCreationTimestamp,
  compareByRevision,
  compareBySizeNewer,
  compareBySizeOlder,
  filterActiveReplicaSets,
  isRollingUpdate,
  maxSurge,
  maxUnavailable,
  readyReplicaCount,
  replicaCount,
} from "./util.js";

/**
 * The only active ReplicaSet, or, with none active, the newest one (the new one when
 * it exists); undefined when two or more are active
 * (deployment_util.go FindActiveOrLatest).
 *
 * @example
 * ```ts
 * // oldRS "web-6b7f" (3 replicas), newRS "web-5d9c" (2 replicas, created later):
 * findActiveOrLatest(newRS, [oldRS]);                      // undefined: both have replicas (mid-rollout)
 * findActiveOrLatest(newRS, [{ ...oldRS, replicas: 0 }])?.name; // "web-5d9c": the only active one
 * findActiveOrLatest(undefined, [{ ...oldRS, replicas: 0 }])?.name; // "web-6b7f": none active, the newest
 * ```
 */
export function findActiveOrLatest<T extends ReplicaSetState>(newRS: T | undefined, oldRSs: readonly T[]): T | undefined {
  if (newRS === undefined && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => compareByCreationTimestamp(b, a));
  const active = filterActiveReplicaSets<T>([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * Whether the new ReplicaSet owns the whole Deployment (deployment_util.go
 * IsSaturated): `spec.replicas`, its desired-replicas annotation and its available
 * pods all equal the Deployment's replicas.
 *
 * @example
 * ```ts
 * isSaturated(3, { name: "web-5d9c", replicas: 3, desiredReplicas: 3, availableReplicas: 3 }); // true
 * isSaturated(3, { name: "web-5d9c", replicas: 3, desiredReplicas: 3, availableReplicas: 2 }); // false
 * ```
 */
export function isSaturated(replicas: number, rs: ReplicaSetState | undefined): boolean {
  if (!rs || rs.desiredReplicas === undefined) return false;
  return rs.replicas === replicas && rs.desiredReplicas === replicas && (rs.availableReplicas ?? 0) === replicas;
}

/**
 * A scaling event: an active ReplicaSet's desired-replicas annotation differs from
 * the Deployment's replicas (pkg/controller/deployment/sync.go isScalingEvent).
 *
 * @example
 * ```ts
 * // Both ReplicaSets were last scaled for a Deployment of 5 replicas (desired-replicas annotation "5"):
 * isScalingEvent(10, [oldRS, newRS]); // true: spec.replicas changed 5 -> 10
 * isScalingEvent(5, [oldRS, newRS]);  // false
 * ```
 */
export function isScalingEvent(replicas: number, allRSs: readonly (ReplicaSetState | undefined)[]): boolean {
  for (const rs of filterActiveReplicaSets(allRSs)) {
    if (rs.desiredReplicas === undefined) continue;
    if (rs.desiredReplicas !== replicas) return true;
  }
  return false;
}

// integer.RoundToInt32: math.Round, half away from zero (JS Math.round rounds -2.5 to -2).
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * The change in size a ReplicaSet would get if it kept its share of the Deployment
 * (deployment_util.go getReplicaSetFraction): `round(rs.replicas * (replicas +
 * maxSurge) / maxReplicasAnnotation) - rs.replicas`, the annotation falling back to
 * the Deployment's `status.replicas`; scaling to 0 replicas removes all of it.
 *
 * @remarks Upstream divides by zero when both the annotation and status.replicas are 0
 * (it says this never happens); we return 0 then.
 *
 * @example
 * ```ts
 * const spec = { replicas: 10, strategy: "RollingUpdate", maxSurge: 0, maxUnavailable: 1 } as const;
 * const oldRS = { name: "web-6b7f", replicas: 3, maxReplicas: 5 };
 * replicaSetFraction(oldRS, spec, 5);                      // 3: 3 of 5 pods -> 6 of 10
 * replicaSetFraction(oldRS, { ...spec, replicas: 0 }, 5);  // -3
 * ```
 */
export function replicaSetFraction(rs: ReplicaSetState, spec: RolloutSpec, deploymentStatusReplicas: number): number {
  if (spec.replicas === 0) return -rs.replicas;
  const deploymentReplicas = spec.replicas + maxSurge(spec);
  const annotated = rs.maxReplicas ?? deploymentStatusReplicas;
  if (annotated <= 0) return 0;
  return goRound((rs.replicas * deploymentReplicas) / annotated) - rs.replicas;
}

/**
 * The replicas to add to (or, negative, remove from) one ReplicaSet in a proportional
 * scaling (deployment_util.go GetReplicaSetProportion): its {@link replicaSetFraction}
 * bounded by what is still to be distributed; 0 for an empty ReplicaSet.
 *
 * @example
 * ```ts
 * // Scaling 5 -> 10 (toAdd 5), spec as in replicaSetFraction's example:
 * replicaSetProportion({ name: "web-6b7f", replicas: 3, maxReplicas: 5 }, spec, 5, 0, 5); // 3
 * replicaSetProportion({ name: "web-5d9c", replicas: 2, maxReplicas: 5 }, spec, 5, 3, 5); // 2
 * ```
 */
export function replicaSetProportion(rs: ReplicaSetState | undefined, spec: RolloutSpec, toAdd: number, added: number, deploymentStatusReplicas: number): number {
  if (!rs || rs.replicas === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, spec, deploymentStatusReplicas);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * One ReplicaSet write of a scaling event.
 *
 * @example
 * ```ts
 * for (const op of scaleDeployment(spec, newRS, oldRSs, status.replicas)) {
 *   console.log(`scale ReplicaSet ${op.name} to ${op.replicas}`); // e.g. "scale ReplicaSet web-6b7f to 6"
 * }
 * ```
 */
export interface ScaleOperation {
  /** ReplicaSet name. */
  readonly name: string;
  /** The new `spec.replicas`. */
  readonly replicas: number;
  /**
   * Write even when the size is unchanged, to refresh the desired/max-replicas
   * annotations (sync.go scaleReplicaSet); false: only when the size changes
   * (scaleReplicaSetAndRecordEvent).
   */
  readonly refreshAnnotations: boolean;
}

/**
 * What a scaling event (or a sync of a paused Deployment) does to the ReplicaSets
 * (pkg/controller/deployment/sync.go scale).
 *
 * @remarks
 * 1. With at most one active ReplicaSet ({@link findActiveOrLatest}), it gets all
 *    `replicas`.
 * 2. A saturated new ReplicaSet ({@link isSaturated}): the active old ones go to 0.
 * 3. RollingUpdate: the difference between `replicas + maxSurge` and the current
 *    total is spread over the active ReplicaSets in proportion to their size
 *    ({@link replicaSetProportion}): larger first, newer first when scaling up and
 *    older first when scaling down; what rounding leaves over goes to the first
 *    (largest) one, never below 0.
 *
 * Recreate Deployments with several active ReplicaSets are left as they are.
 *
 * @param deploymentStatusReplicas - the Deployment's `status.replicas` (fallback of the max-replicas annotation).
 * @example
 * ```ts
 * // 5 -> 10 replicas mid-rollout (maxSurge 0), new RS 2 and old RS 3 (both annotated max-replicas 5): new 4, old 6.
 * const spec = { replicas: 10, strategy: "RollingUpdate", maxSurge: 0, maxUnavailable: 1 } as const;
 * const oldRS = { name: "web-6b7f", creationTimestamp: 0, replicas: 3, desiredReplicas: 5, maxReplicas: 5 };
 * const newRS = { name: "web-5d9c", creationTimestamp: 60_000, replicas: 2, desiredReplicas: 5, maxReplicas: 5 };
 * scaleDeployment(spec, newRS, [oldRS], 5);
 * // [{ name: "web-6b7f", replicas: 6, refreshAnnotations: true }, { name: "web-5d9c", replicas: 4, refreshAnnotations: true }]
 * ```
 */
export function scaleDeployment(spec: RolloutSpec, newRS: ReplicaSetState | undefined, oldRSs: readonly ReplicaSetState[], deploymentStatusReplicas: number): ScaleOperation[] {
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) {
    if (single.replicas === spec.replicas) return [];
    return [{ name: single.name, replicas: spec.replicas, refreshAnnotations: false }];
  }
  if (isSaturated(spec.replicas, newRS)) {
    return filterActiveReplicaSets(oldRSs).map((rs) => ({ name: rs.name, replicas: 0, refreshAnnotations: false }));
  }
  if (!isRollingUpdate(spec)) return [];
  const all = filterActiveReplicaSets([...oldRSs, newRS]);
  const allowedSize = spec.replicas > 0 ? spec.replicas + maxSurge(spec) : 0;
  const toAdd = allowedSize - replicaCount(all);
  if (toAdd > 0) all.sort(compareBySizeNewer);
  else if (toAdd < 0) all.sort(compareBySizeOlder);
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = replicaSetProportion(rs, spec, toAdd, added, deploymentStatusReplicas);
      sizes.set(rs.name, rs.replicas + p);
      added += p;
    } else sizes.set(rs.name, rs.replicas);
  }
  const ops: ScaleOperation[] = [];
  all.forEach((rs, i) => {
    let size = sizes.get(rs.name) as number;
    if (i === 0 && toAdd !== 0) {
      size += toAdd - added;
      if (size < 0) size = 0;
    }
    ops.push({ name: rs.name, replicas: size, refreshAnnotations: true });
  });
  return ops;
}

/**
 * The old ReplicaSets to delete to keep `revisionHistoryLimit` of them
 * (pkg/controller/deployment/sync.go cleanupDeployment): of the old ReplicaSets not
 * being deleted, the `count - limit` lowest revisions are candidates, and only those
 * with no replicas (spec and status 0) are deleted. MaxInt32 keeps all.
 *
 * @remarks Upstream also skips a ReplicaSet whose status has not observed its
 * generation; ours counts pods directly, so `statusReplicas` is never stale.
 *
 * @example
 * ```ts
 * // Four old, scaled-down ReplicaSets of revisions 1..4, revisionHistoryLimit 2:
 * const old = [1, 2, 3, 4].map((r) => ({ name: `web-${r}`, creationTimestamp: r * 1000, replicas: 0, statusReplicas: 0, revision: r }));
 * cleanupDeployment(old, 2);         // ["web-1", "web-2"]
 * cleanupDeployment(old, MAX_INT32); // []
 * ```
 */
export function cleanupDeployment(oldRSs: readonly ReplicaSetState[], revisionHistoryLimit: number): string[] {
  if (revisionHistoryLimit === MAX_INT32) return [];
  const alive = oldRSs.filter((rs) => !rs.terminating);
  const diff = alive.length - revisionHistoryLimit;
  if (diff <= 0) return [];
  const sorted = [...alive].sort(compareByRevision);
  const out: string[] = [];
  for (let i = 0; i < diff; i++) {
    const rs = sorted[i];
    if ((rs.statusReplicas ?? 0) !== 0 || rs.replicas !== 0 || rs.terminating) continue;
    out.push(rs.name);
  }
  return out;
}

/**
 * The Deployment's status from its ReplicaSets (pkg/controller/deployment/sync.go
 * calculateStatus): pod counts summed over all ReplicaSets, `updatedReplicas` from
 * the new one, existing conditions kept, and Available True (MinimumReplicasAvailable)
 * when at least `replicas - maxUnavailable` pods are available, else False.
 *
 * @example
 * ```ts
 * // spec: 5 replicas, maxUnavailable 25% (1 pod); old RS: 3 pods, all ready and available; new RS: 2 pods, 1 ready and available:
 * const s = calculateStatus([oldRS, newRS], newRS, spec, 2, readDeploymentStatus(undefined), 30_000);
 * // { observedGeneration: 2, replicas: 5, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 1,
 * //   conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable", ... }] }
 * ```
 */
export function calculateStatus(
  allRSs: readonly (ReplicaSetState | undefined)[],
  newRS: ReplicaSetState | undefined,
  spec: RolloutSpec,
  generation: number,
  oldStatus: DeploymentStatus,
  now: number,
): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const unavailable = Math.max(0, total - available);
  const conditions =
    available >= spec.replicas - maxUnavailable(spec)
      ? setDeploymentCondition(oldStatus.conditions, newDeploymentCondition("Available", "True", REASON_MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now))
      : setDeploymentCondition(oldStatus.conditions, newDeploymentCondition("Available", "False", REASON_MINIMUM_REPLICAS_UNAVAILABLE, "Deployment does not have minimum availability.", now));
  return {
    observedGeneration: generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    ...(oldStatus.collisionCount !== undefined ? { collisionCount: oldStatus.collisionCount } : {}),
    conditions,
  };
}
