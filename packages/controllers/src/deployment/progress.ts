/**
 * Deployment status and its conditions (`Progressing`, `Available`), with the
 * progress-deadline rules of pkg/controller/deployment/progress.go and the condition
 * helpers of pkg/controller/deployment/util/deployment_util.go. Times are virtual
 * milliseconds.
 *
 * @packageDocumentation
 */
import { MAX_INT32 } from "./util.js";

/**
 * `status.conditions[].type` of a Deployment.
 *
 * @example
 * ```ts
 * const type: DeploymentConditionType = "Progressing";
 * getDeploymentCondition(readDeploymentStatus(d.status).conditions, type)?.reason; // e.g. "NewReplicaSetAvailable"
 * ```
 */
export type DeploymentConditionType = "Available" | "Progressing" | "ReplicaFailure";

/**
 * A Deployment condition (`status.conditions[]`, apps/v1 DeploymentCondition).
 *
 * @example
 * ```ts
 * const c: DeploymentCondition = newDeploymentCondition("Progressing", "True", REASON_REPLICASET_UPDATED, 'ReplicaSet "web-5d9c" is progressing.', 30_000);
 * // { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: ..., lastUpdateTime: 30000, lastTransitionTime: 30000 }
 * ```
 */
export interface DeploymentCondition {
  readonly type: DeploymentConditionType;
  readonly status: "True" | "False" | "Unknown";
  /** One of the `REASON_*` constants. */
  readonly reason: string;
  readonly message: string;
  /** Last time the condition was updated (ms). */
  readonly lastUpdateTime: number;
  /** Last time the condition's status changed (ms). */
  readonly lastTransitionTime: number;
}

/**
 * A Deployment's `status` as the Deployment controller writes it (apps/v1
 * DeploymentStatus). `@kube-netsim/model`'s `Deployment.status` type does not list
 * `conditions`, `unavailableReplicas` or `collisionCount` yet; they are stored all the
 * same (status is not validated). Read it with {@link readDeploymentStatus}.
 *
 * @example
 * ```ts
 * const s: DeploymentStatus = readDeploymentStatus(store.get("Deployment", "default", "web")?.status);
 * const rolledOut = s.updatedReplicas === s.replicas && s.unavailableReplicas === 0;
 * ```
 */
export interface DeploymentStatus {
  readonly observedGeneration: number;
  /** Pods of all its ReplicaSets (their `status.replicas`). */
  readonly replicas: number;
  /** Pods of the new ReplicaSet. */
  readonly updatedReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  /** `spec.replicas` sum of its ReplicaSets minus available pods, at least 0. */
  readonly unavailableReplicas: number;
  /** Bumped on a pod-template-hash collision; part of the hash. */
  readonly collisionCount?: number;
  readonly conditions?: readonly DeploymentCondition[];
}

/**
 * Progressing: a ReplicaSet was scaled as part of the rollout.
 *
 * @example
 * ```ts
 * getDeploymentCondition(status.conditions, "Progressing")?.reason === REASON_REPLICASET_UPDATED; // mid-rollout
 * REASON_REPLICASET_UPDATED; // "ReplicaSetUpdated"
 * ```
 */
export const REASON_REPLICASET_UPDATED: string = "ReplicaSetUpdated";
/**
 * Progressing: the new ReplicaSet could not be created.
 *
 * @example
 * ```ts
 * REASON_FAILED_RS_CREATE; // "ReplicaSetCreateError"
 * ```
 */
export const REASON_FAILED_RS_CREATE: string = "ReplicaSetCreateError";
/**
 * Progressing: the controller created the new ReplicaSet.
 *
 * @example
 * ```ts
 * REASON_NEW_REPLICASET_CREATED; // "NewReplicaSetCreated"
 * ```
 */
export const REASON_NEW_REPLICASET_CREATED: string = "NewReplicaSetCreated";
/**
 * Progressing: the controller found (adopted) the new ReplicaSet.
 *
 * @example
 * ```ts
 * REASON_FOUND_NEW_RS; // "FoundNewReplicaSet"
 * ```
 */
export const REASON_FOUND_NEW_RS: string = "FoundNewReplicaSet";
/**
 * Progressing: the rollout is complete (all new pods available, no old pods).
 *
 * @example
 * ```ts
 * const done = getDeploymentCondition(status.conditions, "Progressing")?.reason === REASON_NEW_RS_AVAILABLE;
 * REASON_NEW_RS_AVAILABLE; // "NewReplicaSetAvailable" (what `kubectl rollout status` waits for)
 * ```
 */
