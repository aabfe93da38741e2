/**
 * The verdict of an invariant checker: whether the invariant holds, and a readable
 * message that says why (for a failure, what broke and the numbers; for a pass, what was
 * checked, which `expect(...).not` prints).
 *
 * @example
 * ```ts
 * const r: InvariantResult = checkConservation(runScenario(s, 42)); // s: the example of Scenario
 * r.pass;    // true
 * r.message; // "every one of the 465 requests ended in exactly one outcome (completed 465, ...)"
 * ```
 */
export interface InvariantResult {
  /** Whether the invariant holds. */
  readonly pass: boolean;
  /** What was checked and, on failure, what broke. */
  readonly message: string;
}

/**
 * Builds a passing {@link InvariantResult}.
 *
 * @example
 * ```ts
 * const everyRequestEnded = (r: SimulationResults): InvariantResult =>
 *   r.inFlight === 0 ? passed(`all ${r.started} requests ended`) : failed(`${r.inFlight} requests still in flight`);
 * ```
 */
export function passed(message: string): InvariantResult {
  return { pass: true, message };
}

/**
 * Builds a failing {@link InvariantResult}.
 *
 * @example
 * ```ts
 * failed("3 requests timed out, expected none"); // { pass: false, message: "3 requests timed out, expected none" }
 * ```
 */
export function failed(message: string): InvariantResult {
  return { pass: false, message };
}
