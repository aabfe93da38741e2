import { describe, it, expect } from "vitest";
import type { Deployment, Pod } from "@kube-netsim/model";
import {
  ANNOTATION_DESIRED_REPLICAS,
  ANNOTATION_MAX_REPLICAS,
  ANNOTATION_REVISION,
  ANNOTATION_REVISION_HISTORY,
  compareByCreationTimestamp,
  compareByRevision,
  compareBySizeNewer,
  compareBySizeOlder,
  deploymentDefaults,
  filterActiveReplicaSets,
  isPodAvailable,
  maxRevision,
  maxSurge,
  maxUnavailable,
  minAvailable,
  replicaSetPodCounts,
  resolveFenceposts,
  revisionOf,
  scaledValueFromIntOrPercent,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from "./util.js";
import type { IntOrPercent, ReplicaSetState, RolloutSpec } from "./util.js";

const rolling = (replicas: number, maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined): RolloutSpec => ({
  replicas,
  strategy: "RollingUpdate",
  ...(maxSurge !== undefined ? { maxSurge } : {}),
  ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
});

describe("scaledValueFromIntOrPercent (apimachinery intstr.GetScaledValueFromIntOrPercent)", () => {
  it.each<[string, IntOrPercent, number, boolean, number]>([
    ["int as it is", 3, 10, true, 3],
    ["25% of 4 rounded up", "25%", 4, true, 1],
    ["25% of 4 rounded down", "25%", 4, false, 1],
    ["25% of 1 rounded up", "25%", 1, true, 1],
    ["25% of 1 rounded down", "25%", 1, false, 0],
    ["39% of 10 up", "39%", 10, true, 4],
    ["39% of 10 down", "39%", 10, false, 3],
    ["100% of 7", "100%", 7, false, 7],
    ["0%", "0%", 10, true, 0],
  ])("%s", (_n, v, total, up, want) => {
    expect(scaledValueFromIntOrPercent(v, total, up)).toBe(want);
  });

  it.each<[string, IntOrPercent, string]>([
    ["a string without %", "25", "invalid value for IntOrString: invalid type: string is not a percentage"],
    ["not a number", "x%", 'invalid value for IntOrString: invalid value "x%": strconv.Atoi: parsing "x": invalid syntax'],
    ["a fraction", 1.5, "invalid value for IntOrString: invalid type: neither int nor percentage"],
  ])("refuses %s", (_n, v, msg) => {
    expect(() => scaledValueFromIntOrPercent(v, 10, true)).toThrow(msg);
  });
});

describe("resolveFenceposts (deployment_util.go ResolveFenceposts; deployment_util_test.go TestResolveFenceposts)", () => {
  it.each<[string, IntOrPercent | undefined, IntOrPercent | undefined, number, number, number]>([
    ["0%/0% of 0: maxUnavailable becomes 1", "0%", "0%", 0, 0, 1],
    ["39%/39% of 10: surge up, unavailable down", "39%", "39%", 10, 4, 3],
    ["no maxSurge, 39% of 10", undefined, "39%", 10, 0, 3],
    ["39% of 10, no maxUnavailable", "39%", undefined, 10, 4, 0],
    ["neither: maxUnavailable 1", undefined, undefined, 10, 0, 1],
    ["25%/25% of 4 (the defaults)", "25%", "25%", 4, 1, 1],
    ["25%/25% of 1: surge 1, unavailable 0", "25%", "25%", 1, 1, 0],
    ["25%/25% of 10", "25%", "25%", 10, 3, 2],
    ["1%/1% of 10: unavailable rounds down to 0, surge up to 1", "1%", "1%", 10, 1, 0],
    ["0%/1% of 2: both 0, unavailable 1", "0%", "1%", 2, 0, 1],
    ["ints: surge 1, unavailable 0", 1, 0, 4, 1, 0],
    ["ints above replicas are kept (capped later by MaxUnavailable)", 5, 9, 4, 5, 9],
  ])("%s", (_n, s, u, replicas, surge, unavailable) => {
    expect(resolveFenceposts(s, u, replicas)).toEqual({ surge, unavailable });
  });

  it("names maxSurge in the error", () => {
    expect(() => resolveFenceposts("oops", "39%", 10)).toThrow(
      new RangeError('spec.strategy.rollingUpdate.maxSurge: Invalid value: "oops": invalid value for IntOrString: invalid type: string is not a percentage'),
    );
  });

  it("names maxUnavailable in the error", () => {
    expect(() => resolveFenceposts("55%", "urg", 10)).toThrow(
      new RangeError('spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "urg": invalid value for IntOrString: invalid type: string is not a percentage'),
    );
  });
});

describe("maxUnavailable / maxSurge / minAvailable (deployment_util_test.go TestMaxUnavailable)", () => {
  it.each<[string, RolloutSpec, number]>([
    ["maxUnavailable less than replicas", rolling(10, 1, 5), 5],
    ["maxUnavailable equal replicas", rolling(10, 1, 10), 10],
    ["maxUnavailable greater than replicas", rolling(5, 1, 10), 5],
    ["maxUnavailable with replicas is 0", rolling(0, 1, 10), 0],
    ["maxUnavailable with Recreate deployment strategy", { replicas: 4, strategy: "Recreate" }, 0],
    ["maxUnavailable less than replicas with percents", rolling(10, 1, "50%"), 5],
    ["maxUnavailable equal replicas with percents", rolling(10, 1, "100%"), 10],
    ["maxUnavailable greater than replicas with percents", rolling(5, 1, "100%"), 5],
    ["both 0 resolves maxUnavailable to 1", rolling(10, 0, 0), 1],
  ])("%s", (_n, spec, want) => {
    expect(maxUnavailable(spec)).toBe(want);
  });

  it("maxSurge is the resolved surge for RollingUpdate, 0 for Recreate", () => {
    expect(maxSurge(rolling(10, "25%", "25%"))).toBe(3);
    expect(maxSurge(rolling(3, "50%", 0))).toBe(2);
    expect(maxSurge({ replicas: 10, strategy: "Recreate" })).toBe(0);
  });

  it("minAvailable is replicas - maxUnavailable for RollingUpdate, 0 for Recreate", () => {
    expect(minAvailable(rolling(10, "25%", "25%"))).toBe(8);
    expect(minAvailable(rolling(4, 1, 0))).toBe(4);
    expect(minAvailable({ replicas: 10, strategy: "Recreate" })).toBe(0);
  });
});

describe("deploymentDefaults (pkg/apis/apps/v1/defaults.go SetDefaults_Deployment)", () => {
  const d = (spec: Partial<Deployment["spec"]>): Deployment => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: { selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [] } }, ...spec },
  });

  it("defaults to 1 replica, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600", () => {
    expect(deploymentDefaults(d({}))).toEqual({
      replicas: 1,
      strategy: "RollingUpdate",
      maxSurge: "25%",
      maxUnavailable: "25%",
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      paused: false,
    });
  });

  it("defaults each of maxSurge / maxUnavailable on its own", () => {
    expect(deploymentDefaults(d({ strategy: { rollingUpdate: { maxSurge: 0 } } }))).toMatchObject({ maxSurge: 0, maxUnavailable: "25%" });
    expect(deploymentDefaults(d({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } } }))).toMatchObject({ maxSurge: "25%", maxUnavailable: 2 });
  });

  it("Recreate has no fenceposts; explicit values are kept", () => {
    const r = deploymentDefaults(d({ replicas: 3, strategy: { type: "Recreate" }, minReadySeconds: 5, revisionHistoryLimit: 0, progressDeadlineSeconds: 30, paused: true }));
    expect(r).toEqual({ replicas: 3, strategy: "Recreate", minReadySeconds: 5, revisionHistoryLimit: 0, progressDeadlineSeconds: 30, paused: true });
  });
});

