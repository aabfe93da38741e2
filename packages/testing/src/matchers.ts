import type { ExpectStatic } from "vitest";
import type { SimulationResults } from "@kube-netsim/scenario";
import { checkAllCompleted } from "./invariant/all-completed.js";
import type { AllCompletedOptions } from "./invariant/all-completed.js";
import { checkConservation } from "./invariant/conservation.js";
import type { ConservationOptions } from "./invariant/conservation.js";
import { checkDeterminism } from "./invariant/determinism.js";
import { checkReadyEndpointsOnly } from "./invariant/ready-endpoints.js";
import type { InvariantResult } from "./invariant/result.js";
import { checkRolloutBounds } from "./invariant/rollout-bounds.js";
import { checkSpread } from "./invariant/spread.js";
import type { SpreadOptions } from "./invariant/spread.js";
import type { ScenarioResults } from "./run-scenario.js";
import type { Scenario } from "./scenario.js";

/**
 * The Vitest matchers {@link installMatchers} adds, each wrapping one invariant checker.
 * `T` is the type of the value under test (unused, as Vitest requires).
 *
 * @example
 * ```ts
 * installMatchers(expect);
 * expect(runScenario(s, 1)).toConserveRequests();
 * expect(results).toSpreadEvenly({ tolerance: 0.1 });
 * expect(s).toBeDeterministic(42);
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export interface KubeNetsimMatchers<T = unknown> {
  /** {@link checkConservation}: no request lost or counted twice (on `SimulationResults`). */
  toConserveRequests(options?: ConservationOptions): void;
  /** {@link checkAllCompleted}: every request completed, none refused, reset, timed out or dropped (on `SimulationResults`). */
  toCompleteEveryRequest(options?: AllCompletedOptions): void;
  /** {@link checkSpread}: completed requests spread evenly over the endpoints, within a tolerance (on `SimulationResults`). */
  toSpreadEvenly(options: SpreadOptions): void;
  /** {@link checkReadyEndpointsOnly}: no new connection to a non-ready endpoint once a node is synced (on {@link ScenarioResults}). */
  toConnectOnlyToReadyEndpoints(): void;
  /** {@link checkRolloutBounds}: replica bounds held during rollouts (on {@link ScenarioResults}). */
  toRespectRolloutBounds(): void;
  /** {@link checkDeterminism}: the same seed gives the same digest and results (on a {@link Scenario}). */
  toBeDeterministic(seed: number | string): void;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends KubeNetsimMatchers<T> {}
}

function isResults(v: unknown): v is SimulationResults {
  return typeof v === "object" && v !== null && "outcomes" in v && "started" in v && "endpoints" in v;
}

function isScenarioResults(v: unknown): v is ScenarioResults {
  return isResults(v) && "observations" in v;
}

function isScenario(v: unknown): v is Scenario {
  return typeof v === "object" && v !== null && "workloads" in v && "clients" in v && "schedule" in v;
}

type MatcherResult = { pass: boolean; message: () => string };

function wrap(r: InvariantResult): MatcherResult {
  return { pass: r.pass, message: () => r.message };
}

function wrong(what: string, received: unknown): MatcherResult {
  const text = typeof received === "object" && received !== null ? `an object with keys ${Object.keys(received).join(", ")}` : String(received);
  return { pass: false, message: () => `expected ${what}, received ${text}` };
}

const installed = new WeakSet<object>();

/**
 * Registers the kube-netsim matchers ({@link KubeNetsimMatchers}) with Vitest's `expect`.
 * Call it once, in a setup file or at the top of a test file; calling it again with the
 * same `expect` does nothing. The TypeScript declarations come with
 * `import "@kube-netsim/testing"`.
 *
 * @remarks
 * `expect` is passed in rather than imported, so that the kit itself never imports
 * Vitest at run time: its arbitraries, `runScenario` and checkers also work in a plain
 * Node script or under another test runner.
 *
 * @example
 * ```ts
 * import { expect } from "vitest";
 * import { installMatchers } from "@kube-netsim/testing";
 * installMatchers(expect);
 * ```
 */
export function installMatchers(expect: ExpectStatic): void {
  if (installed.has(expect)) return;
  installed.add(expect);
  expect.extend({
    toConserveRequests(received: unknown, options?: ConservationOptions) {
      return isResults(received) ? wrap(checkConservation(received, options)) : wrong("SimulationResults", received);
    },
    toCompleteEveryRequest(received: unknown, options?: AllCompletedOptions) {
      return isResults(received) ? wrap(checkAllCompleted(received, options)) : wrong("SimulationResults", received);
    },
    toSpreadEvenly(received: unknown, options: SpreadOptions) {
      return isResults(received) ? wrap(checkSpread(received, options)) : wrong("SimulationResults", received);
    },
    toConnectOnlyToReadyEndpoints(received: unknown) {
      return isScenarioResults(received) ? wrap(checkReadyEndpointsOnly(received)) : wrong("the ScenarioResults of runScenario", received);
    },
    toRespectRolloutBounds(received: unknown) {
      return isScenarioResults(received) ? wrap(checkRolloutBounds(received)) : wrong("the ScenarioResults of runScenario", received);
    },
    toBeDeterministic(received: unknown, seed: number | string) {
      return isScenario(received) ? wrap(checkDeterminism(received, seed)) : wrong("a Scenario", received);
    },
  });
}
