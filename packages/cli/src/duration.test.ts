import fc from "fast-check";
import { RandomSource } from "@kube-netsim/core";
import { formatFieldError } from "@kube-netsim/model";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDistribution, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["bare number is ms", 250, 250],
    ["zero without unit", "0", 0],
    ["milliseconds", "300ms", 300],
    ["fractional seconds", "1.5s", 1500],
    ["minutes and seconds (Go form)", "1m30s", 90_000],
    ["hours", "2h", 7_200_000],
    ["microseconds", "250us", 0.25],
    ["micro sign", "250µs", 0.25],
    ["nanoseconds", "500000ns", 0.5],
    ["leading dot", ".5s", 500],
  ] as const)("%s: %s -> %s ms", (_name, input, ms) => {
    expect(parseDuration(input, "duration")).toBeCloseTo(ms, 9);
  });

  it.each([
    ["words", "10 seconds", 'duration: Invalid value: "10 seconds": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)'],
    ["no unit", "10", 'duration: Invalid value: "10": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)'],
    ["negative number", -5, "duration: Invalid value: -5: must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds), >= 0"],
    ["unknown unit", "3d", 'duration: Invalid value: "3d": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)'],
    ["boolean", true, "duration: Invalid value: true: must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)"],
    ["missing", undefined, "duration: Required value: a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)"],
  ] as const)("rejects %s", (_name, input, message) => {
    const r = parseDuration(input, "duration");
    expect(typeof r).toBe("object");
    expect(formatFieldError(r as Exclude<typeof r, number>)).toBe(message);
  });

  it("property: <n>ms, <n/1000>s and the sum of two parts read back as the same milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 59 }), (ms, s) => {
        expect(parseDuration(`${ms}ms`, "d")).toBe(ms);
        expect(parseDuration(`${ms / 1000}s`, "d")).toBeCloseTo(ms, 6);
        expect(parseDuration(`${ms}ms${s}s`, "d")).toBeCloseTo(ms + s * 1000, 6);
      }),
    );
  });
});

describe("parseDistribution", () => {
  it.each([
    ["a duration is a constant", "5ms", "constant(5ms)", 5],
    ["a number is a constant (ms)", 7, "constant(7ms)", 7],
    ["constant()", "constant(1s)", "constant(1000ms)", 1000],
    ["exponential()", "exponential(5ms)", "exponential(5ms)", 5],
    ["uniform()", "uniform(1s, 3s)", "uniform(1000ms, 3000ms)", 2000],
    ["lognormal(mean, stddev)", "lognormal(20ms, 10ms)", "lognormal(20ms, 10ms)", 20],
    ["map: constant", { constant: "1s" }, "constant(1000ms)", 1000],
    ["map: exponential", { exponential: "5ms" }, "exponential(5ms)", 5],
    ["map: uniform list", { uniform: ["1s", "3s"] }, "uniform(1000ms, 3000ms)", 2000],
    ["map: uniform min/max", { uniform: { min: "1s", max: "3s" } }, "uniform(1000ms, 3000ms)", 2000],
    ["map: lognormal", { lognormal: { mean: "20ms", stddev: "10ms" } }, "lognormal(20ms, 10ms)", 20],
  ] as const)("%s: %j", (_name, input, text, mean) => {
    const d = parseDistribution(input, "x");
    if (!("distribution" in d)) throw new Error(formatFieldError(d));
    expect(d.text).toBe(text);
    expect(d.distribution.mean).toBeCloseTo(mean, 9);
  });

  it("empirical() interpolates between the samples given", () => {
    const d = parseDistribution("empirical(1ms, 2ms, 9ms)", "x");
    if (!("distribution" in d)) throw new Error(formatFieldError(d));
    const rng = new RandomSource(3).stream("t");
    for (let i = 0; i < 1000; i++) {
      const v = d.distribution.sample(rng);
      expect(v).toBeGreaterThanOrEqual(1);
      expect(v).toBeLessThanOrEqual(9);
    }
  });

  it("exponential(5ms) samples have mean 5 ms within 2% at a fixed seed (n = 100000, sd of the mean 0.3%)", () => {
    const d = parseDistribution("exponential(5ms)", "x");
    if (!("distribution" in d)) throw new Error(formatFieldError(d));
    const rng = new RandomSource(11).stream("t");
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += d.distribution.sample(rng);
    expect(Math.abs(sum / 100_000 - 5) / 5).toBeLessThan(0.02);
  });

  it.each([
    ["unknown function", "gaussian(5ms)", 'x: Invalid value: "gaussian(5ms)": must be a duration (constant) or exponential(5ms), constant(1s), uniform(1s, 3s), lognormal(20ms, 10ms), empirical(1ms, 2ms, 9ms)'],
    ["wrong arity", "uniform(1s)", 'x: Invalid value: "uniform(1s)": uniform takes 2 duration arguments'],
    ["bad argument", "exponential(fast)", 'x: Invalid value: "fast": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)'],
    ["zero mean", "exponential(0)", 'x: Invalid value: "exponential(0)": exponential needs a mean > 0'],
    ["max below min", "uniform(3s, 1s)", 'x: Invalid value: "uniform(3s, 1s)": uniform needs max >= min'],
    ["map with two keys", { constant: 1, exponential: 2 }, 'x: Invalid value: map[string]interface {}{"constant":1, "exponential":2}: must be a duration (constant) or exponential(5ms), constant(1s), uniform(1s, 3s), lognormal(20ms, 10ms), empirical(1ms, 2ms, 9ms), or an object with one key of constant, exponential, uniform, lognormal, empirical'],
    ["second argument of a map", { uniform: ["1s", "soon"] }, 'x.uniform[1]: Invalid value: "soon": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)'],
  ] as const)("rejects %s", (_name, input, message) => {
    const d = parseDistribution(input, "x");
    expect("distribution" in d).toBe(false);
    expect(formatFieldError(d as Exclude<typeof d, { distribution: unknown }>)).toBe(message);
  });
});

describe("formatDuration", () => {
  it.each([
    [850, "850 ms"],
    [1500, "1.5 s"],
    [60_000, "60 s"],
    [150_000, "2 m 30 s"],
    [120_000, "2 m"],
  ])("%s ms -> %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
