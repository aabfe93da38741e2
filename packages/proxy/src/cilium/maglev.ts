/**
 * Cilium's Maglev consistent hashing (kube-proxy replacement with
 * `--bpf-lb-algorithm=maglev`, or the per-Service `service.cilium.io/lb-algorithm`
 * annotation), reproduced exactly: the agent-side lookup table of pkg/maglev/maglev.go
 * and the datapath flow hash of bpf/lib/hash.h + bpf/lib/lb.h.
 *
 * Given the same table size, hash seed and backend set, {@link MaglevTable} fills the
 * same table, entry for entry, as `(*Maglev).GetLookupTable` (verified against Cilium's
 * own `TestReproducible` table), and {@link MaglevTable.lookup} returns the backend that
 * `lb4_select_backend_id_maglev` would pick on a little-endian (x86-64 / arm64) node.
 *
 * @packageDocumentation
 */

import { jhash3Words } from "./jhash.js";
import { murmur3Hash128, utf8Encode } from "./murmur3.js";

/**
 * `DefaultTableSize` (pkg/maglev/maglev.go): the default Maglev table size M, flag `--bpf-lb-maglev-table-size`.
 *
 * @example
 * ```ts
 * const table = new MaglevTable(); // M = MAGLEV_DEFAULT_TABLE_SIZE = 16381 entries, enough for about 163 backends at 1% imbalance
 * ```
 */
export const MAGLEV_DEFAULT_TABLE_SIZE = 16381;

/**
 * `DefaultHashSeed` (pkg/maglev/maglev.go): base64 of 12 random bytes
 * (`head -c12 /dev/urandom | base64 -w0`), flag `--bpf-lb-maglev-hash-seed`. It must be the
 * same on every node of the cluster so that all nodes build identical tables.
 *
 * @example
 * ```ts
 * MAGLEV_DEFAULT_HASH_SEED; // "JLfvgnHc2kaSUFaI"
 * new MaglevTable({ seed: MAGLEV_DEFAULT_HASH_SEED }); // same seed on every node: identical tables
 * ```
 */
export const MAGLEV_DEFAULT_HASH_SEED = "JLfvgnHc2kaSUFaI";

/**
 * `maglevSupportedTableSizes` (pkg/maglev/maglev.go): the primes accepted for M. The Maglev
 * paper advises M > 100 × (number of backends) for at most 1% imbalance.
 *
 * @example
 * ```ts
 * MAGLEV_SUPPORTED_TABLE_SIZES.find((m) => m > 100 * 300); // 32749: the smallest M for 300 backends
 * new MaglevTable({ tableSize: 250 }); // throws: not one of the supported primes
 * ```
 */
export const MAGLEV_SUPPORTED_TABLE_SIZES: readonly number[] = Object.freeze([
  251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071,
]);

/**
 * `DefaultBackendWeight` (pkg/loadbalancer): the weight Cilium gives a backend whose weight is
 * 0 / unset and which is not in maintenance (pkg/loadbalancer/reflectors/endpoints/endpoints.go
 * `Convert`). So weighted filling is always "in use" for Service backends; equal weights
 * still give exactly the unweighted round-robin table.
 *
 * @example
 * ```ts
 * const table = new MaglevTable({ tableSize: 251 });
 * table.build([{ name: ciliumBackendHashString("10.0.0.1", 80, "TCP"), id: 1 }, { name: ciliumBackendHashString("10.0.0.2", 80, "TCP"), id: 2 }]);
 * table.entryCounts(); // Map { 2 => 125, 1 => 126 }: both at weight CILIUM_DEFAULT_BACKEND_WEIGHT (100)
 * ```
 */
export const CILIUM_DEFAULT_BACKEND_WEIGHT = 100;

/** The empty-entry marker of `computeLookupTable` (`const sentinel = 0xffff_ffff`). */
const SENTINEL = 0xffff_ffff;

