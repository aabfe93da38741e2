import { describe, it, expect } from "vitest";
import { calculateStatus, cleanupDeployment, findActiveOrLatest, isSaturated, isScalingEvent, replicaSetFraction, replicaSetProportion, scaleDeployment } from "./sync.js";
import { MAX_INT32, maxSurge } from "./util.js";
import type { ReplicaSetState, RolloutSpec } from "./util.js";
import type { DeploymentStatus } from "./progress.js";

const NEW = 2000;
const OLD = 1000;
const OLDER = 0;

// deployment_controller_test.go newDeployment: RollingUpdate with maxSurge and maxUnavailable 0 unless given.
const spec = (replicas: number, surge = 0, unavailable = 0): RolloutSpec => ({ replicas, strategy: "RollingUpdate", maxSurge: surge, maxUnavailable: unavailable });

/** An RS annotated as upstream's TestScale does: desired = old Deployment's replicas, max = that + old maxSurge. */
const rs = (name: string, replicas: number, created: number, oldSpec: RolloutSpec, o: { desired?: number; available?: number } = {}): ReplicaSetState => {
  const desired = o.desired ?? oldSpec.replicas;
  return { name, replicas, creationTimestamp: created, availableReplicas: o.available ?? replicas, desiredReplicas: desired, maxReplicas: desired + maxSurge(oldSpec) };
};

const sizes = (newRS: ReplicaSetState | undefined, oldRSs: ReplicaSetState[], d: RolloutSpec): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of [...oldRSs, ...(newRS ? [newRS] : [])]) out[r.name] = r.replicas;
  for (const op of scaleDeployment(d, newRS, oldRSs, 0)) out[op.name] = op.replicas;
  return out;
};

describe("scaleDeployment: scaling events and proportional scaling (sync_test.go TestScale)", () => {
  it.each<[string, RolloutSpec, RolloutSpec, [string, number, number] | undefined, [string, number, number][], Record<string, number>]>([
    ["normal scaling event: 10 -> 12", spec(12), spec(10), ["foo-v1", 10, NEW], [], { "foo-v1": 12 }],
    ["normal scaling event: 10 -> 5", spec(5), spec(10), ["foo-v1", 10, NEW], [], { "foo-v1": 5 }],
    ["proportional scaling: 5 -> 10", spec(10), spec(5), ["foo-v2", 2, NEW], [["foo-v1", 3, OLD]], { "foo-v2": 4, "foo-v1": 6 }],
    ["proportional scaling: 5 -> 3", spec(3), spec(5), ["foo-v2", 2, NEW], [["foo-v1", 3, OLD]], { "foo-v2": 1, "foo-v1": 2 }],
    ["proportional scaling: 9 -> 4", spec(4), spec(9), ["foo-v2", 8, NEW], [["foo-v1", 1, OLD]], { "foo-v2": 4, "foo-v1": 0 }],
    ["proportional scaling: 7 -> 10", spec(10), spec(7), ["foo-v3", 2, NEW], [["foo-v2", 3, OLD], ["foo-v1", 2, OLDER]], { "foo-v3": 3, "foo-v2": 4, "foo-v1": 3 }],
    ["proportional scaling: 13 -> 8", spec(8), spec(13), ["foo-v3", 2, NEW], [["foo-v2", 8, OLD], ["foo-v1", 3, OLDER]], { "foo-v3": 1, "foo-v2": 5, "foo-v1": 2 }],
    ["leftover distribution: 3 -> 4 (scales up the new replica set)", spec(4), spec(3), ["foo-v3", 1, NEW], [["foo-v2", 1, OLD], ["foo-v1", 1, OLDER]], { "foo-v3": 2, "foo-v2": 1, "foo-v1": 1 }],
    ["leftover distribution: 3 -> 2 (scales down the older replica set)", spec(2), spec(3), ["foo-v3", 1, NEW], [["foo-v2", 1, OLD], ["foo-v1", 1, OLDER]], { "foo-v3": 1, "foo-v2": 1, "foo-v1": 0 }],
    ["proportional scaling (no new rs): 4 -> 5 (latest first)", spec(5), spec(4), undefined, [["foo-v2", 2, OLD], ["foo-v1", 2, OLDER]], { "foo-v2": 3, "foo-v1": 2 }],
    ["proportional scaling: 6 -> 0", spec(0), spec(6), ["foo-v3", 3, NEW], [["foo-v2", 2, OLD], ["foo-v1", 1, OLDER]], { "foo-v3": 0, "foo-v2": 0, "foo-v1": 0 }],
    ["proportional scaling: 0 -> 6 (scales up from zero the newest)", spec(6), spec(6), ["foo-v3", 0, NEW], [["foo-v2", 0, OLD], ["foo-v1", 0, OLDER]], { "foo-v3": 6, "foo-v2": 0, "foo-v1": 0 }],
    ["deployment with surge pods", spec(20, 2), spec(10, 2), ["foo-v2", 6, NEW], [["foo-v1", 6, OLD]], { "foo-v2": 11, "foo-v1": 11 }],
    ["change both surge and size", spec(50, 6), spec(10, 3), ["foo-v2", 5, NEW], [["foo-v1", 8, OLD]], { "foo-v2": 22, "foo-v1": 34 }],
    ["change both size and template", spec(14), spec(10), undefined, [["foo-v2", 7, NEW], ["foo-v1", 3, OLD]], { "foo-v2": 10, "foo-v1": 4 }],
  ])("%s", (_n, d, oldD, n, olds, want) => {
    const newRS = n ? rs(n[0], n[1], n[2], oldD) : undefined;
    const oldRSs = olds.map(([name, r, t]) => rs(name, r, t, oldD));
    expect(sizes(newRS, oldRSs, d)).toEqual(want);
  });

  it("saturated but broken new replica set does not affect old pods", () => {
    const d = spec(2, 1, 1);
    const newRS = rs("foo-v2", 2, NEW, d, { available: 0 });
    expect(sizes(newRS, [rs("foo-v1", 1, OLD, d)], d)).toEqual({ "foo-v2": 2, "foo-v1": 1 });
  });

  it("a saturated new ReplicaSet (all available) scales the old ones to 0", () => {
    const d = spec(2, 1, 1);
    expect(scaleDeployment(d, rs("foo-v2", 2, NEW, d), [rs("foo-v1", 1, OLD, d), rs("foo-v0", 0, OLDER, d)], 0)).toEqual([{ name: "foo-v1", replicas: 0, refreshAnnotations: false }]);
  });

  it("proportional scaling writes every active ReplicaSet (to refresh the annotations); single-RS scaling only a changed size", () => {
    expect(scaleDeployment(spec(10), rs("v2", 2, NEW, spec(5)), [rs("v1", 3, OLD, spec(5))], 0)).toEqual([
      { name: "v1", replicas: 6, refreshAnnotations: true },
      { name: "v2", replicas: 4, refreshAnnotations: true },
    ]);
    expect(scaleDeployment(spec(10), rs("v1", 10, NEW, spec(10)), [], 0)).toEqual([]);
  });

  it("a Recreate Deployment with several active ReplicaSets is not scaled proportionally", () => {
    const d: RolloutSpec = { replicas: 6, strategy: "Recreate" };
    expect(scaleDeployment(d, rs("v2", 2, NEW, spec(4)), [rs("v1", 2, OLD, spec(4))], 0)).toEqual([]);
  });
});