describe("ReplicaSet orderings (pkg/controller/controller_utils.go, deployment_util.go)", () => {
  const rs = (name: string, replicas: number, creationTimestamp: number, revision?: number): ReplicaSetState => ({
    name,
    replicas,
    creationTimestamp,
    ...(revision !== undefined ? { revision } : {}),
  });
  const names = (l: ReplicaSetState[]): string[] => l.map((r) => r.name);
  const a = rs("a", 2, 100, 3);
  const b = rs("b", 5, 200, 1);
  const c = rs("c", 2, 300, 2);
  const c2 = rs("c2", 2, 300);

  it("by creation timestamp: oldest first, ties by name", () => {
    expect(names([c2, c, b, a].sort(compareByCreationTimestamp))).toEqual(["a", "b", "c", "c2"]);
  });

  it("by size, newer first (scale up) and older first (scale down)", () => {
    expect(names([a, b, c].sort(compareBySizeNewer))).toEqual(["b", "c", "a"]);
    expect(names([a, b, c].sort(compareBySizeOlder))).toEqual(["b", "a", "c"]);
  });

  it("by revision, creation time when a revision does not parse", () => {
    expect(names([a, b, c].sort(compareByRevision))).toEqual(["b", "c", "a"]);
    expect(compareByRevision(c2, a)).toBeGreaterThan(0);
  });

  it("maxRevision skips unparsable revisions; filterActiveReplicaSets keeps replicas > 0", () => {
    expect(maxRevision([a, b, c, c2])).toBe(3);
    expect(maxRevision([])).toBe(0);
    expect(names(filterActiveReplicaSets([a, rs("z", 0, 1), undefined]))).toEqual(["a"]);
  });

  it("revisionOf: 0 without the annotation, undefined when it does not parse", () => {
    expect(revisionOf(undefined)).toBe(0);
    expect(revisionOf({ [ANNOTATION_REVISION]: "7" })).toBe(7);
    expect(revisionOf({ [ANNOTATION_REVISION]: "seven" })).toBeUndefined();
  });
});

