import { constant, empirical, exponential, lognormalFromMeanStddev, uniform } from "@kube-netsim/core";
import type { Distribution } from "@kube-netsim/core";
import { fieldInvalid, fieldRequired } from "@kube-netsim/model";
import type { FieldError } from "@kube-netsim/model";

/** Milliseconds per unit of a duration string (Go's `time.ParseDuration` units, plus `d`). */
const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const DURATION_HINT = 'a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)';
const DISTRIBUTION_HINT = "a duration (constant) or exponential(5ms), constant(1s), uniform(1s, 3s), lognormal(20ms, 10ms), empirical(1ms, 2ms, 9ms)";

/**
 * Parses a duration as written in scenario files and returns milliseconds.
 *
 * @remarks
 * A YAML number is milliseconds. A string is a sequence of decimal numbers, each with a
 * unit, as Go's `time.ParseDuration` reads them (`300ms`, `1.5s`, `1m30s`, `2h`; units
 * `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`); `"0"` needs no unit.
 *
 * @param value - the YAML value.
 * @param path - the field path, for the error.
 * @returns milliseconds, or a {@link FieldError} naming `path` and the value.
 * @example
 * ```ts
 * parseDuration("1m30s", "duration"); // 90000
 * parseDuration(250, "duration");     // 250
 * ```
 */
export function parseDuration(value: unknown, path: string): number | FieldError {
  if (value === undefined || value === null || value === "") return fieldRequired(path, DURATION_HINT);
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) return fieldInvalid(path, value, `must be ${DURATION_HINT}, >= 0`);
    return value;
  }
  if (typeof value !== "string") return fieldInvalid(path, value, `must be ${DURATION_HINT}`);
  const s = value.trim();
  if (s === "0") return 0;
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) return fieldInvalid(path, value, `must be ${DURATION_HINT}`);
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = re.lastIndex;
  }
  if (at === 0) return fieldInvalid(path, value, `must be ${DURATION_HINT}`);
  return total;
}

/**
 * A parsed distribution and how it was written, normalised (e.g. `exponential(5ms)`).
 *
 * @example
 * ```ts
 * const d = parseDistribution("uniform(1s, 3s)", "applications[0].serviceTime");
 * if ("distribution" in d) {
 *   d.text;              // "uniform(1000ms, 3000ms)"
 *   d.distribution.mean; // 2000
 * }
 * ```
 */
export interface ParsedDistribution {
  /** The distribution, in milliseconds. */
  readonly distribution: Distribution;
  /** Normalised text, e.g. `exponential(5ms)`, `constant(1000ms)`. */
  readonly text: string;
}

const FUNCTIONS = ["constant", "exponential", "uniform", "lognormal", "empirical"] as const;
type FunctionName = (typeof FUNCTIONS)[number];

/**
 * Parses a distribution of durations as written in scenario files.
 *
 * @remarks
 * Accepted forms (every argument is a duration, see {@link parseDuration}):
 *
 * | written | meaning |
 * |---|---|
 * | `5ms`, `1s`, `250` | always that value |
 * | `constant(1s)` or `{ constant: 1s }` | always that value |
 * | `exponential(5ms)` or `{ exponential: 5ms }` | exponential with that mean |
 * | `uniform(1s, 3s)` or `{ uniform: [1s, 3s] }` | uniform on [min, max) |
 * | `lognormal(20ms, 10ms)` or `{ lognormal: { mean: 20ms, stddev: 10ms } }` | lognormal with that mean and standard deviation |
 * | `empirical(1ms, 2ms, 9ms)` or `{ empirical: [1ms, 2ms, 9ms] }` | resampled measurements (interpolated) |
 *
 * @param value - the YAML value.
 * @param path - the field path, for the error.
 * @returns the distribution, or a {@link FieldError} naming `path` and the value.
 * @example
 * ```ts
 * const d = parseDistribution("exponential(5ms)", "applications[0].serviceTime");
 * if (!("distribution" in d)) throw new Error(String(d));
 * d.distribution.mean; // 5
 * ```
 */
