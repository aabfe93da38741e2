import fc from "fast-check";
import { workloadManifests } from "../scenario.js";
import type { ApplicationSpec, Workload, WorkloadSettings } from "../scenario.js";
import { rolloutSettings } from "./rollout-settings.js";
import type { RolloutSettingsConstraints } from "./rollout-settings.js";
import { servicePolicy } from "./service.js";
import type { ServiceConstraints } from "./service.js";

/**
 * Options of {@link workloadSettings} and {@link workload}.
 *
 * @example
 * ```ts
 * const constraints: WorkloadConstraints = {
 *   name: "web",
 *   rollout: { maxReplicas: 4 },
 *   service: { internalTrafficPolicies: ["Cluster"] },
 *   preStopSeconds: fc.constant(5),
 *   onSigterm: ["drain"],
 * };
 * workload(constraints); // Deployment and Service "web", every pod sleeping 5 s in preStop
 * ```
 */
export interface WorkloadConstraints {
  /** Name of the Deployment and Service. Default `api`. */
  readonly name?: string;
  /** Rollout settings constraints. */
  readonly rollout?: RolloutSettingsConstraints;
  /** Service policy constraints. */
  readonly service?: Omit<ServiceConstraints, "name" | "selector">;
  /** preStop sleep seconds. Default `fc.constantFrom(0, 1, 5)`. */
  readonly preStopSeconds?: fc.Arbitrary<number>;
  /** `terminationGracePeriodSeconds`. Default `fc.constantFrom(30, 1, 10)`. */
  readonly terminationGracePeriodSeconds?: fc.Arbitrary<number>;
  /** What applications may do on SIGTERM. Default both, `drain` first. */
  readonly onSigterm?: readonly ("exit" | "drain")[];
}

/**
 * The application of a workload: concurrency 1..4, an exponential service time of mean
 * 1..10 ms, and what it does on SIGTERM. Shrinks towards one request at a time, 1 ms.
 *
 * @example
 * ```ts
 * fc.sample(applicationSpec(), 1) // [{ concurrency: 2, meanServiceTimeMs: 7, onSigterm: "drain" }]
 * ```
 */
export function applicationSpec(onSigterm: readonly ("exit" | "drain")[] = ["drain", "exit"]): fc.Arbitrary<ApplicationSpec> {
  return fc.record({
    concurrency: fc.integer({ min: 1, max: 4 }),
    meanServiceTimeMs: fc.integer({ min: 1, max: 10 }),
    onSigterm: fc.constantFrom(...onSigterm),
  });
}

/**
 * The settings of one workload (see {@link WorkloadSettings}): rollout settings, Service
 * policies, preStop hook, grace period and application. Counter-examples print these
 * few fields rather than whole manifests; {@link workloadManifests} builds the manifests.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(workloadSettings({ onSigterm: ["drain"] }), (s) => s.application.onSigterm === "drain"));
 * ```
 */
export function workloadSettings(constraints: WorkloadConstraints = {}): fc.Arbitrary<WorkloadSettings> {
  const name = constraints.name ?? "api";
  return fc.record({
    name: fc.constant(name),
    rollout: rolloutSettings(constraints.rollout),
    policy: servicePolicy({ ...constraints.service, name }),
    preStopSeconds: constraints.preStopSeconds ?? fc.constantFrom(0, 1, 5),
    terminationGracePeriodSeconds: constraints.terminationGracePeriodSeconds ?? fc.constantFrom(30, 1, 10),
    application: applicationSpec(constraints.onSigterm),
  });
}

/**
 * A workload (Deployment, Service, application) built from {@link workloadSettings}.
 * Every manifest passes the model's validation.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(workload(), (w) => validateObject(w.deployment).length === 0));
 * ```
 */
export function workload(constraints: WorkloadConstraints = {}): fc.Arbitrary<Workload> {
  return workloadSettings(constraints).map(workloadManifests);
}