describe("replica annotations (deployment_util.go SetReplicasAnnotations, SetNewReplicaSetAnnotations)", () => {
  it("setReplicasAnnotations writes desired and max replicas and says when they changed", () => {
    const first = setReplicasAnnotations({ x: "y" }, 10, 13);
    expect(first).toEqual({ annotations: { x: "y", [ANNOTATION_DESIRED_REPLICAS]: "10", [ANNOTATION_MAX_REPLICAS]: "13" }, changed: true });
    expect(setReplicasAnnotations(first.annotations, 10, 13).changed).toBe(false);
  });

  it("a new ReplicaSet gets the revision, the replicas annotations and the Deployment's annotations except the skipped ones", () => {
    const dAnn = { team: "a", [ANNOTATION_REVISION]: "4", "kubectl.kubernetes.io/last-applied-configuration": "{}" };
    expect(setNewReplicaSetAnnotations(dAnn, undefined, 5, false, 4, 5)).toEqual({
      annotations: { team: "a", [ANNOTATION_REVISION]: "5", [ANNOTATION_DESIRED_REPLICAS]: "4", [ANNOTATION_MAX_REPLICAS]: "5" },
      changed: true,
    });
  });

  it("an existing ReplicaSet reused with a higher revision (rollback) records its old revision in revision-history", () => {
    const r = setNewReplicaSetAnnotations({}, { [ANNOTATION_REVISION]: "1" }, 3, true, 4, 5);
    expect(r).toEqual({ annotations: { [ANNOTATION_REVISION]: "3", [ANNOTATION_REVISION_HISTORY]: "1" }, changed: true });
    const again = setNewReplicaSetAnnotations({}, { ...r.annotations }, 5, true, 4, 5);
    expect(again.annotations[ANNOTATION_REVISION_HISTORY]).toBe("1,3");
  });

  it("a revision already at or above the new one is left alone", () => {
    expect(setNewReplicaSetAnnotations({}, { [ANNOTATION_REVISION]: "6" }, 5, true, 4, 5)).toEqual({ annotations: { [ANNOTATION_REVISION]: "6" }, changed: false });
  });

  it("revision-history is kept within 2000 characters, dropping the oldest entries", () => {
    const history = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(","); // 1999 chars
    const r = setNewReplicaSetAnnotations({}, { [ANNOTATION_REVISION]: "2000", [ANNOTATION_REVISION_HISTORY]: history }, 3000, true, 1, 1);
    const h = r.annotations[ANNOTATION_REVISION_HISTORY];
    expect(h.length).toBeLessThanOrEqual(2000);
    expect(h.endsWith(",1399,2000")).toBe(true);
    expect(h.startsWith("1001,")).toBe(true);
  });
});

describe("pod availability (pkg/api/v1/pod/util.go IsPodAvailable; replicaset calculateStatus)", () => {
  const pod = (o: { ready?: boolean; at?: number; deleting?: boolean; phase?: "Running" | "Failed" }): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", ...(o.deleting ? { deletionTimestamp: 1 } : {}) },
    spec: { containers: [] },
    status: {
      phase: o.phase ?? "Running",
      conditions: [{ type: "Ready", status: o.ready ? "True" : "False", ...(o.at !== undefined ? { lastTransitionTime: o.at } : {}) }],
    },
  });

  it.each<[string, Pod, number, number, boolean]>([
    ["not ready", pod({ ready: false, at: 0 }), 0, 100_000, false],
    ["ready, minReadySeconds 0", pod({ ready: true, at: 5000 }), 0, 5000, true],
    ["ready for exactly minReadySeconds: not yet (strictly before)", pod({ ready: true, at: 1000 }), 5, 6000, false],
    ["ready for longer than minReadySeconds", pod({ ready: true, at: 1000 }), 5, 6001, true],
    ["ready with no transition time and minReadySeconds > 0", pod({ ready: true }), 5, 100_000, false],
  ])("%s", (_n, p, mrs, now, want) => {
    expect(isPodAvailable(p, mrs, now)).toBe(want);
  });

  it("replicaSetPodCounts counts active pods only and says when the next pod becomes available (+1 s, like the ReplicaSet controller)", () => {
    const pods = [pod({ ready: true, at: 0 }), pod({ ready: true, at: 3000 }), pod({ ready: false, at: 0 }), pod({ ready: true, at: 0, deleting: true }), pod({ ready: true, at: 0, phase: "Failed" })];
    expect(replicaSetPodCounts(pods, 10, 10_500)).toEqual({ statusReplicas: 3, readyReplicas: 2, availableReplicas: 1, nextAvailableAt: 14_000 });
    expect(replicaSetPodCounts(pods, 0, 10_500)).toEqual({ statusReplicas: 3, readyReplicas: 2, availableReplicas: 2 });
  });
});
