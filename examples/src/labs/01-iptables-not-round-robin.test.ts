import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { PODS, RATE, SECONDS, report, run } from "./01-iptables-not-round-robin.js";

describe("lab 1: why iptables is not round robin", () => {
  const r = run();
  const out = report(r);
  const page = checkLabPage("01-iptables-not-round-robin.md", out);

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it("the chain's probabilities are the kernel thresholds of 1/(n - i)", () => {
    expect(r.iptables.probabilities.map(Number)).toEqual([1 / 4, Math.round(2 ** 31 / 3) / 2 ** 31, 1 / 2].map((p) => Number(p.toFixed(11))));
    expect(r.ipvs.probabilities).toEqual([]);
  });

  it("both modes give every pod a quarter of the minute (within 1 point at 24,000 requests)", () => {
    for (const m of [r.iptables, r.ipvs]) {
      expect(m.shares).toHaveLength(PODS);
      for (const s of m.shares) expect(Math.abs(s - 1 / PODS)).toBeLessThan(0.01);
    }
    for (const s of r.ipvs.shares) expect(Math.abs(s - 1 / PODS)).toBeLessThan(0.0005);
  });

  it("per second, iptables spreads like independent choices and rr like a round robin", () => {
    expect(r.iptables.perSecond).toHaveLength(SECONDS);
    expect(r.independentSd).toBe(Math.sqrt(RATE / PODS));
    // sd of 240 samples: within 15% of theory.
    expect(Math.abs(r.iptables.sd - r.independentSd) / r.independentSd).toBeLessThan(0.15);
    expect(Math.abs(r.ipvs.sd - r.roundRobinSd) / r.roundRobinSd).toBeLessThan(0.15);
    expect(r.iptables.meanSpread).toBeGreaterThan(10 * r.ipvs.meanSpread);
    expect(r.ipvs.maxSpread).toBeLessThanOrEqual(3);
    expect(r.iptables.maxSpread).toBeGreaterThan(30);
  });
});
