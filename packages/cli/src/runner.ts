import type { KubeObject } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { SimulationResults, Timeline, TimelineBucket } from "@kube-netsim/scenario";
import { checkMode } from "./scenario.js";
import type { Expectation, Scenario, ScenarioAction } from "./scenario.js";
import { InputError } from "./source.js";
import type { Problem } from "./source.js";

/** Most buckets a run may measure (each keeps a latency histogram of about 26 KB). */
const MAX_BUCKETS = 10_000;

/**
 * Options of {@link runScenario}.
 *
 * @example
 * ```ts
 * const options: RunScenarioOptions = {
 *   seed: 7,
 *   mode: "ipvs:lc",
 *   traceRequests: true,
 *   onProgress: (done, total) => process.stderr.write(`\r${((100 * done) / total).toFixed(0)}%`),
 * };
 * const run = runScenario(loadScenarioFile("examples/scenarios/flagship.yaml"), options);
 * ```
 */
export interface RunScenarioOptions {
  /** Overrides the scenario's `seed`. */
  readonly seed?: number | string;
  /** Overrides the scenario's kube-proxy mode (`iptables`, `nftables`, `ipvs:lc`, `cilium`). */
  readonly mode?: string;
  /** Record every request's end in the trace (and so in the digest). Default false. */
  readonly traceRequests?: boolean;
  /** Receives every trace record as one JSON line (no newline), e.g. for `--out-trace`. */
  readonly onTraceLine?: (line: string) => void;
  /** Called as virtual time advances, with ms of traffic done and ms in all. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Called instead of stopping the run when a client cannot be added (its target does not
   * resolve), for `diagnose`; the run goes on without that client.
   */
  readonly onClientError?: (client: string, error: Error) => void;
  /** Stop at this time (ms after traffic starts) without draining, for `explain`. */
  readonly stopAt?: number;
}

/**
 * One expectation checked against the results.
 *
 * @example
 * ```ts
 * for (const e of run.expectations) console.log(e.ok ? "ok" : "FAIL", e.metric, e.value, e.max);
 * // flagship.yaml, seed 42: ok failedRatio 0.000336... 0.01 / ok latency.p99 53.264 100
 * ```
 */
export interface ExpectationResult {
  /** The metric. */
  readonly metric: string;
  /** Its value in this run. */
  readonly value: number;
  /** The bounds. */
  readonly min?: number;
  /** The bounds. */
  readonly max?: number;
  /** Whether the value is within the bounds. */
  readonly ok: boolean;
}

/**
 * What a scenario run produced.
 *
 * @example
 * ```ts
 * const run: ScenarioRun = runScenario(loadScenarioFile("examples/scenarios/flagship.yaml"));
 * run.seed;                       // 42 (the file's seed)
 * run.trafficStart;               // 2100: ms of settling before the clients start
 * run.results.outcomes.completed; // 11897 of run.results.started = 11901
 * run.buckets.length;             // 41 one-second buckets (`measure: { bucket: 1s }`)
 * ```
 */
export interface ScenarioRun {
  /** The simulation, at the end of the run. */
  readonly sim: Simulation;
  /** The seed used. */
  readonly seed: number | string;
  /** The kube-proxy mode used (as written, e.g. `ipvs:lc`). */
  readonly mode: string;
  /** Virtual time when traffic started (after settling), ms. */
  readonly trafficStart: number;
  /** The results (after draining, unless `stopAt` was given). */
  readonly results: SimulationResults;
  /** The measured buckets, `start` relative to the traffic start; empty without `measure`. */
  readonly buckets: readonly TimelineBucket[];
  /** Expectations, in the order of {@link EXPECT_METRICS}. */
  readonly expectations: readonly ExpectationResult[];
  /** Warnings the simulation recorded. */
  readonly warnings: readonly string[];
}

/**
 * Runs a scenario: builds the cluster, applies the manifests, settles, starts clients
 * and the timeline, runs `duration` of traffic in chunks (reporting progress), stops the
 * clients and drains the requests in flight so that each one ends in one outcome.
 *
 * @throws InputError when something the scenario names does not exist when it is used
 * (a Service a client targets, a Deployment an action scales), pointing at the entry.
 * @example
 * ```ts
 * const run = runScenario(loadScenarioFile("examples/scenarios/flagship.yaml"), { seed: 7 });
 * console.log(run.results.outcomes);
 * ```
 */
