import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { REPLICAS, report, run } from "./06-topology-hints-off.js";

describe("lab 6: topology hints switching off", () => {
  const phases = run();
  const page = checkLabPage("06-topology-hints-off.md", report(phases));
  const [six, four, three, two] = phases;

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it("hints are on at 6 and 3 replicas and removed at 4 and 2, with upstream's reasons", () => {
    expect(phases.map((p) => p.replicas)).toEqual([...REPLICAS]);
    expect(six.hints).toBe("zone-a:2 zone-b:2 zone-c:2");
    expect(four.hints).toBeUndefined();
    expect(four.disabled).toBe("Unable to allocate minimum required endpoints to each zone without exceeding overload threshold (4 endpoints, 3 zones)");
    expect(three.hints).toBe("zone-a:1 zone-b:1 zone-c:1");
    expect(two.disabled).toBe("Insufficient number of endpoints (2 endpoints, 3 zones)");
  });

  it("cross-zone share: none with hints per zone, a third when one zone borrows, two thirds without hints", () => {
    expect(six.crossZone).toBe(0);
    expect(three.podsPerZone).toBe("1/2/0");
    expect(Math.abs(three.crossZone - 1 / 3)).toBeLessThan(0.02);
    // Without hints: the share of other zones' endpoints, averaged over the three clients.
    expect(four.podsPerZone).toBe("1/2/1");
    expect(Math.abs(four.crossZone - (3 / 4 + 1 / 2 + 3 / 4) / 3)).toBeLessThan(0.02);
    expect(two.podsPerZone).toBe("1/1/0");
    expect(Math.abs(two.crossZone - (1 / 2 + 1 / 2 + 1) / 3)).toBeLessThan(0.02);
  });
});
