import fc from "fast-check";
import type { ConnectionPolicy } from "@kube-netsim/traffic";
import { describeScenario, workloadManifests } from "../scenario.js";
import type { ChurnAction, Scenario, ScenarioClient, Workload } from "../scenario.js";
import { churnSchedule } from "./churn-schedule.js";
import type { ChurnScheduleConstraints } from "./churn-schedule.js";
import { kubeProxySettings } from "./kube-proxy-settings.js";
import type { KubeProxySettingsConstraints } from "./kube-proxy-settings.js";
import { nodeLayout } from "./node-layout.js";
import type { NodeLayoutConstraints } from "./node-layout.js";
import { workloadSettings } from "./workload.js";
import type { WorkloadConstraints } from "./workload.js";

/**
 * How a generated client uses connections.
 *
 * @example
 * ```ts
 * const modes: ConnectionMode[] = ["per-request", "keep-alive"];
 * scenario({ connections: modes.slice(0, 1) }); // every client opens a new connection per request
 * ```
 */
export type ConnectionMode = ConnectionPolicy["mode"];

/**
 * Options of {@link scenario}.
 *
 * @example
 * ```ts
 * const small = scenario({ nodes: { minNodes: 2, maxNodes: 3 }, maxClients: 2, maxRate: 200, connections: ["per-request", "keep-alive"] });
 * ```
 */
export interface ScenarioConstraints {
  /** Node layout constraints. */
  readonly nodes?: NodeLayoutConstraints;
  /** kube-proxy constraints (modes, IPVS schedulers). */
  readonly kubeProxy?: KubeProxySettingsConstraints;
  /** Fixed workloads (your own manifests). When absent, 1 to `maxWorkloads` are generated. */
  readonly workloads?: readonly Workload[];
  /** Constraints of generated workloads (ignored with fixed `workloads`). */
  readonly workload?: Omit<WorkloadConstraints, "name">;
  /** Most generated workloads (named `api`, `web`, `auth`, `cart`). Default 2. */
  readonly maxWorkloads?: number;
  /** Fewest clients. Default 1. */
  readonly minClients?: number;
  /** Most clients. Default 2. */
  readonly maxClients?: number;
  /** Lowest client rate, requests per second. Default 20. */
  readonly minRate?: number;
  /** Highest client rate, requests per second. Default 200. */
  readonly maxRate?: number;
  /** Connection modes of clients. Default `["per-request", "keep-alive"]`. */
  readonly connections?: readonly ConnectionMode[];
  /** Churn schedule constraints (the Deployments are the scenario's). */
  readonly churn?: Omit<ChurnScheduleConstraints, "deployments" | "within">;
  /** Watch delays (API server to every watcher, ms) to draw from. Default: the scenario leaves it to `runScenario` (5 ms). */
  readonly watchDelays?: readonly number[];
  /** Shortest run, ms. Default 2000. */
  readonly minDuration?: number;
  /** Longest run, ms. Default 8000. */
  readonly maxDuration?: number;
}

const WORKLOAD_NAMES = ["api", "web", "auth", "cart"] as const;

function connectionPolicy(mode: ConnectionMode): ConnectionPolicy {
  return mode === "keep-alive" ? { mode, poolSize: 4 } : { mode };
}

/**
 * A whole {@link Scenario}: a node layout, kube-proxy settings, workloads (generated, or
 * yours), clients on random nodes calling the workloads' Services, a churn schedule and
 * a duration. Run one with {@link runScenario}.
 *
 * @remarks
 * Clients and actions pick their node, Service and Deployment by index, so shrinking
 * one part never invalidates another. Actions at or after `duration` are dropped.
 * Shrinks towards one node, one workload of one replica, one slow per-request client,
 * no churn and the shortest duration. Counter-examples print as
 * {@link describeScenario} text.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(scenario({ kubeProxy: { modes: ["ipvs"] } }), fc.integer(), (s, seed) => {
 *   expect(runScenario(s, seed)).toConserveRequests();
 * }), { numRuns: 10 });
 * ```
 */
export function scenario(constraints: ScenarioConstraints = {}): fc.Arbitrary<Scenario> {
  const maxWorkloads = Math.min(constraints.maxWorkloads ?? 2, WORKLOAD_NAMES.length);
  const fixed = constraints.workloads;
  if (fixed !== undefined && fixed.length === 0) throw new RangeError(`workloads: Required value: at least one workload`);
  const workloads: fc.Arbitrary<readonly Workload[]> =
    fixed !== undefined
      ? fc.constant(fixed)
      : fc
          .array(workloadSettings({ ...constraints.workload }), { minLength: 1, maxLength: maxWorkloads })
          .map((all) => all.map((s, i) => workloadManifests({ ...s, name: WORKLOAD_NAMES[i] })));
  const minDuration = constraints.minDuration ?? 2000;
  const maxDuration = constraints.maxDuration ?? 8000;
  if (!(minDuration >= 0 && maxDuration >= minDuration)) throw new RangeError(`maxDuration: Invalid value: ${maxDuration}: must be >= minDuration (${minDuration}) >= 0`);
  const modes = constraints.connections ?? ["per-request", "keep-alive"];
  const client = fc.record({
    service: fc.nat(),
    node: fc.nat(),
    rate: fc.integer({ min: constraints.minRate ?? 20, max: constraints.maxRate ?? 200 }),
    connections: fc.constantFrom(...modes),
  });
  // Deployments by index (resolved against the scenario's workloads below).
  const schedule = churnSchedule({ ...constraints.churn, deployments: ["0", "1", "2", "3"].slice(0, fixed?.length ?? maxWorkloads), within: maxDuration });
  return fc
    .record({
      nodes: nodeLayout(constraints.nodes),
      kubeProxy: kubeProxySettings(constraints.kubeProxy),
      workloads,
      clients: fc.array(client, { minLength: constraints.minClients ?? 1, maxLength: constraints.maxClients ?? 2 }),
      schedule,
      duration: fc.integer({ min: minDuration, max: maxDuration }),
      watchDelay: constraints.watchDelays !== undefined && constraints.watchDelays.length > 0 ? fc.constantFrom(...constraints.watchDelays) : fc.constant(undefined),
    })
    .map((r): Scenario => {
      const names = r.workloads.map((w) => w.deployment.metadata.name);
      const clients = r.clients.map(
        (c, i): ScenarioClient => ({
          name: `client-${i + 1}`,
          service: r.workloads[c.service % r.workloads.length].service.metadata.name,
          node: r.nodes[c.node % r.nodes.length].name,
          rate: c.rate,
          connections: connectionPolicy(c.connections),
        }),
      );
      const actions = r.schedule.filter((a) => a.at < r.duration).map((a): ChurnAction => ({ ...a, deployment: names[Number(a.deployment) % names.length] }));
      const value: Scenario = {
        nodes: r.nodes,
        kubeProxy: r.kubeProxy,
        ...(r.watchDelay !== undefined ? { watchDelay: r.watchDelay } : {}),
        workloads: r.workloads,
        clients,
        schedule: actions,
        duration: r.duration,
      };
      Object.defineProperty(value, fc.toStringMethod, { value: () => describeScenario(value), enumerable: false });
      return value;
    });
}
