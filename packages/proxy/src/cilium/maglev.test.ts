import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  CILIUM_DEFAULT_BACKEND_WEIGHT,
  MAGLEV_DEFAULT_HASH_SEED,
  MAGLEV_DEFAULT_TABLE_SIZE,
  MAGLEV_SUPPORTED_TABLE_SIZES,
  MaglevTable,
  ciliumBackendHashString,
  goStringCompare,
  hashFromTupleV4,
  maglevOffsetAndSkip,
} from "./maglev.js";
import type { MaglevBackend } from "./maglev.js";
import { jhash3Words } from "./jhash.js";

/** cilium pkg/maglev/maglev_test.go runLengthEncodeIDs: "<id>(<count>),…". */
function runLengthEncode(ids: Uint32Array): string {
  const runs: string[] = [];
  let cur = ids[0];
  let count = 1;
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] === cur) count++;
    else {
      runs.push(`${cur}(${count})`);
      cur = ids[i];
      count = 1;
    }
  }
  runs.push(`${cur}(${count})`);
  return runs.join(",");
}

/**
 * cilium pkg/maglev/maglev_test.go mkAddr(i): IPv4 address = uint32 i big-endian, port i, TCP,
 * scope external; as a hash string.
 */
function mkAddr(i: number): string {
  return ciliumBackendHashString(`${(i >>> 24) & 255}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`, i % 65535, "TCP");
}

/**
 * Independent transcription of computeLookupTable with explicit permutation arrays (as Go
 * materialises them), for backends given ALREADY in the order to use.
 */
function referenceTable(ordered: readonly MaglevBackend[], m: number, seedMurmur: number): number[] {
  const l = ordered.length;
  const perm: number[][] = ordered.map((b) => {
    const { offset, skip } = maglevOffsetAndSkip(b.name, m, seedMurmur);
    const p = [offset % m];
    for (let j = 1; j < m; j++) p.push((p[j - 1] + skip) % m);
    return p;
  });
  const w = ordered.map((b) => b.weight ?? CILIUM_DEFAULT_BACKEND_WEIGHT);
  const weightSum = w.reduce((a, b) => a + b, 0);
  const weightCntr = w.map((x) => x / l);
  const weightsUsed = Math.floor(weightSum / l) > 1;
  const next = new Array<number>(l).fill(0);
  const entry = new Array<number>(m).fill(-1);
  for (let n = 0; n < m; n++) {
    let i = n % l;
    for (;;) {
      if (weightsUsed) {
        if ((n + 1) * w[i] < Math.trunc(weightCntr[i])) {
          i = (i + 1) % l;
          continue;
        }
        weightCntr[i] += weightSum;
      }
      let c = perm[i][next[i]];
      while (entry[c] >= 0) {
        next[i] += 1;
        c = perm[i][next[i]];
      }
      entry[c] = ordered[i].id;
      next[i] += 1;
      break;
    }
  }
  return entry;
}

