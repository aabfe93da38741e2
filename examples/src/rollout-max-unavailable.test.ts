import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SETUPS, main, rollout } from "./rollout-max-unavailable.js";

describe("rollout-max-unavailable example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));
  const [u25, u0, u25Safe, u0Safe] = SETUPS.map(rollout);

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../rollout-max-unavailable.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("maxUnavailable 25% of 8 leaves 6 ready pods and 6 ready endpoints on some node; maxUnavailable 0 keeps 8", () => {
    for (const r of [u25, u25Safe]) {
      expect(r.rollout.minReadyPods).toBe(6);
      expect(r.minReadyEndpoints).toBe(6);
    }
    for (const r of [u0, u0Safe]) {
      expect(r.rollout.minReadyPods).toBe(8);
      expect(r.minReadyEndpoints).toBe(8);
      expect(r.readyEndpointsPerSecond.every((n) => n === 8)).toBe(true);
    }
  });

  it("never more than replicas + maxSurge (8 + 2) pods that are not terminating", () => {
    for (const r of [u25, u0, u25Safe, u0Safe]) expect(r.rollout.maxActivePods).toBe(10);
  });

  it("the 6 pods left by maxUnavailable 25% queue: mean latency at least 1.5 times that of maxUnavailable 0, and at least 5 times the drops", () => {
    for (const [narrow, wide] of [
      [u25, u0],
      [u25Safe, u0Safe],
    ]) {
      expect(narrow.rolloutMean).toBeGreaterThan(1.5 * wide.rolloutMean);
      expect(narrow.outcomes.dropped).toBeGreaterThan(5 * wide.outcomes.dropped);
    }
    // maxUnavailable 0 stays near the steady state, which is M/M/1 at 70%: 1 / (100 - 70) s = 33.3 ms (10% tolerance).
    expect(Math.abs(u0Safe.steadyMean - 1000 / 30) / (1000 / 30)).toBeLessThan(0.1);
    expect(Math.abs(u0Safe.rolloutMean - 1000 / 30) / (1000 / 30)).toBeLessThan(0.1);
  });

  it("maxUnavailable 0 makes the rollout longer", () => {
    expect(u0.rollout.completeAfter).toBeGreaterThan(u25.rollout.completeAfter);
    expect(u0Safe.rollout.completeAfter).toBeGreaterThan(u25Safe.rollout.completeAfter);
    // The preStop sleep keeps each old pod 5 s (plus its drain) after the rollout is complete.
    expect(u0Safe.rollout.lastOldPodGoneAfter - u0Safe.rollout.completeAfter).toBeGreaterThanOrEqual(5000);
  });

  it("neither setting fixes the errors of pods that stop while nodes still send them traffic; the preStop sleep and draining do", () => {
    for (const r of [u25, u0]) expect(r.outcomes.reset + r.outcomes.timedOut + r.outcomes.refused).toBeGreaterThan(0);
    for (const r of [u25Safe, u0Safe]) expect(r.outcomes.reset + r.outcomes.timedOut + r.outcomes.refused).toBe(0);
  });
});
