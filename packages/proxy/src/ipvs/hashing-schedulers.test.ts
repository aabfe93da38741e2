import { describe, it, expect } from "vitest";
import fc from "fast-check";
import type { IpvsDestination } from "./destination.js";
import { hsiphash } from "./hsiphash.js";
import {
  ipvsShHashKey,
  ipvsDhHashKey,
  ipvsMhHashKey,
  IPVS_MH_HASH1,
  IPVS_MH_HASH2,
  IPVS_MH_PRIMES,
  IPVS_MH_TAB_SIZE,
  IPVS_SH_TAB_SIZE,
  MaglevHashingScheduler,
} from "./hashing-schedulers.js";
import type { IpvsSchedulerName, IpvsSchedulerOptions } from "./schedulers.js";
import { IpvsVirtualServer } from "./virtual-server.js";

/** Independent references: BigInt arithmetic on the kernel formulas. */
const refHash32x8 = (v: number): number => Number(((BigInt(v >>> 0) * 0x61c88647n) & 0xffffffffn) >> 24n);
const refMultiplicative8 = (v: number): number => Number((BigInt(v >>> 0) * 2654435761n) & 0xffn);
const ip4 = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

function vsWith(scheduler: IpvsSchedulerName, n: number, options: IpvsSchedulerOptions = {}, weights: readonly number[] = []): IpvsVirtualServer {
  const vs = new IpvsVirtualServer({ address: "10.96.0.10:80", scheduler, schedulerOptions: options });
  for (let i = 0; i < n; i++) vs.addDestination(`10.244.0.${i + 1}:8080`, weights[i] ?? 1);
  return vs;
}

const addresses = (table: readonly (IpvsDestination | null)[]): (string | null)[] => table.map((d) => (d === null ? null : d.address));

function countBy(table: readonly (IpvsDestination | null)[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of table) if (d !== null) m.set(d.address, (m.get(d.address) ?? 0) + 1);
  return m;
}

function changedSlots(before: readonly (string | null)[], after: readonly (string | null)[], victim: string): { all: number; survivors: number; victimSlots: number } {
  let all = 0;
  let survivors = 0;
  let victimSlots = 0;
  for (let i = 0; i < before.length; i++) {
    if (before[i] === victim) victimSlots++;
    if (before[i] !== after[i]) {
      all++;
      if (before[i] !== victim) survivors++;
    }
  }
  return { all, survivors, victimSlots };
}

describe("sh hash key (ip_vs_sh.c ip_vs_sh_hashkey)", () => {
  it("current kernels: (offset + hash_32(port + addr, 8)) & 255", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 255 }), (a, p, o) => {
        expect(ipvsShHashKey(a, p, o)).toBe((o + refHash32x8((a + p) >>> 0)) & 255);
      }),
    );
  });

  it("older kernels: (offset + (port + addr) * 2654435761) & 255", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 255 }), (a, p, o) => {
        expect(ipvsShHashKey(a, p, o, "multiplicative")).toBe((o + refMultiplicative8((a + p) >>> 0)) & 255);
      }),
    );
  });

  it("known values for 10.0.0.1", () => {
    expect(ipvsShHashKey(ip4(10, 0, 0, 1), 0, 0, "multiplicative")).toBe(0xb1); // 1 * 0x...B1
    expect(ipvsShHashKey(ip4(10, 0, 0, 1), 0, 0)).toBe(refHash32x8(0x0a000001));
    expect(refHash32x8(0x0a000001)).toBe(Number((0x0a000001n * 0x61c88647n) % 2n ** 32n >> 24n));
  });

  it("the older hash only sees the last octet; hash_32 sees the whole address", () => {
    const a = ip4(10, 0, 0, 1);
    const b = ip4(192, 168, 7, 1);
    expect(ipvsShHashKey(a, 0, 0, "multiplicative")).toBe(ipvsShHashKey(b, 0, 0, "multiplicative"));
    expect(ipvsShHashKey(a, 0, 0)).not.toBe(ipvsShHashKey(b, 0, 0));
  });

  it("port + addr is a 32-bit sum (wraps)", () => {
    expect(ipvsShHashKey(0xffffffff, 2, 0)).toBe(refHash32x8(1));
  });
});

