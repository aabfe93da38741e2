import { describe, it, expect } from "vitest";
import { IpvsDestination } from "./destination.js";
import { createIpvsScheduler, IPVS_SCHEDULER_NAMES } from "./schedulers.js";
import type { IpvsSchedulerName } from "./schedulers.js";
import { IpvsVirtualServer } from "./virtual-server.js";

// Labels A..F are real servers 10.0.0.1:80 .. 10.0.0.6:80.
const LABELS = "ABCDEF";
const addr = (label: string): string => `10.0.0.${LABELS.indexOf(label) + 1}:80`;
const label = (d: IpvsDestination | null): string => (d === null ? "-" : LABELS[Number(d.address.split(".")[3].split(":")[0]) - 1]);

interface Spec {
  readonly w?: number;
  readonly active?: number;
  readonly inact?: number;
  readonly overloaded?: boolean;
}

/** Adds `labels` IN THIS ORDER (so the kernel list is the reverse). */
function vsAdded(scheduler: IpvsSchedulerName, labels: string, weights: Record<string, number> = {}): IpvsVirtualServer {
  const vs = new IpvsVirtualServer({ address: "10.96.0.10:80", scheduler });
  for (const l of labels) vs.addDestination(addr(l), weights[l] ?? 1);
  return vs;
}

/** Builds a virtual server whose kernel LIST ORDER is exactly `specs`' key order. */
function vsListed(scheduler: IpvsSchedulerName, specs: Record<string, Spec>): IpvsVirtualServer {
  const vs = new IpvsVirtualServer({ address: "10.96.0.10:80", scheduler });
  const labels = Object.keys(specs);
  for (const l of [...labels].reverse()) {
    const s = specs[l];
    const d = vs.addDestination(addr(l), s.w ?? 1);
    d.activeConns = s.active ?? 0;
    d.inactConns = s.inact ?? 0;
    d.overloaded = s.overloaded ?? false;
  }
  expect(vs.destinations().map(label).join("")).toBe(labels.join(""));
  return vs;
}

function picks(vs: IpvsVirtualServer, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += label(vs.schedule(0x0a000001 + i, 40000 + i));
  return s;
}

describe("rr (net/netfilter/ipvs/ip_vs_rr.c)", () => {
  it("A, B, C added in that order are listed C, B, A and rotated C, B, A, ... (list head first)", () => {
    const vs = vsAdded("rr", "ABC");
    expect(vs.destinations().map(label).join("")).toBe("CBA");
    expect(picks(vs, 7)).toBe("CBACBAC");
  });

  it("deleting the current entry moves the pointer back: the next pick is the entry after it", () => {
    const vs = vsAdded("rr", "ABC");
    expect(picks(vs, 2)).toBe("CB"); // pointer on B
    vs.deleteDestination(addr("B"));
    expect(picks(vs, 3)).toBe("ACA");
  });

  it("deleting the current entry when it is first in the list moves the pointer to the head", () => {
    const vs = vsAdded("rr", "ABC");
    expect(picks(vs, 1)).toBe("C");
    vs.deleteDestination(addr("C"));
    expect(picks(vs, 3)).toBe("BAB");
  });

  it("deleting another entry does not disturb the rotation", () => {
    const vs = vsAdded("rr", "ABC");
    expect(picks(vs, 2)).toBe("CB");
    vs.deleteDestination(addr("C"));
    expect(picks(vs, 3)).toBe("ABA");
  });

  it("a destination added mid-rotation goes to the list head and is reached after the end", () => {
    const vs = vsAdded("rr", "ABC");
    expect(picks(vs, 1)).toBe("C");
    vs.addDestination(addr("D"), 1);
    expect(vs.destinations().map(label).join("")).toBe("DCBA");
    expect(picks(vs, 4)).toBe("BADC");
  });

  it("skips weight 0 and overloaded destinations", () => {
    const vs = vsListed("rr", { C: { w: 0 }, B: {}, A: { overloaded: true } });
    expect(picks(vs, 3)).toBe("BBB");
  });

  it("keeps returning the only eligible destination (second pass ends at `last`)", () => {
    const vs = vsListed("rr", { C: { w: 0 }, B: { w: 0 }, A: {} });
    expect(picks(vs, 3)).toBe("AAA");
  });

  it("all weights 0 => null, and the pointer stays where it was (weight edits do not move it)", () => {
    const vs = vsAdded("rr", "ABC");
    expect(picks(vs, 2)).toBe("CB");
    for (const l of "ABC") vs.editDestination(addr(l), 0);
    expect(picks(vs, 2)).toBe("--");
    for (const l of "ABC") vs.editDestination(addr(l), 1);
    expect(picks(vs, 3)).toBe("ACB");
  });

  it("ignores weights otherwise (rr is not weighted)", () => {
    const vs = vsAdded("rr", "AB", { A: 5, B: 1 });
    expect(picks(vs, 4)).toBe("BABA");
  });
});