function ipv4(s: string): number {
  return s.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

describe("MaglevTable configuration (pkg/maglev/maglev.go UserConfig.ToConfig)", () => {
  it("defaults to M = 16381 and seed JLfvgnHc2kaSUFaI", () => {
    const t = new MaglevTable();
    expect(t.tableSize).toBe(16381);
    expect(MAGLEV_DEFAULT_TABLE_SIZE).toBe(16381);
    expect(t.hashSeed).toBe("JLfvgnHc2kaSUFaI");
    expect(MAGLEV_DEFAULT_HASH_SEED).toBe("JLfvgnHc2kaSUFaI");
  });

  it("splits the 12 seed bytes 24b7ef82 71dcda46 92505688 big-endian into seedMurmur, SeedJhash0, SeedJhash1", () => {
    // base64 "JLfvgnHc2kaSUFaI" = 24 b7 ef 82 | 71 dc da 46 | 92 50 56 88
    const t = new MaglevTable();
    expect(t.seedMurmur).toBe(0x24b7ef82);
    expect(t.seedJhash0).toBe(0x71dcda46);
    expect(t.seedJhash1).toBe(0x92505688);
  });

  it("decodes other seeds the same way", () => {
    const t = new MaglevTable({ seed: "AAECAwQFBgcICQoL" }); // bytes 00..0b
    expect([t.seedMurmur, t.seedJhash0, t.seedJhash1]).toEqual([0x00010203, 0x04050607, 0x08090a0b]);
  });

  it.each(MAGLEV_SUPPORTED_TABLE_SIZES.map((m) => [m]))("accepts supported size %i", (m) => {
    expect(new MaglevTable({ tableSize: m }).tableSize).toBe(m);
  });

  it("supports exactly the ten primes 251 … 131071", () => {
    expect(MAGLEV_SUPPORTED_TABLE_SIZES).toEqual([251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071]);
  });

  it.each([[16383], [250], [0], [100003], [16381.5]])("rejects table size %s, naming it and listing the supported ones", (m) => {
    expect(() => new MaglevTable({ tableSize: m })).toThrow(RangeError);
    expect(() => new MaglevTable({ tableSize: m })).toThrow(
      `Invalid value for --bpf-lb-maglev-table-size: ${m}, supported values are: [251 509 1021 2039 4093 8191 16381 32749 65521 131071]`,
    );
  });

  it.each([
    ["not base64", "JLfvgnHc2kaSUFa!", "cannot decode base64 Maglev hash seed"],
    ["unpadded", "JLfvgnHc2kaSUFa", "cannot decode base64 Maglev hash seed"],
    ["9 bytes", "JLfvgnHc2kaS", "decoded hash seed is 9 bytes (not 12 bytes)"],
    ["15 bytes", "JLfvgnHc2kaSUFaIAAAA", "decoded hash seed is 15 bytes (not 12 bytes)"],
  ])("rejects a seed that is %s", (_name, seed, message) => {
    expect(() => new MaglevTable({ seed })).toThrow(RangeError);
    expect(() => new MaglevTable({ seed })).toThrow(message);
  });
});

describe("ciliumBackendHashString (pkg/maglev/maglev.go BackendInfo.setHashString)", () => {
  it.each([
    ["IPv4", ciliumBackendHashString("10.244.1.7", 8080, "TCP"), "[10.244.1.7:8080/TCP,State:active]"],
    ["IPv6 is bracketed", ciliumBackendHashString("fd00::1", 53, "UDP"), "[[fd00::1]:53/UDP,State:active]"],
    ["internal scope adds /i", ciliumBackendHashString("10.0.0.1", 80, "SCTP", true), "[10.0.0.1:80/SCTP/i,State:active]"],
    ["mkAddr(1) of maglev_test.go", mkAddr(1), "[0.0.0.1:1/TCP,State:active]"],
  ])("%s", (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it("rejects a port outside 0..65535", () => {
    expect(() => ciliumBackendHashString("10.0.0.1", 65536, "TCP")).toThrow(RangeError);
  });
});

describe("MaglevTable.build known answers from cilium pkg/maglev/maglev_test.go", () => {
  it("TestReproducible: M = 251, weights 2/13/111/10, the exact run-length-encoded table", () => {
    const expected =
      "2(5),3(1),2(3),1(1),2(2),0(1),2(1),3(1),2(1),3(1),2(1),1(1),2(7),1(1),2(14),3(1),2(1)," +
      "1(2),2(12),3(1),2(3),1(1),2(4),3(1),2(8),3(1),2(2),1(1),2(16),1(2),2(3),3(1),2(11),1(2),2(4),3(1),2(3)," +
      "1(1),2(4),3(1),2(1),0(1),1(1),2(8),1(1),2(7),1(1),2(4),3(1),2(1),3(1),2(9),1(2),2(5),1(1),2(7),3(1),2(1)," +
      "3(1),1(1),2(8),1(1),2(4),0(1),2(1),1(1),2(5),3(1),2(3),1(1),2(4),3(1),2(3),1(1),2(12),0(1),3(1),2(3),3(1)," +
      "2(4),3(1),2(2),1(1),2(7)";
    const t = new MaglevTable({ tableSize: 251 });
    t.build([
      { name: mkAddr(1), weight: 2, id: 0 },
      { name: mkAddr(3), weight: 13, id: 1 },
      { name: mkAddr(4), weight: 111, id: 2 },
      { name: mkAddr(5), weight: 10, id: 3 },
    ]);
    expect(runLengthEncode(t.entries())).toBe(expected);
  });

  it.each([
    ["map keys one/three/two/tzwe (v1.14-era test)", ["one", "three", "two", "tzwe"]],
    ["mkAddr(1..4) hash strings (current test)", [mkAddr(1), mkAddr(2), mkAddr(3), mkAddr(4)]],
  ])("TestWeightedBackendWithRemoval, %s: M = 1021 gives 16/98/832/75 entries; removing the first moves < 1%%", (_name, names) => {
    const t = new MaglevTable({ tableSize: 1021 });
    const weights = [2, 13, 111, 10];
    const backends = names.map((name, i) => ({ name, id: i + 1, weight: weights[i] }));
    t.build(backends);
    const before = t.entries();
    expect([1, 2, 3, 4].map((id) => t.entryCounts().get(id))).toEqual([16, 98, 832, 75]);
    t.build(backends.slice(1));
    const after = t.entries();
    let changes = 0;
    for (let pos = 0; pos < before.length; pos++) {
      expect(after[pos]).not.toBe(1);
      if (before[pos] !== 1 && after[pos] !== before[pos]) changes++;
    }
    expect((changes / 1021) * 100).toBeLessThan(1.0);
  });

  it("TestBackendRemoval: M = 1021, weight-1 backends one/three/two, removing one moves < 1% of the others' entries", () => {
    const t = new MaglevTable({ tableSize: 1021 });
    const backends = [
      { name: "one", id: 0, weight: 1 },
      { name: "three", id: 1, weight: 1 },
      { name: "two", id: 2, weight: 1 },
    ];
    t.build(backends);
    const before = t.entries();
    t.build(backends.filter((b) => b.name !== "two"));
    const after = t.entries();
    let changes = 0;
    for (let pos = 0; pos < before.length; pos++) {
      if ((before[pos] === 0 || before[pos] === 1) && after[pos] !== before[pos]) changes++;
      else expect(after[pos] === 0 || after[pos] === 1).toBe(true);
    }
    expect((changes / 1021) * 100).toBeLessThan(1.0);
  });
});

describe("MaglevTable.build matches an explicit-permutation transcription of computeLookupTable", () => {
  const nameArb = fc.string({ minLength: 1, maxLength: 12 });
  it("for random backend sets, weights and table sizes (sorted by Go byte order)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(nameArb, { minLength: 1, maxLength: 8, selector: (s) => s }),
        fc.array(fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 300 })), { minLength: 8, maxLength: 8 }),
        fc.constantFrom(251, 509, 1021),
        (names, weights, m) => {
          const backends: MaglevBackend[] = names.map((name, i) =>
            weights[i] === undefined ? { name, id: i + 10 } : { name, id: i + 10, weight: weights[i] },
          );
          // all-zero weight sets are unweighted in Go (weightSum / l = 0), fine either way
          const t = new MaglevTable({ tableSize: m });
          t.build(backends);
          const ordered = [...backends].sort((a, b) => goStringCompare(a.name, b.name));
          expect(Array.from(t.entries())).toEqual(referenceTable(ordered, m, t.seedMurmur));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("sorts by UTF-8 bytes like Go, not by JS UTF-16 code units", () => {
    // U+FFFD (EF BF BD) < U+1F600 (F0 9F 98 80) in Go; in JS "\u{1F600}" (D83D DE00) < "\uFFFD".
    const a = { name: "\uFFFD-backend", id: 1 };
    const b = { name: "\u{1F600}-backend", id: 2 };
    const c = { name: "\uE000-backend", id: 3 };
    expect([b.name, a.name].sort()).toEqual([b.name, a.name]); // JS order
    expect([b.name, a.name, c.name].sort(goStringCompare)).toEqual([c.name, a.name, b.name]); // Go order
    const t = new MaglevTable({ tableSize: 251 });
    t.build([b, a, c]);
    const goOrder = referenceTable([c, a, b], 251, t.seedMurmur);
    const jsOrder = referenceTable([b, c, a], 251, t.seedMurmur);
    expect(goOrder).not.toEqual(jsOrder); // the order matters for this set
    expect(Array.from(t.entries())).toEqual(goOrder);
  });
});

describe("MaglevTable.build properties", () => {
  const names = (n: number, port = 8080): MaglevBackend[] =>
    Array.from({ length: n }, (_, i) => ({ name: ciliumBackendHashString(`10.1.${i >> 8}.${i & 255}`, port, "TCP"), id: i + 1 }));

  it.each([[1], [2], [3], [7], [10], [100], [1000]])(
    "M = 16381 over N = %i equal backends: every backend owns floor(M/N) or ceil(M/N) entries",
    (n) => {
      const t = new MaglevTable();
      t.build(names(n));
      const counts = t.entryCounts();
      expect(counts.size).toBe(n);
      const lo = Math.floor(16381 / n);
      const hi = Math.ceil(16381 / n);
      let total = 0;
      for (const c of counts.values()) {
        expect(c === lo || c === hi).toBe(true);
        total += c;
      }
      expect(total).toBe(16381);
      expect(t.backendCount).toBe(n);
    },
  );

  it("equal weights (default 100, the weighted branch) give exactly the weight-1 (unweighted branch) table", () => {
    const t100 = new MaglevTable();
    const t1 = new MaglevTable();
    const bs = names(10);
    t100.build(bs);
    t1.build(bs.map((b) => ({ ...b, weight: 1 })));
    expect(t100.entries()).toEqual(t1.entries());
  });

  it.each([[0], [5], [9]])(
    "removing backend %i of N = 10 at M = 16381: its entries move, < 1.5/N of all entries change owner, < 1% beyond its own",
    (removed) => {
      // Measured with the default seed: 77-96 extra moves (0.47%-0.59% of M).
      const t = new MaglevTable();
      const bs = names(10);
      t.build(bs);
      const before = t.entries();
      const gone = bs[removed].id;
      t.build(bs.filter((_, i) => i !== removed));
      const after = t.entries();
      let own = 0;
      let extra = 0;
      for (let k = 0; k < before.length; k++) {
        expect(after[k]).not.toBe(gone);
        if (before[k] === gone) own++;
        else if (after[k] !== before[k]) extra++;
      }
      expect(own === 1638 || own === 1639).toBe(true);
      expect(own + extra).toBeLessThan((1.5 / 10) * 16381);
      expect(extra).toBeLessThan(0.01 * 16381);
    },
  );

  it("same input -> same table, across instances", () => {
    const a = new MaglevTable();
    const b = new MaglevTable();
    a.build(names(25));
    b.build(names(25));
    expect(a.entries()).toEqual(b.entries());
  });

  it("rebuilding after another set reproduces the first table (no state carried over)", () => {
    const t = new MaglevTable({ tableSize: 1021 });
    t.build(names(5));
    const first = t.entries();
    t.build(names(9, 9090));
    t.build(names(5));
    expect(t.entries()).toEqual(first);
  });

  it("the order of the backends in the input does not matter", () => {
    const bs = names(12).map((b, i) => ({ ...b, weight: 50 + 17 * i }));
    const reference = new MaglevTable({ tableSize: 2039 });
    reference.build(bs);
    const expected = reference.entries();
    fc.assert(
      fc.property(fc.shuffledSubarray(bs, { minLength: bs.length, maxLength: bs.length }), (shuffled) => {
        const t = new MaglevTable({ tableSize: 2039 });
        t.build(shuffled);
        expect(t.entries()).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it.each([
    ["100/200/300/400", [100, 200, 300, 400]],
    ["1/2/3/4", [1, 2, 3, 4]],
    ["2/13/111/10", [2, 13, 111, 10]],
    ["100/100/100/1000", [100, 100, 100, 1000]],
    ["5/100/100/100/100", [5, 100, 100, 100, 100]],
  ])("weights %s: each backend owns M * w / sum(w) entries within 2 entries", (_name, weights) => {
    const t = new MaglevTable();
    t.build(weights.map((weight, i) => ({ name: `backend-${i}`, id: i, weight })));
    const counts = t.entryCounts();
    const sum = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => {
      expect(Math.abs((counts.get(i) ?? 0) - (16381 * w) / sum)).toBeLessThanOrEqual(2);
    });
  });

  it("a weight-0 backend in a weighted set gets exactly one entry (its first turn), as in Go", () => {
    const t = new MaglevTable({ tableSize: 1021 });
    t.build([
      { name: "a", id: 1, weight: 0 },
      { name: "b", id: 2, weight: 100 },
      { name: "c", id: 3, weight: 100 },
    ]);
    expect(t.entryCounts().get(1)).toBe(1);
  });

  it("an empty backend set clears the table; lookup then returns -1", () => {
    const t = new MaglevTable({ tableSize: 251 });
    expect(t.lookup(ipv4("10.0.0.1"), 1234, 80, 6)).toBe(-1);
    t.build(names(3));
    expect(t.lookup(ipv4("10.0.0.1"), 1234, 80, 6)).toBeGreaterThan(0);
    t.build([]);
    expect(t.backendCount).toBe(0);
    expect(t.entries().length).toBe(0);
    expect(t.entryAt(0)).toBe(-1);
    expect(t.lookup(ipv4("10.0.0.1"), 1234, 80, 6)).toBe(-1);
  });

  it.each([
    ["duplicate name", [{ name: "x", id: 1 }, { name: "x", id: 2 }], "duplicate backend name"],
    ["id 0xffffffff (the sentinel)", [{ name: "x", id: 0xffffffff }], "backend id"],
    ["negative id", [{ name: "x", id: -1 }], "backend id"],
    ["weight above uint16", [{ name: "x", id: 1, weight: 65536 }], "backend weight"],
    ["fractional weight", [{ name: "x", id: 1, weight: 1.5 }], "backend weight"],
  ])("rejects %s", (_name, backends, message) => {
    const t = new MaglevTable({ tableSize: 251 });
    expect(() => t.build(backends)).toThrow(RangeError);
    expect(() => t.build(backends)).toThrow(message);
  });
});

describe("hashFromTupleV4 / MaglevTable.lookup (bpf/lib/hash.h __hash_from_tuple_v4, bpf/lib/lb.h lb4_select_backend_id_maglev)", () => {
  // Expected values derived with gcc on x86-64 from a transcription of Linux
  // include/linux/jhash.h jhash_3words, fed the way a little-endian node reads the __be
  // tuple fields: jhash_3words(bswap32(saddr), (bswap16(dport) << 16) | bswap16(sport),
  // nexthdr, SeedJhash0 = 0x71dcda46).
  it.each([
    ["TCP 10.0.0.1:40000 -> :80", ipv4("10.0.0.1"), 40000, 80, 6, 0x3ccc2a54],
    ["same flow, session affinity (sport = 0)", ipv4("10.0.0.1"), 0, 80, 6, 0xee2ddd54],
    ["UDP 192.168.1.7:53000 -> :53", ipv4("192.168.1.7"), 53000, 53, 17, 0x9a5016f8],
  ])("%s", (_name, saddr, sport, dport, proto, expected) => {
    expect(hashFromTupleV4(saddr, sport, dport, proto, 0x71dcda46)).toBe(expected);
  });

  it("is jhash_3words over the native little-endian reading of the network-order fields", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffff_ffff }), fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff }), fc.nat({ max: 255 }), (saddr, sport, dport, proto) => {
        const le32 = ((saddr & 0xff) * 2 ** 24 + ((saddr >>> 8) & 0xff) * 2 ** 16 + ((saddr >>> 16) & 0xff) * 2 ** 8 + (saddr >>> 24)) >>> 0;
        const le16 = (p: number): number => ((p & 0xff) << 8) | (p >>> 8);
        const word2 = (le16(dport) * 65536 + le16(sport)) >>> 0;
        expect(hashFromTupleV4(saddr, sport, dport, proto, 0x71dcda46)).toBe(jhash3Words(le32, word2, proto, 0x71dcda46));
      }),
    );
  });

  it("lookup = table[hash % M], with the table's SeedJhash0", () => {
    const t = new MaglevTable();
    t.build(Array.from({ length: 5 }, (_, i) => ({ name: ciliumBackendHashString(`10.1.0.${i + 1}`, 80, "TCP"), id: 100 + i })));
    const entries = t.entries();
    const saddr = ipv4("10.0.0.1");
    expect(t.lookup(saddr, 40000, 80, 6)).toBe(entries[0x3ccc2a54 % 16381]);
    fc.assert(
      fc.property(fc.nat({ max: 0xffff_ffff }), fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff }), (s, sp, dp) => {
        expect(t.lookup(s, sp, dp, 6)).toBe(entries[hashFromTupleV4(s, sp, dp, 6, t.seedJhash0) % 16381]);
      }),
    );
  });

  it("spreads many client flows over the backends in proportion to their entries", () => {
    const t = new MaglevTable();
    t.build(Array.from({ length: 4 }, (_, i) => ({ name: ciliumBackendHashString(`10.1.0.${i + 1}`, 80, "TCP"), id: i + 1 })));
    const hits = new Map<number, number>();
    const flows = 40000;
    for (let k = 0; k < flows; k++) {
      const id = t.lookup(ipv4("10.2.0.0") + (k >> 6), 32768 + (k & 63) * 7, 80, 6);
      hits.set(id, (hits.get(id) ?? 0) + 1);
    }
    for (const id of [1, 2, 3, 4]) expect(Math.abs((hits.get(id) ?? 0) / flows - 0.25)).toBeLessThan(0.02);
  });

  it("maglevOffsetAndSkip gives offset in [0, M) and skip in [1, M-1]", () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...MAGLEV_SUPPORTED_TABLE_SIZES), (name, m) => {
        const { offset, skip } = maglevOffsetAndSkip(name, m, 0x24b7ef82);
        return offset >= 0 && offset < m && skip >= 1 && skip <= m - 1;
      }),
    );
  });
});
