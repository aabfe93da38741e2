import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { failed, report, run } from "./03-prestop-rolling-update.js";

describe("lab 3: preStop and rolling updates", () => {
  const runs = run();
  const page = checkLabPage("03-prestop-rolling-update.md", report(runs));
  const [none, one, five, drain] = runs;

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it("without preStop, requests time out while nodes still forward to the gone pod", () => {
    expect(none.outcomes.timedOut).toBeGreaterThan(100);
    expect(none.outcomes.refused).toBe(0);
    expect(failed(none.outcomes)).toBe(none.outcomes.timedOut + none.outcomes.reset);
  });

  it("removal takes from one sync's delays up to minSyncPeriod plus them", () => {
    for (const r of runs) {
      expect(r.removalMs).toBeGreaterThanOrEqual(10);
      expect(r.removalMs).toBeLessThanOrEqual(1000 + 50);
    }
    expect(none.removalMs).toBeGreaterThan(500);
  });

  it("a 1 s sleep nearly closes the window; 5 s closes it, with or without draining", () => {
    expect(one.outcomes.timedOut).toBe(0);
    expect(failed(one.outcomes)).toBeLessThanOrEqual(2);
    expect(failed(five.outcomes)).toBe(0);
    expect(failed(drain.outcomes)).toBe(0);
  });
});
