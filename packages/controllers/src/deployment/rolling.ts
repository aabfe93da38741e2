/**
 * The RollingUpdate strategy's arithmetic (pkg/controller/deployment/rolling.go and
 * deployment_util.go NewRSNewReplicas), on plain numbers: how far the new ReplicaSet
 * may scale up within maxSurge, and how far the old ones may scale down within
 * maxUnavailable.
 *
 * @packageDocumentation
 */
import type { ReplicaSetState, RolloutSpec } from "./util.js";
import { availableReplicaCount, compareByCreationTimestamp, maxUnavailable, replicaCount, scaledValueFromIntOrPercent } from "./util.js";

/**
 * One write of a ReplicaSet's `spec.replicas`, in the order the controller makes them.
 *
 * @example
 * ```ts
 * const step: ScaleStep = { name: "web-6b7f", replicas: 5 }; // scale ReplicaSet web-6b7f to 5
 * for (const s of reconcileOldReplicaSets(spec, allRSs, oldRSs, newRS).steps) console.log(`${s.name} -> ${s.replicas}`);
 * ```
 */
export interface ScaleStep {
  /** ReplicaSet name. */
  readonly name: string;
  /** The new `spec.replicas`. */
  readonly replicas: number;
}

/**
 * How many replicas the new ReplicaSet should have
 * (pkg/controller/deployment/util/deployment_util.go NewRSNewReplicas).
 *
 * @remarks
 * RollingUpdate: the pods of all ReplicaSets (`spec.replicas` sums) may reach
 * `replicas + maxSurge` (maxSurge rounded up from a percentage); the new ReplicaSet
 * grows by what is left, never beyond `replicas`. Recreate: `replicas`.
 *
 * @param allRSs - every ReplicaSet of the Deployment (upstream passes the old ones plus the new one).
 * @throws RangeError for an invalid maxSurge.
 * @example
 * ```ts
 * // 10 replicas, maxSurge 2, old RS at 5: the new RS may go to 7 (5 + 7 = 12).
 * newRSNewReplicas({ replicas: 10, strategy: "RollingUpdate", maxSurge: 2 }, [{ name: "old", replicas: 5 }, newRS], newRS) // 7
 * ```
 */
export function newRSNewReplicas(spec: RolloutSpec, allRSs: readonly ReplicaSetState[], newRS: ReplicaSetState): number {
  if (spec.strategy === "Recreate") return spec.replicas;
  let surge: number;
  try {
    surge = scaledValueFromIntOrPercent(spec.maxSurge ?? 0, spec.replicas, true);
  } catch (e) {
    throw new RangeError(`spec.strategy.rollingUpdate.maxSurge: Invalid value: ${JSON.stringify(spec.maxSurge)}: ${(e as Error).message}`);
  }
  const current = replicaCount(allRSs);
  const maxTotal = spec.replicas + surge;
  if (current >= maxTotal) return newRS.replicas;
  const scaleUp = Math.min(maxTotal - current, spec.replicas - newRS.replicas);
  return newRS.replicas + scaleUp;
}

/**
 * The size the new ReplicaSet is scaled to in this sync
 * (pkg/controller/deployment/rolling.go reconcileNewReplicaSet): unchanged when it
 * already has `replicas`; down to `replicas` when above; otherwise
 * {@link newRSNewReplicas}. A result equal to `newRS.replicas` means "no scaling".
 *
 * @example
 * ```ts
 * const spec = { replicas: 10, strategy: "RollingUpdate", maxSurge: 3, maxUnavailable: 2 } as const;
 * const oldRS = { name: "web-6b7f", replicas: 10, availableReplicas: 10 };
 * const newRS = { name: "web-5d9c", replicas: 0 };
 * reconcileNewReplicaSet(spec, [oldRS, newRS], newRS);                        // 3: up to 10 + maxSurge 3 pods in all
 * reconcileNewReplicaSet(spec, [oldRS, { ...newRS, replicas: 12 }], { ...newRS, replicas: 12 }); // 10: scaled down to replicas
 * ```
 */
export function reconcileNewReplicaSet(spec: RolloutSpec, allRSs: readonly ReplicaSetState[], newRS: ReplicaSetState): number {
  if (newRS.replicas === spec.replicas) return newRS.replicas;
  if (newRS.replicas > spec.replicas) return spec.replicas;
  return newRSNewReplicas(spec, allRSs, newRS);
}

