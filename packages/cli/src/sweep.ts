import { Worker } from "node:worker_threads";
import { parse, parseDocument } from "yaml";
import { fnv1a64 } from "@kube-netsim/core";
import type { SimulationResults } from "@kube-netsim/scenario";
import { runScenario } from "./runner.js";
import type { ExpectationResult } from "./runner.js";
import { parseScenario } from "./scenario.js";
import type { ReadFile, Scenario } from "./scenario.js";
import { InputError, splitFieldPath } from "./source.js";
import type { Problem } from "./source.js";
import { table } from "./format.js";
import { summarize } from "./stats.js";
import type { MetricSummary } from "./stats.js";

/**
 * One swept field: its path in the scenario and the values it takes.
 *
 * @example
 * ```ts
 * const p: SweepParameter = parseSweepParameter("cluster.kubeProxy.mode=iptables,ipvs:lc");
 * // { path: "cluster.kubeProxy.mode", values: ["iptables", "ipvs:lc"] }
 * ```
 */
export interface SweepParameter {
  /** Field path in the scenario, e.g. `clients[0].rate` or `cluster.kubeProxy.mode`. */
  readonly path: string;
  /** The values, as YAML scalars (`300`, `1s`, `ipvs:lc`). */
  readonly values: readonly unknown[];
}

/**
 * One combination of values: the scenario file's text with those fields set.
 *
 * @example
 * ```ts
 * const plan = planSweep(text, "flagship.yaml", [parseSweepParameter("clients[0].rate=100,300")], [1, 2, 3]);
 * const c: SweepCombination = plan.combinations[1];
 * c.values; // [300]
 * c.text;   // the scenario file with `rate: 300`
 * ```
 */
export interface SweepCombination {
  /** The value of each swept parameter, in order. */
  readonly values: readonly unknown[];
  /** The scenario text with the fields set (checked). */
  readonly text: string;
}

/**
 * What a sweep runs: every combination of the parameters' values, each with every seed.
 *
 * @example
 * ```ts
 * const plan: SweepPlan = planSweep(readFileSync(file, "utf8"), file, [parseSweepParameter("clients[0].rate=100,300")], [1, 2, 3]);
 * plan.combinations.map((c) => c.values); // [[100], [300]]
 * plan.seeds;                              // [1, 2, 3]: 6 runs in all
 * plan.scenarioDigest;                     // FNV-1a 64 of the file, e.g. "12117b6bcb555473"
 * ```
 */
export interface SweepPlan {
  /** The scenario file as named on the command line (manifests are relative to it). */
  readonly file: string;
  /** FNV-1a 64 of the scenario file's text (shards of one sweep must agree on it). */
  readonly scenarioDigest: string;
  /** The swept fields (one column each). */
  readonly parameters: readonly SweepParameter[];
  /** Fields set to one value in every run and not shown as a column (`--duration`). */
  readonly fixed: readonly SweepParameter[];
  /** The seeds; each combination runs once per seed. */
  readonly seeds: readonly (number | string)[];
  /** The combinations, in order (the last parameter varies fastest). */
  readonly combinations: readonly SweepCombination[];
}

/**
 * One run of a sweep (a combination and a seed), reduced to what the table and merge need.
 *
 * @example
 * ```ts
 * // plan: the planSweep example (flagship.yaml, rate 100 or 300, duration 5s)
 * const r: SweepRunRecord = runSweepJob(parseScenario(plan.combinations[0].text, plan.file), 0, 1);
 * r.results.outcomes.completed; // 515 (rate 100, seed 1)
 * r.trace;                      // { records: 32, digest: "5f6dd7ea0d02ed96" }
 * ```
 */