export function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): ScenarioRun {
  const mode = options.mode ?? scenario.mode;
  const buckets = scenario.measure ? (options.stopAt ?? scenario.duration) / scenario.measure.bucket : 0;
  if (scenario.measure && buckets > MAX_BUCKETS) {
    throw new InputError([{ ...scenario.measure.source, message: `measure.bucket: Invalid value: ${scenario.measure.bucket} ms: ${Math.ceil(buckets)} buckets in the run; at most ${MAX_BUCKETS}, use a larger bucket` }]);
  }
  const seed = options.seed ?? scenario.simulation.seed;
  const sim = new Simulation({
    ...scenario.simulation,
    seed,
    kubeProxy: { ...scenario.simulation.kubeProxy, ...checkMode(mode) },
    traceRequests: options.traceRequests ?? false,
  });
  const onLine = options.onTraceLine;
  if (onLine) sim.trace.subscribe((_r, line) => onLine(line));
  const fail = (source: Problem, what: string, e: unknown): never => {
    if (e instanceof InputError) throw e;
    const msg = (e as Error).message;
    // A facade message that starts with a field name (`target: ...`) continues the path.
    throw new InputError([{ ...source, message: /^[a-zA-Z]+: /.test(msg) ? `${what}.${msg}` : `${what}: ${msg}` }]);
  };
  try {
    sim.apply(scenario.objects);
  } catch (e) {
    fail({ file: scenario.file, message: "" }, "manifests", e);
  }
  for (const a of scenario.applications) sim.setApplication(a.selector, a.model);
  if (scenario.settle) {
    try {
      sim.settle();
    } catch (e) {
      fail({ file: scenario.file, message: "" }, "settle", e);
    }
  }
  const t0 = sim.now;
  let timeline: Timeline | undefined;
  if (scenario.measure) {
    try {
      timeline = sim.timeline({ service: scenario.measure.service, namespace: scenario.measure.namespace, bucket: scenario.measure.bucket });
    } catch (e) {
      fail(scenario.measure.source, "measure", new Error((e as Error).message.replace(/^timeline: /, "")));
    }
  }
  const clientIndex = new Map<string, number>();
  scenario.clients.forEach((c, i) => {
    const add = (): void => {
      try {
        clientIndex.set(
          c.name,
          c.external === true
            ? sim.addExternalClient({
                name: c.name,
                target: c.target,
                ...(c.service !== undefined ? { service: c.service } : {}),
                ...(c.port !== undefined ? { port: c.port } : {}),
                ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
                ...(c.node !== undefined ? { node: c.node } : {}),
                ...(c.sourceIP !== undefined ? { sourceIP: c.sourceIP } : {}),
                ...(c.host !== undefined ? { host: c.host } : {}),
                ...(c.path !== undefined ? { path: c.path } : {}),
                rate: c.rate,
                interarrival: c.interarrival,
                connectTimeout: c.connectTimeout,
                connections: c.connections,
              })
            : sim.addClient(c),
        );
      } catch (e) {
        if (options.onClientError && !(e instanceof InputError)) options.onClientError(c.name, e as Error);
        else fail(c.source, `clients[${i}]`, e);
      }
    };
    if (c.start === 0) add();
    else sim.at(t0 + c.start, add);
  });
  for (const t of scenario.timeline) {
    sim.at(t0 + t.at, () => {
      try {
        perform(sim, t.action, clientIndex);
      } catch (e) {
        fail(t.source, `${t.path} (at t=${t.at} ms)`, e);
      }
    });
  }
  const end = options.stopAt ?? scenario.duration;
  const chunk = Math.max(100, end / 100);
  while (sim.now < t0 + end) {
    sim.runUntil(Math.min(t0 + end, sim.now + chunk));
    options.onProgress?.(sim.now - t0, end);
  }
  timeline?.stop();
  if (options.stopAt === undefined) sim.drain();
  const results = sim.results();
  const measured = (timeline?.buckets() ?? []).map((b) => ({ ...b, start: b.start - t0 }));
  return { sim, seed, mode, trafficStart: t0, results, buckets: measured, expectations: scenario.expect.map((x) => check(x, results)), warnings: sim.warnings() };
}