describe("sh (net/netfilter/ipvs/ip_vs_sh.c)", () => {
  it("fills 256 buckets round-robin in list order, `weight` consecutive buckets each", () => {
    // added A(1), B(2), C(1) => list C, B, A => buckets C B B A C B B A ...
    const vs = new IpvsVirtualServer({ scheduler: "sh" });
    vs.addDestination("10.0.0.1:80", 1); // A
    vs.addDestination("10.0.0.2:80", 2); // B
    vs.addDestination("10.0.0.3:80", 1); // C
    const t = addresses(vs.scheduler.lookupTable()!);
    expect(t).toHaveLength(IPVS_SH_TAB_SIZE);
    expect(IPVS_SH_TAB_SIZE).toBe(256);
    const cycle = ["10.0.0.3:80", "10.0.0.2:80", "10.0.0.2:80", "10.0.0.1:80"];
    t.forEach((a, i) => expect(a).toBe(cycle[i % 4]));
  });

  it("a weight-0 destination still takes one bucket per round (++d_count >= 0)", () => {
    const vs = new IpvsVirtualServer({ scheduler: "sh" });
    vs.addDestination("10.0.0.1:80", 1);
    vs.addDestination("10.0.0.2:80", 1);
    vs.addDestination("10.0.0.3:80", 0);
    const counts = countBy(vs.scheduler.lookupTable()!);
    // 256 = 85 * 3 + 1: the first in list order (the weight-0 one) gets the extra bucket
    expect(Object.fromEntries(counts)).toEqual({ "10.0.0.3:80": 86, "10.0.0.2:80": 85, "10.0.0.1:80": 85 });
  });

  it("schedules a client to the bucket hash_32(client, 8) selects, deterministically", () => {
    const vs = vsWith("sh", 5);
    const table = vs.scheduler.lookupTable()!;
    for (let c = 0; c < 1000; c++) {
      const ip = (0x0a000000 + c * 7919) >>> 0;
      const d = vs.schedule(ip, 50000 + c);
      expect(d).toBe(table[refHash32x8(ip)]);
      expect(vs.schedule(ip, 1)).toBe(d); // port ignored without sh-port
    }
    // a second virtual server built the same way maps every client the same way
    const vs2 = vsWith("sh", 5);
    expect(addresses(vs2.scheduler.lookupTable()!)).toEqual(addresses(table));
  });

  it("sh-port hashes port + addr", () => {
    const vs = vsWith("sh", 5, { port: true });
    const table = vs.scheduler.lookupTable()!;
    const ip = ip4(10, 1, 2, 3);
    let differs = 0;
    for (let port = 1000; port < 1100; port++) {
      const d = vs.schedule(ip, port);
      expect(d).toBe(table[refHash32x8((ip + port) >>> 0)]);
      if (d !== vs.schedule(ip, 0)) differs++;
    }
    expect(differs).toBeGreaterThan(50);
  });

  it("is not consistent: removing 1 of 5 equal servers remaps 206 of 256 buckets (80%), 155 of the survivors' 205 (76%)", () => {
    const vs = vsWith("sh", 5);
    const before = addresses(vs.scheduler.lookupTable()!);
    vs.deleteDestination("10.244.0.3:8080");
    const after = addresses(vs.scheduler.lookupTable()!);
    // independent check: bucket i was list[i % 5], is now list'[i % 4]
    const listBefore = ["5", "4", "3", "2", "1"].map((x) => `10.244.0.${x}:8080`);
    const listAfter = listBefore.filter((a) => a !== "10.244.0.3:8080");
    before.forEach((a, i) => expect(a).toBe(listBefore[i % 5]));
    after.forEach((a, i) => expect(a).toBe(listAfter[i % 4]));
    const ch = changedSlots(before, after, "10.244.0.3:8080");
    expect(ch).toEqual({ all: 206, survivors: 155, victimSlots: 51 });
  });

  it("clients of the surviving servers are remapped too (measured over 20000 clients: > 60%)", () => {
    const vs = vsWith("sh", 5);
    const clients = Array.from({ length: 20000 }, (_, c) => (0x0a000000 + c * 7919) >>> 0);
    const pre = clients.map((ip) => vs.schedule(ip, 0)!.address);
    vs.deleteDestination("10.244.0.3:8080");
    let survivors = 0;
    let moved = 0;
    clients.forEach((ip, i) => {
      if (pre[i] === "10.244.0.3:8080") return;
      survivors++;
      if (vs.schedule(ip, 0)!.address !== pre[i]) moved++;
    });
    expect(moved / survivors).toBeGreaterThan(0.6);
  });

  it("weight 0 / overloaded bucket => null without sh-fallback", () => {
    const vs = vsWith("sh", 3);
    vs.editDestination("10.244.0.2:8080", 0);
    const table = vs.scheduler.lookupTable()!;
    for (let c = 0; c < 500; c++) {
      const ip = (0x0a000000 + c * 131) >>> 0;
      const owner = table[refHash32x8(ip)]!;
      const d = vs.schedule(ip, 0);
      if (owner.address === "10.244.0.2:8080") expect(d).toBeNull();
      else expect(d).toBe(owner);
    }
    vs.getDestination("10.244.0.1:8080")!.overloaded = true;
    const ip = [...Array(256).keys()].map((c) => (0x0b000000 + c) >>> 0).find((x) => table[refHash32x8(x)]!.address === "10.244.0.1:8080")!;
    expect(vs.schedule(ip, 0)).toBeNull();
  });

  it("sh-fallback probes roffset = (offset + ihash) % 256 rehashed until an available server", () => {
    const vs = vsWith("sh", 3, { fallback: true });
    vs.editDestination("10.244.0.2:8080", 0);
    const table = vs.scheduler.lookupTable()!;
    let probed = 0;
    for (let c = 0; c < 500; c++) {
      const ip = (0x0a000000 + c * 131) >>> 0;
      const ihash = refHash32x8(ip);
      let expected = table[ihash];
      if (expected!.weight === 0) {
        probed++;
        expected = null;
        for (let offset = 0; offset < 256; offset++) {
          const roffset = (offset + ihash) % 256;
          const d = table[(roffset + refHash32x8(ip)) & 255]!;
          if (d.weight > 0) {
            expected = d;
            break;
          }
        }
      }
      const got = vs.schedule(ip, 0);
      expect(got).toBe(expected);
      expect(got!.address).not.toBe("10.244.0.2:8080");
    }
    expect(probed).toBeGreaterThan(100);
  });

  it("the older multiplicative hash maps clients by their last octet only", () => {
    const vs = vsWith("sh", 5, { hash: "multiplicative" });
    expect(vs.schedule(ip4(10, 0, 0, 7), 0)).toBe(vs.schedule(ip4(172, 16, 9, 7), 0));
  });

  it("rebuilds on a weight edit (upd_dest)", () => {
    const vs = vsWith("sh", 2);
    vs.editDestination("10.244.0.1:8080", 3);
    // list: .2 (w1), .1 (w3) => .2 .1 .1 .1 ...
    const t = addresses(vs.scheduler.lookupTable()!);
    expect(t.slice(0, 8)).toEqual(["10.244.0.2:8080", "10.244.0.1:8080", "10.244.0.1:8080", "10.244.0.1:8080", "10.244.0.2:8080", "10.244.0.1:8080", "10.244.0.1:8080", "10.244.0.1:8080"]);
  });

  it("an empty list leaves every bucket NULL", () => {
    const vs = vsWith("sh", 1);
    vs.deleteDestination("10.244.0.1:8080");
    expect(vs.scheduler.lookupTable()!.every((d) => d === null)).toBe(true);
  });
});