export function parseDistribution(value: unknown, path: string): ParsedDistribution | FieldError {
  if (value === undefined || value === null || value === "") return fieldRequired(path, DISTRIBUTION_HINT);
  let name: FunctionName;
  let args: unknown[];
  if (typeof value === "number" || (typeof value === "string" && !value.includes("("))) {
    name = "constant";
    args = [value];
  } else if (typeof value === "string") {
    const m = /^\s*([a-z]+)\s*\((.*)\)\s*$/.exec(value);
    if (!m || !(FUNCTIONS as readonly string[]).includes(m[1])) return fieldInvalid(path, value, `must be ${DISTRIBUTION_HINT}`);
    name = m[1] as FunctionName;
    args = m[2].trim() === "" ? [] : m[2].split(",").map((x) => x.trim());
  } else if (typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || !(FUNCTIONS as readonly string[]).includes(keys[0])) {
      return fieldInvalid(path, value, `must be ${DISTRIBUTION_HINT}, or an object with one key of ${FUNCTIONS.join(", ")}`);
    }
    name = keys[0] as FunctionName;
    const v = (value as Record<string, unknown>)[name];
    if (Array.isArray(v)) args = v;
    else if (typeof v === "object" && v !== null) {
      const o = v as Record<string, unknown>;
      args = name === "uniform" ? [o.min, o.max] : name === "lognormal" ? [o.mean, o.stddev] : [o.mean ?? o.value];
    } else args = [v];
    path = `${path}.${name}`;
  } else {
    return fieldInvalid(path, value, `must be ${DISTRIBUTION_HINT}`);
  }
  const arity: Record<FunctionName, [number, number]> = { constant: [1, 1], exponential: [1, 1], uniform: [2, 2], lognormal: [2, 2], empirical: [1, Infinity] };
  const [lo, hi] = arity[name];
  if (args.length < lo || args.length > hi) {
    return fieldInvalid(path, value, `${name} takes ${lo === hi ? lo : `at least ${lo}`} duration argument${lo === 1 && hi === 1 ? "" : "s"}`);
  }
  const ms: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const d = parseDuration(args[i], args.length === 1 ? path : `${path}[${i}]`);
    if (typeof d !== "number") return d;
    ms.push(d);
  }
  const text = `${name}(${ms.map((x) => `${x}ms`).join(", ")})`;
  switch (name) {
    case "constant":
      return { distribution: constant(ms[0]), text };
    case "exponential":
      if (!(ms[0] > 0)) return fieldInvalid(path, value, "exponential needs a mean > 0");
      return { distribution: exponential(ms[0]), text };
    case "uniform":
      if (!(ms[1] >= ms[0])) return fieldInvalid(path, value, "uniform needs max >= min");
      return { distribution: uniform(ms[0], ms[1]), text };
    case "lognormal":
      if (!(ms[0] > 0)) return fieldInvalid(path, value, "lognormal needs a mean > 0");
      return { distribution: lognormalFromMeanStddev(ms[0], ms[1]), text };
    case "empirical":
      return { distribution: empirical(ms), text };
  }
}

/**
 * Formats milliseconds for people: `850 ms`, `1.5 s`, `2 m 30 s`.
 *
 * @example
 * ```ts
 * formatDuration(850);     // "850 ms"
 * formatDuration(1500);    // "1.5 s"
 * formatDuration(150_000); // "2 m 30 s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${+ms.toFixed(3)} ms`;
  if (ms < 120_000) return `${+(ms / 1000).toFixed(3)} s`;
  const m = Math.floor(ms / 60_000);
  const s = +((ms - m * 60_000) / 1000).toFixed(3);
  return s === 0 ? `${m} m` : `${m} m ${s} s`;
}