describe("replicaSetFraction / replicaSetProportion (deployment_util.go getReplicaSetFraction, GetReplicaSetProportion)", () => {
  const r = (replicas: number, maxReplicas?: number): ReplicaSetState => ({ name: "r", replicas, ...(maxReplicas !== undefined ? { maxReplicas } : {}) });
  it.each<[string, ReplicaSetState, RolloutSpec, number, number]>([
    ["keeps its share: 3 of 5 -> 6 of 10", r(3, 5), spec(10), 0, 3],
    ["half rounds away from zero: 2 * 5 / 4 = 2.5 -> 3", r(2, 4), spec(5), 0, 1],
    ["scaling to 0 removes all", r(3, 5), spec(0), 0, -3],
    ["no annotation: status.replicas is the base", r(3), spec(10), 5, 3],
    ["surge counts: 6 * (20 + 2) / 12 = 11", r(6, 12), spec(20, 2), 0, 5],
    ["no base at all (upstream divides by zero): 0", r(3), spec(10), 0, 0],
  ])("fraction: %s", (_n, x, d, statusReplicas, want) => {
    expect(replicaSetFraction(x, d, statusReplicas)).toBe(want);
  });

  it.each<[string, ReplicaSetState | undefined, number, number, number, number]>([
    ["its fraction when there is room: 3 of 5 -> 6 of 10", r(3, 5), 10, 5, 0, 3],
    ["capped by what is left to add (fraction 12, 1 left)", r(8, 4), 10, 4, 3, 1],
    ["scaling down: not below what is left to remove (fraction -6, -2 left)", r(8, 10), 2, -2, 0, -2],
    ["scaling down: its fraction when more is left", r(8, 10), 5, -8, -1, -4],
    ["an empty ReplicaSet gets nothing", r(0, 10), 10, 4, 0, 0],
    ["nothing to add", r(3, 5), 10, 0, 0, 0],
    ["all added already", r(3, 5), 10, 2, 2, 0],
    ["no ReplicaSet", undefined, 10, 2, 0, 0],
  ])("proportion: %s", (_n, x, replicas, toAdd, added, want) => {
    expect(replicaSetProportion(x, spec(replicas), toAdd, added, 0)).toBe(want);
  });
});

