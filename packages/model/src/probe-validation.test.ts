import { describe, expect, it } from "vitest";
import { formatFieldError } from "./field-error.js";
import { validateObject } from "./validation.js";

// Probes and restartPolicy, as pkg/apis/core/validation validateProbe / validateLivenessProbe /
// validateStartupProbe / validateRestartPolicy report them after the v1 defaulting.
const pod = (container: Record<string, unknown>, spec: Record<string, unknown> = {}): unknown => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p" },
  spec: { containers: [{ name: "app", image: "nginx", ...container }], ...spec },
});
const deploy = (spec: Record<string, unknown>): unknown => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web" },
  spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }], ...spec } } },
});
const run = (obj: unknown): string[] => validateObject(obj).map(formatFieldError);
const NONNEG = "must be greater than or equal to 0";

describe("probe validation", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["all defaults (an empty probe of each kind)", { livenessProbe: {}, readinessProbe: {}, startupProbe: {} }, []],
    ["zeros are defaulted, not rejected", { livenessProbe: { periodSeconds: 0, timeoutSeconds: 0, successThreshold: 0, failureThreshold: 0 } }, []],
    [
      "negative timings",
      { readinessProbe: { initialDelaySeconds: -1, timeoutSeconds: -2, periodSeconds: -3, successThreshold: -4, failureThreshold: -5 } },
      [
        `spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: ${NONNEG}`,
        `spec.containers[0].readinessProbe.timeoutSeconds: Invalid value: -2: ${NONNEG}`,
        `spec.containers[0].readinessProbe.periodSeconds: Invalid value: -3: ${NONNEG}`,
        `spec.containers[0].readinessProbe.successThreshold: Invalid value: -4: ${NONNEG}`,
        `spec.containers[0].readinessProbe.failureThreshold: Invalid value: -5: ${NONNEG}`,
      ],
    ],
    ["readiness may need several successes", { readinessProbe: { successThreshold: 3 } }, []],
    ["liveness needs successThreshold 1", { livenessProbe: { successThreshold: 2 } }, ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]],
    ["startup needs successThreshold 1", { startupProbe: { successThreshold: 5 } }, ["spec.containers[0].startupProbe.successThreshold: Invalid value: 5: must be 1"]],
    [
      "readiness probes take no grace period",
      { readinessProbe: { terminationGracePeriodSeconds: 5 } },
      ["spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"],
    ],
    ["a liveness probe's own grace period", { livenessProbe: { terminationGracePeriodSeconds: 5 } }, []],
    [
      "a probe grace period must be positive",
      { livenessProbe: { terminationGracePeriodSeconds: 0 } },
      ["spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"],
    ],
    ["wrong JSON types", { startupProbe: "yes", livenessProbe: { periodSeconds: "10s" } }, [
      'spec.containers[0].livenessProbe.periodSeconds: Invalid value: "10s": must be of type integer',
      'spec.containers[0].startupProbe: Invalid value: "yes": must be of type object',
    ]],
  ])("%s", (_name, container, want) => {
    expect(run(pod(container))).toEqual(want);
  });
});

describe("restartPolicy validation", () => {
  it.each<[string, unknown, string[]]>([
    ["Always", pod({}, { restartPolicy: "Always" }), []],
    ["OnFailure", pod({}, { restartPolicy: "OnFailure" }), []],
    ["Never", pod({}, { restartPolicy: "Never" }), []],
    ["unknown value", pod({}, { restartPolicy: "Sometimes" }), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"']],
    ["a Deployment's pods are always restarted", deploy({ restartPolicy: "Never" }), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
    ["a Deployment with Always", deploy({ restartPolicy: "Always" }), []],
  ])("%s", (_name, obj, want) => {
    expect(run(obj)).toEqual(want);
  });
});
