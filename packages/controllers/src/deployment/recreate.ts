/**
 * The Recreate strategy's rules (pkg/controller/deployment/recreate.go): every old
 * ReplicaSet to 0, wait until no old pod runs, then the new ReplicaSet to full size.
 *
 * @packageDocumentation
 */
import type { PodPhase } from "@kube-netsim/model";
import type { ScaleStep } from "./rolling.js";
import type { ReplicaSetState } from "./util.js";
import { actualReplicaCount } from "./util.js";

/**
 * Every active old ReplicaSet scaled to 0 (recreate.go scaleDownOldReplicaSetsForRecreate).
 *
 * @example
 * ```ts
 * scaleDownOldReplicaSetsForRecreate([{ name: "web-6b7f", replicas: 10 }, { name: "web-4c1a", replicas: 0 }]);
 * // [{ name: "web-6b7f", replicas: 0 }]
 * ```
 */
export function scaleDownOldReplicaSetsForRecreate(oldRSs: readonly ReplicaSetState[]): ScaleStep[] {
  return oldRSs.filter((rs) => rs.replicas !== 0).map((rs) => ({ name: rs.name, replicas: 0 }));
}

/**
 * Whether old pods still run (recreate.go oldPodsRunning): an old ReplicaSet reports
 * pods in `status.replicas`, or a pod of a ReplicaSet other than the new one exists in
 * a phase other than Succeeded, Failed or Unknown. Terminating pods count: Recreate
 * waits until they are gone.
 *
 * @param otherPodPhases - phases of the pods owned by the Deployment's ReplicaSets other than the new one.
 *
 * @example
 * ```ts
 * const scaledDown = { name: "web-6b7f", replicas: 0, statusReplicas: 0 };
 * oldPodsRunning([scaledDown], ["Running"]);             // true: wait before creating the new pods
 * oldPodsRunning([scaledDown], ["Succeeded", "Failed"]); // false
 * ```
 */
export function oldPodsRunning(oldRSs: readonly ReplicaSetState[], otherPodPhases: readonly (PodPhase | undefined)[]): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const phase of otherPodPhases) {
    if (phase === "Failed" || phase === "Succeeded" || phase === "Unknown") continue;
    return true;
  }
  return false;
}
