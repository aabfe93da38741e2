import { describe, it, expect } from "vitest";
import {
  cleanupUnhealthyReplicas,
  newRSNewReplicas,
  oldReplicaSetsMaxScaledDown,
  reconcileNewReplicaSet,
  reconcileOldReplicaSets,
  scaleDownOldReplicaSetsForRollingUpdate,
} from "./rolling.js";
import { oldPodsRunning, scaleDownOldReplicaSetsForRecreate } from "./recreate.js";
import type { IntOrPercent, ReplicaSetState, RolloutSpec } from "./util.js";

const rolling = (replicas: number, maxSurge: IntOrPercent, maxUnavailable: IntOrPercent): RolloutSpec => ({ replicas, strategy: "RollingUpdate", maxSurge, maxUnavailable });
const rs = (name: string, replicas: number, availableReplicas = 0, creationTimestamp = 0): ReplicaSetState => ({ name, replicas, availableReplicas, creationTimestamp });

describe("newRSNewReplicas (deployment_util_test.go TestNewRSNewReplicas)", () => {
  // Upstream passes allRSs = [rs5] (an old RS of 5) and a new RS of newRSReplicas, maxUnavailable 1.
  it.each<[string, "RollingUpdate" | "Recreate", number, number, number, number]>([
    ["can not scale up - to newRSReplicas", "RollingUpdate", 1, 5, 1, 5],
    ["scale up - to depReplicas", "RollingUpdate", 6, 2, 10, 6],
    ["recreate - to depReplicas", "Recreate", 3, 1, 1, 3],
  ])("%s", (_n, strategy, depReplicas, newRSReplicas, surge, want) => {
    const spec: RolloutSpec = strategy === "Recreate" ? { replicas: depReplicas, strategy } : rolling(depReplicas, surge, 1);
    expect(newRSNewReplicas(spec, [rs("rs5", 5)], rs("new", newRSReplicas))).toBe(want);
  });

  it.each<[string, RolloutSpec, number[], number, number]>([
    ["a fresh Deployment gets all its replicas at once", rolling(4, "25%", "25%"), [], 0, 4],
    ["template change, 4 old pods, 25% surge: 1 new pod", rolling(4, "25%", "25%"), [4], 0, 1],
    ["maxSurge rounds up: 10% of 4 is 1", rolling(4, "10%", 0), [4], 0, 1],
    ["maxSurge 0: no room until old pods go", rolling(4, 0, 1), [4], 0, 0],
    ["maxSurge 0 after one old pod went", rolling(4, 0, 1), [3], 0, 1],
  ])("%s", (_n, spec, old, newReplicas, want) => {
    const n = rs("new", newReplicas);
    expect(newRSNewReplicas(spec, [...old.map((r, i) => rs(`old${i}`, r)), n], n)).toBe(want);
  });

  it("names the field of an invalid maxSurge", () => {
    expect(() => newRSNewReplicas(rolling(4, "x", 0), [], rs("new", 0))).toThrow(/^spec\.strategy\.rollingUpdate\.maxSurge: Invalid value: "x": /);
  });
});

describe("reconcileNewReplicaSet (rolling_test.go TestDeploymentController_reconcileNewReplicaSet)", () => {
  it.each<[string, number, number, number, number, number]>([
    ["should not scale up: maxSurge 0", 10, 0, 10, 0, 0],
    ["scale up by maxSurge", 10, 2, 10, 0, 2],
    ["scale up to fill the room left by old pods", 10, 2, 5, 0, 7],
    ["no room left", 10, 2, 10, 2, 2],
    ["should scale down to replicas", 10, 2, 2, 11, 10],
  ])("%s", (_n, replicas, surge, oldReplicas, newReplicas, want) => {
    const n = rs("foo-v2", newReplicas);
    expect(reconcileNewReplicaSet(rolling(replicas, surge, 0), [n, rs("foo-v1", oldReplicas)], n)).toBe(want);
  });
});

