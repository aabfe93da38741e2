import { constant, exponential } from "@kube-netsim/core";
import { Simulation } from "@kube-netsim/scenario";
import type { SimulationResults } from "@kube-netsim/scenario";
import { ScenarioObserver } from "./observer.js";
import type { ScenarioObservations } from "./observer.js";
import type { Scenario } from "./scenario.js";

/**
 * The results of {@link runScenario}: the simulation's results, and what was observed on the way.
 *
 * @example
 * ```ts
 * const r: ScenarioResults = runScenario(s, 42); // s: the example of Scenario
 * r.seed;                          // 42
 * r.outcomes.completed;            // 465 (r.started, every one completed)
 * r.observations.rolloutSamples;   // 40
 * r.digest;                        // same scenario and seed, same digest
 * ```
 */
export interface ScenarioResults extends SimulationResults {
  /** The seed of the run. */
  readonly seed: number | string;
  /** The scenario that ran. */
  readonly scenario: Scenario;
  /** Facts for the invariant checkers (connections to unusable endpoints, rollout bounds, churn log). */
  readonly observations: ScenarioObservations;
}

/**
 * The annotation `kubectl rollout restart` sets on the pod template.
 *
 * @example
 * ```ts
 * // a rollout restart, as the "rollout" churn action does it (kubectl writes an RFC 3339 time; this writes virtual ms)
 * sim.store.mutate("Deployment", "default", "api", (d) => {
 *   const meta = (d.spec.template.metadata ??= {});
 *   meta.annotations = { ...meta.annotations, [ANNOTATION_RESTARTED_AT]: String(sim.now) };
 * }); // a new pod template: the Deployment controller rolls out new pods
 * ```
 */
export const ANNOTATION_RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

const fail = (field: string, value: unknown, why: string): never => {
  throw new RangeError(`${field}: Invalid value: ${typeof value === "number" ? String(value) : JSON.stringify(value)}: ${why}`);
};

function check(s: Scenario): void {
  if (!(typeof s.duration === "number" && s.duration >= 0 && Number.isFinite(s.duration))) fail("duration", s.duration, "must be a finite number of ms >= 0");
  if (s.watchDelay !== undefined && !(s.watchDelay >= 0 && Number.isFinite(s.watchDelay))) fail("watchDelay", s.watchDelay, "must be a finite number of ms >= 0");
  const services = new Set(s.workloads.map((w) => `${w.service.metadata.namespace ?? "default"}/${w.service.metadata.name}`));
  const deployments = new Set(s.workloads.map((w) => w.deployment.metadata.name));
  const nodes = new Set(s.nodes.map((n) => n.name));
  s.workloads.forEach((w, i) => {
    if (Object.keys(w.deployment.spec.template.metadata?.labels ?? {}).length === 0) fail(`workloads[${i}].deployment.spec.template.metadata.labels`, {}, "the application is attached by these labels: at least one is required");
  });
  s.clients.forEach((c, i) => {
    if (!services.has(`${c.namespace ?? "default"}/${c.service}`)) {
      throw new RangeError(`clients[${i}].service: Not found: "${c.service}": the scenario's Services are ${[...services].join(", ") || "none"}`);
    }
    if (!nodes.has(c.node)) throw new RangeError(`clients[${i}].node: Not found: "${c.node}": the scenario's nodes are ${[...nodes].join(", ")}`);
  });
  s.schedule.forEach((a, i) => {
    if (!deployments.has(a.deployment)) throw new RangeError(`schedule[${i}].deployment: Not found: "${a.deployment}"`);
    if (!(a.at >= 0 && Number.isFinite(a.at))) fail(`schedule[${i}].at`, a.at, "must be a finite number of ms >= 0");
  });
}

