import { describe, it, expect } from "vitest";
import { RandomSource, Scheduler } from "@kube-netsim/core";
import { formatFieldError } from "./field-error.js";
import { ObjectStore } from "./store.js";
import { validateObject } from "./validation.js";
import type { Pod } from "./types.js";

// Tolerations and taints as the API server validates them (pkg/apis/core/validation
// ValidateTolerations, validateNodeTaints) and the DefaultTolerationSeconds admission plugin.

const run = (obj: unknown): string[] => validateObject(obj).map(formatFieldError);
const pod = (tolerations: unknown): unknown => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }], tolerations } });
const node = (taints: unknown): unknown => ({ apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { taints } });

describe("spec.tolerations validation", () => {
  it.each<[string, unknown, string[]]>([
    ["the default tolerations are valid", [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }], []],
    ["Equal with a value", [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }], []],
    ["an empty key needs Exists", [{ operator: "Equal", value: "" }], ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"']],
    ["tolerationSeconds needs NoExecute", [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 5 }], [`spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`]],
    ["Exists with a value", [{ key: "k", operator: "Exists", value: "v" }], [`spec.tolerations[0].operator: Invalid value: "v": value must be empty when \`operator\` is 'Exists'`]],
    ["an unknown operator", [{ key: "k", operator: "In" }], ['spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"']],
    ["an unknown effect", [{ key: "k", operator: "Exists", effect: "NoRun" }], ['spec.tolerations[0].effect: Unsupported value: "NoRun": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"']],
    ["a bad key", [{ key: "bad key", operator: "Exists" }], [expect.stringContaining('spec.tolerations[0].key: Invalid value: "bad key": name part must consist of alphanumeric characters') as unknown as string]],
    ["not a list", "x", ['spec.tolerations: Invalid value: "x": must be of type array']],
  ])("%s", (_name, tolerations, want) => {
    expect(run(pod(tolerations))).toEqual(want);
  });
});

describe("spec.taints validation (Node)", () => {
  it.each<[string, unknown, string[]]>([
    ["a NoExecute taint", [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: 1 }], []],
    ["the effect is required", [{ key: "k" }], ["spec.taints[0].effect: Required value"]],
    ["the key is required", [{ effect: "NoSchedule" }], [expect.stringContaining('spec.taints[0].key: Invalid value: "": name part must be non-empty') as unknown as string, expect.stringContaining("spec.taints[0].key") as unknown as string]],
    ["no two taints with one key and effect", [{ key: "k", effect: "NoSchedule" }, { key: "k", effect: "NoSchedule" }], ['spec.taints[1]: Duplicate value: "k:NoSchedule"']],
  ])("%s", (_name, taints, want) => {
    expect(run(node(taints))).toEqual(want);
  });
});

describe("DefaultTolerationSeconds admission (ObjectStoreOptions.defaultTolerationSeconds)", () => {
  const mk = (tolerations?: Pod["spec"]["tolerations"]): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }], ...(tolerations ? { tolerations } : {}) } });
  const store = (seconds?: number): ObjectStore => new ObjectStore(new Scheduler(), { random: new RandomSource(1).stream("apiserver"), defaultTolerationSeconds: seconds });

  it("adds the not-ready and unreachable NoExecute tolerations with 300 s", () => {
    expect(store(300).create(mk()).spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
  });

  it("keeps a pod's own toleration for a taint and adds only the other one", () => {
    const own = { key: "node.kubernetes.io/unreachable", operator: "Exists" as const, effect: "NoExecute" as const, tolerationSeconds: 30 };
    expect(store(300).create(mk([own])).spec.tolerations).toEqual([own, { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }]);
  });

  it("adds nothing to a pod that tolerates everything", () => {
    expect(store(300).create(mk([{ operator: "Exists" }])).spec.tolerations).toEqual([{ operator: "Exists" }]);
  });

  it("is off unless configured", () => {
    expect(store().create(mk()).spec.tolerations).toBeUndefined();
  });

  it("pods created from one frozen spec share one admitted spec", () => {
    const st = store(300);
    const spec = Object.freeze({ containers: Object.freeze([Object.freeze({ name: "c" })]) }) as Pod["spec"];
    const a = st.create({ ...mk(), metadata: { name: "a" }, spec });
    const b = st.create({ ...mk(), metadata: { name: "b" }, spec });
    expect(a.spec).toBe(b.spec);
  });
});
