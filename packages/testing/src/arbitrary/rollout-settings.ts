import fc from "fast-check";
import type { IntOrPercent } from "@kube-netsim/controllers";
import { intOrPercent } from "./int-or-percent.js";

/**
 * How a Deployment rolls out: the fields of its spec that the Deployment controller's rollout rules read.
 *
 * @example
 * ```ts
 * const settings: RolloutSettings = { replicas: 4, strategy: "RollingUpdate", maxSurge: "25%", maxUnavailable: 0, minReadySeconds: 1 };
 * ```
 */
export interface RolloutSettings {
  /** `spec.replicas`. */
  readonly replicas: number;
  /** `spec.strategy.type`. */
  readonly strategy: "RollingUpdate" | "Recreate";
  /** `spec.strategy.rollingUpdate.maxSurge` (RollingUpdate only). */
  readonly maxSurge?: IntOrPercent;
  /** `spec.strategy.rollingUpdate.maxUnavailable` (RollingUpdate only). */
  readonly maxUnavailable?: IntOrPercent;
  /** `spec.minReadySeconds`. */
  readonly minReadySeconds: number;
}

/**
 * Options of {@link rolloutSettings}.
 *
 * @example
 * ```ts
 * const constraints: RolloutSettingsConstraints = {
 *   minReplicas: 2,
 *   maxReplicas: 10,
 *   strategies: ["RollingUpdate", "Recreate"],
 *   maxSurge: fc.constantFrom(1, "25%"),
 *   maxUnavailable: fc.constant(0), // zero-downtime rollouts only
 * };
 * rolloutSettings(constraints);
 * ```
 */
export interface RolloutSettingsConstraints {
  /** Fewest replicas. Default 1. */
  readonly minReplicas?: number;
  /** Most replicas. Default 6. */
  readonly maxReplicas?: number;
  /** Strategies to draw from. Default `["RollingUpdate"]`. */
  readonly strategies?: readonly ("RollingUpdate" | "Recreate")[];
  /** Most `minReadySeconds`. Default 3. */
  readonly maxMinReadySeconds?: number;
  /** `maxSurge` values. Default {@link intOrPercent}. */
  readonly maxSurge?: fc.Arbitrary<IntOrPercent>;
  /** `maxUnavailable` values. Default {@link intOrPercent}. */
  readonly maxUnavailable?: fc.Arbitrary<IntOrPercent>;
}

const isZero = (v: IntOrPercent): boolean => v === 0 || v === "0%";

/**
 * Rollout settings a Deployment may have: `replicas`, the strategy, `maxSurge` and
 * `maxUnavailable` as numbers or percentages, and `minReadySeconds`.
 *
 * @remarks
 * Always valid: when both fenceposts are literally 0 (which the API server refuses,
 * pkg/apis/apps/validation `ValidateRollingUpdateDeployment`), `maxUnavailable` becomes 1;
 * percentages that only round to 0 are kept (the controller then allows 1 unavailable,
 * pkg/controller/deployment/util `ResolveFenceposts`). Shrinks towards 1 replica,
 * `maxSurge: 0, maxUnavailable: 1`, `minReadySeconds: 0`.
 *
 * @example
 * ```ts
 * fc.sample(rolloutSettings(), 1) // [{ replicas: 4, strategy: "RollingUpdate", maxSurge: "25%", maxUnavailable: 0, minReadySeconds: 1 }]
 * ```
 */
export function rolloutSettings(constraints: RolloutSettingsConstraints = {}): fc.Arbitrary<RolloutSettings> {
  const strategies = constraints.strategies ?? ["RollingUpdate"];
  return fc
    .record({
      replicas: fc.integer({ min: constraints.minReplicas ?? 1, max: constraints.maxReplicas ?? 6 }),
      strategy: fc.constantFrom(...strategies),
      maxSurge: constraints.maxSurge ?? intOrPercent(),
      maxUnavailable: constraints.maxUnavailable ?? intOrPercent(),
      minReadySeconds: fc.integer({ min: 0, max: constraints.maxMinReadySeconds ?? 3 }),
    })
    .map((r): RolloutSettings => {
      if (r.strategy === "Recreate") return { replicas: r.replicas, strategy: "Recreate", minReadySeconds: r.minReadySeconds };
      const maxUnavailable = isZero(r.maxSurge) && isZero(r.maxUnavailable) ? 1 : r.maxUnavailable;
      return { replicas: r.replicas, strategy: "RollingUpdate", maxSurge: r.maxSurge, maxUnavailable, minReadySeconds: r.minReadySeconds };
    });
}
