import { describe, it, expect } from "vitest";
import {
  checkPausedConditions,
  deploymentComplete,
  deploymentProgressing,
  deploymentStatusEqual,
  deploymentTimedOut,
  getDeploymentCondition,
  readDeploymentStatus,
  removeDeploymentCondition,
  requeueStuckDeploymentAfter,
  setDeploymentCondition,
  syncRolloutConditions,
} from "./progress.js";
import type { DeploymentCondition, DeploymentStatus } from "./progress.js";
import { MAX_INT32 } from "./util.js";

const cond = (type: DeploymentCondition["type"], status: DeploymentCondition["status"], reason: string, t = 0, message = ""): DeploymentCondition => ({
  type,
  status,
  reason,
  message,
  lastUpdateTime: t,
  lastTransitionTime: t,
});
const st = (replicas: number, updated: number, ready: number, available: number, conditions?: DeploymentCondition[], observedGeneration = 1): DeploymentStatus => ({
  observedGeneration,
  replicas,
  updatedReplicas: updated,
  readyReplicas: ready,
  availableReplicas: available,
  unavailableReplicas: 0,
  ...(conditions ? { conditions } : {}),
});

// deployment_util_test.go condProgressing / condProgressing2 / condAvailable.
const condProgressing = cond("Progressing", "False", "ForSomeReason");
const condProgressing2 = cond("Progressing", "True", "BecauseItIs");
const condAvailable = cond("Available", "True", "AwesomeController");

describe("deployment conditions (deployment_util_test.go TestGetCondition, TestSetCondition, TestRemoveCondition)", () => {
  it("gets a condition by type", () => {
    expect(getDeploymentCondition([condProgressing, condAvailable], "Available")).toBe(condAvailable);
    expect(getDeploymentCondition([condProgressing, condAvailable], "ReplicaFailure")).toBeUndefined();
  });

  it.each<[string, DeploymentCondition[], DeploymentCondition, DeploymentCondition[]]>([
    ["set for the first time", [], condAvailable, [condAvailable]],
    ["simple set", [condProgressing], condAvailable, [condProgressing, condAvailable]],
    ["overwrite", [condProgressing], condProgressing2, [condProgressing2]],
  ])("set: %s", (_n, before, c, want) => {
    expect(setDeploymentCondition(before, c)).toEqual(want);
  });

  it("set keeps the condition when status and reason are unchanged, and lastTransitionTime when only the reason changes", () => {
    const cur = cond("Progressing", "True", "A", 100);
    expect(setDeploymentCondition([cur], cond("Progressing", "True", "A", 500))).toEqual([cur]);
    expect(setDeploymentCondition([cur, condAvailable], cond("Progressing", "True", "B", 500))).toEqual([
      condAvailable,
      { ...cond("Progressing", "True", "B", 500), lastTransitionTime: 100 },
    ]);
  });

  it.each<[string, DeploymentCondition[], DeploymentCondition["type"], DeploymentCondition[]]>([
    ["remove from empty status", [], "Progressing", []],
    ["simple remove", [condProgressing], "Progressing", []],
    ["doesn't remove anything", [condProgressing, condAvailable], "ReplicaFailure", [condProgressing, condAvailable]],
  ])("remove: %s", (_n, before, type, want) => {
    expect(removeDeploymentCondition(before, type)).toEqual(want);
  });
});

describe("deploymentComplete (deployment_util_test.go TestDeploymentComplete)", () => {
  // deployment(desired, current, updated, available)
  it.each<[string, number, number, number, number, boolean]>([
    ["not complete: min but not all pods become available", 5, 5, 5, 4, false],
    ["not complete: min availability is not honored", 5, 5, 5, 3, false],
    ["complete", 5, 5, 5, 5, true],
    ["not complete: all pods are available but not updated", 5, 5, 4, 5, false],
    ["not complete: still running old pods", 1, 2, 1, 1, false],
    ["not complete: one replica deployment never comes up", 1, 1, 1, 0, false],
  ])("%s", (_n, desired, current, updated, available, want) => {
    expect(deploymentComplete(desired, 1, st(current, updated, 0, available))).toBe(want);
  });

  it("not complete while the status describes an older generation", () => {
    expect(deploymentComplete(5, 3, st(5, 5, 5, 5, undefined, 2))).toBe(false);
  });
});