/**
 * How many old pods may be scaled down at most in this sync (rolling.go
 * reconcileOldReplicaSets): `allPods - minAvailable - newRSUnavailable`, where
 * allPods sums `spec.replicas` (so surge pods already created count), minAvailable is
 * `replicas - maxUnavailable`, and newRSUnavailable is `newRS.spec.replicas -
 * newRS.status.availableReplicas` (new pods that are not available yet must not let
 * old ones go). 0 or less: nothing may be scaled down.
 *
 * @example
 * ```ts
 * // spec as in reconcileNewReplicaSet's example (10 replicas, maxSurge 3, maxUnavailable 2); old RS 10, new RS 3:
 * const starting = { ...newRS, replicas: 3 };                     // 3 new pods, none available yet
 * const ready = { ...newRS, replicas: 3, availableReplicas: 3 };
 * oldReplicaSetsMaxScaledDown(spec, [oldRS, starting], starting); // 2: 13 pods - 8 minAvailable - 3 unavailable new ones
 * oldReplicaSetsMaxScaledDown(spec, [oldRS, ready], ready);       // 5
 * ```
 */
export function oldReplicaSetsMaxScaledDown(spec: RolloutSpec, allRSs: readonly ReplicaSetState[], newRS: ReplicaSetState): number {
  const allPods = replicaCount(allRSs);
  const minAvail = spec.replicas - maxUnavailable(spec);
  const newRSUnavailable = newRS.replicas - (newRS.availableReplicas ?? 0);
  return allPods - minAvail - newRSUnavailable;
}

/**
 * Scale-downs of old ReplicaSets and the ReplicaSets after them.
 *
 * @example
 * ```ts
 * const r: ScaleDownResult = cleanupUnhealthyReplicas(oldRSs, 3);
 * if (r.error === undefined) console.log(`${r.scaledDown} pods removed in ${r.steps.length} writes`);
 * ```
 */
export interface ScaleDownResult {
  /** The writes, in order (those made before an error included). */
  readonly steps: readonly ScaleStep[];
  /** Pods removed in total (0 after an error, as upstream returns). */
  readonly scaledDown: number;
  /** The old ReplicaSets after the steps, oldest first. */
  readonly oldRSs: readonly ReplicaSetState[];
  /** Set when a step would have scaled a ReplicaSet up: the rest is abandoned. */
  readonly error?: string;
}

/**
 * Scales old ReplicaSets down by their unhealthy (not available) replicas, oldest
 * ReplicaSet first, at most `maxCleanupCount` in total (rolling.go
 * cleanupUnhealthyReplicas). The ReplicaSet controller deletes not-ready pods first,
 * so this cannot lower availability (kubernetes issue 16737: unhealthy pods would
 * otherwise block the rollout). A ReplicaSet with more available pods than
 * `spec.replicas` stops the cleanup with an error (the steps before it stand).
 *
 * @example
 * ```ts
 * const a = { name: "web-a", creationTimestamp: 0, replicas: 4, availableReplicas: 2 };
 * const b = { name: "web-b", creationTimestamp: 1000, replicas: 3, availableReplicas: 1 };
 * cleanupUnhealthyReplicas([b, a], 3);
 * // { steps: [{ name: "web-a", replicas: 2 }, { name: "web-b", replicas: 2 }], scaledDown: 3, oldRSs: [...] }
 * ```
 */
export function cleanupUnhealthyReplicas(oldRSs: readonly ReplicaSetState[], maxCleanupCount: number): ScaleDownResult {
  const sorted = [...oldRSs].sort(compareByCreationTimestamp);
  const steps: ScaleStep[] = [];
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (total >= maxCleanupCount) break;
    const rs = sorted[i];
    if (rs.replicas === 0) continue;
    const available = rs.availableReplicas ?? 0;
    if (rs.replicas === available) continue;
    const count = Math.min(maxCleanupCount - total, rs.replicas - available);
    const replicas = rs.replicas - count;
    // More available pods than spec.replicas (a scale-down the ReplicaSet controller
    // has not acted on yet) would make this a scale-up: upstream refuses with an error.
    if (replicas > rs.replicas) {
      return { steps, scaledDown: 0, oldRSs: sorted, error: `when cleaning up unhealthy replicas, got invalid request to scale down ${rs.name} ${rs.replicas} -> ${replicas}` };
    }
    steps.push({ name: rs.name, replicas });
    sorted[i] = { ...rs, replicas };
    total += count;
  }
  return { steps, scaledDown: total, oldRSs: sorted };
}