describe("oldReplicaSetsMaxScaledDown (the concrete example in rolling.go reconcileOldReplicaSets)", () => {
  // 10 replicas, maxUnavailable 2, maxSurge 3.
  const spec = rolling(10, 3, 2);
  it("case 1: new pods crashloop (5 unavailable): nothing may go, 13 - 8 - 5 = 0", () => {
    expect(oldReplicaSetsMaxScaledDown(spec, [rs("old", 8, 7), rs("new", 5, 0)], rs("new", 5, 0))).toBe(0);
  });
  it("case 1 after a rollback: the good ReplicaSet is new, 1 unavailable: 13 - 8 - 1 = 4", () => {
    expect(oldReplicaSetsMaxScaledDown(spec, [rs("crashing", 5, 0), rs("good", 8, 7)], rs("good", 8, 7))).toBe(4);
  });
  it("case 2: a new template pushed over 13 pods (roll over): 13 - 8 - 0 = 5", () => {
    expect(oldReplicaSetsMaxScaledDown(spec, [rs("v1", 8, 8), rs("v2", 5, 0), rs("v3", 0)], rs("v3", 0))).toBe(5);
  });
});

describe("reconcileOldReplicaSets (rolling_test.go TestDeploymentController_reconcileOldReplicaSets)", () => {
  // maxSurge 0; the old RS has `availableOld` available pods, the new one `availableNew`.
  it.each<[string, number, number, number, number, number, number, number]>([
    ["maxUnavailable 0 resolves to 1: scale down by 1", 10, 0, 10, 0, 10, 0, 9],
    ["maxUnavailable 2: scale down by 2", 10, 2, 10, 0, 10, 0, 8],
    ["unhealthy replicas of the old RS are cleaned up", 10, 2, 10, 0, 8, 0, 8],
    ["1 unhealthy cleaned up, then 1 available scaled down", 10, 2, 10, 0, 9, 0, 8],
    ["unavailable new pods keep old ones", 10, 2, 8, 2, 8, 0, 8],
  ])("%s", (_n, replicas, maxUnavailable, oldReplicas, newReplicas, availableOld, availableNew, wantOld) => {
    const oldRS = rs("foo-old", oldReplicas, availableOld);
    const newRS = rs("foo-new", newReplicas, availableNew);
    const r = reconcileOldReplicaSets(rolling(replicas, 0, maxUnavailable), [oldRS, newRS], [oldRS], newRS);
    const last = r.steps.filter((s) => s.name === "foo-old").at(-1)?.replicas ?? oldReplicas;
    expect(last).toBe(wantOld);
    expect(r.cleanupCount + r.scaledDownCount > 0).toBe(wantOld !== oldReplicas);
  });

  it("writes the cleanup and the scale-down as separate steps, in that order", () => {
    const oldRS = rs("foo-old", 10, 9);
    const newRS = rs("foo-new", 0);
    expect(reconcileOldReplicaSets(rolling(10, 0, 2), [oldRS, newRS], [oldRS], newRS)).toEqual({
      steps: [
        { name: "foo-old", replicas: 9 },
        { name: "foo-old", replicas: 8 },
      ],
      cleanupCount: 1,
      scaledDownCount: 1,
    });
  });

  it("does nothing without old pods", () => {
    const newRS = rs("new", 4, 4);
    expect(reconcileOldReplicaSets(rolling(4, 1, 0), [rs("old", 0), newRS], [], newRS)).toEqual({ steps: [], cleanupCount: 0, scaledDownCount: 0 });
  });

  it("a pending scale-down (more available pods than spec.replicas) stops the cleanup with upstream's error and counts as no scaling", () => {
    const oldRS = rs("old", 1, 2);
    const newRS = rs("new", 3, 3);
    const r = reconcileOldReplicaSets(rolling(4, 0, 2), [oldRS, newRS], [oldRS], newRS);
    expect(r).toEqual({ steps: [], cleanupCount: 0, scaledDownCount: 0, error: "when cleaning up unhealthy replicas, got invalid request to scale down old 1 -> 2" });
  });
});

