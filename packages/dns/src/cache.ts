/**
 * CoreDNS's `cache` plugin: a success cache and a denial cache, each 256 shards with
 * random eviction, TTLs clamped to `[min, max]`, the remaining TTL counted down in
 * whole seconds.
 *
 * Upstream: coredns/coredns plugin/cache/{cache.go (key, hash, computeTTL, WriteMsg,
 * set), handler.go (ServeDNS, getIgnoreTTL, shouldPrefetch), item.go (ttl, toMsg),
 * setup.go}, plugin/pkg/cache/cache.go (shards), plugin/pkg/dnsutil/ttl.go (MinimalTTL).
 *
 * @packageDocumentation
 */
import { fieldInvalid, formatFieldError } from "@kube-netsim/model";
import type { RandomStream } from "@kube-netsim/core";
import { responseKind } from "./message.js";
import type { DnsRecord, DnsResponse, QueryType } from "./message.js";

/**
 * Options of the `cache` plugin.
 *
 * @example
 * ```ts
 * // kubeadm's `cache 30`, plus `prefetch 10 1m 20%`
 * const options: CacheOptions = { ttl: 30, prefetch: { amount: 10, duration: 60_000, percentage: 20 } };
 * const cache = new DnsCache(options, new RandomSource(1).stream("coredns/cache"));
 * ```
 */
export interface CacheOptions {
  /** `cache TTL`: the maximum TTL of both caches, seconds. Default 3600 (success) and 1800 (denial); kubeadm sets `cache 30`. */
  readonly ttl?: number;
  /** `success CAPACITY`. Default 9984 entries (10000 rounded down to 256 shards of 39). */
  readonly successCapacity?: number;
  /** `denial CAPACITY`. Default 9984 entries. */
  readonly denialCapacity?: number;
  /** Minimum TTL of both caches, seconds (`success CAPACITY TTL MINTTL`). Default 5. */
  readonly minTtl?: number;
  /**
   * `prefetch AMOUNT [DURATION [PERCENTAGE%]]`: an item asked for `amount` times within
   * `duration` (ms, default 60000) is refreshed when a hit finds at most `percentage`
   * (default 10) percent of its TTL left. Off by default, as in kubeadm's Corefile.
   */
  readonly prefetch?: { readonly amount: number; readonly duration?: number; readonly percentage?: number };
}

/**
 * `cache 30` of kubeadm's default Corefile.
 *
 * @example
 * ```ts
 * new CoreDnsServer({ cache: KUBEADM_CACHE_OPTIONS }, random); // the default: answers kept at most 30 s
 * KUBEADM_CACHE_OPTIONS.ttl; // 30
 * ```
 */
export const KUBEADM_CACHE_OPTIONS: CacheOptions = { ttl: 30 };

/**
 * Counters of a {@link DnsCache}.
 *
 * @example
 * ```ts
 * const s: CacheStats = cache.stats(); // cache: a DnsCache
 * s.successHits + s.denialHits; // lookups answered without the kubernetes plugin
 * s.misses;
 * ```
 */
export interface CacheStats {
  /** Hits in the success cache. */
  readonly successHits: number;
  /** Hits in the denial cache (NXDOMAIN, NODATA). */
  readonly denialHits: number;
  /** Misses. */
  readonly misses: number;
  /** Entries evicted to make room. */
  readonly evictions: number;
  /** Prefetches started. */
  readonly prefetches: number;
  /** Entries now in the success cache (expired ones included until replaced). */
  readonly successSize: number;
  /** Entries now in the denial cache. */
  readonly denialSize: number;
}

interface Item {
  readonly response: DnsResponse;
  /** Virtual time (ms) it was stored. */
  readonly stored: number;
  /** TTL it was stored with, seconds. */
  readonly origTtl: number;
  /** Prefetch frequency: hits in the current window and when the window started. */
  hits: number;
  windowStart: number;
}

const SHARDS = 256;
const MAX_TTL = 3600; // dnsutil.MaximumDefaulTTL
const MAX_NTTL = 1800; // MaximumDefaulTTL / 2
const MIN_TTL = 5; // dnsutil.MinimalDefaultTTL
const FAILSAFE_TTL = 5; // dnsutil failSafeTTL: a response with no records at all

class Shards {
  private readonly shards: Map<string, Item>[] = [];
  readonly perShard: number;
  constructor(capacity: number) {
    // plugin/pkg/cache New: size / 256, at least 4 per shard.
    this.perShard = Math.max(4, Math.floor(capacity / SHARDS));
    for (let i = 0; i < SHARDS; i++) this.shards.push(new Map());
  }
  get(shard: number, key: string): Item | undefined {
    return this.shards[shard].get(key);
  }
  /** Adds; returns true when another entry was evicted (a random one of the shard, as Go's map iteration picks). */
  add(shard: number, key: string, item: Item, random: RandomStream): boolean {
    const s = this.shards[shard];
    let evicted = false;
    if (s.size >= this.perShard && !s.has(key)) {
      const victim = random.nextInt(s.size);
      let i = 0;
      for (const k of s.keys()) {
        if (i++ === victim) {
          s.delete(k);
          break;
        }
      }
      evicted = true;
    }
    s.set(key, item);
    return evicted;
  }
  remove(shard: number, key: string): void {
    this.shards[shard].delete(key);
  }
  get size(): number {
    let n = 0;
    for (const s of this.shards) n += s.size;
    return n;
  }
}