/**
 * One backend as the Maglev computation sees it (pkg/maglev `BackendInfo`).
 *
 * @example
 * ```ts
 * const backends: MaglevBackend[] = [
 *   { name: ciliumBackendHashString("10.0.0.1", 80, "TCP"), id: 1 },              // weight 100
 *   { name: ciliumBackendHashString("10.0.0.2", 80, "TCP"), id: 2, weight: 300 },
 * ];
 * const table = new MaglevTable({ tableSize: 251 });
 * table.build(backends);
 * table.entryCounts(); // Map { 2 => 188, 1 => 63 }: about 3:1
 * ```
 */
export interface MaglevBackend {
  /**
   * The backend's hash string: both the sort key and the MurmurHash3 input. Cilium uses
   * `BackendInfo.hashString`, e.g. `"[10.0.1.5:8080/TCP,State:active]"`; build it with
   * {@link ciliumBackendHashString}. It must be identical on every node and unique within
   * the table.
   */
  readonly name: string;
  /** The node-local backend ID stored in the table (`loadbalancer.BackendID`, uint32 except 0xffffffff). */
  readonly id: number;
  /** The backend weight (uint16); defaults to {@link CILIUM_DEFAULT_BACKEND_WEIGHT}. */
  readonly weight?: number;
}

/**
 * Options of {@link MaglevTable} (the `bpf-lb-maglev-*` agent flags).
 *
 * @example
 * ```ts
 * const options: MaglevTableOptions = { tableSize: 65521, seed: MAGLEV_DEFAULT_HASH_SEED }; // --bpf-lb-maglev-table-size=65521
 * const table = new MaglevTable(options);
 * ```
 */
export interface MaglevTableOptions {
  /** M, one of {@link MAGLEV_SUPPORTED_TABLE_SIZES}; default {@link MAGLEV_DEFAULT_TABLE_SIZE}. */
  readonly tableSize?: number;
  /** The base64 cluster-wide seed (12 bytes once decoded); default {@link MAGLEV_DEFAULT_HASH_SEED}. */
  readonly seed?: string;
}

/**
 * The layer-4 protocol names of Cilium's `loadbalancer.L4Type` used in the hash string.
 *
 * @example
 * ```ts
 * const protocol: CiliumL4Protocol = "UDP";
 * ciliumBackendHashString("10.96.0.10", 53, protocol); // "[10.96.0.10:53/UDP,State:active]"
 * ```
 */
export type CiliumL4Protocol = "TCP" | "UDP" | "SCTP";

/**
 * The string Cilium hashes and sorts a backend by: `BackendInfo.setHashString`
 * (pkg/maglev/maglev.go), which reproduces the historical `Backend.String()`.
 *
 * Details: `"[" + addr + ":" + port + "/" + protocol + ("/i" if internal scope) +
 * ",State:active]"`, with an IPv6 address wrapped in brackets (`"[[fd00::1]:80/TCP,State:active]"`).
 * The state is always written as `active`, whatever the backend's real state. `address`
 * must be formatted as Go's `netip.Addr.String()` (dotted quad; RFC 5952 lower-case
 * compressed IPv6); it is used verbatim. Backends of Kubernetes EndpointSlices have the
 * external scope.
 *
 * @param address - the backend IP as Go prints it (`AddrCluster.String()`; for a ClusterMesh
 *   backend with a non-zero cluster ID that is `ip@clusterID`).
 * @param port - the backend port (targetPort resolved), 0..65535.
 * @param protocol - `"TCP"`, `"UDP"` or `"SCTP"`.
 * @param internalScope - true for the `ScopeInternal` copy of a two-scope frontend's backend.
 *
 * @example
 * ```ts
 * ciliumBackendHashString("10.244.1.7", 8080, "TCP"); // "[10.244.1.7:8080/TCP,State:active]"
 * ```
 */
