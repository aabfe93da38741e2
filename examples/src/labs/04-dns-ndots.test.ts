import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { NODE_SEARCH, lookup, report, run } from "./04-dns-ndots.js";

describe("lab 4: the cost of ndots:5", () => {
  const lab = run();
  const page = checkLabPage("04-dns-ndots.md", report(lab));
  const g = (name: string): ReturnType<typeof lookup> => lookup(lab.lookups, name);
  const k = NODE_SEARCH.length;

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it.each([
    ["cart", 1, "ok"],
    ["api", 3 + k + 1, "NXDOMAIN"],
    ["api.default", 2, "ok"],
    ["api.default.svc", 3, "ok"],
    ["api.default.svc.cluster.local", 3 + k + 1, "ok"],
    ["api.default.svc.cluster.local.", 1, "ok"],
    ["www.example.org", 3 + k + 1, "ok"],
    ["www.example.org.", 1, "ok"],
  ])("%s: %i names tried, an A and an AAAA query each, outcome %s", (name, tries, outcome) => {
    const r = g(name);
    expect(r.tried).toBe(tries);
    expect(r.queries).toBe(2 * tries);
    expect(r.outcome).toBe(outcome);
  });

  it("time is 0.7 ms per try, plus 10 ms per upstream pair", () => {
    for (const r of lab.lookups) expect(r.latency).toBeCloseTo(0.7 * r.tried + 10 * (r.upstream / 2), 9);
  });

  it("the long spelling triples the DNS queries per request", () => {
    const [short, long] = lab.clients;
    expect(short.queriesPerRequest).toBe(4);
    expect(long.queriesPerRequest).toBe(12);
    expect(long.queriesPerSecond / short.queriesPerSecond).toBeCloseTo(3, 1);
    expect(long.meanLatency).toBeGreaterThan(short.meanLatency);
  });
});