export const REASON_NEW_RS_AVAILABLE: string = "NewReplicaSetAvailable";
/**
 * Progressing=False: no progress within progressDeadlineSeconds.
 *
 * @example
 * ```ts
 * const stuck = getDeploymentCondition(status.conditions, "Progressing")?.reason === REASON_TIMED_OUT;
 * REASON_TIMED_OUT; // "ProgressDeadlineExceeded"
 * ```
 */
export const REASON_TIMED_OUT: string = "ProgressDeadlineExceeded";
/**
 * Progressing=Unknown: the Deployment is paused.
 *
 * @example
 * ```ts
 * checkPausedConditions(true, 600, undefined, now)?.[0].reason; // "DeploymentPaused" === REASON_PAUSED
 * ```
 */
export const REASON_PAUSED: string = "DeploymentPaused";
/**
 * Progressing=Unknown: the Deployment was resumed.
 *
 * @example
 * ```ts
 * checkPausedConditions(false, 600, pausedConditions, now)?.[0].reason; // "DeploymentResumed" === REASON_RESUMED
 * ```
 */
export const REASON_RESUMED: string = "DeploymentResumed";
/**
 * Available=True: at least `replicas - maxUnavailable` pods are available.
 *
 * @example
 * ```ts
 * getDeploymentCondition(status.conditions, "Available")?.reason; // "MinimumReplicasAvailable" === REASON_MINIMUM_REPLICAS_AVAILABLE
 * ```
 */
export const REASON_MINIMUM_REPLICAS_AVAILABLE: string = "MinimumReplicasAvailable";
/**
 * Available=False.
 *
 * @example
 * ```ts
 * getDeploymentCondition(status.conditions, "Available")?.reason; // "MinimumReplicasUnavailable" (Available=False)
 * ```
 */
export const REASON_MINIMUM_REPLICAS_UNAVAILABLE: string = "MinimumReplicasUnavailable";

/**
 * A Deployment's stored status with absent counts as 0 (Go's zero values).
 *
 * @example
 * ```ts
 * readDeploymentStatus({ replicas: 3, availableReplicas: 2 });
 * // { observedGeneration: 0, replicas: 3, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 2, unavailableReplicas: 0 }
 * ```
 */
export function readDeploymentStatus(status: unknown): DeploymentStatus {
  const s = (status ?? {}) as Partial<DeploymentStatus>;
  const out: DeploymentStatus = {
    observedGeneration: s.observedGeneration ?? 0,
    replicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    unavailableReplicas: s.unavailableReplicas ?? 0,
    ...(s.collisionCount !== undefined ? { collisionCount: s.collisionCount } : {}),
    ...(s.conditions !== undefined && s.conditions.length > 0 ? { conditions: s.conditions } : {}),
  };
  return out;
}

/**
 * Whether two statuses are equal (progress.go compares with reflect.DeepEqual before writing).
 *
 * @example
 * ```ts
 * const a = readDeploymentStatus({ replicas: 3, availableReplicas: 2 });
 * deploymentStatusEqual(a, readDeploymentStatus({ replicas: 3, availableReplicas: 2, conditions: [] })); // true
 * deploymentStatusEqual(a, { ...a, availableReplicas: 3 });                                           // false
 * ```
 */
export function deploymentStatusEqual(a: DeploymentStatus, b: DeploymentStatus): boolean {
  if (
    a.observedGeneration !== b.observedGeneration ||
    a.replicas !== b.replicas ||
    a.updatedReplicas !== b.updatedReplicas ||
    a.readyReplicas !== b.readyReplicas ||
    a.availableReplicas !== b.availableReplicas ||
    a.unavailableReplicas !== b.unavailableReplicas ||
    a.collisionCount !== b.collisionCount
  ) {
    return false;
  }
  const ca = a.conditions ?? [];
  const cb = b.conditions ?? [];
  if (ca.length !== cb.length) return false;
  for (let i = 0; i < ca.length; i++) {
    const x = ca[i];
    const y = cb[i];
    if (
      x.type !== y.type ||
      x.status !== y.status ||
      x.reason !== y.reason ||
      x.message !== y.message ||
      x.lastUpdateTime !== y.lastUpdateTime ||
      x.lastTransitionTime !== y.lastTransitionTime
    ) {
      return false;
    }
  }
  return true;
}