describe("dh (net/netfilter/ipvs/ip_vs_dh.c)", () => {
  it("hash_32(addr, 8) in current kernels, (addr * 2654435761) & 255 in older ones", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => {
        expect(ipvsDhHashKey(a)).toBe(refHash32x8(a));
        expect(ipvsDhHashKey(a, "multiplicative")).toBe(refMultiplicative8(a));
      }),
    );
  });

  it("keys on the destination (virtual server) IP: every client of one Service goes to the same server", () => {
    const vs = vsWith("dh", 4);
    const table = vs.scheduler.lookupTable()!;
    const expected = table[refHash32x8(ip4(10, 96, 0, 10))];
    expect(expected).not.toBeNull();
    for (let c = 0; c < 200; c++) expect(vs.schedule((0x0a000000 + c * 7919) >>> 0, c)).toBe(expected);
  });

  it("fills one bucket per server per round, ignoring weights", () => {
    const vs = vsWith("dh", 2, {}, [5, 1]);
    const t = addresses(vs.scheduler.lookupTable()!);
    t.forEach((a, i) => expect(a).toBe(i % 2 === 0 ? "10.244.0.2:8080" : "10.244.0.1:8080"));
  });

  it("weight 0 on the hashed server => null (no fallback); the table is not rebuilt on edits", () => {
    const vs = vsWith("dh", 4);
    const before = addresses(vs.scheduler.lookupTable()!);
    const target = vs.schedule(1, 1)!;
    vs.editDestination(target.address, 0);
    expect(addresses(vs.scheduler.lookupTable()!)).toEqual(before);
    expect(vs.schedule(1, 1)).toBeNull();
  });
});

