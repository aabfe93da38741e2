/**
 * The verdict of an invariant checker: whether the invariant holds, and a readable
 * message that says why (for a failure, what broke and the numbers; for a pass, what was
 * checked, which `expect(...).not` prints).
 */
export interface InvariantResult {
  /** Whether the invariant holds. */
  readonly pass: boolean;
  /** What was checked and, on failure, what broke. */
  readonly message: string;
}

/** Builds a passing {@link InvariantResult}. */
export function passed(message: string): InvariantResult {
  return { pass: true, message };
}

/** Builds a failing {@link InvariantResult}. */
export function failed(message: string): InvariantResult {
  return { pass: false, message };
}
