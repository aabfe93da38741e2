import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { RandomSource } from "@kube-netsim/core";
import {
  ciliumBackendState,
  ciliumRandomSlot,
  ciliumSelectBackendIdRandom,
  ciliumSelectableBackends,
  ciliumServiceSlots,
} from "./random.js";
import type { CiliumBackendState, CiliumServiceBackend } from "./random.js";

const be = (id: number, address: string, state: CiliumBackendState, extra: Partial<CiliumServiceBackend> = {}): CiliumServiceBackend => ({
  id,
  address,
  port: 8080,
  state,
  ...extra,
});

describe("ciliumBackendState (EndpointSlice conditions -> Cilium BackendState)", () => {
  it.each([
    ["ready", { ready: true, serving: true, terminating: false }, false, "active"],
    ["ready and terminating (publishNotReadyAddresses) stays active", { ready: true, serving: true, terminating: true }, false, "active"],
    ["terminating and serving", { ready: false, serving: true, terminating: true }, false, "terminating"],
    ["terminating, not serving", { ready: false, serving: false, terminating: true }, false, "terminating-not-serving"],
    ["not ready, not terminating -> maintenance", { ready: false, serving: false, terminating: false }, false, "maintenance"],
    ["not ready but serving, not terminating -> maintenance", { ready: false, serving: true, terminating: false }, false, "maintenance"],
    ["maintenance flag wins over ready", { ready: true, serving: true, terminating: false }, true, "maintenance"],
  ] as const)("%s", (_name, conditions, maintenance, expected) => {
    expect(ciliumBackendState(conditions, maintenance)).toBe(expected);
  });
});

describe("ciliumServiceSlots (pkg/loadbalancer/reconciler/bpf_reconciler.go sortedBackends + updateFrontend)", () => {
  it("puts active backends first, ordered by address numerically (10.0.0.9 before 10.0.0.10), then port", () => {
    const s = ciliumServiceSlots([
      be(1, "10.0.0.10", "active"),
      be(2, "10.0.0.9", "active"),
      be(3, "10.0.0.9", "active", { port: 80 }),
      be(4, "fd00::1", "active"),
      be(5, "9.255.255.255", "active"),
    ]);
    expect(s.backends.map((b) => b.id)).toEqual([5, 3, 2, 1, 4]);
    expect(s.count).toBe(5);
    expect(s.qcount).toBe(0);
  });

  it("orders IPv6 addresses by their 128-bit value (:: expansion, embedded IPv4)", () => {
    const s = ciliumServiceSlots([
      be(1, "fd00::2", "active"),
      be(2, "fd00::1:0", "active"),
      be(3, "fd00:0:0:0:0:0:0:1", "active"),
      be(4, "::ffff:1.2.3.4", "active"),
    ]);
    expect(s.backends.map((b) => b.id)).toEqual([4, 3, 1, 2]);
  });

  it("excludes terminating, not-serving, quarantined and unhealthy backends from count while any backend is active", () => {
    const s = ciliumServiceSlots([
      be(1, "10.0.0.1", "terminating"),
      be(2, "10.0.0.2", "active"),
      be(3, "10.0.0.3", "terminating-not-serving"),
      be(4, "10.0.0.4", "quarantined"),
      be(5, "10.0.0.5", "active", { unhealthy: true }),
      be(6, "10.0.0.6", "active"),
      be(7, "10.0.0.7", "maintenance"),
    ]);
    expect(s.count).toBe(2);
    expect(s.backends.slice(0, s.count).map((b) => b.id)).toEqual([2, 6]);
    // slots after count: terminating, terminating-not-serving, quarantined, then unhealthy; maintenance has no slot
    expect(s.backends.slice(s.count).map((b) => b.id)).toEqual([1, 3, 4, 5]);
    expect(s.qcount).toBe(4);
  });

  it("falls back to the serving-terminating backends when no backend is active", () => {
    const s = ciliumServiceSlots([
      be(1, "10.0.0.3", "terminating"),
      be(2, "10.0.0.2", "terminating-not-serving"),
      be(3, "10.0.0.1", "terminating"),
      be(4, "10.0.0.4", "maintenance"),
      be(5, "10.0.0.5", "active", { unhealthy: true }),
    ]);
    expect(s.count).toBe(2);
    expect(s.backends.slice(0, 2).map((b) => b.id)).toEqual([3, 1]);
    expect(s.qcount).toBe(2);
    expect(ciliumSelectableBackends([be(1, "10.0.0.3", "terminating"), be(3, "10.0.0.1", "terminating")]).map((b) => b.id)).toEqual([3, 1]);
  });

  it("has count 0 when only not-serving / quarantined / maintenance backends exist", () => {
    const s = ciliumServiceSlots([be(1, "10.0.0.1", "terminating-not-serving"), be(2, "10.0.0.2", "maintenance"), be(3, "10.0.0.3", "quarantined")]);
    expect(s.count).toBe(0);
    expect(s.qcount).toBe(2);
    expect(ciliumSelectBackendIdRandom(12345, s)).toBe(-1);
  });

  it("does not depend on input order", () => {
    const all = [
      be(1, "10.0.0.1", "active"),
      be(2, "10.0.0.2", "terminating"),
      be(3, "10.0.1.1", "active"),
      be(4, "10.0.0.200", "active", { unhealthy: true }),
      be(5, "10.0.0.3", "maintenance"),
    ];
    const expected = ciliumServiceSlots(all);
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), (shuffled) => {
        expect(ciliumServiceSlots(shuffled)).toEqual(expected);
      }),
    );
  });

  it.each([["10.0.0"], ["10.0.0.256"], ["fd00:::1"], ["hello"]])("rejects address %s", (address) => {
    expect(() => ciliumServiceSlots([be(1, address, "active")])).toThrow(RangeError);
  });
});

