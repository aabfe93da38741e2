import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SETUPS, main, rollout } from "./rollout-keepalive.js";

describe("rollout-keepalive example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));
  const [perRequest, keepAlive, keepAliveExit, mux] = SETUPS.map(rollout);
  const failed = (r: typeof perRequest): number => r.outcomes.refused + r.outcomes.reset + r.outcomes.timedOut + r.outcomes.dropped;

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../rollout-keepalive.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("a connection per request follows kube-proxy: old pods get only what was already queued once node-1 drops them", () => {
    expect(perRequest.unlisted).toBeLessThan(20);
    expect(perRequest.firstNewRequestAfter).toBeLessThan(1500);
    // The last old pod leaves node-1's rules shortly after the rollout completes.
    expect(perRequest.lastOldRequestAfter).toBeLessThan(perRequest.completeAfter + 500);
  });

  it("keep-alive and multiplexed connections stay on old pods after node-1 drops them, until the preStop sleep ends", () => {
    for (const r of [keepAlive, keepAliveExit, mux]) {
      expect(r.unlisted).toBeGreaterThan(50 * perRequest.unlisted);
      // The last old pod serves until its 5 s preStop sleep ends (and its drain).
      expect(r.lastOldRequestAfter).toBeGreaterThanOrEqual(r.completeAfter + 5000);
      expect(r.lastOldRequestAfter).toBeLessThanOrEqual(r.lastOldPodGoneAfter + 100);
    }
    // The new pods wait: the pool's first request to a new pod comes only when an old pod closes its connections.
    expect(keepAlive.firstNewRequestAfter).toBeGreaterThan(5000);
    expect(keepAlive.seconds.slice(1, 6).every((s) => s.new === 0)).toBe(true);
  });

  it("draining pods close the pinned connections cleanly (no failure); pods that exit at once reset what is in flight", () => {
    expect(failed(perRequest)).toBe(0);
    expect(failed(keepAlive)).toBe(0);
    expect(failed(mux)).toBe(0);
    expect(keepAliveExit.outcomes.reset).toBeGreaterThan(0);
  });

  it("after the rollout, per-request clients spread evenly (25% +- 2.5 points per pod); the pool does not; the multiplexed client uses one pod", () => {
    expect(perRequest.minShare).toBeGreaterThan(0.225);
    expect(perRequest.maxShare).toBeLessThan(0.275);
    expect(keepAlive.maxShare).toBeGreaterThan(0.35);
    expect(mux.maxShare).toBe(1);
    expect(mux.minShare).toBe(0);
  });

  it("every request of every run ends in exactly one outcome, and all four clients saw the same arrivals", () => {
    const ended = (r: typeof perRequest): number => r.outcomes.completed + failed(r);
    expect(new Set([perRequest, keepAlive, keepAliveExit, mux].map(ended)).size).toBe(1);
  });
});
