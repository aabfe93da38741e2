import type { SimulationResults } from "@kube-netsim/scenario";
import { OUTCOMES } from "@kube-netsim/traffic";
import { failed, passed } from "./result.js";
import type { InvariantResult } from "./result.js";

/**
 * Options of {@link checkConservation}.
 *
 * @example
 * ```ts
 * checkConservation(sim.results(), { drained: false }); // mid-run: requests may still be in flight
 * ```
 */
export interface ConservationOptions {
  /** Also require that nothing is in flight (the run was drained). Default true. */
  readonly drained?: boolean;
}

/**
 * No request lost or counted twice: `started = completed + refused + reset + timedOut +
 * dropped (+ dnsFailed) + inFlight`; the endpoints' completed counts add up to `completed`; the latency
 * histogram holds exactly the completed requests; and, after a drain, nothing is in
 * flight.
 *
 * @example
 * ```ts
 * const verdict = checkConservation(sim.results());
 * if (!verdict.pass) throw new Error(verdict.message);
 * ```
 */
export function checkConservation(results: SimulationResults, options: ConservationOptions = {}): InvariantResult {
  const o = results.outcomes;
  // `dnsFailed` is counted only when some client looks its target up through cluster DNS.
  const kinds = OUTCOMES.filter((k) => o[k] !== undefined);
  const ended = kinds.reduce((n, k) => n + (o[k] ?? 0), 0);
  const problems: string[] = [];
  if (results.started !== ended + results.inFlight) {
    problems.push(`started ${results.started} != ended ${ended} (${kinds.map((k) => `${k} ${o[k]}`).join(", ")}) + inFlight ${results.inFlight}`);
  }
  const byEndpoint = results.endpoints.reduce((n, e) => n + e.completed, 0);
  if (byEndpoint !== o.completed) problems.push(`the endpoints completed ${byEndpoint} requests, the outcomes say ${o.completed}`);
  if (results.latency.count !== o.completed) problems.push(`the latency histogram holds ${results.latency.count} requests, ${o.completed} completed`);
  if ((options.drained ?? true) && results.inFlight !== 0) problems.push(`${results.inFlight} requests still in flight after the run (drain it first, or pass { drained: false })`);
  if (problems.length > 0) return failed(`requests are not conserved: ${problems.join("; ")}`);
  return passed(`every one of the ${results.started} requests ended in exactly one outcome (${kinds.map((k) => `${k} ${o[k]}`).join(", ")})`);
}