describe("findActiveOrLatest / isSaturated / isScalingEvent", () => {
  const x = (name: string, replicas: number, created: number, extra: Partial<ReplicaSetState> = {}): ReplicaSetState => ({ name, replicas, creationTimestamp: created, ...extra });
  it("the only active ReplicaSet, else the newest (the new one first), else none", () => {
    expect(findActiveOrLatest(x("n", 0, 3), [x("a", 2, 1), x("b", 0, 2)])?.name).toBe("a");
    expect(findActiveOrLatest(x("n", 0, 3), [x("a", 0, 1), x("b", 0, 2)])?.name).toBe("n");
    expect(findActiveOrLatest(undefined, [x("a", 0, 1), x("b", 0, 2)])?.name).toBe("b");
    expect(findActiveOrLatest(x("n", 1, 3), [x("a", 2, 1)])).toBeUndefined();
    expect(findActiveOrLatest(undefined, [])).toBeUndefined();
  });

  it("saturated: spec, desired annotation and available pods all equal replicas", () => {
    expect(isSaturated(3, x("n", 3, 0, { desiredReplicas: 3, availableReplicas: 3 }))).toBe(true);
    expect(isSaturated(3, x("n", 3, 0, { desiredReplicas: 2, availableReplicas: 3 }))).toBe(false);
    expect(isSaturated(3, x("n", 3, 0, { desiredReplicas: 3, availableReplicas: 2 }))).toBe(false);
    expect(isSaturated(3, x("n", 3, 0, { availableReplicas: 3 }))).toBe(false);
    expect(isSaturated(3, undefined)).toBe(false);
  });

  it("scaling event: an active ReplicaSet's desired-replicas annotation differs from replicas", () => {
    expect(isScalingEvent(4, [x("a", 2, 0, { desiredReplicas: 4 }), x("b", 0, 0, { desiredReplicas: 3 }), undefined])).toBe(false);
    expect(isScalingEvent(5, [x("a", 2, 0, { desiredReplicas: 4 })])).toBe(true);
    expect(isScalingEvent(5, [x("a", 2, 0)])).toBe(false);
  });
});

describe("cleanupDeployment (sync_test.go TestDeploymentController_cleanupDeployment)", () => {
  // newRSWithStatus(name, specReplicas, statusReplicas)
  const w = (name: string, spec: number, status: number, extra: Partial<ReplicaSetState> = {}): ReplicaSetState => ({ name, replicas: spec, statusReplicas: status, ...extra });
  it.each<[string, ReplicaSetState[], number, number]>([
    ["3 empty, limit 1: 2 deleted", [w("foo-1", 0, 0), w("foo-2", 0, 0), w("foo-3", 0, 0)], 1, 2],
    ["only spec = status = 0 is deleted", [w("foo-1", 0, 0), w("foo-2", 0, 1), w("foo-3", 1, 0), w("foo-4", 1, 1)], 0, 1],
    ["2 empty, limit 0", [w("foo-1", 0, 0), w("foo-2", 0, 0)], 0, 2],
    ["2 with replicas, limit 0", [w("foo-1", 1, 1), w("foo-2", 1, 1)], 0, 0],
    ["already being deleted", [w("foo-1", 0, 0, { terminating: true })], 0, 0],
    ["unlimited revisionHistoryLimit", [w("foo-1", 0, 0), w("foo-2", 0, 0), w("foo-3", 0, 0)], MAX_INT32, 0],
  ])("%s", (_n, old, limit, deletions) => {
    expect(cleanupDeployment(old, limit)).toHaveLength(deletions);
  });

  it("deletes the lowest revisions first", () => {
    const old = [w("r5", 0, 0, { revision: 5 }), w("r2", 0, 0, { revision: 2 }), w("r9", 0, 0, { revision: 9 }), w("r3", 0, 0, { revision: 3 })];
    expect(cleanupDeployment(old, 2)).toEqual(["r2", "r3"]);
  });

  it("counts ReplicaSets with replicas toward the limit but keeps them", () => {
    const old = [w("r1", 1, 1, { revision: 1 }), w("r2", 0, 0, { revision: 2 }), w("r3", 0, 0, { revision: 3 })];
    expect(cleanupDeployment(old, 1)).toEqual(["r2"]);
  });
});

describe("calculateStatus (sync.go calculateStatus)", () => {
  const empty: DeploymentStatus = { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 0 };
  const oldRS: ReplicaSetState = { name: "old", replicas: 2, statusReplicas: 3, readyReplicas: 3, availableReplicas: 3 };
  const newRS: ReplicaSetState = { name: "new", replicas: 3, statusReplicas: 2, readyReplicas: 1, availableReplicas: 0 };

  it("sums the ReplicaSets, takes updatedReplicas from the new one and sets Available", () => {
    const s = calculateStatus([oldRS, newRS], newRS, spec(4, 1, 1), 7, empty, 5000);
    expect(s).toEqual({
      observedGeneration: 7,
      replicas: 5,
      updatedReplicas: 2,
      readyReplicas: 4,
      availableReplicas: 3,
      unavailableReplicas: 2,
      conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability.", lastUpdateTime: 5000, lastTransitionTime: 5000 }],
    });
  });

  it("Available is False below replicas - maxUnavailable; unavailableReplicas is never negative", () => {
    const s = calculateStatus([oldRS], undefined, spec(4, 1, 0), 1, { ...empty, collisionCount: 2 }, 0);
    expect(s.conditions?.[0]).toMatchObject({ type: "Available", status: "False", reason: "MinimumReplicasUnavailable" });
    expect(s.unavailableReplicas).toBe(0);
    expect(s.updatedReplicas).toBe(0);
    expect(s.collisionCount).toBe(2);
  });
});
