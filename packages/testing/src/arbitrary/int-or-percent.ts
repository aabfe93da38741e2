import fc from "fast-check";
import type { IntOrPercent } from "@kube-netsim/controllers";

/**
 * Options of {@link intOrPercent}.
 *
 * @example
 * ```ts
 * intOrPercent({ maxInt: 2, maxPercent: 50 }); // 0, 1, 2 or "0%".."50%"
 * ```
 */
export interface IntOrPercentConstraints {
  /** Largest integer value. Default 4. */
  readonly maxInt?: number;
  /** Largest percentage. Default 100. */
  readonly maxPercent?: number;
}

/**
 * An `intstr.IntOrString` as `maxSurge` and `maxUnavailable` take it: an integer
 * `0..maxInt` or a percentage string `"0%"..."<maxPercent>%"`.
 *
 * @remarks
 * Shrinks towards the integer `0` (a percentage shrinks to an integer first). Resolve a value the way upstream does with
 * `resolveFenceposts` of `@kube-netsim/controllers`
 * (k8s.io/apimachinery/pkg/util/intstr `GetScaledValueFromIntOrPercent`).
 *
 * @example
 * ```ts
 * fc.sample(intOrPercent(), 3) // [2, "25%", "100%"]
 * ```
 */
export function intOrPercent(constraints: IntOrPercentConstraints = {}): fc.Arbitrary<IntOrPercent> {
  // One record rather than fc.oneof, so that shrinking can turn a percentage into an integer.
  return fc
    .record({ percent: fc.boolean(), int: fc.integer({ min: 0, max: constraints.maxInt ?? 4 }), pct: fc.integer({ min: 0, max: constraints.maxPercent ?? 100 }) })
    .map(({ percent, int, pct }): IntOrPercent => (percent ? `${pct}%` : int));
}
