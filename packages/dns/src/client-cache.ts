/**
 * Caching in the client process, above the stub resolver. glibc and musl cache nothing
 * (every `getaddrinfo` walks the search list again); a JVM caches successful lookups for
 * `networkaddress.cache.ttl` seconds (30 without a security manager, forever with one)
 * and failures for `networkaddress.cache.negative.ttl` (10); many clients resolve once at
 * start-up and never again. A client that caches past the records' TTL keeps calling
 * a headless Service's pod after that pod is gone.
 *
 * Upstream: OpenJDK java.base `sun.net.InetAddressCachePolicy` (defaults 30 s / forever
 * with a SecurityManager, negative 10 s) and `java.net.InetAddress` (the cache).
 *
 * @packageDocumentation
 */
import { fieldInvalid, formatFieldError } from "@kube-netsim/model";
import type { ResolveResult } from "./resolver.js";

/**
 * How a client caches resolutions.
 *
 * - `none`: no cache (C programs using getaddrinfo, Go's resolver, Python, curl).
 * - `ttl`: answers kept for their TTL (nscd, systemd-resolved, caching libraries).
 * - `fixed`: answers kept `ttl` seconds whatever the records say, failures `negativeTtl` seconds (JVM).
 * - `forever`: the first answer is kept for the life of the process (JVM with a security manager, resolve-at-start-up clients).
 *
 * @example
 * ```ts
 * sim.addClient({ name: "c", target: "http://api:80", rate: 50, dns: { cache: { kind: "none" } } });           // glibc: a lookup per request
 * sim.addClient({ name: "jvm", target: "http://api:80", rate: 50, dns: { cache: { kind: "fixed", ttl: 30 } } }); // JVM default
 * sim.addClient({ name: "once", target: "http://api:80", rate: 50, dns: { cache: { kind: "forever" } } });   // resolve at start-up
 * ```
 */
export type ClientCachePolicy =
  | { readonly kind: "none" }
  | { readonly kind: "ttl" }
  | { readonly kind: "fixed"; readonly ttl: number; readonly negativeTtl?: number }
  | { readonly kind: "forever"; readonly negativeTtl?: number };

/**
 * A JVM without a security manager: `networkaddress.cache.ttl=30`, `networkaddress.cache.negative.ttl=10`.
 *
 * @example
 * ```ts
 * sim.addClient({ name: "java", target: "http://api:80", rate: 100, dns: { cache: JVM_DEFAULT_CACHE } }); // answers kept 30 s, failures 10 s
 * ```
 */
export const JVM_DEFAULT_CACHE: ClientCachePolicy = { kind: "fixed", ttl: 30, negativeTtl: 10 };

/**
 * Counters of a {@link ClientDnsCache}.
 *
 * @example
 * ```ts
 * const cache = new ClientDnsCache(JVM_DEFAULT_CACHE);
 * cache.lookup("db", 0, resolveDb);     // miss: resolveDb() runs
 * cache.lookup("db", 5_000, resolveDb); // hit: within 30 s
 * const s: ClientCacheStats = cache.stats(); // { hits: 1, misses: 1 }
 * ```
 */
export interface ClientCacheStats {
  /** Lookups answered from the client's cache. */
  readonly hits: number;
  /** Lookups that ran the resolver. */
  readonly misses: number;
}

/**
 * A client process's resolution cache.
 *
 * @example
 * ```ts
 * const cache = new ClientDnsCache({ kind: "forever" });
 * const { result, cached } = cache.lookup("db", sim.now, () => resolveName("db", conf, transport));
 * ```
 */
export class ClientDnsCache {
  /** The policy. */
  readonly policy: ClientCachePolicy;
  private readonly entries = new Map<string, { result: ResolveResult; expires: number }>();
  private hits = 0;
  private misses = 0;

  /** @throws RangeError naming the field and value when the policy is invalid. */
  constructor(policy: ClientCachePolicy) {
    const kinds = ["none", "ttl", "fixed", "forever"];
    if (policy === null || typeof policy !== "object" || !kinds.includes(policy.kind)) {
      throw new RangeError(`cache.kind: Unsupported value: ${JSON.stringify((policy as { kind?: unknown } | null)?.kind)}: supported values: "fixed", "forever", "none", "ttl"`);
    }
    if (policy.kind === "fixed" && !(Number.isFinite(policy.ttl) && policy.ttl >= 0)) {
      throw new RangeError(formatFieldError(fieldInvalid("cache.ttl", policy.ttl, "must be a number of seconds >= 0")));
    }
    if ((policy.kind === "fixed" || policy.kind === "forever") && policy.negativeTtl !== undefined && !(Number.isFinite(policy.negativeTtl) && policy.negativeTtl >= 0)) {
      throw new RangeError(formatFieldError(fieldInvalid("cache.negativeTtl", policy.negativeTtl, "must be a number of seconds >= 0")));
    }
    this.policy = policy;
  }

  /**
   * The cached resolution of `name` if it is still valid at `now` (ms), else the result of
   * `resolve()` (then cached as the policy says).
   *
   * @example
   * ```ts
   * const cache = new ClientDnsCache({ kind: "fixed", ttl: 30 });
   * cache.lookup("db", 0, resolveDb).cached;      // false: resolveDb() was called
   * cache.lookup("db", 10_000, resolveDb).cached; // true: within 30 s
   * cache.lookup("db", 30_000, resolveDb).cached; // false: expired
   * ```
   */
  lookup(name: string, now: number, resolve: () => ResolveResult): { readonly result: ResolveResult; readonly cached: boolean } {
    const e = this.entries.get(name);
    if (e !== undefined && now < e.expires) {
      this.hits++;
      return { result: e.result, cached: true };
    }
    this.misses++;
    const result = resolve();
    const keep = this.lifetime(result);
    if (keep > 0) this.entries.set(name, { result, expires: now + keep });
    else this.entries.delete(name);
    return { result, cached: false };
  }

  /**
   * Forgets every entry (a client restart).
   *
   * @example
   * ```ts
   * cache.clear(); // the process restarted: the next lookup resolves again
   * ```
   */
  clear(): void {
    this.entries.clear();
  }

  /**
   * Counters so far.
   *
   * @example
   * ```ts
   * cache.stats(); // { hits: 1, misses: 2 } after the three lookups above
   * ```
   */
  stats(): ClientCacheStats {
    return { hits: this.hits, misses: this.misses };
  }

  /** How long (ms) to keep a result. */
  private lifetime(r: ResolveResult): number {
    const ok = r.outcome === "ok";
    const p = this.policy;
    switch (p.kind) {
      case "none":
        return 0;
      case "ttl":
        return ok ? r.ttl * 1000 : 0;
      case "fixed":
        return ok ? p.ttl * 1000 : (p.negativeTtl ?? 0) * 1000;
      case "forever":
        return ok ? Infinity : (p.negativeTtl ?? 0) * 1000;
    }
  }
}
