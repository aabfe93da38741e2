import type { ScenarioResults } from "../run-scenario.js";
import { failed, passed } from "./result.js";
import type { InvariantResult } from "./result.js";

/**
 * No new connection to a non-ready endpoint once a node is synced: every new connection
 * of a `per-request` client went to an endpoint its node's kube-proxy may use (Ready,
 * or serving-and-terminating when none is Ready; the node's own only, for
 * `internalTrafficPolicy: Local`), unless the EndpointSlice change that made it unusable
 * had not yet reached that node's kube-proxy through a sync.
 *
 * @remarks
 * "Synced" means: the node's kube-proxy ran a sync strictly after the change was written
 * plus the watch delay, and strictly before the connection. Connections in between (the
 * propagation window) are allowed; they are what a preStop sleep covers. Keep-alive and
 * multiplexed clients reuse connections opened earlier and are not checked.
 *
 * @example
 * ```ts
 * const verdict = checkReadyEndpointsOnly(runScenario(s, 1));
 * ```
 */
export function checkReadyEndpointsOnly(results: ScenarioResults): InvariantResult {
  const o = results.observations;
  if (o.connectionViolationCount === 0) {
    return passed(`none of the ${o.connectionsChecked} new connections went to an unusable endpoint on a synced node`);
  }
  const lines = o.connectionViolations.map(
    (v) =>
      `  t=${v.time.toFixed(3)} ms ${v.client} on ${v.node} -> ${v.service} ${v.endpoint}: unusable since ${v.unusableSince.toFixed(3)} ms, node synced at ${v.syncedAt.toFixed(3)} ms`,
  );
  return failed(`${o.connectionViolationCount} of ${o.connectionsChecked} new connections went to an endpoint that was not usable although the node had synced:\n${lines.join("\n")}`);
}