/**
 * The shard of a cache key: the low byte of FNV-1 64 over `DO-bit qtype qname`
 * (plugin/cache/cache.go hash; plugin/pkg/cache Add: `key & 255`). Multiplication and
 * XOR modulo 2^64 keep the low byte a function of low bytes only, so 8 bits suffice.
 *
 * @example
 * ```ts
 * cacheShard("api.default.svc.cluster.local.", "A");    // 162
 * cacheShard("api.default.svc.cluster.local.", "AAAA"); // 55: the qtype is part of the key
 * ```
 */
export function cacheShard(qname: string, qtype: QueryType): number {
  const PRIME_LOW = 0xb3; // 1099511628211 = 0x100000001b3
  let h = 0x25; // offset basis 0xcbf29ce484222325
  const step = (b: number): void => {
    h = ((h * PRIME_LOW) & 0xff) ^ (b & 0xff);
  };
  step(0x30); // "0": the DO bit is never set by pod resolvers
  const code = QTYPE_CODES[qtype];
  step(code >> 8);
  step(code & 0xff);
  for (let i = 0; i < qname.length; i++) step(qname.charCodeAt(i));
  return h;
}

const QTYPE_CODES: Readonly<Record<QueryType, number>> = { A: 1, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33 };

/**
 * The `cache` plugin in front of a handler.
 *
 * @remarks
 * A response is stored for `clamp(minimal TTL of its records, min, max)` seconds
 * (NXDOMAIN and NODATA: the SOA's TTL, in the denial cache); SERVFAIL for 5 s;
 * REFUSED never. A stored item is a hit while `origTtl - floor(elapsed s) > 0`, and the
 * records it returns carry that remaining TTL. With kubeadm's `ttl 30` + `cache 30`, an
 * answer cached at t = 0 is served until t = 29.999 s and re-fetched at t = 30 s.
 * Serve-stale is not modelled.
 *
 * @example
 * ```ts
 * const cache = new DnsCache(KUBEADM_CACHE_OPTIONS, random.stream("coredns/cache"));
 * const r = cache.serve("api.default.svc.cluster.local.", "A", now, (q, t) => kubernetes.serve(q, t)!);
 * ```
 */
export class DnsCache {
  private readonly pttl: number;
  private readonly nttl: number;
  private readonly minTtl: number;
  private readonly pcache: Shards;
  private readonly ncache: Shards;
  private readonly random: RandomStream;
  private readonly prefetch: { readonly amount: number; readonly duration: number; readonly percentage: number } | undefined;
  private successHits = 0;
  private denialHits = 0;
  private misses = 0;
  private evictions = 0;
  private prefetches = 0;

  /**
   * @param options - the plugin's options.
   * @param random - the stream random evictions draw from.
   * @throws RangeError naming the option and value when an option is invalid.
   */
  constructor(options: CacheOptions, random: RandomStream) {
    const check = (field: string, v: number | undefined, lo: number): void => {
      if (v !== undefined && !(Number.isInteger(v) && v >= lo)) {
        throw new RangeError(formatFieldError(fieldInvalid(field, v, `must be an integer >= ${lo}`)));
      }
    };
    check("cache.ttl", options.ttl, 0);
    check("cache.minTtl", options.minTtl, 0);
    check("cache.successCapacity", options.successCapacity, 1);
    check("cache.denialCapacity", options.denialCapacity, 1);
    // setup.go: `cache TTL` sets both maxima; a TTL below the minimum lowers the minimum too.
    this.pttl = options.ttl ?? MAX_TTL;
    this.nttl = options.ttl ?? MAX_NTTL;
    this.minTtl = Math.min(options.minTtl ?? MIN_TTL, this.pttl);
    this.pcache = new Shards(options.successCapacity ?? 10000);
    this.ncache = new Shards(options.denialCapacity ?? 10000);
    this.random = random;
    const p = options.prefetch;
    if (p !== undefined) {
      check("cache.prefetch.amount", p.amount, 1);
      if (p.percentage !== undefined && !(Number.isInteger(p.percentage) && p.percentage >= 10 && p.percentage <= 90)) {
        throw new RangeError(formatFieldError(fieldInvalid("cache.prefetch.percentage", p.percentage, "must be an integer between 10 and 90, inclusive")));
      }
      this.prefetch = { amount: p.amount, duration: p.duration ?? 60_000, percentage: p.percentage ?? 10 };
    }
  }

