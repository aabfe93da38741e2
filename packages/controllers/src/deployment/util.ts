/**
 * Pure rules of the Deployment controller shared by its strategies: apps/v1 defaults,
 * maxSurge/maxUnavailable resolution, replica counting, ReplicaSet orderings,
 * revisions, annotations and pod availability. Each function ports one rule of
 * pkg/controller/deployment/util/deployment_util.go (or the file named on it) and
 * works on plain numbers ({@link ReplicaSetState}) so it can be table-tested.
 *
 * @packageDocumentation
 */
import type { SimTime } from "@kube-netsim/core";
import type { Deployment, Pod, StringMap } from "@kube-netsim/model";
import { isPodReady } from "../endpointslice/pod-to-endpoint.js";
import { isPodActive } from "../replicaset-controller.js";

/**
 * A `maxSurge` / `maxUnavailable` value (`intstr.IntOrString`): an integer, or a percentage such as `"25%"`.
 *
 * @example
 * ```ts
 * const maxSurge: IntOrPercent = "25%"; // the apps/v1 default
 * const maxUnavailable: IntOrPercent = 0;
 * resolveFenceposts(maxSurge, maxUnavailable, 10); // { surge: 3, unavailable: 0 }
 * ```
 */
export type IntOrPercent = number | string;

/**
 * `spec.strategy.type` of a Deployment.
 *
 * @example
 * ```ts
 * const strategy: DeploymentStrategyType = "Recreate"; // default "RollingUpdate"
 * isRollingUpdate({ replicas: 3, strategy }); // false
 * ```
 */
export type DeploymentStrategyType = "RollingUpdate" | "Recreate";

/**
 * `math.MaxInt32`: upstream's "no limit" value of `revisionHistoryLimit` and `progressDeadlineSeconds`.
 *
 * @example
 * ```ts
 * MAX_INT32;                      // 2147483647
 * hasProgressDeadline(MAX_INT32);  // false: progressDeadlineSeconds 2147483647 turns progress tracking off
 * hasProgressDeadline(600);        // true
 * ```
 */
export const MAX_INT32: number = 2147483647;

/**
 * `deployment.kubernetes.io/revision`: the rollout sequence number of a ReplicaSet (and, copied, of its Deployment).
 *
 * @example
 * ```ts
 * rs.metadata.annotations?.[ANNOTATION_REVISION]; // "2" for the second rollout
 * revisionOf(rs.metadata.annotations);            // 2
 * ```
 */
export const ANNOTATION_REVISION: string = "deployment.kubernetes.io/revision";
/**
 * `deployment.kubernetes.io/revision-history`: earlier revisions a ReplicaSet served (set when a rollback reuses it).
 *
 * @example
 * ```ts
 * // Rolling back to the ReplicaSet of revision 1 when the Deployment is at revision 2:
 * setNewReplicaSetAnnotations({}, { [ANNOTATION_REVISION]: "1" }, 3, true, 10, 13).annotations;
 * // { "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" }
 * ```
 */
export const ANNOTATION_REVISION_HISTORY: string = "deployment.kubernetes.io/revision-history";
/**
 * `deployment.kubernetes.io/desired-replicas`: the Deployment's `spec.replicas` when this ReplicaSet was last scaled.
 *
 * @example
 * ```ts
 * setReplicasAnnotations(undefined, 10, 13).annotations[ANNOTATION_DESIRED_REPLICAS]; // "10"
 * ```
 */
export const ANNOTATION_DESIRED_REPLICAS: string = "deployment.kubernetes.io/desired-replicas";
/**
 * `deployment.kubernetes.io/max-replicas`: `spec.replicas + maxSurge` when this ReplicaSet was last scaled.
 *
 * @example
 * ```ts
 * setReplicasAnnotations(undefined, 10, 13).annotations[ANNOTATION_MAX_REPLICAS]; // "13" (10 + maxSurge 25%)
 * ```
 */
export const ANNOTATION_MAX_REPLICAS: string = "deployment.kubernetes.io/max-replicas";