/**
 * A new condition updated and transitioned now (deployment_util.go NewDeploymentCondition).
 *
 * @example
 * ```ts
 * newDeploymentCondition("Available", "True", REASON_MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", 45_000);
 * // { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: ..., lastUpdateTime: 45000, lastTransitionTime: 45000 }
 * ```
 */
export function newDeploymentCondition(type: DeploymentConditionType, status: DeploymentCondition["status"], reason: string, message: string, now: number): DeploymentCondition {
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

/**
 * The condition of that type, if any (deployment_util.go GetDeploymentCondition).
 *
 * @example
 * ```ts
 * const conditions = [newDeploymentCondition("Progressing", "True", REASON_REPLICASET_UPDATED, "", 30_000)];
 * getDeploymentCondition(conditions, "Progressing")?.reason; // "ReplicaSetUpdated"
 * getDeploymentCondition(conditions, "Available");           // undefined
 * ```
 */
export function getDeploymentCondition(conditions: readonly DeploymentCondition[] | undefined, type: DeploymentConditionType): DeploymentCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition (deployment_util.go SetDeploymentCondition): nothing changes when
 * one with the same status and reason exists; otherwise it replaces the old one (moved
 * to the end), keeping the old lastTransitionTime when the status is unchanged.
 *
 * @example
 * ```ts
 * const started = setDeploymentCondition(undefined, newDeploymentCondition("Progressing", "True", REASON_REPLICASET_UPDATED, "", 30_000));
 * const done = setDeploymentCondition(started, newDeploymentCondition("Progressing", "True", REASON_NEW_RS_AVAILABLE, "", 90_000));
 * done[0].lastUpdateTime;     // 90000
 * done[0].lastTransitionTime; // 30000: status stayed "True"
 * ```
 */
export function setDeploymentCondition(conditions: readonly DeploymentCondition[] | undefined, condition: DeploymentCondition): readonly DeploymentCondition[] {
  const list = conditions ?? [];
  const cur = getDeploymentCondition(list, condition.type);
  if (cur && cur.status === condition.status && cur.reason === condition.reason) return list;
  const next = cur && cur.status === condition.status ? { ...condition, lastTransitionTime: cur.lastTransitionTime } : condition;
  return [...list.filter((c) => c.type !== condition.type), next];
}

/**
 * Removes the condition of that type (deployment_util.go RemoveDeploymentCondition).
 *
 * @example
 * ```ts
 * removeDeploymentCondition(status.conditions, "ReplicaFailure"); // the other conditions, in order
 * removeDeploymentCondition(undefined, "Progressing");            // []
 * ```
 */
export function removeDeploymentCondition(conditions: readonly DeploymentCondition[] | undefined, type: DeploymentConditionType): readonly DeploymentCondition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * Whether progress is tracked: progressDeadlineSeconds is not MaxInt32 (deployment_util.go HasProgressDeadline).
 *
 * @example
 * ```ts
 * hasProgressDeadline(600);       // true (the default progressDeadlineSeconds)
 * hasProgressDeadline(MAX_INT32); // false
 * ```
 */
export function hasProgressDeadline(progressDeadlineSeconds: number | undefined): boolean {
  return progressDeadlineSeconds !== undefined && progressDeadlineSeconds !== MAX_INT32;
}

/**
 * A rollout is complete once all `replicas` are updated and available, there are no
 * other pods, and the status describes the current generation
 * (deployment_util.go DeploymentComplete).
 *
 * @example
 * ```ts
 * const s = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 };
 * deploymentComplete(3, 2, s);                   // true
 * deploymentComplete(3, 2, { ...s, replicas: 4 }); // false: an old pod is still there
 * ```
 */
export function deploymentComplete(replicas: number, generation: number, status: DeploymentStatus): boolean {
  return status.updatedReplicas === replicas && status.replicas === replicas && status.availableReplicas === replicas && status.observedGeneration >= generation;
}

/**
 * Progress between two statuses (deployment_util.go DeploymentProgressing): more
 * updated pods, fewer old pods, more ready or more available pods.
 *
 * @example
 * ```ts
 * const before = { observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 };
 * deploymentProgressing(before, { ...before, updatedReplicas: 2 }); // true: one more updated pod
 * deploymentProgressing(before, before);                            // false
 * ```
 */
export function deploymentProgressing(oldStatus: DeploymentStatus, newStatus: DeploymentStatus): boolean {
  const oldOld = oldStatus.replicas - oldStatus.updatedReplicas;
  const newOld = newStatus.replicas - newStatus.updatedReplicas;
  return (
    newStatus.updatedReplicas > oldStatus.updatedReplicas ||
    newOld < oldOld ||
    newStatus.readyReplicas > oldStatus.readyReplicas ||
    newStatus.availableReplicas > oldStatus.availableReplicas
  );
}

/**
 * Whether the rollout has timed out (deployment_util.go DeploymentTimedOut): the
 * Progressing condition was last updated more than progressDeadlineSeconds ago
 * (strictly), or already says ProgressDeadlineExceeded; never after a completed
 * rollout (NewReplicaSetAvailable) or without a Progressing condition.
 *
 * @example
 * ```ts
 * // status: Progressing/ReplicaSetUpdated last updated at 30 s
 * deploymentTimedOut(600, status, 630_000); // false: exactly 600 s is not past the deadline
 * deploymentTimedOut(600, status, 630_001); // true
 * deploymentTimedOut(MAX_INT32, status, 1e9); // false: no deadline
 * ```
 */
export function deploymentTimedOut(progressDeadlineSeconds: number | undefined, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(progressDeadlineSeconds)) return false;
  const c = getDeploymentCondition(status.conditions, "Progressing");
  if (!c) return false;
  if (c.reason === REASON_NEW_RS_AVAILABLE) return false;
  if (c.reason === REASON_TIMED_OUT) return true;
  return c.lastUpdateTime + (progressDeadlineSeconds as number) * 1000 < now;
}

