/**
 * How a request ended. Every request a simulation starts ends as exactly one of these.
 *
 * - `completed`: served by an endpoint; latency recorded.
 * - `refused`: connection refused: kube-proxy REJECT (no endpoints), or a TCP RST from
 *   a pod IP where nothing listens.
 * - `reset`: the connection was reset while the request was queued or in service (the
 *   pod's application stopped).
 * - `timedOut`: nothing answered before the client's connect timeout: kube-proxy DROP
 *   (Local policy, no local endpoint), no rule for the address yet, or a pod IP that no
 *   longer exists.
 * - `dropped`: the application's queue was full (`queueLimit`), so it shed the request.
 *
 * A client that looks its target up per request can also end a request as `dnsFailed`
 * (see {@link RequestOutcome}).
 *
 * @example
 * ```ts
 * const bad: Outcome[] = ["refused", "reset", "timedOut", "dropped"];
 * const failures = bad.reduce((n, k) => n + sim.results().outcomes[k], 0);
 * ```
 */
export type Outcome = "completed" | "refused" | "reset" | "timedOut" | "dropped";

/**
 * Every way a request can end: an {@link Outcome}, or `dnsFailed`: the client's name
 * lookup failed (NXDOMAIN, NODATA, SERVFAIL or no DNS reply), so no connection was
 * attempted. Only clients with a resolver (`ClientOptions.resolver`) end requests so.
 *
 * @example
 * ```ts
 * engine.setRequestEndListener((outcome: RequestOutcome, start, end) => { // a TrafficEngine of your own
 *   if (outcome === "dnsFailed") console.log(`lookup failed after ${end - start} ms`);
 * });
 * ```
 */
export type RequestOutcome = Outcome | "dnsFailed";

/**
 * All outcomes, in the fixed order used by results and tables.
 *
 * @example
 * ```ts
 * const o = sim.results().outcomes;
 * for (const k of OUTCOMES) if (k in o) console.log(k, o[k as keyof typeof o]); // completed, refused, reset, timedOut, dropped[, dnsFailed]
 * ```
 */
export const OUTCOMES: readonly RequestOutcome[] = ["completed", "refused", "reset", "timedOut", "dropped", "dnsFailed"];

/**
 * Index of an outcome in {@link OUTCOMES}.
 *
 * @example
 * ```ts
 * OUTCOMES[OUTCOME_COMPLETED]; // "completed"
 * ```
 */
export const OUTCOME_COMPLETED = 0;
/**
 * Index of `refused` in {@link OUTCOMES}.
 *
 * @example
 * ```ts
 * OUTCOMES[OUTCOME_REFUSED]; // "refused"
 * ```
 */
export const OUTCOME_REFUSED = 1;
/**
 * Index of `reset` in {@link OUTCOMES}.
 *
 * @example
 * ```ts
 * OUTCOMES[OUTCOME_RESET]; // "reset"
 * ```
 */
export const OUTCOME_RESET = 2;
/**
 * Index of `timedOut` in {@link OUTCOMES}.
 *
 * @example
 * ```ts
 * OUTCOMES[OUTCOME_TIMED_OUT]; // "timedOut"
 * ```
 */
export const OUTCOME_TIMED_OUT = 3;
/**
 * Index of `dropped` in {@link OUTCOMES}.
 *
 * @example
 * ```ts
 * OUTCOMES[OUTCOME_DROPPED]; // "dropped"
 * ```
 */
export const OUTCOME_DROPPED = 4;
/**
 * Index of `dnsFailed` in {@link OUTCOMES}.
 *
 * @example
 * ```ts
 * OUTCOMES[OUTCOME_DNS_FAILED]; // "dnsFailed"
 * ```
 */
export const OUTCOME_DNS_FAILED = 5;
