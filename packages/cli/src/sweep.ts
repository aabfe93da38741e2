import { parse, parseDocument } from "yaml";
import { runScenario } from "./runner.js";
import type { ScenarioRun } from "./runner.js";
import { parseScenario } from "./scenario.js";
import type { ReadFile } from "./scenario.js";
import { InputError, splitFieldPath } from "./source.js";
import { table } from "./format.js";

/** One swept field: its path in the scenario and the values it takes. */
export interface SweepParameter {
  /** Field path in the scenario, e.g. `clients[0].rate` or `cluster.kubeProxy.mode`. */
  readonly path: string;
  /** The values, as YAML scalars (`300`, `1s`, `ipvs:lc`). */
  readonly values: readonly unknown[];
}

/** The runs of one combination of values. */
export interface SweepRow {
  /** The value of each parameter, in order. */
  readonly values: readonly unknown[];
  /** One run per seed. */
  readonly runs: readonly ScenarioRun[];
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
 * Runs a scenario for every combination of the parameters' values and every seed. Each
 * combination is the scenario file with those fields replaced, checked like a scenario
 * file (errors name the `--set` values).
 *
 * @param text - the scenario file's text (checked on its own first, so its own errors keep their lines).
 * @param file - its path (manifests are relative to it).
 * @param parameters - the swept fields.
 * @param seeds - the seeds; each combination runs once per seed.
 * @param read - reads manifest files.
 * @param onRun - called before each run, for progress.
 */
export function sweep(text: string, file: string, parameters: readonly SweepParameter[], seeds: readonly (number | string)[], read?: ReadFile, onRun?: (done: number, total: number) => void): SweepRow[] {
  parseScenario(text, file, read);
  let combos: unknown[][] = [[]];
  for (const p of parameters) combos = combos.flatMap((c) => p.values.map((v) => [...c, v]));
  const total = combos.length * seeds.length;
  let done = 0;
  return combos.map((values) => {
    const doc = parseDocument(text);
    parameters.forEach((p, i) => doc.setIn(splitFieldPath(p.path), values[i]));
    let scenario;
    try {
      scenario = parseScenario(doc.toString(), file, read);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const set = parameters.map((p, i) => `${p.path}=${String(values[i])}`).join(" ");
      throw new InputError(e.problems.map((x) => ({ file: "<args>", message: `--set ${set}: ${x.message}` })));
    }
    const runs = seeds.map((seed) => {
      onRun?.(done++, total);
      return runScenario(scenario, { seed });
    });
    return { values, runs };
  });
}

function stats(xs: readonly number[]): string {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (finite.length === 0) return "-";
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo === hi ? fmt(mean) : `${fmt(mean)} [${fmt(lo)}, ${fmt(hi)}]`;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/** One row per combination: mean [min, max] over the seeds of outcomes and latency. */
export function formatSweep(file: string, parameters: readonly SweepParameter[], seeds: readonly (number | string)[], rows: readonly SweepRow[]): string {
  let out = `kube-netsim sweep ${file}\n  ${rows.length} combination${rows.length === 1 ? "" : "s"} x ${seeds.length} seed${seeds.length === 1 ? "" : "s"} (${seeds.join(", ")}); mean [min, max] over the seeds (one number when all are equal)\n\n`;
  const header = [...parameters.map((p) => p.path), "started", "completed", "failed %", "timedOut", "refused", "reset", "dropped", "p50 ms", "p99 ms", "expect"];
  const body = rows.map((r) => {
    const res = r.runs.map((x) => x.results);
    const failedPct = res.map((x) => (x.started === 0 ? 0 : (100 * (x.started - x.outcomes.completed)) / x.started));
    const failedExpect = r.runs.filter((x) => x.expectations.some((e) => !e.ok)).length;
    const hasExpect = r.runs.some((x) => x.expectations.length > 0);
    return [
      ...r.values.map((v) => String(v)),
      stats(res.map((x) => x.started)),
      stats(res.map((x) => x.outcomes.completed)),
      stats(failedPct),
      stats(res.map((x) => x.outcomes.timedOut)),
      stats(res.map((x) => x.outcomes.refused)),
      stats(res.map((x) => x.outcomes.reset)),
      stats(res.map((x) => x.outcomes.dropped)),
      stats(res.map((x) => x.latency.p50)),
      stats(res.map((x) => x.latency.p99)),
      hasExpect ? (failedExpect === 0 ? "ok" : `FAIL ${failedExpect}/${r.runs.length}`) : "-",
    ];
  });
  out += table(header, body, parameters.map((_, i) => i));
  return out;
}
