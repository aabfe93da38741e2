import type { ScenarioResults } from "../run-scenario.js";
import { failed, passed } from "./result.js";
import type { InvariantResult } from "./result.js";

/**
 * Replica bounds during a rollout, as upstream's deployment util computes them
 * (`maxSurge`, `minAvailable` of `@kube-netsim/controllers`): at every Pod, ReplicaSet
 * or Deployment write, the Deployment's ReplicaSets want at most `replicas + maxSurge`
 * pods, and at least `replicas - maxUnavailable` pods are available.
 *
 * @remarks
 * Upstream bounds what the controller asks for (the ReplicaSets' `spec.replicas`); with
 * informer lag the ReplicaSet controller may briefly run one pod more, as in a real
 * cluster, so pods are not counted against the upper bound. Involuntary disruptions void
 * the promise: after a `scale` or a pod deletion the Deployment is not checked until it
 * is complete again (every replica updated and available).
 *
 * @example
 * ```ts
 * checkRolloutBounds(runScenario(s, 7)).pass
 * ```
 */
export function checkRolloutBounds(results: ScenarioResults): InvariantResult {
  const o = results.observations;
  if (o.rolloutViolationCount === 0) return passed(`all ${o.rolloutSamples} Deployment states sampled were within replicas + maxSurge and replicas - maxUnavailable`);
  const lines = o.rolloutViolations.map((v) => `  t=${v.time.toFixed(3)} ms ${v.deployment}: ${v.message}`);
  return failed(`${o.rolloutViolationCount} rollout bound violations in ${o.rolloutSamples} Deployment states sampled:\n${lines.join("\n")}\nactions: ${o.actions.join("; ") || "none"}`);
}