describe("deploymentProgressing (deployment_util_test.go TestDeploymentProgressing)", () => {
  it.each<[string, DeploymentStatus, DeploymentStatus, boolean]>([
    ["progressing: updated pods", st(10, 4, 4, 4), st(10, 6, 4, 4), true],
    ["not progressing", st(10, 4, 4, 4), st(10, 4, 4, 4), false],
    ["progressing: old pods removed", st(10, 4, 6, 6), st(8, 4, 6, 6), true],
    ["not progressing: less new pods", st(10, 7, 3, 3), st(10, 6, 3, 3), false],
    ["progressing: less overall but more new pods", st(10, 4, 7, 7), st(8, 8, 5, 5), true],
    ["progressing: more ready pods", st(10, 10, 9, 8), st(10, 10, 10, 8), true],
    ["progressing: more available pods", st(10, 10, 10, 9), st(10, 10, 10, 10), true],
  ])("%s", (_n, old, next, want) => {
    expect(deploymentProgressing(old, next)).toBe(want);
  });
});

describe("deploymentTimedOut (deployment_util_test.go TestDeploymentTimedOut)", () => {
  const at = (min: number, sec: number): number => (min * 60 + sec) * 1000;
  const progressing = (from: number, reason = ""): DeploymentStatus => st(0, 0, 0, 0, [cond("Progressing", "True", reason, from)]);
  it.each<[string, number | undefined, DeploymentStatus, number, boolean]>([
    ["no progressDeadlineSeconds specified - no timeout", undefined, progressing(at(1, 9)), at(1, 20), false],
    ["infinite progressDeadlineSeconds specified - no timeout", MAX_INT32, progressing(at(1, 9)), at(1, 20), false],
    ["progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:09 => 11s", 10, progressing(at(1, 9)), at(1, 20), true],
    ["progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:11 => 9s", 10, progressing(at(1, 11)), at(1, 20), false],
    ["previous status was a complete deployment", 10, progressing(0, "NewReplicaSetAvailable"), at(9, 0), false],
    ["exactly at the deadline: not yet (strictly after)", 10, progressing(at(1, 10)), at(1, 20), false],
    ["already timed out", 10, st(0, 0, 0, 0, [cond("Progressing", "False", "ProgressDeadlineExceeded", at(1, 19))]), at(1, 20), true],
    ["no Progressing condition", 10, st(0, 0, 0, 0), at(9, 0), false],
  ])("%s", (_n, pds, status, now, want) => {
    expect(deploymentTimedOut(pds, status, now)).toBe(want);
  });
});

describe("requeueStuckDeploymentAfter (progress_test.go TestRequeueStuckDeployment)", () => {
  const pds = 60;
  const failed = [cond("Progressing", "False", "ProgressDeadlineExceeded")];
  const t0 = 1_000_000;
  const stuck = [cond("Progressing", "True", "", t0)];
  // currentDeployment(pds, replicas, statusReplicas, updated, available, conditions) vs newStatus.
  it.each<[string, number, number, DeploymentStatus, DeploymentStatus, number, number]>([
    ["no progressDeadlineSeconds specified", MAX_INT32, 4, st(3, 3, 0, 2), st(3, 3, 0, 2), t0, -1],
    ["no progressing condition found", pds, 4, st(3, 3, 0, 2), st(3, 3, 0, 2), t0, -1],
    ["complete deployment does not need to be requeued", pds, 3, st(3, 3, 0, 3), st(3, 3, 0, 3), t0, -1],
    ["already failed deployment does not need to be requeued", pds, 3, st(3, 3, 0, 0, failed), st(3, 3, 0, 0), t0, -1],
    ["stuck deployment - 30s", pds, 3, st(3, 3, 0, 1, stuck), st(3, 3, 0, 1), t0 + 30_000, 30_000],
    ["stuck deployment - 1s", pds, 3, st(3, 3, 0, 1, stuck), st(3, 3, 0, 1), t0 + 59_000, 1_000],
    ["failed deployment - less than a second => now", pds, 3, st(3, 3, 0, 1, stuck), st(3, 3, 0, 1), t0 + 59_001, 0],
    ["failed deployment - now", pds, 3, st(3, 3, 0, 1, stuck), st(3, 3, 0, 1), t0 + 60_000, 0],
    ["failed deployment - 1s after deadline", pds, 3, st(3, 3, 0, 1, stuck), st(3, 3, 0, 1), t0 + 61_000, 0],
    ["failed deployment - 60s after deadline", pds, 3, st(3, 3, 0, 1, stuck), st(3, 3, 0, 1), t0 + 120_000, 0],
  ])("%s", (_n, p, replicas, old, next, now, want) => {
    expect(requeueStuckDeploymentAfter(p, replicas, 1, old, next, now)).toBe(want);
  });
});

