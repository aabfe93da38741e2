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
 */
export type Outcome = "completed" | "refused" | "reset" | "timedOut" | "dropped";

/** All outcomes, in the fixed order used by results and tables. */
export const OUTCOMES: readonly Outcome[] = ["completed", "refused", "reset", "timedOut", "dropped"];

/** Index of an outcome in {@link OUTCOMES}. */
export const OUTCOME_COMPLETED = 0;
/** Index of `refused` in {@link OUTCOMES}. */
export const OUTCOME_REFUSED = 1;
/** Index of `reset` in {@link OUTCOMES}. */
export const OUTCOME_RESET = 2;
/** Index of `timedOut` in {@link OUTCOMES}. */
export const OUTCOME_TIMED_OUT = 3;
/** Index of `dropped` in {@link OUTCOMES}. */
export const OUTCOME_DROPPED = 4;
