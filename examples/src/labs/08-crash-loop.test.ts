import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { report, run } from "./08-crash-loop.js";

describe("lab 8: a crash-looping pod behind a Service", () => {
  const r = run();
  const page = checkLabPage("08-crash-loop.md", report(r));

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it("restarts follow the kubelet back-off: immediate, then 10 s doubling to 300 s, plus the 1 s restart", () => {
    expect(r.waits).toEqual([0, 10, 20, 40, 80, 160, 300].map((b) => b + 1));
    expect(r.restarts).toBe(r.starts.length);
  });

  it("each crash follows its start by exactly 3 s", () => {
    r.starts.forEach((s, i) => expect(r.exits[i + 1] - s).toBeCloseTo(3, 9));
  });

  it("crashes cost a handful of refused and reset requests, never a time-out", () => {
    expect(r.outcomes.timedOut).toBe(0);
    expect(r.outcomes.refused + r.outcomes.reset).toBeGreaterThan(0);
    expect(r.outcomes.refused + r.outcomes.reset).toBeLessThanOrEqual(4 * r.exits.length);
    expect(r.outcomes.dropped).toBe(0);
  });

  it("the canary serves about its ready time's share of a quarter of the traffic", () => {
    // Ready ~3 s per start (8 starts) out of 660 s, one of four endpoints.
    const expected = (3 * r.exits.length) / (11 * 60) / 4;
    expect(Math.abs(r.canaryShare - expected) / expected).toBeLessThan(0.3);
  });
});