/**
 * Runs a {@link Scenario} with a seed: applies the workloads, attaches their
 * applications, waits until the cluster is at rest, starts the clients, runs the churn
 * schedule for `duration` ms, then drains (every request ends in one outcome).
 *
 * @remarks
 * The same scenario and seed give the same results and digest, byte for byte. Every
 * request's end is traced (`traceRequests`), so the digest covers each request.
 * Actions at or after `duration` do not run. Besides the results, the run keeps
 * {@link ScenarioObservations} for {@link checkReadyEndpointsOnly} and
 * {@link checkRolloutBounds}; the observation only reads the trace, so it changes
 * nothing in the run.
 *
 * @throws RangeError naming the field when the scenario refers to an unknown Service,
 * node or Deployment, or has a bad duration; ValidationError when a manifest is invalid.
 * @example
 * ```ts
 * const results = runScenario(myScenario, 42);
 * expect(results).toConserveRequests();
 * ```
 */
export function runScenario(scenario: Scenario, seed: number | string): ScenarioResults {
  check(scenario);
  const watchDelay = scenario.watchDelay ?? 5;
  const sim = new Simulation({ seed, nodes: scenario.nodes, kubeProxy: scenario.kubeProxy, timings: { watchDelay: constant(watchDelay) }, traceRequests: true });
  sim.apply(scenario.workloads.flatMap((w) => [w.deployment, w.service]));
  for (const w of scenario.workloads) {
    const a = w.application;
    sim.setApplication(w.deployment.spec.template.metadata?.labels ?? {}, {
      concurrency: a.concurrency,
      serviceTime: exponential(a.meanServiceTimeMs),
      ...(a.queueLimit !== undefined ? { queueLimit: a.queueLimit } : {}),
      onSigterm: a.onSigterm,
    });
  }
  sim.settle();
  const observer = new ScenarioObserver(sim.store, sim.nodeNames, watchDelay);
  for (const w of scenario.workloads) {
    const svc = sim.store.get("Service", w.service.metadata.namespace ?? "default", w.service.metadata.name);
    if (svc !== undefined) observer.addService(svc);
    observer.addDeployment(w.deployment);
  }
  const unsubscribe = sim.trace.subscribe(observer.onRecord);
  const t0 = sim.now;
  for (const c of scenario.clients) {
    const ns = c.namespace ?? "default";
    sim.addClient({ name: c.name, target: `${c.service}.${ns}`, node: c.node, rate: c.rate, connections: c.connections });
    observer.addClient(c.name, c.node, `${ns}/${c.service}`, c.connections.mode === "per-request");
  }
  for (const a of scenario.schedule) {
    if (a.at >= scenario.duration) continue;
    sim.at(t0 + a.at, (s) => {
      const w = scenario.workloads.find((x) => x.deployment.metadata.name === a.deployment);
      if (w === undefined) return;
      const ns = w.deployment.metadata.namespace ?? "default";
      const when = `t=${((s.now - t0) / 1000).toFixed(3)} s`;
      switch (a.action) {
        case "scale":
          observer.disrupted(ns, a.deployment);
          s.scale(a.deployment, a.replicas, ns);
          observer.logAction(`${when}: scaled ${a.deployment} to ${a.replicas}`);
          return;
        case "deletePod": {
          const selector = w.deployment.spec.selector.matchLabels ?? {};
          const live = s.pods(selector, ns).filter((p) => p.metadata.deletionTimestamp === undefined);
          if (live.length === 0) {
            observer.logAction(`${when}: no live pod of ${a.deployment} to delete`);
            return;
          }
          const victim = live[a.pod % live.length].metadata.name;
          observer.disrupted(ns, a.deployment);
          s.deletePod(victim, ns);
          observer.logAction(`${when}: deleted pod ${victim}`);
          return;
        }
        case "rollout": {
          const stamp = String(s.now);
          s.store.mutate("Deployment", ns, a.deployment, (d) => {
            const meta = (d.spec.template.metadata ??= {});
            meta.annotations = { ...meta.annotations, [ANNOTATION_RESTARTED_AT]: stamp };
          });
          observer.logAction(`${when}: rollout restart of ${a.deployment}`);
          return;
        }
      }
    });
  }
  sim.runUntil(t0 + scenario.duration);
  sim.drain();
  unsubscribe();
  return { ...sim.results(), seed, scenario, observations: observer.observations() };
}