export function ciliumBackendHashString(
  address: string,
  port: number,
  protocol: CiliumL4Protocol,
  internalScope = false,
): string {
  if (!(Number.isInteger(port) && port >= 0 && port <= 0xffff)) {
    throw new RangeError(`ciliumBackendHashString: port must be an integer in [0, 65535], got ${port}`);
  }
  // setHashString: an IPv6 AddrCluster (the only kind containing ':') is bracketed.
  const host = address.includes(":") ? `[${address}]` : address;
  return `[${host}:${port}/${protocol}${internalScope ? "/i" : ""},State:active]`;
}

/**
 * Go `base64.StdEncoding.DecodeString`: padded standard alphabet; `\r` and `\n` are ignored.
 * Returns undefined on malformed input.
 */
function decodeStdBase64(s: string): Uint8Array | undefined {
  const clean = s.replace(/[\r\n]/g, "");
  if (clean.length % 4 !== 0) return undefined;
  const pad = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  const body = clean.slice(0, clean.length - pad);
  if (!/^[A-Za-z0-9+/]*$/.test(body)) return undefined;
  const out = new Uint8Array((clean.length / 4) * 3 - pad);
  let acc = 0;
  let bits = 0;
  let p = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v =
      c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 71 : c >= 48 && c <= 57 ? c + 4 : c === 43 ? 62 : 63;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[p++] = (acc >> bits) & 0xff;
    }
  }
  return p === out.length ? out : undefined;
}