  /** Entries per shard of the success cache (the effective capacity is 256 times this). */
  get successShardCapacity(): number {
    return this.pcache.perShard;
  }

  /**
   * Answers from the cache or from `next` (then stores the reply).
   *
   * @param qname - fully qualified, lower case.
   * @param qtype - the question type.
   * @param now - virtual time, ms.
   * @param next - the rest of the plugin chain.
   * @returns the response, with every TTL set to the remaining time of the cached item, and whether it was a hit.
   */
  serve(qname: string, qtype: QueryType, now: number, next: (qname: string, qtype: QueryType) => DnsResponse): { readonly response: DnsResponse; readonly hit: boolean } {
    const shard = cacheShard(qname, qtype);
    const key = `${qtype} ${qname}`;
    const found = this.lookup(shard, key, now);
    if (found !== undefined) {
      const { item, ttl } = found;
      if (this.shouldPrefetch(item, now, ttl)) {
        this.prefetches++;
        this.store(shard, key, next(qname, qtype), now, true);
      }
      return { response: withTtl(item.response, ttl), hit: true };
    }
    this.misses++;
    const response = next(qname, qtype);
    const ttl = this.store(shard, key, response, now, false);
    // WriteMsg: "Apply capped TTL to this reply" (filterRRSlice sets every TTL to the stored duration).
    return { response: ttl === undefined || ttl <= 0 ? response : withTtl(response, ttl), hit: false };
  }

  /** Counters so far. */
  stats(): CacheStats {
    return {
      successHits: this.successHits,
      denialHits: this.denialHits,
      misses: this.misses,
      evictions: this.evictions,
      prefetches: this.prefetches,
      successSize: this.pcache.size,
      denialSize: this.ncache.size,
    };
  }

  private lookup(shard: number, key: string, now: number): { item: Item; ttl: number } | undefined {
    const n = this.ncache.get(shard, key);
    if (n !== undefined) {
      const ttl = itemTtl(n, now);
      if (ttl > 0) {
        this.denialHits++;
        return { item: n, ttl };
      }
    }
    const p = this.pcache.get(shard, key);
    if (p !== undefined) {
      const ttl = itemTtl(p, now);
      if (ttl > 0) {
        this.successHits++;
        return { item: p, ttl };
      }
    }
    return undefined;
  }

  private shouldPrefetch(item: Item, now: number, ttl: number): boolean {
    const p = this.prefetch;
    if (p === undefined) return false;
    // freq.Update: hits counted within a sliding window of `duration`.
    if (now - item.windowStart > p.duration) {
      item.windowStart = now;
      item.hits = 0;
    }
    item.hits++;
    const threshold = Math.ceil((p.percentage / 100) * item.origTtl);
    return item.hits >= p.amount && ttl <= threshold;
  }

  /** Stores a reply; returns the TTL it was stored with (undefined: not cacheable). */
  private store(shard: number, key: string, response: DnsResponse, now: number, prefetch: boolean): number | undefined {
    const kind = responseKind(response);
    if (kind === "REFUSED") return undefined;
    let duration: number;
    if (kind === "SERVFAIL") duration = MIN_TTL; // failttl defaults to minNTTL
    else {
      const msgTtl = minimalTtl(response);
      duration = kind === "NXDOMAIN" || kind === "NODATA" ? clamp(msgTtl, this.minTtl, this.nttl) : clamp(msgTtl, this.minTtl, this.pttl);
    }
    if (duration <= 0) return duration;
    const item: Item = { response, stored: now, origTtl: duration, hits: 0, windowStart: now };
    if (kind === "answer") {
      if (this.pcache.add(shard, key, item, this.random)) this.evictions++;
      if (prefetch) this.ncache.remove(shard, key);
    } else if (this.ncache.add(shard, key, item, this.random)) this.evictions++;
    return duration;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** dnsutil.MinimalTTL: the smallest TTL over answer, authority and additional records; 5 s when there are none. */
function minimalTtl(r: DnsResponse): number {
  if (r.answer.length + r.authority.length === 0) return FAILSAFE_TTL;
  let min = MAX_TTL;
  for (const s of [r.answer, r.authority, r.extra]) for (const rr of s) if (rr.ttl < min) min = rr.ttl;
  return min;
}

/** item.ttl: the stored TTL minus the whole seconds elapsed (Go's `int(Duration.Seconds())` truncates). */
function itemTtl(item: Item, now: number): number {
  return item.origTtl - Math.trunc((now - item.stored) / 1000);
}

function mapRecords(rs: readonly DnsRecord[], f: (r: DnsRecord) => number): DnsRecord[] {
  return rs.map((r) => ({ ...r, ttl: f(r) }));
}

/** item.toMsg: every record carries the item's remaining TTL. */
function withTtl(r: DnsResponse, ttl: number): DnsResponse {
  return { ...r, answer: mapRecords(r.answer, () => ttl), authority: mapRecords(r.authority, () => ttl), extra: mapRecords(r.extra, () => ttl) };
}