export interface SweepRunRecord {
  /** Index of the combination in {@link SweepPlan.combinations}. */
  readonly combination: number;
  /** The seed. */
  readonly seed: number | string;
  /** The kube-proxy mode of the run. */
  readonly mode: string;
  /** The results, as `Simulation.results()` (digest included). */
  readonly results: SimulationResults;
  /** Trace records and the trace digest. */
  readonly trace: { readonly records: number; readonly digest: string };
  /** The scenario's expectations checked against this run. */
  readonly expectations: readonly ExpectationResult[];
}

/**
 * The runs of one combination of values, in seed order.
 *
 * @example
 * ```ts
 * const rows: SweepRow[] = sweepRows(plan, await runSweep(plan)); // plan: the planSweep example
 * rows[1].values;                      // [300]
 * rows[1].runs.map((r) => r.seed);     // [1, 2, 3]
 * ```
 */
export interface SweepRow {
  /** The value of each parameter, in order. */
  readonly values: readonly unknown[];
  /** One run per seed, in the order of the seeds. */
  readonly runs: readonly SweepRunRecord[];
}

/**
 * One run to do: a combination and a seed.
 *
 * @example
 * ```ts
 * const job: SweepJob = { combination: 1, seed: 2 }; // the second combination, with seed 2
 * ```
 */
export interface SweepJob {
  /** Index of the combination. */
  readonly combination: number;
  /** The seed. */
  readonly seed: number | string;
}

/**
 * Shard `index` of `count` (0-based, as a Job's `JOB_COMPLETION_INDEX`).
 *
 * @example
 * ```ts
 * const shard: SweepShard = { index: 0, count: 4 }; // `--shard 0/4`: seeds 1st, 5th, 9th, ...
 * shardSeeds([1, 2, 3, 4, 5, 6], shard); // [1, 5]
 * ```
 */
export interface SweepShard {
  /** 0-based index. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/**
 * Parses `--set path=v1,v2,...` (values read as YAML scalars).
 * @throws InputError naming the argument.
 * @example
 * ```ts
 * parseSweepParameter("clients[0].rate=100,200"); // { path: "clients[0].rate", values: [100, 200] }
 * ```
 */
export function parseSweepParameter(arg: string): SweepParameter {
  const m = /^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*|\[[0-9]+\])*)=(.+)$/.exec(arg);
  if (!m) throw new InputError([{ file: "<args>", message: `--set: Invalid value: "${arg}": expected field.path=value1,value2,... e.g. clients[0].rate=100,200,400` }]);
  const values = m[2].split(",").map((v) => v.trim());
  if (values.some((v) => v === "")) throw new InputError([{ file: "<args>", message: `--set: Invalid value: "${arg}": empty value in the list` }]);
  return { path: m[1], values: values.map((v) => parse(v) as unknown) };
}

/**
 * Plans a sweep: every combination of the parameters' values (the last parameter varies
 * fastest), each the scenario file with those fields replaced and checked like a
 * scenario file, so that a bad value fails before anything runs (errors name the `--set`
 * values).
 *
 * @param text - the scenario file's text (checked on its own first, so its own errors keep their lines).
 * @param file - its path (manifests are relative to it).
 * @param parameters - the swept fields.
 * @param seeds - the seeds; each combination runs once per seed.
 * @param read - reads manifest files.
 * @param fixed - fields set to one value in every combination (not columns), e.g. `duration`.
 * @throws InputError for a bad scenario or a bad value.
 *
 * @example
 * ```ts
 * const text = readFileSync("examples/scenarios/flagship.yaml", "utf8");
 * const plan = planSweep(text, "examples/scenarios/flagship.yaml", [parseSweepParameter("clients[0].rate=100,300")], [1, 2, 3], undefined, [
 *   { path: "duration", values: ["5s"] }, // like `--duration 5s`
 * ]);
 * plan.combinations.length; // 2, each run with seeds 1, 2 and 3
 * ```
 */
