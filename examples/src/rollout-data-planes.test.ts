import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { IPVS_RS_CHECK_DELETE_INTERVAL_MS, IPVS_TCP_TIME_WAIT_MS } from "@kube-netsim/proxy";
import { MODES, main, oldShare, rollout } from "./rollout-data-planes.js";

describe("rollout-data-planes example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));
  const [ipt, rr, lc] = MODES.map(rollout);
  const failed = (r: typeof ipt): number => r.seconds.reduce((a, s) => a + s.failed, 0);
  const ok = (r: typeof ipt): number => r.seconds.reduce((a, s) => a + s.ok, 0);

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../rollout-data-planes.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("no mode loses a request, and all three saw the same arrivals (common random numbers)", () => {
    for (const r of [ipt, rr, lc]) expect(failed(r)).toBe(0);
    // Requests still in flight at a second's end complete in the next: the totals agree within the few in flight.
    expect(Math.abs(ok(ipt) - ok(rr))).toBeLessThan(10);
    expect(Math.abs(ok(ipt) - ok(lc))).toBeLessThan(10);
  });

  it("rr rotates strictly (no pod above 1/4 + 1% of a second), iptables stays near uniform, lc sends most new connections to a new pod", () => {
    expect(rr.peakSecondShare).toBeLessThan(0.26);
    expect(ipt.peakSecondShare).toBeLessThan(0.35);
    expect(lc.peakSecondShare).toBeGreaterThan(0.5);
    // After the rollout: rr exactly even (within 0.5 point), iptables and lc within 2.5 points of 25%.
    expect(rr.maxShare - rr.minShare).toBeLessThan(0.005);
    for (const r of [ipt, lc]) {
      expect(r.minShare).toBeGreaterThan(0.225);
      expect(r.maxShare).toBeLessThan(0.275);
    }
  });

  it("the control plane is the same in every mode (same pods); lc gives the old pods the smallest share of the rollout", () => {
    expect([...rr.rolloutShares.keys()]).toEqual([...ipt.rolloutShares.keys()]);
    expect([...lc.rolloutShares.keys()]).toEqual([...ipt.rolloutShares.keys()]);
    expect(ipt.oldPods.size).toBe(4);
    expect(oldShare(lc)).toBeLessThan(oldShare(ipt));
    expect(oldShare(lc)).toBeLessThan(oldShare(rr));
    for (const r of [ipt, rr, lc]) expect([...r.rolloutShares.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it("IPVS keeps every removed pod's real server at weight 0 until its TIME_WAIT connections expire and the once-a-minute check runs", () => {
    for (const r of [rr, lc]) {
      expect(r.seconds[5].weightZero).toBe(4);
      expect(r.seconds[5].weightZeroConns).toBeGreaterThan(1000);
      expect(r.lastWeightZeroGoneAfter).toBeGreaterThanOrEqual(IPVS_TCP_TIME_WAIT_MS);
      expect(r.lastWeightZeroGoneAfter).toBeLessThanOrEqual(r.lastOldPodGoneAfter + IPVS_TCP_TIME_WAIT_MS + IPVS_RS_CHECK_DELETE_INTERVAL_MS + 1000);
      expect(r.seconds.at(-1)?.weightZero).toBe(0);
    }
    expect(ipt.seconds.every((s) => s.weightZero === 0)).toBe(true);
    const snapshot = rr.snapshot.split("\n");
    expect(snapshot.filter((l) => /Masq {4}0 /.test(l))).toHaveLength(4);
    expect(snapshot.filter((l) => /Masq {4}1 /.test(l))).toHaveLength(4);
  });
});