describe("wrr (net/netfilter/ipvs/ip_vs_wrr.c)", () => {
  it("weights A=4, B=3, C=2 added one by one: C B A, then the 9-cycle A | B A | C B A | C B A", () => {
    // Hand-run of ip_vs_wrr_dest_changed after each add: A alone => di 4, mw 1, cw 0 -> 1;
    // +B => di 1, mw 4, cw stays 1; +C => cw stays 1, cl = head. So the first traversal
    // is at cw 1 (C, B, A); then cw = 4 (A), 3 (B, A), 2 (C, B, A), 1 (C, B, A), ...
    const vs = vsAdded("wrr", "ABC", { A: 4, B: 3, C: 2 });
    expect(vs.destinations().map(label).join("")).toBe("CBA");
    expect(picks(vs, 21)).toBe("CBA" + "ABACBACBA" + "ABACBACBA");
  });

  it("a service bound with all destinations present starts at cw = mw: A, B A, C B A, C B A", () => {
    // ip_vs_wrr_init_svc: cl = head, di = gcd, mw = max - (di - 1), cw = mw
    const s = createIpvsScheduler("wrr");
    const list = [new IpvsDestination(addr("C"), 2), new IpvsDestination(addr("B"), 3), new IpvsDestination(addr("A"), 4)];
    s.initService(list);
    let out = "";
    for (let i = 0; i < 18; i++) out += label(s.schedule(list, 0, 0, 0, 0));
    expect(out).toBe("ABACBACBA" + "ABACBACBA");
  });

  it("distributes exactly 4:3:2 over whole cycles", () => {
    const vs = vsAdded("wrr", "ABC", { A: 4, B: 3, C: 2 });
    picks(vs, 3);
    const counts: Record<string, number> = { A: 0, B: 0, C: 0 };
    for (const c of picks(vs, 900)) counts[c]++;
    expect(counts).toEqual({ A: 400, B: 300, C: 200 });
  });

  it("weights A=4, B=2 (gcd 2, mw = 4 - 1 = 3): B A A, B A A, ...", () => {
    const vs = vsAdded("wrr", "AB", { A: 4, B: 2 });
    expect(picks(vs, 9)).toBe("BAABAABAA");
  });

  it("all weights 1 behaves exactly like rr", () => {
    expect(picks(vsAdded("wrr", "ABCD"), 10)).toBe(picks(vsAdded("rr", "ABCD"), 10));
    expect(picks(vsAdded("wrr", "ABCD"), 10)).toBe("DCBADCBADC");
  });

  it("skips weight 0: A=2, B=0, C=1 gives C A A C A A ...", () => {
    const vs = vsAdded("wrr", "ABC", { A: 2, B: 0, C: 1 });
    expect(picks(vs, 9)).toBe("CAACAACAA");
  });

  it("any change resets cl to the list head but keeps cw when it is still valid", () => {
    const vs = vsAdded("wrr", "ABC", { A: 4, B: 3, C: 2 });
    expect(picks(vs, 5)).toBe("CBAAB"); // cl = B, cw = 3
    vs.editDestination(addr("A"), 4); // same weight: upd_dest still runs dest_changed
    // cl = head, cw 3 kept: from the head at cw 3 => B (without the reset it would be A)
    expect(picks(vs, 6)).toBe("BACBAC");
  });

  it("all weights 0 (mw = 0) => null; all overloaded => null", () => {
    const vs = vsAdded("wrr", "AB", { A: 0, B: 0 });
    expect(picks(vs, 2)).toBe("--");
    const vs2 = vsListed("wrr", { A: { w: 3, overloaded: true }, B: { w: 1, overloaded: true } });
    expect(picks(vs2, 3)).toBe("---");
  });

  it("an overloaded heavy server is skipped, the others keep their turns", () => {
    const vs = vsAdded("wrr", "ABC", { A: 4, B: 3, C: 2 });
    vs.getDestination(addr("A"))!.overloaded = true;
    const counts: Record<string, number> = { A: 0, B: 0, C: 0 };
    for (const c of picks(vs, 500)) counts[c]++;
    expect(counts.A).toBe(0);
    expect(counts.B + counts.C).toBe(500);
  });
});