export function planSweep(
  text: string,
  file: string,
  parameters: readonly SweepParameter[],
  seeds: readonly (number | string)[],
  read?: ReadFile,
  fixed: readonly SweepParameter[] = [],
): SweepPlan {
  parseScenario(text, file, read);
  let combos: unknown[][] = [[]];
  for (const p of parameters) combos = combos.flatMap((c) => p.values.map((v) => [...c, v]));
  const combinations = combos.map((values) => {
    const doc = parseDocument(text);
    parameters.forEach((p, i) => doc.setIn(splitFieldPath(p.path), values[i]));
    for (const f of fixed) doc.setIn(splitFieldPath(f.path), f.values[0]);
    const combined = doc.toString();
    try {
      parseScenario(combined, file, read);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const set = parameters.map((p, i) => `${p.path}=${String(values[i])}`).join(" ");
      throw new InputError(e.problems.map((x) => ({ file: "<args>", message: `--set ${set}: ${x.message}` })));
    }
    return { values, text: combined };
  });
  return { file, scenarioDigest: fnv1a64(text), parameters, fixed, seeds, combinations };
}

/**
 * The seeds shard `index` of `count` runs: those at positions `index`, `index + count`,
 * `index + 2·count`, ... of the seed list (round robin), each with every combination.
 * Every seed is in exactly one shard, and shard sizes differ by at most one.
 *
 * @example
 * ```ts
 * shardSeeds([1, 2, 3, 4, 5], { index: 1, count: 2 }); // [2, 4]
 * ```
 */
export function shardSeeds(seeds: readonly (number | string)[], shard: SweepShard): (number | string)[] {
  return seeds.filter((_, i) => i % shard.count === shard.index);
}

/**
 * The runs of a plan (or of one shard of it): combination-major, seeds in their order.
 *
 * @example
 * ```ts
 * // plan: the planSweep example (2 combinations, seeds 1, 2, 3)
 * sweepJobs(plan);                          // [{ combination: 0, seed: 1 }, { combination: 0, seed: 2 }, ..., { combination: 1, seed: 3 }]
 * sweepJobs(plan, { index: 1, count: 2 }); // [{ combination: 0, seed: 2 }, { combination: 1, seed: 2 }]
 * ```
 */
export function sweepJobs(plan: SweepPlan, shard?: SweepShard): SweepJob[] {
  const seeds = shard ? shardSeeds(plan.seeds, shard) : plan.seeds;
  return plan.combinations.flatMap((_, combination) => seeds.map((seed) => ({ combination, seed })));
}

/**
 * Runs one combination of a sweep with one seed, in this thread.
 *
 * @example
 * ```ts
 * const scenario = parseScenario(plan.combinations[0].text, plan.file);
 * const record = runSweepJob(scenario, 0, 1); // combination 0, seed 1: what one worker job does
 * record.results.digest;
 * ```
 */
export function runSweepJob(scenario: Scenario, combination: number, seed: number | string): SweepRunRecord {
  const run = runScenario(scenario, { seed });
  return { combination, seed, mode: run.mode, results: run.results, trace: { records: run.sim.trace.count, digest: run.sim.trace.digest() }, expectations: run.expectations };
}

/** The compiled worker script; under Vitest this module is the `.ts` source, so use the build. */
function workerScript(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("../dist/sweep-worker.js", import.meta.url) : new URL("./sweep-worker.js", import.meta.url);
}

/**
 * A message from a sweep worker.
 *
 * @example
 * ```ts
 * worker.on("message", (m: SweepWorkerReply) => {
 *   if ("record" in m) records[m.id] = m.record;
 *   else if ("problems" in m) throw new InputError(m.problems);
 *   else throw new Error(m.error);
 * });
 * ```
 */
export type SweepWorkerReply =
  | { readonly id: number; readonly record: SweepRunRecord }
  | { readonly id: number; readonly problems: readonly Problem[] }
  | { readonly id: number; readonly error: string };

/**
 * Options of {@link runSweep}.
 *
 * @example
 * ```ts
 * const options: RunSweepOptions = {
 *   workers: availableParallelism(), // 0: run in this thread
 *   shard: { index: 0, count: 2 },
 *   onProgress: (done, total) => process.stderr.write(`\r${done}/${total} runs`),
 * };
 * const records = await runSweep(plan, options);
 * ```
 */
