import fc from "fast-check";
import type { ChurnAction } from "../scenario.js";

/**
 * The kinds of {@link ChurnAction}.
 *
 * @example
 * ```ts
 * const kinds: ChurnActionKind[] = ["scale", "deletePod", "rollout"];
 * churnSchedule({ actions: kinds.filter((k) => k !== "scale") }); // pod deletions and rollout restarts only
 * ```
 */
export type ChurnActionKind = ChurnAction["action"];

/**
 * Options of {@link churnAction} and {@link churnSchedule}.
 *
 * @example
 * ```ts
 * const constraints: ChurnScheduleConstraints = { deployments: ["api", "web"], within: 5_000, actions: ["scale", "deletePod"], minReplicas: 1, maxReplicas: 5, maxActions: 3 };
 * fc.sample(churnSchedule(constraints), { seed: 3, numRuns: 1 });
 * // [[{ at: 301, action: "deletePod", deployment: "web", pod: 2 }, { at: 876, action: "deletePod", deployment: "api", pod: 5 }, ...]]
 * ```
 */
export interface ChurnScheduleConstraints {
  /** Deployments the actions act on. Default `["api"]`. */
  readonly deployments?: readonly string[];
  /** Latest `at` (ms after the clients start). Default 10 000. */
  readonly within?: number;
  /** Kinds of actions. Default all: `scale`, `deletePod`, `rollout`. */
  readonly actions?: readonly ChurnActionKind[];
  /** Fewest replicas a `scale` asks for. Default 0. */
  readonly minReplicas?: number;
  /** Most replicas a `scale` asks for. Default 6. */
  readonly maxReplicas?: number;
  /** Most actions in a schedule. Default 4. */
  readonly maxActions?: number;
}

/**
 * One timed churn action: scale a Deployment, delete one of its pods, or restart its
 * rollout (see {@link ChurnAction}).
 *
 * @remarks
 * Shrinks towards `at: 0` and the first kind listed.
 *
 * @example
 * ```ts
 * fc.sample(churnAction({ deployments: ["api"] }), 1) // [{ at: 2310, action: "deletePod", deployment: "api", pod: 1 }]
 * ```
 */
export function churnAction(constraints: ChurnScheduleConstraints = {}): fc.Arbitrary<ChurnAction> {
  const deployments = constraints.deployments ?? ["api"];
  const kinds = constraints.actions ?? (["deletePod", "scale", "rollout"] as const);
  if (deployments.length === 0) throw new RangeError(`deployments: Required value: at least one Deployment name`);
  if (kinds.length === 0) throw new RangeError(`actions: Required value: at least one action kind`);
  const within = constraints.within ?? 10_000;
  if (!(within >= 0)) throw new RangeError(`within: Invalid value: ${within}: must be >= 0`);
  return fc
    .record({
      at: fc.integer({ min: 0, max: Math.floor(within) }),
      action: fc.constantFrom(...kinds),
      deployment: fc.constantFrom(...deployments),
      n: fc.integer({ min: constraints.minReplicas ?? 0, max: constraints.maxReplicas ?? 6 }),
    })
    .map(({ at, action, deployment, n }): ChurnAction => {
      switch (action) {
        case "scale":
          return { at, action, deployment, replicas: n };
        case "deletePod":
          return { at, action, deployment, pod: n };
        case "rollout":
          return { at, action, deployment };
      }
    });
}

/**
 * A churn schedule: 0 to `maxActions` {@link churnAction}s in time order.
 *
 * @remarks
 * Shrinks towards the empty schedule, then fewer and earlier actions.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(churnSchedule({ actions: ["deletePod"] }), (s) => s.every((a) => a.action === "deletePod")));
 * ```
 */
export function churnSchedule(constraints: ChurnScheduleConstraints = {}): fc.Arbitrary<ChurnAction[]> {
  return fc.array(churnAction(constraints), { maxLength: constraints.maxActions ?? 4 }).map((actions) => [...actions].sort((a, b) => a.at - b.at));
}