/**
 * The parts of a Deployment's spec the rollout rules read, after apps/v1 defaulting.
 * `maxSurge` / `maxUnavailable` are set for RollingUpdate only.
 *
 * @example
 * ```ts
 * const spec: RolloutSpec = { replicas: 10, strategy: "RollingUpdate", maxSurge: "25%", maxUnavailable: "25%" };
 * maxSurge(spec);     // 3
 * minAvailable(spec); // 8
 * ```
 */
export interface RolloutSpec {
  /** `spec.replicas` (default 1). */
  readonly replicas: number;
  /** `spec.strategy.type` (default RollingUpdate). */
  readonly strategy: DeploymentStrategyType;
  /** `spec.strategy.rollingUpdate.maxSurge` (default `"25%"`). */
  readonly maxSurge?: IntOrPercent;
  /** `spec.strategy.rollingUpdate.maxUnavailable` (default `"25%"`). */
  readonly maxUnavailable?: IntOrPercent;
}

/**
 * A Deployment's spec with every apps/v1 default applied (see {@link deploymentDefaults}).
 *
 * @example
 * ```ts
 * const spec: DefaultedDeploymentSpec = deploymentDefaults(d); // d: a Deployment that sets replicas: 3 and no strategy
 * spec.maxUnavailable;          // "25%"
 * spec.revisionHistoryLimit;    // 10
 * spec.progressDeadlineSeconds; // 600
 * ```
 */
export interface DefaultedDeploymentSpec extends RolloutSpec {
  /** `spec.minReadySeconds` (default 0). */
  readonly minReadySeconds: number;
  /** `spec.revisionHistoryLimit` (default 10). */
  readonly revisionHistoryLimit: number;
  /** `spec.progressDeadlineSeconds` (default 600). */
  readonly progressDeadlineSeconds: number;
  /** `spec.paused` (default false). */
  readonly paused: boolean;
}

/**
 * The Deployment's spec as the API server stores it after defaulting
 * (pkg/apis/apps/v1/defaults.go SetDefaults_Deployment): replicas 1, strategy
 * RollingUpdate with maxSurge and maxUnavailable 25% each (each defaulted on its own),
 * revisionHistoryLimit 10, progressDeadlineSeconds 600.
 *
 * @example
 * ```ts
 * deploymentDefaults(d) // { replicas: 1, strategy: "RollingUpdate", maxSurge: "25%", maxUnavailable: "25%", ... }
 * ```
 */
export function deploymentDefaults(d: Deployment): DefaultedDeploymentSpec {
  const s = d.spec;
  const strategy: DeploymentStrategyType = s.strategy?.type === "Recreate" ? "Recreate" : "RollingUpdate";
  const base = {
    replicas: s.replicas ?? 1,
    strategy,
    minReadySeconds: s.minReadySeconds ?? 0,
    revisionHistoryLimit: s.revisionHistoryLimit ?? 10,
    progressDeadlineSeconds: s.progressDeadlineSeconds ?? 600,
    paused: s.paused === true,
  };
  if (strategy === "Recreate") return base;
  const ru = s.strategy?.rollingUpdate;
  return { ...base, maxSurge: ru?.maxSurge ?? "25%", maxUnavailable: ru?.maxUnavailable ?? "25%" };
}

/**
 * `intstr.GetScaledValueFromIntOrPercent` (k8s.io/apimachinery/pkg/util/intstr): an
 * integer as it is; `"N%"` as N percent of `total`, rounded up or down.
 * @throws Error with upstream's text for a string that is not a percentage or not a number.
 *
 * @example
 * ```ts
 * scaledValueFromIntOrPercent("25%", 10, true);  // 3 (maxSurge rounds up)
 * scaledValueFromIntOrPercent("25%", 10, false); // 2 (maxUnavailable rounds down)
 * scaledValueFromIntOrPercent(3, 10, true);      // 3
 * ```
 */
