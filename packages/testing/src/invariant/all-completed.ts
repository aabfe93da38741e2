import type { SimulationResults } from "@kube-netsim/scenario";
import { OUTCOMES } from "@kube-netsim/traffic";
import type { RequestOutcome } from "@kube-netsim/traffic";
import { failed, passed } from "./result.js";
import type { InvariantResult } from "./result.js";

/**
 * Options of {@link checkAllCompleted}.
 *
 * @example
 * ```ts
 * checkAllCompleted(results, { allow: ["dropped", "reset"] }); // an overloaded run may shed load, nothing else
 * ```
 */
export interface AllCompletedOptions {
  /** Failure outcomes that are acceptable, e.g. `["dropped"]` when load shedding is expected. Default none. */
  readonly allow?: readonly Exclude<RequestOutcome, "completed">[];
}

/**
 * Every request completed: none `refused`, `reset`, `timedOut`, `dropped` or `dnsFailed` (except the
 * outcomes in `allow`), none in flight, and at least one request started.
 *
 * @example
 * ```ts
 * checkAllCompleted(results, { allow: ["dropped"] }).pass
 * ```
 */
export function checkAllCompleted(results: SimulationResults, options: AllCompletedOptions = {}): InvariantResult {
  const allow = new Set<RequestOutcome>(options.allow ?? []);
  const o = results.outcomes;
  const bad = OUTCOMES.filter((k) => k !== "completed" && !allow.has(k) && (o[k] ?? 0) > 0); // dnsFailed: only with cluster DNS clients
  if (results.started === 0) return failed("no request was started, so nothing can be said about them");
  if (bad.length > 0 || results.inFlight > 0) {
    const parts = bad.map((k) => `${o[k]} ${k}`);
    if (results.inFlight > 0) parts.push(`${results.inFlight} still in flight`);
    return failed(`of ${results.started} requests, ${parts.join(", ")} (only ${o.completed} completed)`);
  }
  return passed(`all ${results.started} requests completed${allow.size > 0 ? ` (allowing ${[...allow].join(", ")}: ${[...allow].map((k) => o[k]).join(", ")})` : ""}`);
}