export interface RunSweepOptions {
  /** Worker threads (default 1); `0` runs in this thread, without workers. */
  readonly workers?: number;
  /** Only the runs of this shard. */
  readonly shard?: SweepShard;
  /** Reads manifest files (only used with `workers: 0`; workers read the file system). */
  readonly read?: ReadFile;
  /** Called with runs done and runs in all: once before the first run, then after each. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs a sweep (or one shard of it) on a pool of `node:worker_threads`. Each run is one
 * job, handed to whichever worker is free; results are kept by job index, so the records
 * (and everything printed from them) do not depend on the number of workers or on which
 * worker ran what. Each run builds its own `Simulation` from its seed: its digest is the
 * same in any thread.
 *
 * @returns one record per job of {@link sweepJobs}, in that order.
 * @throws InputError when a run stops on bad input (e.g. a `deletePod` of a missing pod).
 * @example
 * ```ts
 * const plan = planSweep(text, "flagship.yaml", [parseSweepParameter("clients[0].rate=100,300")], [1, 2, 3]);
 * const records = await runSweep(plan, { workers: 2 });
 * process.stdout.write(formatSweep(plan, sweepRows(plan, records)));
 * ```
 */
export async function runSweep(plan: SweepPlan, options: RunSweepOptions = {}): Promise<SweepRunRecord[]> {
  const jobs = sweepJobs(plan, options.shard);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers: Invalid value: ${workers}: must be an integer >= 0`);
  const records: SweepRunRecord[] = new Array<SweepRunRecord>(jobs.length);
  options.onProgress?.(0, jobs.length);
  if (workers === 0) {
    const scenarios = new Map<number, Scenario>();
    jobs.forEach((j, i) => {
      let s = scenarios.get(j.combination);
      if (!s) scenarios.set(j.combination, (s = parseScenario(plan.combinations[j.combination].text, plan.file, options.read)));
      records[i] = runSweepJob(s, j.combination, j.seed);
      options.onProgress?.(i + 1, jobs.length);
    });
    return records;
  }
  if (jobs.length === 0) return records;
  const pool: Worker[] = [];
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: unknown): void => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const give = (w: Worker): void => {
        if (next >= jobs.length) return;
        const id = next++;
        w.postMessage({ id, combination: jobs[id].combination, seed: jobs[id].seed });
      };
      const size = Math.min(workers, jobs.length);
      for (let k = 0; k < size; k++) {
        const w = new Worker(workerScript(), { workerData: { file: plan.file, texts: plan.combinations.map((c) => c.text) } });
        pool.push(w);
        w.on("message", (m: SweepWorkerReply) => {
          if ("problems" in m) return fail(new InputError(m.problems));
          if ("error" in m) return fail(new Error(m.error));
          records[m.id] = m.record;
          done++;
          options.onProgress?.(done, jobs.length);
          if (done === jobs.length) resolve();
          else give(w);
        });
        w.on("error", fail);
        w.on("exit", (code) => {
          if (done < jobs.length) fail(new Error(`sweep worker exited with code ${code} before the sweep ended`));
        });
        give(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return records;
}

/**
 * Groups records into one row per combination, runs in seed order.
 * @throws InputError when a run is missing or there twice (e.g. shards that do not add up).
 *
 * @example
 * ```ts
 * const rows = sweepRows(plan, records); // one row per combination, runs in seed order
 * sweepRows(plan, records.slice(1));
 * // throws InputError: "<args>: runs: Required value: combination 0 (100) with seed 1 is missing"
 * ```
 */
export function sweepRows(plan: Pick<SweepPlan, "combinations" | "seeds">, records: readonly SweepRunRecord[]): SweepRow[] {
  const byKey = new Map<string, SweepRunRecord>();
  for (const r of records) {
    const key = `${r.combination}\u0000${typeof r.seed}:${String(r.seed)}`;
    if (byKey.has(key)) throw new InputError([{ file: "<args>", message: `runs: Duplicate value: combination ${r.combination} with seed ${String(r.seed)} is there twice` }]);
    byKey.set(key, r);
  }
  return plan.combinations.map((c, combination) => ({
    values: c.values,
    runs: plan.seeds.map((seed) => {
      const r = byKey.get(`${combination}\u0000${typeof seed}:${String(seed)}`);
      if (!r) throw new InputError([{ file: "<args>", message: `runs: Required value: combination ${combination} (${c.values.map(String).join(", ")}) with seed ${String(seed)} is missing` }]);
      return r;
    }),
  }));
}

/**
 * The metrics of the sweep table, from one run's results.
 *
 * @example
 * ```ts
 * SWEEP_METRICS.map((m) => m.name); // ["started", "completed", "failed %", "timedOut", "refused", "reset", "dropped", "p50 ms", "p99 ms"]
 * SWEEP_METRICS.find((m) => m.name === "p99 ms")?.value(run.results); // run.results.latency.p99
 * ```
 */
export const SWEEP_METRICS: readonly { readonly name: string; readonly value: (r: SimulationResults) => number }[] = [
  { name: "started", value: (r) => r.started },
  { name: "completed", value: (r) => r.outcomes.completed },
  { name: "failed %", value: (r) => (r.started === 0 ? 0 : (100 * (r.started - r.outcomes.completed)) / r.started) },
  { name: "timedOut", value: (r) => r.outcomes.timedOut },
  { name: "refused", value: (r) => r.outcomes.refused },
  { name: "reset", value: (r) => r.outcomes.reset },
  { name: "dropped", value: (r) => r.outcomes.dropped },
  { name: "p50 ms", value: (r) => r.latency.p50 },
  { name: "p99 ms", value: (r) => r.latency.p99 },
];

/**
 * Each metric of {@link SWEEP_METRICS} summarised over a row's runs (mean, 95 % interval).
 *
 * @example
 * ```ts
 * // rows: sweepRows of the planSweep example's runs; rows[1] is rate 300
 * rowMetrics(rows[1])["p99 ms"]; // { n: 3, mean: 46.576, ci95: 16.7075..., min: 39.696, max: 53.136, ... }
 * ```
 */
export function rowMetrics(row: SweepRow): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  for (const m of SWEEP_METRICS) out[m.name] = summarize(row.runs.map((x) => m.value(x.results)));
  return out;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function cell(s: MetricSummary): string {
  if (s.n === 0) return "-";
  return s.n === 1 || s.min === s.max ? fmt(s.mean) : `${fmt(s.mean)} ± ${fmt(s.ci95)}`;
}

/** `1..100` for a run of consecutive integers (three or more), else the list. */
function seedList(seeds: readonly (number | string)[]): string {
  const ints = seeds.every((s, i) => typeof s === "number" && (i === 0 || s === (seeds[i - 1] as number) + 1));
  return ints && seeds.length >= 3 ? `${seeds[0]}..${seeds[seeds.length - 1]}` : seeds.join(", ");
}

/**
 * The sweep table: one row per combination, each metric as the mean over the seeds ±
 * the half-width of its Student-t 95 % confidence interval (one number when every seed
 * gave the same value), and whether the expectations held (`FAIL 2/3`: in two runs of
 * three). Computed from the records only, so a merge of shards prints the same bytes.
 *
 * @example
 * ```ts
 * process.stdout.write(formatSweep(plan, sweepRows(plan, records))); // plan: the planSweep example
 * //   clients[0].rate           started         completed  failed %  ...       p50 ms         p99 ms  expect
 * //   100                503.67 ± 40.46    503.67 ± 40.46         0  ...  4.17 ± 2.20   26.89 ± 8.58      ok
 * //   300              1540.67 ± 157.16  1540.67 ± 157.16         0  ...  7.15 ± 2.42  46.58 ± 16.71      ok
 * ```
 */
export function formatSweep(plan: Pick<SweepPlan, "file" | "parameters" | "seeds">, rows: readonly SweepRow[]): string {
  const { file, parameters, seeds } = plan;
  let out = `kube-netsim sweep ${file}\n  ${rows.length} combination${rows.length === 1 ? "" : "s"} x ${seeds.length} seed${seeds.length === 1 ? "" : "s"} (${seedList(seeds)}); mean ± 95% confidence half-width over the seeds (Student t, n-1 degrees of freedom; one number when all are equal)\n\n`;
  const header = [...parameters.map((p) => p.path), ...SWEEP_METRICS.map((m) => m.name), "expect"];
  const body = rows.map((r) => {
    const metrics = rowMetrics(r);
    const failedExpect = r.runs.filter((x) => x.expectations.some((e) => !e.ok)).length;
    const hasExpect = r.runs.some((x) => x.expectations.length > 0);
    return [...r.values.map((v) => String(v)), ...SWEEP_METRICS.map((m) => cell(metrics[m.name])), hasExpect ? (failedExpect === 0 ? "ok" : `FAIL ${failedExpect}/${r.runs.length}`) : "-"];
  });
  out += table(header, body, parameters.map((_, i) => i));
  return out;
}

/**
 * The sweep as JSON (`--json`): per row the metrics' summaries and each run's seed, mode, digests and results.
 *
 * @example
 * ```ts
 * process.stdout.write(toJSON(sweepJSON(plan, rows))); // what `kube-netsim sweep --json` prints
 * sweepJSON(plan, rows).interval; // "mean over the seeds ± t(0.975, n-1) * s / sqrt(n)"
 * ```
 */
export function sweepJSON(plan: Pick<SweepPlan, "file" | "parameters" | "seeds">, rows: readonly SweepRow[]): Record<string, unknown> {
  return {
    scenario: plan.file,
    parameters: plan.parameters.map((p) => p.path),
    seeds: plan.seeds,
    interval: "mean over the seeds ± t(0.975, n-1) * s / sqrt(n)",
    rows: rows.map((r) => ({
      values: r.values,
      metrics: rowMetrics(r),
      expectationsFailed: r.runs.filter((x) => x.expectations.some((e) => !e.ok)).length,
      runs: r.runs.map((x) => ({ seed: x.seed, mode: x.mode, results: x.results, trace: x.trace, expectations: x.expectations })),
    })),
  };
}

/**
 * The file `sweep --out` writes: the plan and the runs of one shard (or of the whole sweep, shard 0/1).
 *
 * @example
 * ```ts
 * const file: SweepShardFile = JSON.parse(readFileSync("shard-0.json", "utf8"));
 * file.kind;  // "kube-netsim/sweep-shard"
 * file.shard; // { index: 0, count: 2 }
 * file.runs.length; // this shard's runs: its seeds times every combination
 * ```
 */
export interface SweepShardFile {
  /** Always `kube-netsim/sweep-shard`. */
  readonly kind: "kube-netsim/sweep-shard";
  /** Format version, 1. */
  readonly version: 1;
  /** The scenario file as named. */
  readonly scenario: string;
  /** FNV-1a 64 of its text. */
  readonly scenarioDigest: string;
  /** The swept fields. */
  readonly parameters: readonly SweepParameter[];
  /** Fields set in every run. */
  readonly fixed: readonly SweepParameter[];
  /** Every seed of the sweep (not only this shard's). */
  readonly seeds: readonly (number | string)[];
  /** Which shard. */
  readonly shard: SweepShard;
  /** The values of each combination, in order. */
  readonly combinations: readonly (readonly unknown[])[];
  /** This shard's runs. */
  readonly runs: readonly SweepRunRecord[];
}

/**
 * The shard file of a plan's runs (`sweep --out`).
 *
 * @example
 * ```ts
 * const shard = { index: 0, count: 2 };
 * const records = await runSweep(plan, { shard });
 * writeFileSync("shard-0.json", toJSON(shardFile(plan, shard, records))); // what `sweep --shard 0/2 --out shard-0.json` writes
 * ```
 */
export function shardFile(plan: SweepPlan, shard: SweepShard, runs: readonly SweepRunRecord[]): SweepShardFile {
  return {
    kind: "kube-netsim/sweep-shard",
    version: 1,
    scenario: plan.file,
    scenarioDigest: plan.scenarioDigest,
    parameters: plan.parameters,
    fixed: plan.fixed,
    seeds: plan.seeds,
    shard,
    combinations: plan.combinations.map((c) => c.values),
    runs,
  };
}

/** JSON writes NaN as null; latency quantiles and expectation values are NaN when nothing completed. */
function reviveRun(r: SweepRunRecord): SweepRunRecord {
  const nan = (x: unknown): number => (x === null ? NaN : (x as number));
  const latency = Object.fromEntries(Object.entries(r.results.latency).map(([k, v]) => [k, nan(v)])) as unknown as SimulationResults["latency"];
  return { ...r, results: { ...r.results, latency }, expectations: r.expectations.map((e) => ({ ...e, value: nan(e.value) })) };
}

/**
 * Merges shard files (`sweep --shard i/n --out shard-i.json`) back into the plan and
 * runs of the whole sweep. Every shard must come from the same sweep (scenario text,
 * fields, values and seeds), each index once, all `n` of them.
 *
 * @param shards - each file's name (for errors) and parsed JSON.
 * @throws InputError naming the file and what does not fit.
 *
 * @example
 * ```ts
 * const { plan, records } = mergeShards(["shard-0.json", "shard-1.json"].map((file) => ({ file, data: JSON.parse(readFileSync(file, "utf8")) })));
 * process.stdout.write(formatSweep(plan, sweepRows(plan, records))); // the same bytes as the unsharded sweep
 * // with shard-1.json missing, throws InputError: "<args>: shards: Required value: shard 1/2 is missing"
 * ```
 */
export function mergeShards(shards: readonly { readonly file: string; readonly data: unknown }[]): { plan: Pick<SweepPlan, "file" | "parameters" | "seeds" | "combinations">; records: SweepRunRecord[] } {
  if (shards.length === 0) throw new InputError([{ file: "<args>", message: "shards: Required value: at least one shard file" }]);
  const problems: Problem[] = [];
  const files = shards.map(({ file, data }) => {
    const d = data as Partial<SweepShardFile> | null;
    if (typeof d !== "object" || d === null || d.kind !== "kube-netsim/sweep-shard" || d.version !== 1 || !Array.isArray(d.runs) || typeof d.shard !== "object") {
      problems.push({ file, message: `kind: Invalid value: not a kube-netsim sweep shard (write one with sweep --out)` });
      return undefined;
    }
    return { file, d: d as SweepShardFile };
  });
  if (problems.length > 0) throw new InputError(problems);
  const first = files[0]!;
  const sameSweep = (x: SweepShardFile): string => JSON.stringify([x.scenario, x.scenarioDigest, x.parameters, x.fixed, x.seeds, x.shard.count, x.combinations]);
  const count = first.d.shard.count;
  const seen = new Map<number, string>();
  for (const f of files) {
    const { file, d } = f!;
    if (sameSweep(d) !== sameSweep(first.d)) {
      problems.push({ file, message: `shard: Invalid value: not the same sweep as ${first.file} (scenario, --set values, --seeds and shard count must match)` });
      continue;
    }
    const other = seen.get(d.shard.index);
    if (other !== undefined) problems.push({ file, message: `shard: Duplicate value: ${d.shard.index}/${count}: also in ${other}` });
    seen.set(d.shard.index, file);
  }
  for (let i = 0; i < count && problems.length === 0; i++) {
    if (!seen.has(i)) problems.push({ file: "<args>", message: `shards: Required value: shard ${i}/${count} is missing` });
  }
  if (problems.length > 0) throw new InputError(problems);
  const combinations = first.d.combinations.map((values) => ({ values, text: "" }));
  const records = files.flatMap((f) => f!.d.runs.map(reviveRun));
  return { plan: { file: first.d.scenario, parameters: first.d.parameters, seeds: first.d.seeds, combinations }, records };
}

/**
 * Options of {@link sweepJobManifest}.
 *
 * @example
 * ```ts
 * const options: SweepJobOptions = {
 *   name: "rate-sweep",
 *   image: "ghcr.io/example/kube-netsim:0.1.0",
 *   shards: 10,
 *   parallelism: 5,
 *   resultsClaim: "sweep-results",
 *   args: ["flagship.yaml", "--set", "clients[0].rate=100,300", "--seeds", "1..100"],
 * };
 * ```
 */
export interface SweepJobOptions {
  /** The Job's name (a DNS-1123 label, at most 63 characters). */
  readonly name: string;
  /** Container image with `kube-netsim` on its PATH and the scenario at the same path. */
  readonly image: string;
  /** Number of shards: the Job's `completions`. */
  readonly shards: number;
  /** Pods at once: the Job's `parallelism`. */
  readonly parallelism: number;
  /** PersistentVolumeClaim mounted at `/results`, where each pod writes its shard. */
  readonly resultsClaim: string;
  /** The sweep's arguments after `sweep` (scenario, `--set`s, `--seeds`, `--duration`), without `--shard`/`--out`/`--workers`. */
  readonly args: readonly string[];
}

/**
 * A Kubernetes `batch/v1` Indexed Job that runs the shards of a sweep on a cluster: one
 * completion per shard, each pod running `kube-netsim sweep ... --shard
 * $(JOB_COMPLETION_INDEX)/<shards> --out /results/shard-$(JOB_COMPLETION_INDEX).json`. The
 * Job controller sets `JOB_COMPLETION_INDEX` in every container of an Indexed Job's pods
 * (pkg/controller/job/indexed_job_utils.go, addCompletionIndexEnvVariables), and the
 * kubelet expands `$(VAR)` in `command` from the container's environment. Afterwards,
 * `kube-netsim merge /results/shard-*.json` prints the table a single machine prints.
 *
 * @example
 * ```ts
 * const job = sweepJobManifest(options); // options: the SweepJobOptions example
 * process.stdout.write(stringify(job)); // stringify of the `yaml` package: YAML for `kubectl apply -f -`
 * // spec: { completionMode: Indexed, completions: 10, parallelism: 5, ... }; each pod runs
 * // kube-netsim sweep flagship.yaml ... --shard $(JOB_COMPLETION_INDEX)/10 --out /results/shard-$(JOB_COMPLETION_INDEX).json
 * ```
 */
export function sweepJobManifest(o: SweepJobOptions): Record<string, unknown> {
  const labels = (): Record<string, string> => ({ "app.kubernetes.io/name": "kube-netsim", "app.kubernetes.io/component": "sweep" });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: o.name, labels: labels() },
    spec: {
      completionMode: "Indexed",
      completions: o.shards,
      parallelism: o.parallelism,
      backoffLimit: o.shards,
      template: {
        metadata: { labels: labels() },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "sweep",
              image: o.image,
              command: ["kube-netsim", "sweep", ...o.args, "--workers", "1", "--shard", `$(JOB_COMPLETION_INDEX)/${o.shards}`, "--out", "/results/shard-$(JOB_COMPLETION_INDEX).json", "--no-progress"],
              resources: { requests: { cpu: "1", memory: "512Mi" } },
              volumeMounts: [{ name: "results", mountPath: "/results" }],
            },
          ],
          volumes: [{ name: "results", persistentVolumeClaim: { claimName: o.resultsClaim } }],
        },
      },
    },
  };
}
