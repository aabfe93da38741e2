/**
 * The property-testing kit: fast-check arbitraries of the Kubernetes objects and
 * scenarios kube-netsim models, {@link runScenario} to run a scenario with a seed,
 * invariant checkers that return a readable verdict, and Vitest matchers that wrap them
 * ({@link installMatchers}).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { expect, it } from "vitest";
 * import { installMatchers, runScenario, scenario } from "@kube-netsim/testing";
 * installMatchers(expect);
 * it("conserves requests", () => {
 *   fc.assert(fc.property(scenario(), fc.nat(), (s, seed) => {
 *     expect(runScenario(s, seed)).toConserveRequests();
 *   }), { numRuns: 10 });
 * });
 * ```
 *
 * @packageDocumentation
 */
export { endpointConditions, effectiveConditions } from "./arbitrary/endpoint-conditions.js";
export type { EndpointConditionsConstraints, EffectiveConditions } from "./arbitrary/endpoint-conditions.js";
export { pod } from "./arbitrary/pod.js";
export type { PodConstraints } from "./arbitrary/pod.js";
export { endpoint, endpointSlice } from "./arbitrary/endpoint-slice.js";
export type { EndpointSliceConstraints } from "./arbitrary/endpoint-slice.js";
export { service, servicePolicy, serviceManifest } from "./arbitrary/service.js";
export type { ServiceConstraints, ServicePolicy } from "./arbitrary/service.js";
export { nodeLayout } from "./arbitrary/node-layout.js";
export type { NodeLayoutConstraints } from "./arbitrary/node-layout.js";
export { intOrPercent } from "./arbitrary/int-or-percent.js";
export type { IntOrPercentConstraints } from "./arbitrary/int-or-percent.js";
export { rolloutSettings } from "./arbitrary/rollout-settings.js";
export type { RolloutSettings, RolloutSettingsConstraints } from "./arbitrary/rollout-settings.js";
export { kubeProxySettings } from "./arbitrary/kube-proxy-settings.js";
export type { KubeProxySettingsConstraints } from "./arbitrary/kube-proxy-settings.js";
export { applicationSpec, workload, workloadSettings } from "./arbitrary/workload.js";
export type { WorkloadConstraints } from "./arbitrary/workload.js";
export { churnAction, churnSchedule } from "./arbitrary/churn-schedule.js";
export type { ChurnActionKind, ChurnScheduleConstraints } from "./arbitrary/churn-schedule.js";
export { scenario } from "./arbitrary/scenario.js";
export type { ConnectionMode, ScenarioConstraints } from "./arbitrary/scenario.js";
export { describeScenario, workloadManifests, WORKLOAD_CONTAINER_PORT } from "./scenario.js";
export type { ApplicationSpec, ChurnAction, Scenario, ScenarioClient, Workload, WorkloadSettings } from "./scenario.js";
export { runScenario, ANNOTATION_RESTARTED_AT } from "./run-scenario.js";
export type { ScenarioResults } from "./run-scenario.js";
export type { ConnectionViolation, RolloutViolation, ScenarioObservations } from "./observer.js";
export { assertProduceSameValueGivenSameSeed } from "./same-seed.js";
export type { SameSeedOptions } from "./same-seed.js";
export { passed, failed } from "./invariant/result.js";
export type { InvariantResult } from "./invariant/result.js";
export { checkConservation } from "./invariant/conservation.js";
export type { ConservationOptions } from "./invariant/conservation.js";
export { checkAllCompleted } from "./invariant/all-completed.js";
export type { AllCompletedOptions } from "./invariant/all-completed.js";
export { checkSpread } from "./invariant/spread.js";
export type { SpreadOptions, SpreadScope } from "./invariant/spread.js";
export { chiSquareCdf, chiSquareCritical } from "./invariant/chi-square.js";
export { checkReadyEndpointsOnly } from "./invariant/ready-endpoints.js";
export { checkRolloutBounds } from "./invariant/rollout-bounds.js";
export { checkDeterminism } from "./invariant/determinism.js";
export { installMatchers } from "./matchers.js";
export type { KubeNetsimMatchers } from "./matchers.js";
