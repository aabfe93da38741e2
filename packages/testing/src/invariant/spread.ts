import type { EndpointResult, SimulationResults } from "@kube-netsim/scenario";
import { chiSquareCdf, chiSquareCritical } from "./chi-square.js";
import { failed, passed } from "./result.js";
import type { InvariantResult } from "./result.js";

/**
 * Options of {@link checkSpread}: how even the completed requests must be across the
 * endpoints, by one of two tests.
 *
 * - `max-relative-deviation` (default): every endpoint's count is within `tolerance`
 *   (a fraction, e.g. 0.1 for ±10 %) of the mean count.
 * - `chi-square`: Pearson's goodness-of-fit test against equal shares does not reject at
 *   significance `alpha` (default 0.001): the statistic is at most the critical value for
 *   `endpoints - 1` degrees of freedom.
 *
 * @example
 * ```ts
 * const loose: SpreadOptions = { tolerance: 0.1 };                               // each endpoint within 10 % of the mean
 * const strict: SpreadOptions = { method: "chi-square", alpha: 0.001, endpoints: 3 }; // and all 3 endpoints served
 * ```
 */
export type SpreadOptions =
  | (SpreadScope & {
      readonly method?: "max-relative-deviation";
      /** Largest allowed |count - mean| / mean. */
      readonly tolerance: number;
    })
  | (SpreadScope & {
      readonly method: "chi-square";
      /** Significance level. Default 0.001. */
      readonly alpha?: number;
    });

/**
 * Which endpoints a spread is checked over (see {@link SpreadOptions}).
 *
 * @example
 * ```ts
 * checkSpread(results, { tolerance: 0.1, filter: (e) => e.node === "node-1" }); // only node-1's endpoints
 * ```
 */
export interface SpreadScope {
  /** How many endpoints should share the requests (those with none count as 0). Default: those that completed any. */
  readonly endpoints?: number;
  /** Only these endpoints, e.g. `(e) => e.pod.startsWith("api-")` when several Services took traffic. Default: all. */
  readonly filter?: (endpoint: EndpointResult) => boolean;
}

/**
 * Traffic spread evenly over the endpoints: the completed requests per endpoint are
 * within a stated tolerance of equal shares (see {@link SpreadOptions}).
 *
 * @remarks
 * kube-proxy balances connections, not requests: expect an even spread from
 * `per-request` clients, not from one keep-alive pool (spec "ten things" 3). With n
 * requests over k endpoints the counts' standard deviation is about sqrt(n/k); a
 * relative tolerance t needs n/k well above 1/t² to pass reliably.
 *
 * @example
 * ```ts
 * checkSpread(results, { tolerance: 0.1 })                       // each within ±10 % of the mean
 * checkSpread(results, { method: "chi-square", alpha: 0.001, endpoints: 3 })
 * ```
 */
export function checkSpread(results: SimulationResults, options: SpreadOptions): InvariantResult {
  const chosen = options.filter === undefined ? results.endpoints : results.endpoints.filter(options.filter);
  const counts = chosen.map((e) => e.completed);
  const k = options.endpoints ?? counts.length;
  if (!(Number.isInteger(k) && k >= counts.length)) {
    throw new RangeError(`endpoints: Invalid value: ${k}: must be an integer >= the ${counts.length} endpoints that completed requests`);
  }
  while (counts.length < k) counts.push(0);
  const n = counts.reduce((a, b) => a + b, 0);
  const table = chosen.map((e) => `${e.address} ${e.completed}`).join(", ") + (k > chosen.length ? ` and ${k - chosen.length} with none` : "");
  if (n === 0 || k === 0) return failed("no request completed, so there is no spread to check");
  const mean = n / k;
  if (options.method === "chi-square") {
    const alpha = options.alpha ?? 0.001;
    if (k === 1) return passed(`one endpoint took all ${n} requests`);
    const stat = counts.reduce((s, c) => s + ((c - mean) * (c - mean)) / mean, 0);
    const critical = chiSquareCritical(alpha, k - 1);
    const p = 1 - chiSquareCdf(stat, k - 1);
    const text = `chi-square ${stat.toFixed(3)} vs critical ${critical.toFixed(3)} (alpha ${alpha}, ${k - 1} degrees of freedom, p = ${p.toPrecision(3)}) over ${n} requests: ${table}`;
    return stat <= critical ? passed(`spread evenly: ${text}`) : failed(`not spread evenly: ${text}`);
  }
  const tolerance = options.tolerance;
  if (!(tolerance >= 0)) throw new RangeError(`tolerance: Invalid value: ${tolerance}: must be a fraction >= 0, e.g. 0.1 for 10 %`);
  let worst = 0;
  for (const c of counts) worst = Math.max(worst, Math.abs(c - mean) / mean);
  const text = `largest deviation from the mean ${mean.toFixed(1)} is ${(worst * 100).toFixed(2)} % (tolerance ${(tolerance * 100).toFixed(2)} %) over ${k} endpoints: ${table}`;
  return worst <= tolerance ? passed(`spread evenly: ${text}`) : failed(`not spread evenly: ${text}`);
}