/**
 * What {@link syncRolloutConditions} needs.
 *
 * @example
 * ```ts
 * const oldStatus = readDeploymentStatus(d.status); // d: the Deployment "web"
 * const input: RolloutConditionsInput = {
 *   deploymentName: "web",
 *   newRSName: newRS.name,
 *   replicas: spec.replicas,
 *   generation: 2,
 *   progressDeadlineSeconds: 600,
 *   oldStatus,
 *   newStatus: calculateStatus([oldRS, newRS], newRS, spec, 2, oldStatus, scheduler.now),
 *   now: scheduler.now,
 * };
 * const status = syncRolloutConditions(input);
 * ```
 */
export interface RolloutConditionsInput {
  /** `metadata.name` of the Deployment. */
  readonly deploymentName: string;
  /** Name of the new ReplicaSet, when it exists. */
  readonly newRSName?: string;
  /** `spec.replicas`. */
  readonly replicas: number;
  /** `metadata.generation`. */
  readonly generation: number;
  /** `spec.progressDeadlineSeconds` (MaxInt32: none). */
  readonly progressDeadlineSeconds: number;
  /** The stored status. */
  readonly oldStatus: DeploymentStatus;
  /** The status computed from the ReplicaSets (calculateStatus). */
  readonly newStatus: DeploymentStatus;
  /** The current time (ms). */
  readonly now: number;
}

/**
 * The status to write after a rollout step (pkg/controller/deployment/progress.go
 * syncRolloutStatus): Progressing becomes NewReplicaSetAvailable once the rollout is
 * complete; is refreshed (lastUpdateTime now) as ReplicaSetUpdated whenever
 * {@link deploymentProgressing}; and turns False with ProgressDeadlineExceeded when
 * {@link deploymentTimedOut}. Nothing is estimated once a complete rollout is
 * recorded and no old pods are left. Without a deadline the Progressing condition is
 * removed. ReplicaFailure is removed (the ReplicaSet controller reports none here).
 *
 * @example
 * ```ts
 * // All 3 pods of ReplicaSet web-5d9c updated and available, generation 2 observed:
 * const status = syncRolloutConditions({ deploymentName: "web", newRSName: "web-5d9c", replicas: 3, generation: 2,
 *   progressDeadlineSeconds: 600, oldStatus, newStatus, now: 120_000 });
 * getDeploymentCondition(status.conditions, "Progressing");
 * // { status: "True", reason: "NewReplicaSetAvailable", message: 'ReplicaSet "web-5d9c" has successfully progressed.', ... }
 * ```
 */