describe("syncRolloutConditions (progress.go syncRolloutStatus)", () => {
  const base = { deploymentName: "api", newRSName: "api-abc", replicas: 3, generation: 1, progressDeadlineSeconds: 600, now: 50_000 };
  const available = cond("Available", "True", "MinimumReplicasAvailable", 10);

  it("a complete rollout gets Progressing=True NewReplicaSetAvailable", () => {
    const s = syncRolloutConditions({ ...base, oldStatus: st(4, 3, 3, 3, [cond("Progressing", "True", "ReplicaSetUpdated", 20)]), newStatus: st(3, 3, 3, 3, [cond("Progressing", "True", "ReplicaSetUpdated", 20), available]) });
    expect(getDeploymentCondition(s.conditions, "Progressing")).toEqual({
      type: "Progressing",
      status: "True",
      reason: "NewReplicaSetAvailable",
      message: 'ReplicaSet "api-abc" has successfully progressed.',
      lastUpdateTime: 50_000,
      lastTransitionTime: 20,
    });
  });

  it("progress refreshes lastUpdateTime with the same reason and keeps lastTransitionTime", () => {
    const s = syncRolloutConditions({ ...base, oldStatus: st(4, 1, 3, 3, [cond("Progressing", "True", "ReplicaSetUpdated", 20), available]), newStatus: st(4, 2, 3, 3, [cond("Progressing", "True", "ReplicaSetUpdated", 20), available]) });
    expect(s.conditions).toEqual([
      available,
      { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: 'ReplicaSet "api-abc" is progressing.', lastUpdateTime: 50_000, lastTransitionTime: 20 },
    ]);
  });

  it("no progress for progressDeadlineSeconds: Progressing=False ProgressDeadlineExceeded", () => {
    const stale = [cond("Progressing", "True", "ReplicaSetUpdated", 0)];
    const s = syncRolloutConditions({ ...base, progressDeadlineSeconds: 30, oldStatus: st(4, 1, 3, 3, stale), newStatus: st(4, 1, 3, 3, stale) });
    expect(getDeploymentCondition(s.conditions, "Progressing")).toEqual({
      type: "Progressing",
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: 'ReplicaSet "api-abc" has timed out progressing.',
      lastUpdateTime: 50_000,
      lastTransitionTime: 50_000,
    });
  });

  it("a recorded complete rollout is not estimated again; without a deadline Progressing is removed", () => {
    const done = [cond("Progressing", "True", "NewReplicaSetAvailable", 5)];
    expect(syncRolloutConditions({ ...base, progressDeadlineSeconds: 1, oldStatus: st(3, 3, 3, 3, done), newStatus: st(3, 3, 3, 2, done) }).conditions).toEqual(done);
    expect(syncRolloutConditions({ ...base, progressDeadlineSeconds: MAX_INT32, oldStatus: st(3, 3, 3, 3, done), newStatus: st(3, 3, 3, 3, [...done, available]) }).conditions).toEqual([available]);
  });

  it("names the Deployment when there is no new ReplicaSet", () => {
    const { newRSName: _x, ...rest } = base;
    const s = syncRolloutConditions({ ...rest, oldStatus: st(0, 0, 0, 0), newStatus: st(3, 3, 3, 3) });
    expect(getDeploymentCondition(s.conditions, "Progressing")?.message).toBe('Deployment "api" has successfully progressed.');
  });
});

describe("checkPausedConditions (sync.go checkPausedConditions)", () => {
  it("pausing sets Progressing=Unknown DeploymentPaused, resuming DeploymentResumed", () => {
    const paused = checkPausedConditions(true, 600, [cond("Progressing", "True", "ReplicaSetUpdated", 5)], 100);
    expect(paused).toEqual([{ type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused", lastUpdateTime: 100, lastTransitionTime: 100 }]);
    expect(checkPausedConditions(true, 600, paused, 200)).toBeUndefined();
    expect(checkPausedConditions(false, 600, paused, 300)).toEqual([
      { type: "Progressing", status: "Unknown", reason: "DeploymentResumed", message: "Deployment is resumed", lastUpdateTime: 300, lastTransitionTime: 100 },
    ]);
  });

  it("keeps a timed-out condition, and does nothing without a deadline", () => {
    expect(checkPausedConditions(true, 600, [cond("Progressing", "False", "ProgressDeadlineExceeded")], 1)).toBeUndefined();
    expect(checkPausedConditions(true, MAX_INT32, [], 1)).toBeUndefined();
    expect(checkPausedConditions(false, 600, [], 1)).toBeUndefined();
  });
});

describe("readDeploymentStatus / deploymentStatusEqual", () => {
  it("reads absent fields as 0 and compares field by field", () => {
    const s = readDeploymentStatus({ replicas: 2 });
    expect(s).toEqual({ observedGeneration: 0, replicas: 2, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 0 });
    expect(deploymentStatusEqual(s, { ...s, conditions: [] })).toBe(true);
    expect(deploymentStatusEqual(s, { ...s, conditions: [condAvailable] })).toBe(false);
    expect(deploymentStatusEqual(s, { ...s, collisionCount: 1 })).toBe(false);
  });
});