/**
 * Scales old ReplicaSets down, oldest first, by as many pods as are available above
 * `minAvailable` (rolling.go scaleDownOldReplicaSetsForRollingUpdate): nothing when
 * the available pods of all ReplicaSets are at or below `replicas - maxUnavailable`.
 *
 * @example
 * ```ts
 * // 10 replicas, maxUnavailable 2 (min 8 available); old RS 10 and new RS 3 all available (13):
 * scaleDownOldReplicaSetsForRollingUpdate(spec, [oldRS, newRS], [oldRS]).steps; // [{ name: "web-6b7f", replicas: 5 }]
 * ```
 */
export function scaleDownOldReplicaSetsForRollingUpdate(spec: RolloutSpec, allRSs: readonly ReplicaSetState[], oldRSs: readonly ReplicaSetState[]): ScaleDownResult {
  const minAvail = spec.replicas - maxUnavailable(spec);
  const available = availableReplicaCount(allRSs);
  const sorted = [...oldRSs].sort(compareByCreationTimestamp);
  if (available <= minAvail) return { steps: [], scaledDown: 0, oldRSs: sorted };
  const want = available - minAvail;
  const steps: ScaleStep[] = [];
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (total >= want) break;
    const rs = sorted[i];
    if (rs.replicas === 0) continue;
    const count = Math.min(rs.replicas, want - total);
    const replicas = rs.replicas - count;
    steps.push({ name: rs.name, replicas });
    sorted[i] = { ...rs, replicas };
    total += count;
  }
  return { steps, scaledDown: total, oldRSs: sorted };
}

/**
 * What {@link reconcileOldReplicaSets} does.
 *
 * @example
 * ```ts
 * const r: ReconcileOldResult = reconcileOldReplicaSets(spec, allRSs, oldRSs, newRS);
 * // e.g. { steps: [{ name: "web-6b7f", replicas: 9 }, { name: "web-6b7f", replicas: 8 }], cleanupCount: 1, scaledDownCount: 1 }
 * const scaled = r.cleanupCount + r.scaledDownCount > 0;
 * ```
 */
export interface ReconcileOldResult {
  /** The writes, in order: unhealthy cleanup first, then scale-down. */
  readonly steps: readonly ScaleStep[];
  /** Pods removed by {@link cleanupUnhealthyReplicas}. */
  readonly cleanupCount: number;
  /** Pods removed by {@link scaleDownOldReplicaSetsForRollingUpdate}. */
  readonly scaledDownCount: number;
  /** The cleanup's error, if any: then nothing counts as scaled down. */
  readonly error?: string;
}

/**
 * The scale-down half of a rolling update (rolling.go reconcileOldReplicaSets): when
 * {@link oldReplicaSetsMaxScaledDown} allows, first {@link cleanupUnhealthyReplicas}
 * (up to that many), then {@link scaleDownOldReplicaSetsForRollingUpdate} over the
 * active old ReplicaSets and the new one. A cleanup error ends it, reported as no
 * scaling.
 *
 * @param allRSs - all ReplicaSets (old, including scaled-to-zero ones, and new).
 * @param oldRSs - the active old ReplicaSets (`spec.replicas > 0`).
 * @example
 * ```ts
 * // 10 replicas, maxUnavailable 2, old RS 10 with 9 available: 1 unhealthy pod is
 * // cleaned up, then 1 available pod scaled down -> steps [old: 9, old: 8].
 * ```
 */
export function reconcileOldReplicaSets(spec: RolloutSpec, allRSs: readonly ReplicaSetState[], oldRSs: readonly ReplicaSetState[], newRS: ReplicaSetState): ReconcileOldResult {
  const none: ReconcileOldResult = { steps: [], cleanupCount: 0, scaledDownCount: 0 };
  if (replicaCount(oldRSs) === 0) return none;
  const maxScaledDown = oldReplicaSetsMaxScaledDown(spec, allRSs, newRS);
  if (maxScaledDown <= 0) return none;
  const cleanup = cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
  // rolling.go: on a cleanup error, reconcileOldReplicaSets returns "not scaled".
  if (cleanup.error !== undefined) return { steps: cleanup.steps, cleanupCount: 0, scaledDownCount: 0, error: cleanup.error };
  const scaled = scaleDownOldReplicaSetsForRollingUpdate(spec, [...cleanup.oldRSs, newRS], cleanup.oldRSs);
  return { steps: [...cleanup.steps, ...scaled.steps], cleanupCount: cleanup.scaledDown, scaledDownCount: scaled.scaledDown };
}