function perform(sim: Simulation, a: ScenarioAction, clients: ReadonlyMap<string, number>): void {
  switch (a.type) {
    case "scale":
      sim.scale(a.deployment, a.replicas, a.namespace);
      return;
    case "setImage": {
      let found = true;
      const d = sim.store.mutate("Deployment", a.namespace, a.deployment, (x) => {
        const containers = x.spec.template.spec?.containers ?? [];
        const c = a.container === undefined && containers.length === 1 ? containers[0] : containers.find((y) => y.name === a.container);
        if (!c) found = false;
        else c.image = a.image;
      });
      if (!d) throw new RangeError(`deployments.apps "${a.deployment}" not found`);
      if (!found) throw new RangeError(`container: Not found: "${a.container ?? ""}": the Deployment's containers are ${(d.spec.template.spec?.containers ?? []).map((c) => `"${c.name}"`).join(", ")}`);
      return;
    }
    case "deletePod": {
      if (a.name !== undefined) {
        sim.deletePod(a.name, a.namespace);
        return;
      }
      // Pods already terminating are skipped, so deleting index 0 twice deletes two pods.
      const pods = sim.pods(a.selector, a.namespace).filter((p) => p.metadata.deletionTimestamp === undefined);
      const p = pods[a.index];
      if (!p) throw new RangeError(`index: Invalid value: ${a.index}: only ${pods.length} running pods match the selector`);
      sim.deletePod(p.metadata.name, a.namespace);
      return;
    }
    case "crashPod":
    case "hangPod": {
      let name = a.name;
      if (name === undefined) {
        const pods = sim.pods(a.selector, a.namespace).filter((p) => p.metadata.deletionTimestamp === undefined);
        const p = pods[a.index];
        if (!p) throw new RangeError(`index: Invalid value: ${a.index}: only ${pods.length} pods that are not terminating match the selector`);
        name = p.metadata.name;
      }
      if (a.type === "crashPod") sim.crashPod(name, a.namespace);
      else sim.hangPod(name, a.namespace, a.duration !== undefined ? { duration: a.duration } : {});
      return;
    }
    case "apply":
      sim.apply(a.objects);
      return;
    case "patch": {
      const current = sim.store.get(a.kind, a.namespace, a.name);
      if (!current) throw new RangeError(`${a.kind === "Service" ? "services" : "deployments.apps"} "${a.name}" not found`);
      const patched = mergePatch(current, a.merge) as KubeObject;
      sim.apply([patched]);
      return;
    }
    case "failNode":
      sim.failNode(a.node);
      return;
    case "recoverNode":
      sim.recoverNode(a.node);
      return;
    case "partitionNode":
      sim.partitionNode(a.node);
      return;
    case "healPartition":
      sim.healPartition(a.node);
      return;
    case "drainNode":
      sim.drainNode(a.node);
      return;
    case "uncordonNode":
      sim.uncordonNode(a.node);
      return;
    case "loseZone":
      sim.loseZone(a.zone);
      return;
    case "recoverZone":
      sim.recoverZone(a.zone);
      return;
    case "stallKubeProxy":
      sim.stallKubeProxy(a.node, a.duration);
      return;
    case "stopClient": {
      const i = clients.get(a.client);
      if (i === undefined) throw new RangeError(`client "${a.client}" has not started yet`);
      sim.traffic.stopClient(i);
      return;
    }
  }
}

/**
 * JSON merge patch (RFC 7386): objects merge, `null` deletes, anything else replaces.
 *
 * @example
 * ```ts
 * mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { d: null }, e: 4 }); // { a: 1, b: { c: 2 }, e: 4 }
 * ```
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The value of an `expect` metric in a set of results.
 *
 * @example
 * ```ts
 * metricValue("failed", run.results);    // started - completed: every other outcome
 * metricValue("completed", run.results); // e.g. 12008
 * ```
 */
export function metricValue(metric: string, r: SimulationResults): number {
  const o = r.outcomes;
  switch (metric) {
    case "started":
      return r.started;
    case "failed":
      return r.started - o.completed;
    case "failedRatio":
      return r.started === 0 ? 0 : (r.started - o.completed) / r.started;
    case "completed":
    case "refused":
    case "reset":
    case "timedOut":
    case "dropped":
      return o[metric];
  }
  const key = metric.slice("latency.".length) as keyof typeof r.latency;
  return r.latency[key];
}

function check(x: Expectation, r: SimulationResults): ExpectationResult {
  const value = metricValue(x.metric, r);
  const ok = Number.isFinite(value) ? (x.min === undefined || value >= x.min) && (x.max === undefined || value <= x.max) : false;
  return { metric: x.metric, value, min: x.min, max: x.max, ok };
}