describe("lc (net/netfilter/ipvs/ip_vs_lc.c): least activeconns*256 + inactconns", () => {
  it.each<[string, Record<string, Spec>, string]>([
    ["1 active (256) vs 255 inactive (255)", { A: { active: 1 }, B: { inact: 255 } }, "B"],
    ["tie 256 vs 256: first in list order", { A: { inact: 256 }, B: { active: 1 } }, "A"],
    ["tie on idle servers: first in list order", { A: {}, B: {}, C: {} }, "A"],
    ["weight is ignored (except 0)", { A: { w: 5, active: 1 }, B: { w: 1, inact: 10 } }, "B"],
    ["weight 0 is skipped even when idle", { A: { w: 0 }, B: { active: 3 } }, "B"],
    ["overloaded is skipped", { A: { overloaded: true }, B: { active: 3 } }, "B"],
    ["all weights 0 => null", { A: { w: 0 }, B: { w: 0 } }, "-"],
  ])("%s", (_name, specs, expected) => {
    expect(picks(vsListed("lc", specs), 1)).toBe(expected);
  });
});

describe("wlc (net/netfilter/ipvs/ip_vs_wlc.c): least overhead/weight, strict >", () => {
  it.each<[string, Record<string, Spec>, string]>([
    ["256/1 vs 356/2: B (256*2 > 356*1)", { A: { w: 1, active: 1 }, B: { w: 2, active: 1, inact: 100 } }, "B"],
    ["256/1 vs 512/2 tie: keep the earlier A", { A: { w: 1, active: 1 }, B: { w: 2, active: 2 } }, "A"],
    ["first candidate skips weight 0: B then C wins 1280/1 vs 2560/3", { A: { w: 0 }, B: { w: 1, active: 5 }, C: { w: 3, active: 10 } }, "C"],
    ["a later weight-0 server never wins (loh*0 > doh*w is false)", { A: { w: 1, active: 10 }, B: { w: 0 } }, "A"],
    ["overloaded skipped", { A: { w: 1, overloaded: true }, B: { w: 1, active: 9 } }, "B"],
    ["idle heavy vs idle light: tie 0 = 0, earlier wins", { A: { w: 1 }, B: { w: 100 } }, "A"],
    ["all weights 0 => null", { A: { w: 0 }, B: { w: 0 } }, "-"],
  ])("%s", (_name, specs, expected) => {
    expect(picks(vsListed("wlc", specs), 1)).toBe(expected);
  });

  it("compares the products in 64 bits exactly (doubles would call 2^60 vs 2^60 - 1 a tie)", () => {
    // L: overhead 2^30 (active 2^22), weight 2^30 - 1; D: overhead 2^30 + 1, weight 2^30.
    // loh * w_D = 2^60 > doh * w_L = 2^60 - 1 => D; in doubles both products are 2^60.
    expect((2 ** 30 + 1) * (2 ** 30 - 1)).toBe(2 ** 30 * 2 ** 30);
    const vs = vsListed("wlc", { A: { w: 2 ** 30 - 1, active: 2 ** 22 }, B: { w: 2 ** 30, active: 2 ** 22, inact: 1 } });
    expect(picks(vs, 1)).toBe("B");
  });
});

