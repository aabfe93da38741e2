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
 */
export function isSaturated(replicas: number, rs: ReplicaSetState | undefined): boolean {
  if (!rs || rs.desiredReplicas === undefined) return false;
  return rs.replicas === replicas && rs.desiredReplicas === replicas && (rs.availableReplicas ?? 0) === replicas;
}

/**
 * A scaling event: an active ReplicaSet's desired-replicas annotation differs from
 * the Deployment's replicas (pkg/controller/deployment/sync.go isScalingEvent).
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
 */
export function replicaSetProportion(rs: ReplicaSetState | undefined, spec: RolloutSpec, toAdd: number, added: number, deploymentStatusReplicas: number): number {
  if (!rs || rs.replicas === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, spec, deploymentStatusReplicas);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** One ReplicaSet write of a scaling event. */
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
 * // 5 -> 10 replicas mid-rollout, new RS 2 and old RS 3 (annotated max 5): new 4, old 6.
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