export function syncRolloutConditions(input: RolloutConditionsInput): DeploymentStatus {
  const { oldStatus, now } = input;
  let conditions = input.newStatus.conditions ?? [];
  const pd = hasProgressDeadline(input.progressDeadlineSeconds);
  if (!pd) conditions = removeDeploymentCondition(conditions, "Progressing");
  let status: DeploymentStatus = { ...input.newStatus, conditions };
  const current = getDeploymentCondition(oldStatus.conditions, "Progressing");
  const isCompleteDeployment = status.replicas === status.updatedReplicas && current?.reason === REASON_NEW_RS_AVAILABLE;
  if (pd && !isCompleteDeployment) {
    const subject = input.newRSName !== undefined ? `ReplicaSet ${JSON.stringify(input.newRSName)}` : `Deployment ${JSON.stringify(input.deploymentName)}`;
    if (deploymentComplete(input.replicas, input.generation, status)) {
      conditions = setDeploymentCondition(conditions, newDeploymentCondition("Progressing", "True", REASON_NEW_RS_AVAILABLE, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(oldStatus, status)) {
      let c = newDeploymentCondition("Progressing", "True", REASON_REPLICASET_UPDATED, `${subject} is progressing.`, now);
      // Same reason, new lastUpdateTime: replace rather than SetDeploymentCondition.
      if (current) {
        if (current.status === "True") c = { ...c, lastTransitionTime: current.lastTransitionTime };
        conditions = removeDeploymentCondition(conditions, "Progressing");
      }
      conditions = setDeploymentCondition(conditions, c);
    } else if (deploymentTimedOut(input.progressDeadlineSeconds, status, now)) {
      conditions = setDeploymentCondition(conditions, newDeploymentCondition("Progressing", "False", REASON_TIMED_OUT, `${subject} has timed out progressing.`, now));
    }
  }
  conditions = removeDeploymentCondition(conditions, "ReplicaFailure");
  status = { ...status, conditions };
  return status;
}

/**
 * When to look at a stuck rollout again (progress.go requeueStuckDeployment), called
 * when a sync changed nothing: -1 when there is no deadline, no Progressing
 * condition, the rollout is complete or already timed out; 0 ("now") when less than a
 * second is left; otherwise the time left until the deadline (ms). Upstream then
 * enqueues the Deployment one second after that ("to avoid milliseconds skew").
 *
 * @example
 * ```ts
 * // oldStatus: Progressing last updated at 30 s; the rollout is not complete.
 * requeueStuckDeploymentAfter(600, 4, 2, oldStatus, newStatus, 90_000);  // 540000 (ms left until the deadline)
 * requeueStuckDeploymentAfter(600, 4, 2, oldStatus, newStatus, 629_500); // 0: less than a second left
 * ```
 */
export function requeueStuckDeploymentAfter(
  progressDeadlineSeconds: number,
  replicas: number,
  generation: number,
  oldStatus: DeploymentStatus,
  newStatus: DeploymentStatus,
  now: number,
): number {
  const current = getDeploymentCondition(oldStatus.conditions, "Progressing");
  if (!hasProgressDeadline(progressDeadlineSeconds) || !current) return -1;
  if (deploymentComplete(replicas, generation, newStatus) || current.reason === REASON_TIMED_OUT) return -1;
  const after = current.lastUpdateTime + progressDeadlineSeconds * 1000 - now;
  if (after < 1000) return 0;
  return after;
}

/**
 * The Progressing condition for a paused or resumed Deployment
 * (pkg/controller/deployment/sync.go checkPausedConditions): Unknown/DeploymentPaused
 * when paused, Unknown/DeploymentResumed when resumed, so a paused rollout never times
 * out; a ProgressDeadlineExceeded condition is kept.
 * @returns the new conditions, or undefined when nothing changes.
 *
 * @example
 * ```ts
 * checkPausedConditions(true, 600, status.conditions, 100_000);
 * // [..., { type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused", ... }]
 * checkPausedConditions(false, 600, status.conditions, 100_000); // undefined when it was not paused: nothing changes
 * ```
 */
export function checkPausedConditions(
  paused: boolean,
  progressDeadlineSeconds: number,
  conditions: readonly DeploymentCondition[] | undefined,
  now: number,
): readonly DeploymentCondition[] | undefined {
  if (!hasProgressDeadline(progressDeadlineSeconds)) return undefined;
  const cond = getDeploymentCondition(conditions, "Progressing");
  if (cond && cond.reason === REASON_TIMED_OUT) return undefined;
  const pausedCondExists = cond !== undefined && cond.reason === REASON_PAUSED;
  if (paused && !pausedCondExists) {
    return setDeploymentCondition(conditions, newDeploymentCondition("Progressing", "Unknown", REASON_PAUSED, "Deployment is paused", now));
  }
  if (!paused && pausedCondExists) {
    return setDeploymentCondition(conditions, newDeploymentCondition("Progressing", "Unknown", REASON_RESUMED, "Deployment is resumed", now));
  }
  return undefined;
}