describe("sed (net/netfilter/ipvs/ip_vs_sed.c): least (active + 1)/weight", () => {
  it.each<[string, Record<string, Spec>, string]>([
    ["(0+1)/1 vs (1+1)/3: B", { A: { w: 1 }, B: { w: 3, active: 1 } }, "B"],
    ["inactive connections are ignored", { A: { w: 1, inact: 1000 }, B: { w: 1, active: 1 } }, "A"],
    ["tie 2/1 vs 4/2: keep A", { A: { w: 1, active: 1 }, B: { w: 2, active: 3 } }, "A"],
    ["idle light vs busy heavy: sed picks B where wlc picks A", { A: { w: 1 }, B: { w: 4, active: 1 } }, "B"],
    ["weight 0 skipped", { A: { w: 0 }, B: { w: 1, active: 7 } }, "B"],
    ["all weights 0 => null", { A: { w: 0 } }, "-"],
  ])("%s", (_name, specs, expected) => {
    expect(picks(vsListed("sed", specs), 1)).toBe(expected);
  });

  it("differs from wlc on the same state", () => {
    const specs = { A: { w: 1 }, B: { w: 4, active: 1 } };
    expect(picks(vsListed("wlc", specs), 1)).toBe("A");
  });
});

describe("nq (net/netfilter/ipvs/ip_vs_nq.c): idle server first, else sed", () => {
  it.each<[string, Record<string, Spec>, string]>([
    ["the FIRST idle server in list order wins, even a slow one", { A: { w: 1 }, B: { w: 100 } }, "A"],
    ["an idle server beats a faster busy one", { A: { w: 100, active: 1 }, B: { w: 1 } }, "B"],
    ["inactive connections do not make a server busy", { A: { w: 100, active: 1 }, B: { w: 1, inact: 50 } }, "B"],
    ["no idle server: sed rule (2+1)/1 vs (8+1)/3 tie keeps A", { A: { w: 1, active: 2 }, B: { w: 3, active: 8 } }, "A"],
    ["no idle server: sed rule (2+1)/1 vs (4+1)/3 picks B", { A: { w: 1, active: 2 }, B: { w: 3, active: 4 } }, "B"],
    ["an idle weight-0 server is skipped", { A: { w: 0 }, B: { w: 1, active: 3 } }, "B"],
    ["an idle overloaded server is skipped", { A: { overloaded: true }, B: { active: 3 } }, "B"],
    ["all weights 0 => null", { A: { w: 0 }, B: { w: 0 } }, "-"],
  ])("%s", (_name, specs, expected) => {
    expect(picks(vsListed("nq", specs), 1)).toBe(expected);
  });

  it("sed on the first case would pick the faster server instead", () => {
    expect(picks(vsListed("sed", { A: { w: 1 }, B: { w: 100 } }), 1)).toBe("B");
  });
});

describe("every scheduler", () => {
  it.each(IPVS_SCHEDULER_NAMES.map((n) => [n]))("%s: no destinations => null", (name) => {
    expect(new IpvsVirtualServer({ scheduler: name }).schedule(0x0a000001, 1234)).toBeNull();
  });

  it.each(IPVS_SCHEDULER_NAMES.map((n) => [n]))("%s: all weights 0 => null", (name) => {
    const vs = vsAdded(name, "ABC", { A: 0, B: 0, C: 0 });
    for (let c = 0; c < 50; c++) expect(vs.schedule(0x0a000000 + c * 977, c)).toBeNull();
  });

  it.each(IPVS_SCHEDULER_NAMES.map((n) => [n]))("%s: a weight-0 server never gets a new connection", (name) => {
    const vs = vsAdded(name, "ABC", { A: 1, B: 0, C: 1 });
    for (let c = 0; c < 300; c++) {
      const d = vs.schedule(0x0a000000 + c * 977, c);
      expect(d === null ? "-" : label(d)).not.toBe("B");
    }
  });

  it("lists the implemented names", () => {
    expect(IPVS_SCHEDULER_NAMES).toEqual(["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh", "mh"]);
  });

  it.each([["lblc"], ["RR"], [""], ["maglev"]])("unknown name %j => RangeError naming it and listing the supported values", (name) => {
    const make = (): unknown => createIpvsScheduler(name as IpvsSchedulerName);
    expect(make).toThrow(RangeError);
    expect(make).toThrow(`unknown IPVS scheduler ${JSON.stringify(name)}; supported: rr, wrr, lc, wlc, sed, nq, sh, dh, mh`);
  });

  it.each(IPVS_SCHEDULER_NAMES.map((n) => [n]))("%s: createIpvsScheduler returns a scheduler with that name", (name) => {
    expect(createIpvsScheduler(name).name).toBe(name);
  });
});