/** Big-endian uint32 of `d[off..off+3]` (pkg/maglev/maglev.go `UserConfig.ToConfig`). */
function uint32BE(d: Uint8Array, off: number): number {
  return ((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0;
}

/** Byte-wise lexicographic order: Go's string comparison (`cmp.Compare`, `sort.Strings`). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/**
 * Go's string order (`sort.Strings`, `cmp.Compare` on strings) for JS strings: byte-wise
 * comparison of the UTF-8 encodings. It differs from JS's default UTF-16 code-unit order
 * for characters above U+FFFF against U+E000..U+FFFF (e.g. `"\u{1F600}" > "\uFFFD"` in Go,
 * the reverse in JS).
 *
 * @returns a negative number, zero or a positive number, like `Array.prototype.sort`'s comparator.
 *
 * @example
 * ```ts
 * ["\u{1F600}", "\uFFFD"].sort(goStringCompare); // ["\uFFFD", "\u{1F600}"]
 * ```
 */
export function goStringCompare(a: string, b: string): number {
  return compareBytes(utf8Encode(a), utf8Encode(b));
}

/**
 * A backend's position in its Maglev permutation: `getOffsetAndSkip` (pkg/maglev/maglev.go).
 *
 * Details: `(h1, h2) = murmur3.Hash128([]byte(name), seedMurmur)`; `offset = h1 % M`;
 * `skip = h2 % (M - 1) + 1`. The backend's permutation is
 * `permutation[j] = (offset + j * skip) % M`, a permutation of 0..M-1 because M is prime.
 *
 * @example
 * ```ts
 * const { offset, skip } = maglevOffsetAndSkip("[10.0.0.1:80/TCP,State:active]", 16381, 0x24b7ef82);
 * ```
 */
export function maglevOffsetAndSkip(
  name: string,
  tableSize: number,
  seedMurmur: number,
): { readonly offset: number; readonly skip: number } {
  return offsetAndSkipOfBytes(utf8Encode(name), tableSize, seedMurmur);
}

function offsetAndSkipOfBytes(
  bytes: Uint8Array,
  tableSize: number,
  seedMurmur: number,
): { readonly offset: number; readonly skip: number } {
  const [h1, h2] = murmur3Hash128(bytes, seedMurmur);
  return {
    offset: Number(h1 % BigInt(tableSize)),
    skip: Number(h2 % BigInt(tableSize - 1)) + 1,
  };
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

/**
 * Cilium's IPv4 flow hash for Maglev: `__hash_from_tuple_v4` (bpf/lib/hash.h) as
 * `lb4_select_backend_id_maglev` (bpf/lib/lb.h) calls it, on a little-endian node.
 *
 * Details: `jhash_3words(saddr, ((u32)dport << 16) | sport, nexthdr, HASH_INIT4_SEED)`
 * where `HASH_INIT4_SEED` is the Maglev `SeedJhash0`. The destination address is
 * deliberately excluded "to allow for backend selection to choose the same backend even on
 * different service VIPs". `saddr`, `sport` and `dport` are network-byte-order (`__be`)
 * fields read as native little-endian integers, so for the host-order values given here the
 * hash sees `bswap32(saddr)` and `bswap16(port)`. `sport` is the client's source port and
 * `dport` the Service (frontend) port; `lb4_select_backend_id_maglev` passes `sport = 0`
 * when the Service has ClientIP session affinity.
 *
 * @param saddr - client IPv4 address as a host-order uint32 (10.0.0.1 = 0x0a000001).
 * @param sport - client source port (host order), or 0 for a session-affinity Service.
 * @param dport - Service port the packet is addressed to (host order).
 * @param nexthdr - IP protocol number (6 TCP, 17 UDP, 132 SCTP).
 * @param seed - `HASH_INIT4_SEED` (`MaglevTable.seedJhash0`).
 * @returns the 32-bit hash; the Maglev index is `hash % M`.
 *
 * @example
 * ```ts
 * hashFromTupleV4(0x0a000001, 40000, 80, 6, 0x71dcda46); // 0x3ccc2a54
 * ```
 */
export function hashFromTupleV4(saddr: number, sport: number, dport: number, nexthdr: number, seed: number): number {
  const word2 = ((bswap16(dport & 0xffff) << 16) | bswap16(sport & 0xffff)) >>> 0;
  return jhash3Words(bswap32(saddr >>> 0), word2, nexthdr & 0xff, seed >>> 0);
}

/**
 * A Service's Maglev lookup table, as the Cilium agent computes it for the
 * `cilium_lb4_maglev` map (pkg/maglev/maglev.go `(*Maglev).GetLookupTable`), and the
 * datapath's per-flow lookup into it (bpf/lib/lb.h `lb4_select_backend_id_maglev`).
 *
 * Details: {@link MaglevTable.build} recomputes the whole table from the backend set, as the
 * agent does on every backend change, so a removal moves only about 1/N of the entries.
 * The backends given should be the Service's selectable ones in Cilium's terms — the
 * active backends, or the serving-terminating ones when none is active (see
 * `ciliumSelectableBackends` in `random.ts`). Existing connections are pinned by conntrack,
 * not by the table.
 *
 * @example
 * ```ts
 * const table = new MaglevTable({ tableSize: 251 });
 * table.build([
 *   { name: ciliumBackendHashString("10.0.0.1", 80, "TCP"), id: 1 },
 *   { name: ciliumBackendHashString("10.0.0.2", 80, "TCP"), id: 2 },
 * ]);
 * table.lookup(0x0a000105, 51234, 80, 6); // 1 or 2, the same on every node
 * ```
 */
export class MaglevTable {
  /** M, the number of entries. */
  readonly tableSize: number;
  /** The base64 seed the table was configured with. */
  readonly hashSeed: string;
  /** Seed bytes 0-3, big-endian: the MurmurHash3 seed of the permutations (`SeedMurmur`). */
  readonly seedMurmur: number;
  /** Seed bytes 4-7, big-endian: `SeedJhash0`, the datapath's `HASH_INIT4_SEED`. */
  readonly seedJhash0: number;
  /** Seed bytes 8-11, big-endian: `SeedJhash1`, the datapath's `HASH_INIT6_SEED`. */
  readonly seedJhash1: number;
  readonly #entries: Uint32Array;
  #backendCount = 0;

  /**
   * @throws RangeError if `tableSize` is not one of {@link MAGLEV_SUPPORTED_TABLE_SIZES}, or
   *   `seed` is not base64 of exactly 12 bytes (pkg/maglev/maglev.go `UserConfig.ToConfig`).
   */
  constructor({ tableSize = MAGLEV_DEFAULT_TABLE_SIZE, seed = MAGLEV_DEFAULT_HASH_SEED }: MaglevTableOptions = {}) {
    // pkg/maglev/maglev.go UserConfig.ToConfig
    if (!MAGLEV_SUPPORTED_TABLE_SIZES.includes(tableSize)) {
      throw new RangeError(
        `Invalid value for --bpf-lb-maglev-table-size: ${String(tableSize)}, supported values are: ` +
          `[${MAGLEV_SUPPORTED_TABLE_SIZES.join(" ")}]`,
      );
    }
    const d = decodeStdBase64(seed);
    if (d === undefined) {
      throw new RangeError(`cannot decode base64 Maglev hash seed ${JSON.stringify(seed)}`);
    }
    if (d.length !== 12) {
      throw new RangeError(`decoded hash seed is ${d.length} bytes (not 12 bytes)`);
    }
    this.tableSize = tableSize;
    this.hashSeed = seed;
    this.seedMurmur = uint32BE(d, 0);
    this.seedJhash0 = uint32BE(d, 4);
    this.seedJhash1 = uint32BE(d, 8);
    this.#entries = new Uint32Array(tableSize);
  }

  /** Number of backends in the current table (0 before the first build or after an empty one). */
  get backendCount(): number {
    return this.#backendCount;
  }

  /**
   * Recomputes the table for a backend set: `GetLookupTable` + `computeLookupTable`
   * (pkg/maglev/maglev.go).
   *
   * Details: backends are sorted by the bytes of their names (Go string order), so input
   * order does not matter. Each gets `offset`/`skip` from {@link maglevOffsetAndSkip}. Then,
   * for `n = 0..M-1`, backend `i = n % N` takes the next free entry of its permutation.
   * When `weightSum / N > 1` (integer division) weights are in use: backend `i` passes its
   * turn to `i + 1` while `(n + 1) * weight_i < trunc(weightCntr_i)`, and on taking a slot
   * adds `weightSum` to `weightCntr_i`, which starts at `weight_i / N` (float64, as Go).
   * Unweighted, each backend gets `floor(M/N)` or `ceil(M/N)` entries. An empty set clears
   * the table (Cilium then deletes the Service's Maglev map entry).
   *
   * @throws RangeError on a duplicate name, an `id` that is not an integer in
   *   [0, 0xfffffffe], or a `weight` that is not an integer in [0, 65535].
   */
  build(backends: readonly MaglevBackend[]): void {
    const l = backends.length;
    const entries = this.#entries;
    entries.fill(SENTINEL);
    this.#backendCount = 0;
    if (l === 0) return;
    const m = this.tableSize;

    const bytes: Uint8Array[] = new Array<Uint8Array>(l);
    for (let i = 0; i < l; i++) {
      const b = backends[i];
      if (!(Number.isInteger(b.id) && b.id >= 0 && b.id < SENTINEL)) {
        throw new RangeError(`MaglevTable.build: backend id must be an integer in [0, 0xfffffffe], got ${b.id}`);
      }
      const w = b.weight ?? CILIUM_DEFAULT_BACKEND_WEIGHT;
      if (!(Number.isInteger(w) && w >= 0 && w <= 0xffff)) {
        throw new RangeError(`MaglevTable.build: backend weight must be an integer in [0, 65535], got ${w}`);
      }
      bytes[i] = utf8Encode(b.name);
    }

    // GetLookupTable: "Sort the backends by 'hashString'" (Go byte-wise string order).
    const order = Array.from({ length: l }, (_, i) => i).sort((x, y) => compareBytes(bytes[x], bytes[y]));
    for (let k = 1; k < l; k++) {
      if (compareBytes(bytes[order[k - 1]], bytes[order[k]]) === 0) {
        throw new RangeError(`MaglevTable.build: duplicate backend name ${JSON.stringify(backends[order[k]].name)}`);
      }
    }

    const ids = new Uint32Array(l);
    const weights = new Float64Array(l);
    const cur = new Int32Array(l); // permutation[i][next[i]]
    const skip = new Int32Array(l);
    let weightSum = 0;
    for (let k = 0; k < l; k++) {
      const b = backends[order[k]];
      ids[k] = b.id;
      weights[k] = b.weight ?? CILIUM_DEFAULT_BACKEND_WEIGHT;
      weightSum += weights[k];
      const os = offsetAndSkipOfBytes(bytes[order[k]], m, this.seedMurmur);
      cur[k] = os.offset;
      skip[k] = os.skip;
    }
    // computeLookupTable: weightCntr[i] = float64(Weight) / float64(l); weightsUsed = weightSum/uint64(l) > 1
    const weightCntr = new Float64Array(l);
    for (let k = 0; k < l; k++) weightCntr[k] = weights[k] / l;
    const weightsUsed = Math.floor(weightSum / l) > 1;

    for (let n = 0; n < m; n++) {
      let i = n % l;
      if (weightsUsed) {
        // Terminates within l steps: sum_i (n+1)*w_i = (n+1)*weightSum >= sum_i weightCntr_i.
        while ((n + 1) * weights[i] < Math.trunc(weightCntr[i])) i = (i + 1) % l;
        weightCntr[i] += weightSum;
      }
      let c = cur[i];
      while (entries[c] !== SENTINEL) {
        c += skip[i];
        if (c >= m) c -= m;
      }
      entries[c] = ids[i];
      c += skip[i];
      if (c >= m) c -= m;
      cur[i] = c;
    }
    this.#backendCount = l;
  }

  /**
   * The backend ID for a new IPv4 flow: `lb4_select_backend_id_maglev` (bpf/lib/lb.h),
   * `table[__hash_from_tuple_v4(tuple) % M]` (see {@link hashFromTupleV4} for the byte order
   * and the session-affinity rule). Allocation-free.
   *
   * @param saddr - client IPv4 address, host-order uint32.
   * @param sport - client source port (0 for a ClientIP session-affinity Service).
   * @param dport - Service port.
   * @param nexthdr - IP protocol number.
   * @returns the backend ID, or -1 when the table is empty (Cilium has no Maglev map entry
   *   then, and the datapath drops with "no service" before selecting).
   */
  lookup(saddr: number, sport: number, dport: number, nexthdr: number): number {
    if (this.#backendCount === 0) return -1;
    return this.#entries[hashFromTupleV4(saddr, sport, dport, nexthdr, this.seedJhash0) % this.tableSize];
  }

  /** The backend ID in entry `index` (0..M-1), or -1 when the table is empty. */
  entryAt(index: number): number {
    if (!(Number.isInteger(index) && index >= 0 && index < this.tableSize)) {
      throw new RangeError(`MaglevTable.entryAt: index must be an integer in [0, ${this.tableSize - 1}], got ${index}`);
    }
    return this.#backendCount === 0 ? -1 : this.#entries[index];
  }

  /** A copy of the whole table (the `cilium_lb4_maglev` inner-map value); empty when no backend. */
  entries(): Uint32Array {
    return this.#backendCount === 0 ? new Uint32Array(0) : this.#entries.slice();
  }

  /**
   * How many entries each backend ID owns.
   *
   * @example
   * ```ts
   * table.entryCounts(); // Map { 2 => 125, 1 => 126 } for the two backends of the class example (M = 251)
   * ```
   */
  entryCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    if (this.#backendCount === 0) return counts;
    for (const id of this.#entries) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  }
}