describe("mh key (ip_vs_mh.c ip_vs_mh_hashkey)", () => {
  it("is hsiphash of the 4 little-endian bytes of offset + port + addr (a 32-bit sum)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 131070 }), (a, p, o) => {
        const v = (o + p + a) >>> 0;
        const bytes = new Uint8Array([v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24]);
        expect(ipvsMhHashKey(a, p, IPVS_MH_HASH1, o)).toBe(hsiphash(bytes, IPVS_MH_HASH1));
        expect(ipvsMhHashKey(a, p, IPVS_MH_HASH2, o, 32)).toBe(hsiphash(bytes, IPVS_MH_HASH2, 32));
      }),
    );
  });

  it("uses the fixed keys of generate_hash_secret", () => {
    expect(IPVS_MH_HASH1).toEqual({ k0lo: 2654435761, k0hi: 0, k1lo: 2654435761, k1hi: 0 });
    expect(IPVS_MH_HASH2).toEqual({ k0lo: 2654446892, k0hi: 0, k1lo: 2654446892, k1hi: 0 });
  });

  it("adds address and port: 10.0.0.1:80 and 10.0.0.2:79 share a preference list", () => {
    expect(ipvsMhHashKey(ip4(10, 0, 0, 1), 80, IPVS_MH_HASH1, 0)).toBe(ipvsMhHashKey(ip4(10, 0, 0, 2), 79, IPVS_MH_HASH1, 0));
  });
});

