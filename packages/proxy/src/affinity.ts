import type { SimTime } from "@kube-netsim/core";

/**
 * The client addresses one endpoint of one Service port has seen recently: an
 * iptables `-m recent` list (named after the endpoint's KUBE-SEP chain) or an nftables
 * `affinity-...` set. Keyed by source IP only, so every port of a client shares it.
 *
 * @remarks
 * - iptables (linux net/netfilter/xt_recent.c): the list holds at most `capacity`
 *   addresses (`ip_list_tot`, 100 by default); adding one to a full list evicts the least
 *   recently *set* address (the head of its LRU list). `--rcheck --seconds T` matches when
 *   the address was set within T seconds and does not refresh it; `--reap` then drops the
 *   LRU head if it is older than T. `--set` (every new connection through the endpoint)
 *   refreshes the address and moves it to the LRU tail: a sliding timeout.
 * - nftables (pkg/proxy/nftables/proxier.go): a dynamic set with a timeout, refreshed by
 *   `update @affinity-X { ip saddr }` on every new connection; no size limit
 *   (`capacity` Infinity). An expired element is simply absent.
 *
 * @example
 * ```ts
 * const list = new RecentList(XT_RECENT_IP_LIST_TOT); // one KUBE-SEP chain's `-m recent` list, 100 addresses
 * list.set(parseIPv4("10.244.2.9"), 0);                           // a new connection from that client
 * list.check(parseIPv4("10.244.2.9"), 60_000, 10_800 * 1000);     // true: within timeoutSeconds 10800
 * list.check(parseIPv4("10.244.2.9"), 10_800_001, 10_800 * 1000); // false: expired
 * ```
 */
export class RecentList {
  // Insertion order is LRU order: the first key is the least recently set.
  private readonly seen = new Map<number, SimTime>();

  /** @param capacity - most addresses held (100 for xt_recent, Infinity for nftables sets). */
  constructor(readonly capacity: number) {}

  /** Number of addresses held (expired ones included until reaped or evicted). */
  get size(): number {
    return this.seen.size;
  }

  /** `--rcheck --seconds`: was `ip` set no more than `timeout` ms before `now`? */
  check(ip: number, now: SimTime, timeout: SimTime): boolean {
    const t = this.seen.get(ip);
    return t !== undefined && t >= now - timeout;
  }

  /** `--reap`: drop the least recently set address if it is older than `timeout`. */
  reap(now: SimTime, timeout: SimTime): void {
    for (const [ip, t] of this.seen) {
      if (t < now - timeout) this.seen.delete(ip);
      return;
    }
  }

  /**
   * `--set` / set `update`: record `ip` as seen at `now` (LRU tail), evicting the LRU head when full.
   *
   * @example
   * ```ts
   * const list = new RecentList(2); // xt_recent with ip_list_tot=2
   * list.set(1, 0);
   * list.set(2, 10);
   * list.set(3, 20);                  // full: evicts 1, the least recently set
   * list.check(1, 30, 10_800_000);    // false
   * list.check(3, 30, 10_800_000);    // true
   * ```
   */
  set(ip: number, now: SimTime): void {
    if (this.seen.has(ip)) this.seen.delete(ip);
    else if (this.seen.size >= this.capacity) {
      for (const oldest of this.seen.keys()) {
        this.seen.delete(oldest);
        break;
      }
    }
    this.seen.set(ip, now);
  }

  /**
   * nftables set expiry: drops addresses not set within `timeout` of `now`, once the
   * set has doubled since the last sweep (amortised O(1) per connection, bounded memory).
   */
  expire(now: SimTime, timeout: SimTime): void {
    if (this.seen.size < this.sweepAt) return;
    for (const [ip, t] of this.seen) if (t < now - timeout) this.seen.delete(ip);
    this.sweepAt = Math.max(1024, 2 * this.seen.size);
  }

  private sweepAt = 1024;
}

/**
 * The affinity lists of every endpoint of every Service port on one node, keyed by
 * (Service port, endpoint). A list lives as long as its endpoint: kube-proxy rewrites an
 * unchanged endpoint's chain without losing its list, and deleting the endpoint deletes
 * the chain and the list (spec "ten things" 9).
 *
 * @example
 * ```ts
 * const tables = new AffinityTables(XT_RECENT_IP_LIST_TOT); // one node, iptables mode
 * const [a, b] = tables.listsFor("default/api:http", ["10.244.0.2:8080", "10.244.1.2:8080"]);
 * a.set(parseIPv4("10.244.2.9"), 0);
 * tables.listsFor("default/api:http", ["10.244.0.2:8080"])[0] === a; // true: the endpoint's list survives a resync
 * tables.drop("default/api:http");                                   // the Service is gone
 * ```
 */
export class AffinityTables {
  private readonly lists = new Map<string, RecentList>();

  /** @param capacity - per-list limit: 100 for iptables, Infinity for nftables. */
  constructor(private readonly capacity: number) {}

  /** The lists of one Service port's endpoints, in endpoint order; lists of endpoints no longer there are dropped. */
  listsFor(servicePortName: string, endpointKeys: readonly string[]): RecentList[] {
    const prefix = `${servicePortName}|`;
    const keep = new Set(endpointKeys.map((k) => prefix + k));
    for (const k of this.lists.keys()) if (k.startsWith(prefix) && !keep.has(k)) this.lists.delete(k);
    return endpointKeys.map((k) => {
      let l = this.lists.get(prefix + k);
      if (!l) {
        l = new RecentList(this.capacity);
        this.lists.set(prefix + k, l);
      }
      return l;
    });
  }

  /** Drops every list of a Service port (its Service is gone or has no endpoints). */
  drop(servicePortName: string): void {
    const prefix = `${servicePortName}|`;
    for (const k of this.lists.keys()) if (k.startsWith(prefix)) this.lists.delete(k);
  }
}