export function scaledValueFromIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error("invalid value for IntOrString: invalid type: neither int nor percentage");
    return value;
  }
  if (!value.endsWith("%")) throw new Error("invalid value for IntOrString: invalid type: string is not a percentage");
  const digits = value.slice(0, -1);
  // strconv.Atoi: optional sign, decimal digits.
  if (!/^[+-]?[0-9]+$/.test(digits)) {
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(value)}: strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`);
  }
  const pct = Number(digits);
  // float64(value) * float64(total) / 100, then math.Ceil / math.Floor.
  const scaled = (pct * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * The resolved fenceposts of a rolling update: how many pods above, and below, `replicas` it may go.
 *
 * @example
 * ```ts
 * const { surge, unavailable }: Fenceposts = resolveFenceposts("25%", "25%", 10);
 * // surge 3 (rounds up), unavailable 2 (rounds down): between 8 and 13 pods during the rollout
 * ```
 */
export interface Fenceposts {
  /** maxSurge as a number of pods (percentages round up). */
  readonly surge: number;
  /** maxUnavailable as a number of pods (percentages round down; 1 when both resolve to 0). */
  readonly unavailable: number;
}

/**
 * Resolves maxSurge and maxUnavailable together
 * (pkg/controller/deployment/util/deployment_util.go ResolveFenceposts): maxSurge
 * rounds UP, maxUnavailable rounds DOWN, an absent value counts as 0, and when both
 * come out 0 maxUnavailable becomes 1 ("surge might not work due to quota"), so a
 * rollout can always move.
 *
 * @throws RangeError naming the field (`spec.strategy.rollingUpdate.maxSurge: Invalid value: ...`).
 * @example
 * ```ts
 * resolveFenceposts("25%", "25%", 10) // { surge: 3, unavailable: 2 }
 * resolveFenceposts("1%", "1%", 10)   // { surge: 1, unavailable: 0 }
 * resolveFenceposts(0, "20%", 4)      // { surge: 0, unavailable: 1 } (0 and 0 -> 1)
 * ```
 */
export function resolveFenceposts(maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined, replicas: number): Fenceposts {
  const resolve = (field: string, v: IntOrPercent | undefined, roundUp: boolean): number => {
    try {
      return scaledValueFromIntOrPercent(v ?? 0, replicas, roundUp);
    } catch (e) {
      throw new RangeError(`spec.strategy.rollingUpdate.${field}: Invalid value: ${JSON.stringify(v)}: ${(e as Error).message}`);
    }
  };
  const surge = resolve("maxSurge", maxSurge, true);
  let unavailable = resolve("maxUnavailable", maxUnavailable, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/**
 * Whether the strategy is RollingUpdate (deployment_util.go IsRollingUpdate).
 *
 * @example
 * ```ts
 * isRollingUpdate({ replicas: 3, strategy: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 }); // true
 * isRollingUpdate({ replicas: 3, strategy: "Recreate" });                                    // false
 * ```
 */
export function isRollingUpdate(spec: RolloutSpec): boolean {
  return spec.strategy === "RollingUpdate";
}

/**
 * The surge pods a rolling Deployment may have (deployment_util.go MaxSurge): the
 * resolved maxSurge, 0 for Recreate. Like upstream, an invalid value (caught by
 * validation) counts as 0.
 *
 * @example
 * ```ts
 * maxSurge({ replicas: 10, strategy: "RollingUpdate", maxSurge: "25%", maxUnavailable: "25%" }); // 3
 * maxSurge({ replicas: 10, strategy: "Recreate" });                                          // 0
 * ```
 */
export function maxSurge(spec: RolloutSpec): number {
  if (!isRollingUpdate(spec)) return 0;
  try {
    return resolveFenceposts(spec.maxSurge, spec.maxUnavailable, spec.replicas).surge;
  } catch {
    return 0;
  }
}

/**
 * The pods a rolling Deployment may have unavailable (deployment_util.go MaxUnavailable):
 * the resolved maxUnavailable capped at `replicas`; 0 for Recreate or 0 replicas.
 *
 * @example
 * ```ts
 * maxUnavailable({ replicas: 5, strategy: "RollingUpdate", maxSurge: 1, maxUnavailable: 10 }) // 5
 * ```
 */
export function maxUnavailable(spec: RolloutSpec): number {
  if (!isRollingUpdate(spec) || spec.replicas === 0) return 0;
  let u: number;
  try {
    u = resolveFenceposts(spec.maxSurge, spec.maxUnavailable, spec.replicas).unavailable;
  } catch {
    return 0;
  }
  return u > spec.replicas ? spec.replicas : u;
}

/**
 * `replicas - maxUnavailable` for RollingUpdate, 0 for Recreate (deployment_util.go MinAvailable).
 *
 * @example
 * ```ts
 * minAvailable({ replicas: 10, strategy: "RollingUpdate", maxSurge: "25%", maxUnavailable: "25%" }); // 8
 * ```
 */
export function minAvailable(spec: RolloutSpec): number {
  if (!isRollingUpdate(spec)) return 0;
  return spec.replicas - maxUnavailable(spec);
}

/**
 * What the rules need of one ReplicaSet: its `spec.replicas` and its status counts.
 * The Deployment controller builds these from the ReplicaSet and its pods; tests write
 * them by hand.
 *
 * @example
 * ```ts
 * const oldRS: ReplicaSetState = { name: "web-6b7f", creationTimestamp: 0, replicas: 3, statusReplicas: 3, readyReplicas: 3, availableReplicas: 2, revision: 1 };
 * const newRS: ReplicaSetState = { name: "web-5d9c", creationTimestamp: 60_000, replicas: 2, statusReplicas: 2, readyReplicas: 1, availableReplicas: 1, revision: 2 };
 * replicaCount([oldRS, newRS]); // 5
 * ```
 */
export interface ReplicaSetState {
  /** `metadata.name`. */
  readonly name: string;
  /** `metadata.creationTimestamp` (ms); default 0. */
  readonly creationTimestamp?: number;
  /** `spec.replicas`. */
  readonly replicas: number;
  /** `status.replicas`: its active pods; default 0. */
  readonly statusReplicas?: number;
  /** `status.readyReplicas`; default 0. */
  readonly readyReplicas?: number;
  /** `status.availableReplicas` (ready for at least minReadySeconds); default 0. */
  readonly availableReplicas?: number;
  /** The revision annotation as a number (absent annotation: 0); undefined when it does not parse. */
  readonly revision?: number;
  /** The desired-replicas annotation, when present and numeric. */
  readonly desiredReplicas?: number;
  /** The max-replicas annotation, when present and numeric. */
  readonly maxReplicas?: number;
  /** `metadata.deletionTimestamp` is set. */
  readonly terminating?: boolean;
}

/**
 * Sum of `spec.replicas` (deployment_util.go GetReplicaCountForReplicaSets).
 *
 * @example
 * ```ts
 * replicaCount([oldRS, newRS]); // 5: spec.replicas 3 + 2 (oldRS, newRS as in ReplicaSetState's example)
 * replicaCount([oldRS, undefined]); // 3: a missing new ReplicaSet counts 0
 * ```
 */
export function replicaCount(rss: readonly (ReplicaSetState | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.replicas;
  return n;
}

/**
 * Sum of `status.replicas` (deployment_util.go GetActualReplicaCountForReplicaSets).
 *
 * @example
 * ```ts
 * actualReplicaCount([oldRS, newRS]); // 5: status.replicas 3 + 2 (oldRS, newRS as in ReplicaSetState's example)
 * ```
 */
export function actualReplicaCount(rss: readonly (ReplicaSetState | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.statusReplicas ?? 0;
  return n;
}

/**
 * Sum of `status.readyReplicas` (deployment_util.go GetReadyReplicaCountForReplicaSets).
 *
 * @example
 * ```ts
 * readyReplicaCount([oldRS, newRS]); // 4: status.readyReplicas 3 + 1 (oldRS, newRS as in ReplicaSetState's example)
 * ```
 */
export function readyReplicaCount(rss: readonly (ReplicaSetState | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.readyReplicas ?? 0;
  return n;
}

/**
 * Sum of `status.availableReplicas` (deployment_util.go GetAvailableReplicaCountForReplicaSets).
 *
 * @example
 * ```ts
 * availableReplicaCount([oldRS, newRS]); // 3: status.availableReplicas 2 + 1 (oldRS, newRS as in ReplicaSetState's example)
 * ```
 */
export function availableReplicaCount(rss: readonly (ReplicaSetState | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.availableReplicas ?? 0;
  return n;
}

/**
 * ReplicaSets with `spec.replicas > 0` (pkg/controller/controller_utils.go FilterActiveReplicaSets).
 *
 * @example
 * ```ts
 * filterActiveReplicaSets([oldRS, { ...newRS, replicas: 0 }]).map((rs) => rs.name); // ["web-6b7f"]
 * ```
 */
export function filterActiveReplicaSets<T extends ReplicaSetState>(rss: readonly (T | undefined)[]): T[] {
  const out: T[] = [];
  for (const rs of rss) if (rs && rs.replicas > 0) out.push(rs);
  return out;
}

/**
 * Oldest first, ties by name (pkg/controller/controller_utils.go ReplicaSetsByCreationTimestamp).
 *
 * @example
 * ```ts
 * [newRS, oldRS].sort(compareByCreationTimestamp).map((rs) => rs.name); // ["web-6b7f", "web-5d9c"]: oldest first
 * ```
 */
export function compareByCreationTimestamp(a: ReplicaSetState, b: ReplicaSetState): number {
  const ta = a.creationTimestamp ?? 0;
  const tb = b.creationTimestamp ?? 0;
  if (ta !== tb) return ta - tb;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Larger first; same size: newer first (controller_utils.go ReplicaSetsBySizeNewer, used to scale up).
 *
 * @example
 * ```ts
 * const a = { name: "a", creationTimestamp: 0, replicas: 2 };
 * const b = { name: "b", creationTimestamp: 1000, replicas: 2 };
 * const c = { name: "c", creationTimestamp: 500, replicas: 5 };
 * [a, b, c].sort(compareBySizeNewer).map((rs) => rs.name); // ["c", "b", "a"]
 * ```
 */
export function compareBySizeNewer(a: ReplicaSetState, b: ReplicaSetState): number {
  if (a.replicas === b.replicas) return compareByCreationTimestamp(b, a);
  return b.replicas - a.replicas;
}

/**
 * Larger first; same size: older first (controller_utils.go ReplicaSetsBySizeOlder, used to scale down).
 *
 * @example
 * ```ts
 * const a = { name: "a", creationTimestamp: 0, replicas: 2 };
 * const b = { name: "b", creationTimestamp: 1000, replicas: 2 };
 * const c = { name: "c", creationTimestamp: 500, replicas: 5 };
 * [a, b, c].sort(compareBySizeOlder).map((rs) => rs.name); // ["c", "a", "b"]
 * ```
 */
export function compareBySizeOlder(a: ReplicaSetState, b: ReplicaSetState): number {
  if (a.replicas === b.replicas) return compareByCreationTimestamp(a, b);
  return b.replicas - a.replicas;
}

/**
 * Lower revision first; unparsable or equal revisions by creation time (deployment_util.go ReplicaSetsByRevision).
 *
 * @example
 * ```ts
 * [newRS, oldRS].sort(compareByRevision).map((rs) => rs.revision); // [1, 2] (oldRS, newRS as in ReplicaSetState's example)
 * ```
 */
export function compareByRevision(a: ReplicaSetState, b: ReplicaSetState): number {
  if (a.revision === undefined || b.revision === undefined || a.revision === b.revision) return compareByCreationTimestamp(a, b);
  return a.revision - b.revision;
}

/**
 * The highest parsable revision, 0 when none (deployment_util.go MaxRevision).
 *
 * @example
 * ```ts
 * maxRevision([oldRS, newRS]); // 2 (revisions 1 and 2)
 * maxRevision([]);             // 0
 * ```
 */
export function maxRevision(rss: readonly ReplicaSetState[]): number {
  let max = 0;
  for (const rs of rss) if (rs.revision !== undefined && rs.revision > max) max = rs.revision;
  return max;
}

/**
 * Parses an integer annotation like Go's strconv (optional sign, decimal digits).
 * @returns undefined when absent or not a number.
 *
 * @example
 * ```ts
 * parseIntAnnotation({ "deployment.kubernetes.io/revision": "3" }, "deployment.kubernetes.io/revision"); // 3
 * parseIntAnnotation({}, "deployment.kubernetes.io/revision");                                         // undefined
 * ```
 */
export function parseIntAnnotation(annotations: StringMap | undefined, key: string): number | undefined {
  const v = annotations?.[key];
  if (v === undefined || !/^[+-]?[0-9]+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * The revision of an object (deployment_util.go Revision): 0 without the annotation, undefined when it does not parse.
 *
 * @example
 * ```ts
 * revisionOf({ "deployment.kubernetes.io/revision": "4" });   // 4
 * revisionOf(undefined);                                      // 0
 * revisionOf({ "deployment.kubernetes.io/revision": "x" });   // undefined
 * ```
 */
export function revisionOf(annotations: StringMap | undefined): number | undefined {
  if (annotations?.[ANNOTATION_REVISION] === undefined) return 0;
  return parseIntAnnotation(annotations, ANNOTATION_REVISION);
}

// deployment_util.go annotationsToSkip: never copied from the Deployment to its ReplicaSets.
const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  ANNOTATION_REVISION,
  ANNOTATION_REVISION_HISTORY,
  ANNOTATION_DESIRED_REPLICAS,
  ANNOTATION_MAX_REPLICAS,
  "deprecated.deployment.rollback.to",
]);

/**
 * The result of an annotation rule: the new map and whether it differs.
 *
 * @example
 * ```ts
 * const { annotations, changed }: AnnotationUpdate = setReplicasAnnotations(rs.metadata.annotations, 10, 13);
 * if (changed) store.update({ ...rs, metadata: { ...rs.metadata, annotations } }); // rs, store: the ReplicaSet and the ObjectStore
 * ```
 */
export interface AnnotationUpdate {
  readonly annotations: StringMap;
  readonly changed: boolean;
}

/**
 * Sets `desired-replicas` and `max-replicas` (deployment_util.go SetReplicasAnnotations),
 * which {@link isScalingEvent} and proportional scaling read back.
 *
 * @example
 * ```ts
 * setReplicasAnnotations({ team: "shop" }, 10, 13);
 * // { annotations: { team: "shop", "deployment.kubernetes.io/desired-replicas": "10",
 * //   "deployment.kubernetes.io/max-replicas": "13" }, changed: true }
 * ```
 */
export function setReplicasAnnotations(annotations: StringMap | undefined, desiredReplicas: number, maxReplicas: number): AnnotationUpdate {
  const out: Record<string, string> = { ...(annotations ?? {}) };
  let changed = false;
  if (out[ANNOTATION_DESIRED_REPLICAS] !== String(desiredReplicas)) {
    out[ANNOTATION_DESIRED_REPLICAS] = String(desiredReplicas);
    changed = true;
  }
  if (out[ANNOTATION_MAX_REPLICAS] !== String(maxReplicas)) {
    out[ANNOTATION_MAX_REPLICAS] = String(maxReplicas);
    changed = true;
  }
  return { annotations: out, changed };
}

// pkg/controller/deployment/sync.go maxRevHistoryLengthInChars.
const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

/**
 * The new ReplicaSet's annotations (deployment_util.go SetNewReplicaSetAnnotations):
 * the Deployment's annotations are copied (except the skipped ones), the revision is
 * raised to `newRevision` when lower (a reused ReplicaSet, i.e. a rollback, records
 * its old revision in `revision-history`, at most 2000 characters), and a ReplicaSet
 * about to be created (`exists` false) gets the replicas annotations.
 *
 * @example
 * ```ts
 * setNewReplicaSetAnnotations({ team: "shop", "deployment.kubernetes.io/revision": "2" }, undefined, 3, false, 10, 13).annotations;
 * // { team: "shop", "deployment.kubernetes.io/revision": "3",
 * //   "deployment.kubernetes.io/desired-replicas": "10", "deployment.kubernetes.io/max-replicas": "13" }
 * ```
 */
export function setNewReplicaSetAnnotations(
  deploymentAnnotations: StringMap | undefined,
  rsAnnotations: StringMap | undefined,
  newRevision: number,
  exists: boolean,
  replicas: number,
  maxReplicas: number,
): AnnotationUpdate {
  const out: Record<string, string> = { ...(rsAnnotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(deploymentAnnotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || out[k] === v) continue;
    out[k] = v;
    changed = true;
  }
  const oldRevision = out[ANNOTATION_REVISION];
  let oldRevisionInt = 0;
  if (oldRevision !== undefined && oldRevision !== "") {
    if (!/^[+-]?[0-9]+$/.test(oldRevision)) return { annotations: out, changed: false };
    oldRevisionInt = Number(oldRevision);
  }
  if (oldRevisionInt < newRevision) {
    out[ANNOTATION_REVISION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) {
      const history = out[ANNOTATION_REVISION_HISTORY] ?? "";
      if (history === "") out[ANNOTATION_REVISION_HISTORY] = oldRevision;
      else {
        let revisions = history.split(",");
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < revisions.length) {
          total -= revisions[start].length + 1;
          start++;
        }
        if (total <= MAX_REV_HISTORY_LENGTH_IN_CHARS) {
          revisions = [...revisions.slice(start), oldRevision];
          out[ANNOTATION_REVISION_HISTORY] = revisions.join(",");
        }
      }
    }
  }
  if (!exists) {
    const r = setReplicasAnnotations(out, replicas, maxReplicas);
    if (r.changed) {
      Object.assign(out, r.annotations);
      changed = true;
    }
  }
  return { annotations: out, changed };
}

/**
 * A pod is available when it is Ready, and has been for more than `minReadySeconds`
 * (pkg/api/v1/pod/util.go IsPodAvailable: `lastTransitionTime + minReadySeconds`
 * strictly before now; with minReadySeconds 0, Ready is enough).
 *
 * @example
 * ```ts
 * // pod: Ready since t = 0 (its Ready condition's lastTransitionTime)
 * isPodAvailable(pod, 10, 10_000); // false: not yet strictly more than 10 s
 * isPodAvailable(pod, 10, 10_001); // true
 * isPodAvailable(pod, 0, 0);       // true: Ready is enough
 * ```
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: SimTime): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const t = pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
  return t !== undefined && t + minReadySeconds * 1000 < now;
}

/**
 * The status counts of one ReplicaSet.
 *
 * @example
 * ```ts
 * const c: ReplicaSetPodCounts = replicaSetPodCounts(pods, 10, now);
 * if (c.nextAvailableAt !== undefined) scheduler.schedule(c.nextAvailableAt - now, handler); // look again then
 * ```
 */
export interface ReplicaSetPodCounts {
  /** `status.replicas`: active pods. */
  readonly statusReplicas: number;
  /** `status.readyReplicas`: active Ready pods. */
  readonly readyReplicas: number;
  /** `status.availableReplicas`: active pods available for `minReadySeconds`. */
  readonly availableReplicas: number;
  /** When a Ready pod not yet available becomes so (ms), if any: the time to look again. */
  readonly nextAvailableAt?: number;
}

/**
 * A ReplicaSet's status counts from its pods, as the ReplicaSet controller computes
 * them (pkg/controller/replicaset/replica_set_utils.go calculateStatus over the active
 * pods, with {@link isPodAvailable}). `nextAvailableAt` is when the ReplicaSet
 * controller would look again: minReadySeconds plus one second after the pod turned
 * Ready (pkg/controller/replicaset/replica_set.go updatePod: "Add a second to avoid
 * milliseconds skew").
 *
 * @example
 * ```ts
 * // Two running pods, Ready since 0 s and 5 s; minReadySeconds 10; now 12 s:
 * replicaSetPodCounts([podReadyAt0, podReadyAt5000], 10, 12_000);
 * // { statusReplicas: 2, readyReplicas: 2, availableReplicas: 1, nextAvailableAt: 16000 }
 * ```
 */
export function replicaSetPodCounts(pods: readonly Pod[], minReadySeconds: number, now: SimTime): ReplicaSetPodCounts {
  let statusReplicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  let next: number | undefined;
  for (const p of pods) {
    if (!isPodActive(p)) continue;
    statusReplicas++;
    if (!isPodReady(p)) continue;
    readyReplicas++;
    if (isPodAvailable(p, minReadySeconds, now)) availableReplicas++;
    else {
      const t = p.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
      if (t !== undefined) {
        const at = t + minReadySeconds * 1000 + 1000;
        if (next === undefined || at < next) next = at;
      }
    }
  }
  return next === undefined ? { statusReplicas, readyReplicas, availableReplicas } : { statusReplicas, readyReplicas, availableReplicas, nextAvailableAt: next };
}