describe("mh (net/netfilter/ipvs/ip_vs_mh.c, Maglev)", () => {
  it("has M = primes[CONFIG_IP_VS_MH_TAB_INDEX - 8] = 4093 slots by default", () => {
    expect(IPVS_MH_PRIMES[12 - 8]).toBe(4093);
    expect(IPVS_MH_TAB_SIZE).toBe(4093);
    const vs = vsWith("mh", 1);
    const table = vs.scheduler.lookupTable()!;
    expect(table).toHaveLength(4093);
    expect(table.every((d) => d !== null && d.address === "10.244.0.1:8080")).toBe(true);
  });

  it.each([[1], [2], [3], [4], [5], [7], [10], [64]])("%i equal servers: floor/ceil(4093/N) slots, the extra ones to the first in list order", (n) => {
    const vs = vsWith("mh", n);
    const counts = countBy(vs.scheduler.lookupTable()!);
    vs.destinations().forEach((d, i) => {
      expect(counts.get(d.address)).toBe(Math.floor(4093 / n) + (i < 4093 % n ? 1 : 0));
    });
  });

  it("weights 2:1 give 2 turns : 1 turn per round (4093 = 3 * 1364 + 1)", () => {
    const vs = new IpvsVirtualServer({ scheduler: "mh" });
    vs.addDestination("10.244.0.1:8080", 1); // Y, second in the list
    vs.addDestination("10.244.0.2:8080", 2); // X, first in the list
    const counts = countBy(vs.scheduler.lookupTable()!);
    expect(counts.get("10.244.0.2:8080")).toBe(2 * 1364 + 1);
    expect(counts.get("10.244.0.1:8080")).toBe(1364);
  });

  it("turns = (weight / gcd) >> rshift, at least 1: weights 200:1 => rshift 2 => 50 : 1 turns", () => {
    // gcd 1, max/gcd 200, fls(200) = 8, rshift = 8 - 6 = 2: 200 >> 2 = 50; 1 >> 2 = 0 -> 1
    const vs = new IpvsVirtualServer({ scheduler: "mh" });
    vs.addDestination("10.244.0.1:8080", 1);
    vs.addDestination("10.244.0.2:8080", 200);
    const counts = countBy(vs.scheduler.lookupTable()!);
    // rounds of 51 slots: 4093 = 80 * 51 + 13, the last partial round all to the first
    expect(counts.get("10.244.0.2:8080")).toBe(80 * 50 + 13);
    expect(counts.get("10.244.0.1:8080")).toBe(80);
    // weights 100:50 reduce by the gcd to 2:1
    const vs2 = new IpvsVirtualServer({ scheduler: "mh" });
    vs2.addDestination("10.244.0.1:8080", 50);
    vs2.addDestination("10.244.0.2:8080", 100);
    expect(countBy(vs2.scheduler.lookupTable()!).get("10.244.0.2:8080")).toBe(2729);
  });

  it("removing 1 of 10 servers changes about 1/10 of the slots (measured 462 of 4093; bound 1.2 * M / N)", () => {
    const vs = vsWith("mh", 10);
    const before = addresses(vs.scheduler.lookupTable()!);
    vs.deleteDestination("10.244.0.5:8080");
    const after = addresses(vs.scheduler.lookupTable()!);
    expect(after.every((a) => a !== null && a !== "10.244.0.5:8080")).toBe(true);
    const ch = changedSlots(before, after, "10.244.0.5:8080");
    expect(ch.victimSlots).toBe(409);
    expect(ch.all).toBeGreaterThanOrEqual(ch.victimSlots);
    expect(ch.all).toBeLessThanOrEqual(Math.ceil((1.2 * 4093) / 10));
    expect(ch.all).toBe(462);
    expect(ch.survivors).toBe(53);
  });

  it.each([[3], [5], [20]])("removing 1 of %i servers moves under 3%% of the surviving slots (sh moves most)", (n) => {
    const vs = vsWith("mh", n);
    const before = addresses(vs.scheduler.lookupTable()!);
    const victim = `10.244.0.${Math.ceil(n / 2)}:8080`;
    vs.deleteDestination(victim);
    const ch = changedSlots(before, addresses(vs.scheduler.lookupTable()!), victim);
    expect(ch.survivors / (4093 - ch.victimSlots)).toBeLessThan(0.03);
  });

  it("a drained server (weight 0) keeps its slots (last_weight); its clients get null, others unchanged", () => {
    const vs = vsWith("mh", 4);
    const before = addresses(vs.scheduler.lookupTable()!);
    const drained = vs.editDestination("10.244.0.2:8080", 0);
    expect(drained.lastWeight).toBe(1);
    expect(addresses(vs.scheduler.lookupTable()!)).toEqual(before);
    let nulls = 0;
    for (let c = 0; c < 2000; c++) {
      const ip = (0x0a000000 + c * 7919) >>> 0;
      const slot = ipvsMhHashKey(ip, 0, IPVS_MH_HASH1, 0) % 4093;
      const d = vs.schedule(ip, 0);
      if (before[slot] === "10.244.0.2:8080") {
        expect(d).toBeNull();
        nulls++;
      } else expect(d!.address).toBe(before[slot]);
    }
    expect(nulls).toBeGreaterThan(300);
  });

  it("mh-fallback re-probes a drained server's clients: roffset = (offset + ihash) % M rehashed", () => {
    const vs = vsWith("mh", 4, { fallback: true });
    vs.editDestination("10.244.0.2:8080", 0);
    const table = vs.scheduler.lookupTable()!;
    for (let c = 0; c < 500; c++) {
      const ip = (0x0a000000 + c * 7919) >>> 0;
      const ihash = ipvsMhHashKey(ip, 0, IPVS_MH_HASH1, 0) % 4093;
      let expected = table[ihash];
      if (expected!.weight === 0) {
        expected = null;
        for (let offset = 0; offset < 4093; offset++) {
          const d = table[ipvsMhHashKey(ip, 0, IPVS_MH_HASH1, (offset + ihash) % 4093) % 4093]!;
          if (d.weight > 0) {
            expected = d;
            break;
          }
        }
      }
      const got = vs.schedule(ip, 0);
      expect(got).toBe(expected);
      expect(got!.address).not.toBe("10.244.0.2:8080");
    }
  });

  it("mh-port (what kube-proxy sets for mh) spreads one client's connections by source port", () => {
    const plain = vsWith("mh", 4);
    const withPort = vsWith("mh", 4, { port: true });
    const ip = ip4(10, 1, 2, 3);
    const seen = new Set<string>();
    for (let port = 30000; port < 30100; port++) {
      expect(plain.schedule(ip, port)).toBe(plain.schedule(ip, 0));
      seen.add(withPort.schedule(ip, port)!.address);
      const slot = ipvsMhHashKey(ip, port, IPVS_MH_HASH1, 0) % 4093;
      expect(withPort.schedule(ip, port)).toBe(withPort.scheduler.lookupTable()![slot]);
    }
    expect(seen.size).toBe(4);
  });

  it("a server added with weight 0 gets no slot; all last_weights 0 => empty table => null", () => {
    const vs = vsWith("mh", 2, {}, [1, 0]);
    expect(countBy(vs.scheduler.lookupTable()!).get("10.244.0.2:8080")).toBeUndefined();
    const empty = vsWith("mh", 2, {}, [0, 0]);
    expect(empty.scheduler.lookupTable()!.every((d) => d === null)).toBe(true);
    expect(empty.schedule(1, 1)).toBeNull();
  });

  it("with more servers than slots the rebuild fails (EINVAL) and the old table stays", () => {
    const vs = new IpvsVirtualServer({ scheduler: "mh", schedulerOptions: { mhTableIndex: 8 } });
    expect((vs.scheduler as MaglevHashingScheduler).tableSize).toBe(251);
    for (let i = 0; i < 251; i++) vs.addDestination(`10.1.${i >> 8}.${i & 255}:80`, 1);
    const full = addresses(vs.scheduler.lookupTable()!);
    expect(new Set(full).size).toBe(251); // every server exactly one slot
    vs.addDestination("10.2.0.1:80", 1);
    expect(addresses(vs.scheduler.lookupTable()!)).toEqual(full);
  });

  it.each([[7], [18], [12.5]])("rejects mhTableIndex %s", (index) => {
    expect(() => new IpvsVirtualServer({ scheduler: "mh", schedulerOptions: { mhTableIndex: index } })).toThrow(RangeError);
  });

  it("a 32-bit kernel (HalfSipHash) builds a different but equally balanced table", () => {
    const t64 = addresses(vsWith("mh", 4).scheduler.lookupTable()!);
    const vs32 = vsWith("mh", 4, { bitsPerLong: 32 });
    const t32 = addresses(vs32.scheduler.lookupTable()!);
    expect(t32).not.toEqual(t64);
    vs32.destinations().forEach((d, i) => expect(countBy(vs32.scheduler.lookupTable()!).get(d.address)).toBe(1023 + (i < 1 ? 1 : 0)));
  });
});
