import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFieldError } from "./field-error.js";
import { QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR, compareQuantities, nonNegativeQuantityError, parseQuantity, podRequests } from "./quantity.js";
import { validateObject } from "./validation.js";

describe("parseQuantity (apimachinery resource.ParseQuantity, MilliValue, Value, String)", () => {
  // [input, MilliValue, Value, String()] as apimachinery computes them.
  const cases: readonly (readonly [string | number, number, number, string])[] = [
    ["0", 0, 0, "0"],
    ["250m", 250, 1, "250m"],
    ["1500m", 1500, 2, "1500m"],
    ["1.5", 1500, 2, "1500m"],
    ["0.1", 100, 1, "100m"],
    [".5", 500, 1, "500m"],
    ["2000m", 2000, 2, "2"],
    ["4", 4000, 4, "4"],
    [2, 2000, 2, "2"],
    [0.5, 500, 1, "500m"],
    ["1000", 1_000_000, 1000, "1k"],
    ["1k", 1_000_000, 1000, "1k"],
    ["100n", 1, 1, "100n"],
    ["1u", 1, 1, "1u"],
    ["128Mi", 134217728000, 134217728, "128Mi"],
    ["1024Mi", 1073741824000, 1073741824, "1Gi"],
    ["0.5Gi", 536870912000, 536870912, "512Mi"],
    ["1.5Ki", 1536000, 1536, "1536"],
    ["512", 512000, 512, "512"],
    ["1G", 1e12, 1e9, "1G"],
    ["1e3", 1_000_000, 1000, "1e3"],
    ["1E6", 1e9, 1e6, "1e6"],
    ["129e6", 129e9, 129e6, "129e6"],
    ["128974848", 128974848000, 128974848, "128974848"],
    ["-1", -1000, -1, "-1"],
    ["-500m", -500, 0, "-500m"],
  ];
  it.each(cases)("%s -> milli %d, value %d, %s", (input, milli, value, canonical) => {
    const q = parseQuantity(input);
    expect([q.milliValue, q.value, q.canonical]).toEqual([milli, value, canonical]);
  });

  const bad: readonly (readonly [string, string])[] = [
    ["abc", QUANTITY_FORMAT_ERROR],
    ["", QUANTITY_FORMAT_ERROR],
    ["1.2.3", QUANTITY_FORMAT_ERROR],
    ["1 Gi", QUANTITY_FORMAT_ERROR],
    ["1GB", QUANTITY_FORMAT_ERROR],
    ["1gb", QUANTITY_FORMAT_ERROR],
    ["1ki", QUANTITY_SUFFIX_ERROR],
    ["1mi", QUANTITY_SUFFIX_ERROR],
    ["5MM", QUANTITY_SUFFIX_ERROR],
  ];
  it.each(bad)("%j is refused: %s", (input, message) => {
    expect(() => parseQuantity(input)).toThrow(message);
  });

  it("rounds past nano precision up, as ParseQuantity does", () => {
    expect(parseQuantity("1.0000000001").canonical).toBe("1000000001n");
  });

  it("compares exactly, whatever the suffixes (Quantity.Cmp)", () => {
    expect(compareQuantities(parseQuantity("1500m"), parseQuantity("1.5"))).toBe(0);
    expect(compareQuantities(parseQuantity("1Gi"), parseQuantity("1G"))).toBe(1);
    expect(compareQuantities(parseQuantity("999m"), parseQuantity("1"))).toBe(-1);
    expect(compareQuantities(parseQuantity("1000000001n"), parseQuantity("1"))).toBe(1);
  });

  it("agrees with integer millicores for every m quantity (property, seed 7)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (m) => {
        const q = parseQuantity(`${m}m`);
        return q.milliValue === m && q.value === Math.ceil(m / 1000) && parseQuantity(q.canonical).milliValue === m;
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe("podRequests (component-helpers resource PodRequests, containers only)", () => {
  it("sums the containers' cpu and memory requests; no requests is zero", () => {
    expect(
      podRequests({
        containers: [
          { resources: { requests: { cpu: "500m", memory: "128Mi" }, limits: { cpu: "2" } } },
          { resources: { requests: { cpu: 1 } } },
          {},
        ],
      }),
    ).toEqual({ cpu: 1500, memory: 134217728 });
    expect(podRequests({ containers: [{}] })).toEqual({ cpu: 0, memory: 0 });
    expect(podRequests({ containers: [{ resources: { limits: { cpu: "1" } } }] })).toEqual({ cpu: 0, memory: 0 });
  });
});

describe("ValidateResourceRequirements (pkg/apis/core/validation)", () => {
  const pod = (resources: unknown) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "c", resources }] } });
  const run = (resources: unknown) => validateObject(pod(resources)).map(formatFieldError);
  const cases: readonly (readonly [string, unknown, readonly string[]])[] = [
    ["valid requests and limits", { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "1", memory: "256Mi" } }, []],
    ["a YAML number", { requests: { cpu: 2 } }, []],
    ["not a quantity", { requests: { cpu: "abc" } }, [`spec.containers[0].resources.requests[cpu]: Invalid value: "abc": ${QUANTITY_FORMAT_ERROR}`]],
    ["a bad suffix", { limits: { memory: "1mi" } }, [`spec.containers[0].resources.limits[memory]: Invalid value: "1mi": ${QUANTITY_SUFFIX_ERROR}`]],
    ["negative", { requests: { memory: "-1Gi" } }, ['spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0']],
    ["request above limit", { requests: { cpu: "2" }, limits: { cpu: "1500m" } }, ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1500m']],
    ["request above limit, canonical forms", { requests: { memory: "1024Mi" }, limits: { memory: "0.5Gi" } }, ['spec.containers[0].resources.requests: Invalid value: "1Gi": must be less than or equal to memory limit of 512Mi']],
    ["request equal to limit in other units", { requests: { cpu: "1000m" }, limits: { cpu: "1" } }, []],
    ["an extended resource below its limit", { requests: { "example.com/gpu": "1" }, limits: { "example.com/gpu": "2" } }, ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2']],
    ["an extended resource without a limit", { requests: { "example.com/gpu": "1" } }, ["spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"]],
  ];
  it.each(cases)("%s", (_name, resources, expected) => {
    expect(run(resources)).toEqual(expected);
  });
});

describe("nonNegativeQuantityError (a node's allocatable cpu or memory)", () => {
  it.each([
    ["16Gi", undefined],
    ["3500m", undefined],
    ["0", undefined],
    ["-1", "must be greater than or equal to 0"],
    ["16ki", QUANTITY_SUFFIX_ERROR],
    ["abc", QUANTITY_FORMAT_ERROR],
  ])("%j -> %j", (text, problem) => {
    expect(nonNegativeQuantityError(text)).toBe(problem);
  });
});