describe("ciliumRandomSlot (bpf/lib/lb.h lb4_select_backend_id_random: (get_prandom_u32() % count) + 1)", () => {
  it.each([
    ["draw 0 -> slot 1", 0, 3, 1],
    ["draw 1 -> slot 2", 1, 3, 2],
    ["draw 2 -> slot 3", 2, 3, 3],
    ["draw = count wraps to slot 1", 3, 3, 1],
    ["largest draw, 2^32-1 = 3 * 1431655765", 0xffffffff, 3, 1],
    ["largest draw, count 7: 4294967295 % 7 = 3", 0xffffffff, 7, 4],
    ["single backend", 123456789, 1, 1],
    ["count 65535", 65535, 65535, 1],
  ])("%s", (_name, draw, count, slot) => {
    expect(ciliumRandomSlot(draw, count)).toBe(slot);
  });

  it("is always in 1..count (slot 0 is the Service's master entry)", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffff_ffff }), fc.integer({ min: 1, max: 0xffff }), (draw, count) => {
        const slot = ciliumRandomSlot(draw, count);
        return slot >= 1 && slot <= count;
      }),
    );
  });

  it.each([
    ["negative draw", -1, 3],
    ["draw 2^32", 2 ** 32, 3],
    ["fractional draw", 0.5, 3],
    ["count 0", 1, 0],
    ["count 65536 (svc->count is __u16)", 1, 65536],
  ])("rejects %s", (_name, draw, count) => {
    expect(() => ciliumRandomSlot(draw, count)).toThrow(RangeError);
  });
});

describe("ciliumSelectBackendIdRandom", () => {
  const backends = [
    be(11, "10.0.0.1", "active"),
    be(12, "10.0.0.2", "active"),
    be(13, "10.0.0.3", "terminating"),
    be(14, "10.0.0.4", "active"),
    be(15, "10.0.0.5", "maintenance"),
  ];
  const slots = ciliumServiceSlots(backends);

  it("maps draws to the backends of slots 1..count only", () => {
    expect([0, 1, 2, 3, 4, 5].map((d) => ciliumSelectBackendIdRandom(d, slots))).toEqual([11, 12, 14, 11, 12, 14]);
  });

  it("is uniform over the active backends (chi-square, seeded stream, 60000 draws)", () => {
    const stream = new RandomSource(1).stream("x");
    const draws = 60000;
    const hits = new Map<number, number>();
    for (let k = 0; k < draws; k++) {
      const id = ciliumSelectBackendIdRandom(stream.nextUint32(), slots);
      hits.set(id, (hits.get(id) ?? 0) + 1);
    }
    expect([...hits.keys()].sort()).toEqual([11, 12, 14]);
    const expected = draws / 3;
    let chi2 = 0;
    for (const c of hits.values()) chi2 += (c - expected) ** 2 / expected;
    // 2 degrees of freedom: P(chi2 > 13.82) = 0.001.
    expect(chi2).toBeLessThan(13.82);
  });

  it("is uniform over 10 backends (chi-square, 9 degrees of freedom)", () => {
    const ten = ciliumServiceSlots(Array.from({ length: 10 }, (_, i) => be(i + 1, `10.0.1.${i + 1}`, "active")));
    const stream = new RandomSource(1).stream("x");
    const draws = 100000;
    const hits = new Array<number>(11).fill(0);
    for (let k = 0; k < draws; k++) hits[ciliumSelectBackendIdRandom(stream.nextUint32(), ten)]++;
    let chi2 = 0;
    for (let id = 1; id <= 10; id++) chi2 += (hits[id] - draws / 10) ** 2 / (draws / 10);
    // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
    expect(chi2).toBeLessThan(27.88);
    expect(hits[0]).toBe(0);
  });
});