describe("cleanupUnhealthyReplicas (rolling_test.go TestDeploymentController_cleanupUnhealthyReplicas)", () => {
  it.each<[string, number, number, number, number]>([
    ["limited by maxCleanupCount", 10, 8, 1, 1],
    ["all unhealthy pods", 10, 8, 3, 2],
    ["maxCleanupCount 0", 10, 8, 0, 0],
    ["no unhealthy pods", 10, 10, 3, 0],
  ])("%s", (_n, oldReplicas, available, maxCleanup, want) => {
    const r = cleanupUnhealthyReplicas([rs("foo-v2", oldReplicas, available)], maxCleanup);
    expect(r.scaledDown).toBe(want);
    expect(r.steps).toEqual(want > 0 ? [{ name: "foo-v2", replicas: oldReplicas - want }] : []);
  });

  it("goes through the old ReplicaSets oldest first", () => {
    const r = cleanupUnhealthyReplicas([rs("newer", 3, 1, 200), rs("older", 3, 2, 100), rs("empty", 0, 0, 50)], 2);
    expect(r.steps).toEqual([
      { name: "older", replicas: 2 },
      { name: "newer", replicas: 2 },
    ]);
    expect(r.oldRSs.map((x) => [x.name, x.replicas])).toEqual([
      ["empty", 0],
      ["older", 2],
      ["newer", 2],
    ]);
  });
});

describe("scaleDownOldReplicaSetsForRollingUpdate (rolling_test.go TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate)", () => {
  it.each<[string, number, number, number, number, number]>([
    ["maxUnavailable 0 (-> 1): down by 1", 10, 0, 10, 10, 9],
    ["maxUnavailable 2: down by 2", 10, 2, 10, 10, 8],
    ["at minAvailable: no scaling", 10, 2, 8, 10, 10],
    ["old RS already at 0", 10, 2, 10, 0, 0],
    ["far below minAvailable", 10, 2, 1, 10, 10],
  ])("%s", (_n, replicas, maxUnavailable, available, oldReplicas, want) => {
    const oldRS = rs("foo-v2", oldReplicas, available);
    const r = scaleDownOldReplicaSetsForRollingUpdate(rolling(replicas, 0, maxUnavailable), [oldRS], [oldRS]);
    expect(r.steps).toEqual(want !== oldReplicas ? [{ name: "foo-v2", replicas: want }] : []);
    expect(r.scaledDown).toBe(oldReplicas - want);
  });

  it("takes from the oldest ReplicaSets first, each at most to 0", () => {
    const a = rs("a", 2, 2, 100);
    const b = rs("b", 3, 3, 200);
    const n = rs("n", 5, 5, 300);
    // 10 available, minAvailable 5: 5 may go.
    const r = scaleDownOldReplicaSetsForRollingUpdate(rolling(5, 0, 0), [a, b, n], [b, a]);
    expect(r.steps).toEqual([
      { name: "a", replicas: 0 },
      { name: "b", replicas: 0 },
    ]);
    expect(r.scaledDown).toBe(5);
  });
});

describe("Recreate (recreate.go)", () => {
  it("scales every active old ReplicaSet to 0", () => {
    expect(scaleDownOldReplicaSetsForRecreate([rs("a", 2), rs("b", 0), rs("c", 1)])).toEqual([
      { name: "a", replicas: 0 },
      { name: "c", replicas: 0 },
    ]);
  });

  it.each<[string, ReplicaSetState[], ("Pending" | "Running" | "Succeeded" | "Failed" | "Unknown" | undefined)[], boolean]>([
    ["no old pods", [rs("a", 0)], [], false],
    ["an old ReplicaSet still reports pods", [{ name: "a", replicas: 0, statusReplicas: 1 }], [], true],
    ["a terminating old pod (Running) still exists", [rs("a", 0)], ["Running"], true],
    ["a Pending old pod", [rs("a", 0)], ["Pending"], true],
    ["a pod with no status yet", [rs("a", 0)], [undefined], true],
    ["only terminal or Unknown pods", [rs("a", 0)], ["Succeeded", "Failed", "Unknown"], false],
  ])("oldPodsRunning: %s", (_n, old, phases, want) => {
    expect(oldPodsRunning(old, phases)).toBe(want);
  });
});
