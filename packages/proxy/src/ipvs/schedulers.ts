/**
 * The Linux IPVS schedulers kube-proxy's IPVS mode can select (`--ipvs-scheduler`,
 * pkg/proxy/ipvs/proxier.go, default `rr`), reproduced from net/netfilter/ipvs/ip_vs_*.c:
 * the list walk order, pointer moves, tie-breaking and integer arithmetic of each one.
 * This file holds the scheduler contract, the factory, and the list-walking schedulers
 * (rr, wrr, lc, wlc, sed, nq); the table-based ones (sh, dh, mh) are in
 * hashing-schedulers.ts.
 *
 * Every scheduler walks the destinations in the kernel's list order, which is the REVERSE
 * of the order they were added (ip_vs_ctl.c `__ip_vs_update_dest` inserts a new
 * destination at the head with `list_add_rcu`); `IpvsVirtualServer` keeps that order.
 *
 * @packageDocumentation
 */
import type { IpvsDestination } from "./destination.js";
import { ipvsConnOverhead } from "./destination.js";
import type { KernelBitsPerLong } from "./hsiphash.js";
import { DestinationHashingScheduler, MaglevHashingScheduler, SourceHashingScheduler } from "./hashing-schedulers.js";

/**
 * A scheduler kube-proxy accepts and this package implements (kernel module `ip_vs_<name>`).
 *
 * @example
 * ```ts
 * const scheduler: IpvsSchedulerName = "lc"; // --ipvs-scheduler=lc
 * new Simulation({ seed: 1, kubeProxy: { mode: "ipvs", ipvs: { scheduler } } });
 * ```
 */
export type IpvsSchedulerName = "rr" | "wrr" | "lc" | "wlc" | "sed" | "nq" | "sh" | "dh" | "mh";

/**
 * The schedulers {@link createIpvsScheduler} knows, in kube-proxy's documentation order.
 * Not implemented: `lblc`, `lblcr` (locality-based, keyed by destination IP with expiring
 * per-IP state), and the kernel-only `fo`, `ovf`, `twos`.
 *
 * @example
 * ```ts
 * IPVS_SCHEDULER_NAMES; // ["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh", "mh"]
 * IPVS_SCHEDULER_NAMES.includes("lblc" as IpvsSchedulerName); // false: not implemented
 * ```
 */
export const IPVS_SCHEDULER_NAMES: readonly IpvsSchedulerName[] = Object.freeze(["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh", "mh"] as const);

/**
 * Scheduler options: the virtual server's scheduler flags (`ipvsadm -b`,
 * `IP_VS_SVC_F_SCHED1..3` in include/uapi/linux/ip_vs.h) and the kernel build choices the
 * hashing schedulers depend on. Schedulers ignore options that are not theirs, as the
 * kernel ignores flags a scheduler does not read.
 *
 * @example
 * ```ts
 * const options: IpvsSchedulerOptions = { port: true, fallback: false, bitsPerLong: 64 }; // kube-proxy's mh: `-b mh-port`
 * const vs = new IpvsVirtualServer({ address: "10.96.0.10:53", scheduler: "mh", schedulerOptions: options });
 * ```
 */
export interface IpvsSchedulerOptions {
  /**
   * `sh-fallback` / `mh-fallback` (`IP_VS_SVC_F_SCHED1`, 0x0008): when the hashed
   * destination is unavailable (weight 0 or overloaded), probe further table entries
   * instead of returning "no destination". Default false: kube-proxy never sets it.
   */
  readonly fallback?: boolean;
  /**
   * `sh-port` / `mh-port` (`IP_VS_SVC_F_SCHED2`, 0x0010): hash the client's source port
   * too (TCP/UDP/SCTP; pass port 0 for other protocols). Default false. kube-proxy sets
   * it for `mh` (its `FlagSourceHash` = 0x10 in pkg/proxy/ipvs/proxier.go, added by
   * kubernetes/kubernetes#115527 for v1.27) and never for `sh`.
   */
  readonly port?: boolean;
  /**
   * Hash of `sh` / `dh`: `"hash_32"` (default; current kernels:
   * `hash_32(key, 8)`, the TOP 8 bits of `key * 0x61C88647`) or `"multiplicative"`
   * (older kernels: `(key * 2654435761) & 255`, the LOW 8 bits, so only the last octet of
   * an IPv4 client address matters).
   */
  readonly hash?: IpvsTableHash;
  /**
   * `mh`: the kernel's word size, which selects the `hsiphash` algorithm
   * (SipHash-1-3 on 64-bit kernels, HalfSipHash-1-3 on 32-bit ones). Default 64.
   */
  readonly bitsPerLong?: KernelBitsPerLong;
  /**
   * `mh`: `CONFIG_IP_VS_MH_TAB_INDEX` (8..17, default 12); the Maglev table size is
   * `primes[index - 8]`, 4093 by default.
   */
  readonly mhTableIndex?: number;
}

/**
 * Which hash `sh` and `dh` use to pick one of their 256 buckets; see {@link IpvsSchedulerOptions.hash}.
 *
 * @example
 * ```ts
 * // older kernels: only the last octet of an IPv4 client matters
 * const vs = new IpvsVirtualServer({ scheduler: "sh", schedulerOptions: { hash: "multiplicative" } });
 * vs.addDestination("10.244.1.2:53", 1);
 * vs.addDestination("10.244.2.2:53", 1);
 * vs.schedule(ipvsAddressFold("10.0.0.1"), 0)?.address;    // "10.244.1.2:53"
 * vs.schedule(ipvsAddressFold("192.168.7.1"), 0)?.address; // "10.244.1.2:53" too: same last octet
 * ```
 */
export type IpvsTableHash = "hash_32" | "multiplicative";

/**
 * One scheduler instance bound to one virtual server (`svc->scheduler` with its
 * `svc->sched_data`), with the kernel's hook points (`struct ip_vs_scheduler` in
 * include/net/ip_vs.h). `IpvsVirtualServer` calls the hooks after it changed the list, as
 * ip_vs_ctl.c does; a scheduler never changes the list or the destinations.
 *
 * `dests` is always the virtual server's current list in kernel order.
 *
 * @example
 * ```ts
 * const s: IpvsScheduler = createIpvsScheduler("lc");
 * s.name;          // "lc"
 * s.lookupTable(); // null: only sh, dh and mh keep a table
 * // normally driven by an IpvsVirtualServer: vs.scheduler.schedule(vs.destinations(), srcIP, srcPort, dstIP, dstPort)
 * ```
 */
export interface IpvsScheduler {
  /** The scheduler's kernel name. */
  readonly name: IpvsSchedulerName;
  /** `init_service`: bind to a virtual server whose list is `dests` (possibly empty). */
  initService(dests: readonly IpvsDestination[]): void;
  /** `add_dest`: `dest` was just inserted at the head of the list (index 0). */
  addDest(dests: readonly IpvsDestination[], dest: IpvsDestination): void;
  /** `del_dest`: `dest`, formerly at `formerIndex`, was just unlinked from the list. */
  delDest(dests: readonly IpvsDestination[], dest: IpvsDestination, formerIndex: number): void;
  /** `upd_dest`: `dest`'s weight was just edited (it stays at its place in the list). */
  updDest(dests: readonly IpvsDestination[], dest: IpvsDestination): void;
  /**
   * `schedule`: the destination for a NEW connection, or `null` ("no destination
   * available"; the packet is then not load-balanced). Allocation-free.
   *
   * @param srcIP - client address as an unsigned 32-bit key (IPv6: `ipvsAddressFold`).
   * @param srcPort - client source port (0 when the protocol has none).
   * @param dstIP - the packet's destination address key: the virtual server's address.
   * @param dstPort - the packet's destination port.
   */
  schedule(dests: readonly IpvsDestination[], srcIP: number, srcPort: number, dstIP: number, dstPort: number): IpvsDestination | null;
  /**
   * The lookup table of a table scheduler (`sh`/`dh`: 256 buckets, `mh`: the Maglev
   * table), `null` for the others. Read-only view for inspection and tests.
   */
  lookupTable(): readonly (IpvsDestination | null)[] | null;
}

// ---------------------------------------------------------------------------
// Shared arithmetic
// ---------------------------------------------------------------------------

/**
 * `(s64)a * b > (s64)c * d` exactly. Doubles hold every integer product up to 2^53 - 1,
 * which covers all realistic counts (e.g. overhead < 2^32 and weight < 2^21); larger
 * products, which the kernel computes in 64 bits, are compared with BigInt (the only
 * allocation a `schedule` call can make, and only then).
 */
function productGreater(a: number, b: number, c: number, d: number): boolean {
  const p = a * b;
  const q = c * d;
  if (Math.abs(p) <= Number.MAX_SAFE_INTEGER && Math.abs(q) <= Number.MAX_SAFE_INTEGER) return p > q;
  return BigInt(a) * BigInt(b) > BigInt(c) * BigInt(d);
}

/** `gcd()` of lib/math/gcd.c for positive ints. */
function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** ip_vs_sed.c `ip_vs_sed_dest_overhead` / ip_vs_nq.c: `activeconns + 1`, as `unsigned int`. */
function expectedDelayOverhead(d: IpvsDestination): number {
  return (d.activeConns + 1) >>> 0;
}

// ---------------------------------------------------------------------------
// rr
// ---------------------------------------------------------------------------

/**
 * Round-robin (net/netfilter/ipvs/ip_vs_rr.c). `svc->sched_data` points at the list entry
 * chosen last, or at the list head; here it is the entry's index, -1 for the head. The
 * kernel pointer is a list node, so inserting at the head does not move it: `addDest`
 * only shifts the index.
 */
class RoundRobinScheduler implements IpvsScheduler {
  readonly name: IpvsSchedulerName = "rr";
  private pos = -1;

  initService(): void {
    // ip_vs_rr.c ip_vs_rr_init_svc: sched_data = &svc->destinations (the head)
    this.pos = -1;
  }

  addDest(): void {
    // ip_vs_rr.c has no add_dest: the node pointer stays; its index grows by one
    if (this.pos >= 0) this.pos++;
  }

  delDest(_dests: readonly IpvsDestination[], _dest: IpvsDestination, formerIndex: number): void {
    // ip_vs_rr.c ip_vs_rr_del_dest: if the pointer is the unlinked dest, move it to the
    // previous entry (p->next->prev), the head when it was first; the next schedule
    // then continues with the entry that followed the deleted one.
    if (formerIndex === this.pos) this.pos = formerIndex - 1;
    else if (formerIndex < this.pos) this.pos--;
  }

  updDest(): void {
    // ip_vs_rr.c has no upd_dest: a weight change does not move the pointer
  }

  schedule(dests: readonly IpvsDestination[]): IpvsDestination | null {
    // ip_vs_rr.c ip_vs_rr_schedule: start AFTER the last choice; skip weight 0
    // (quiesced) and IP_VS_DEST_F_OVERLOAD; first pass to the end of the list, second
    // pass from the start up to and including `last`; a pointer at the head needs one
    // pass only. No hit => NULL and the pointer stays.
    const last = this.pos;
    const n = dests.length;
    for (let i = last + 1; i < n; i++) {
      const d = dests[i];
      if (!d.overloaded && d.weight > 0) {
        this.pos = i;
        return d;
      }
    }
    if (last < 0) return null;
    for (let i = 0; i <= last; i++) {
      const d = dests[i];
      if (!d.overloaded && d.weight > 0) {
        this.pos = i;
        return d;
      }
    }
    return null;
  }

  lookupTable(): null {
    return null;
  }
}

// ---------------------------------------------------------------------------
// wrr
// ---------------------------------------------------------------------------

/**
 * Weighted round-robin (net/netfilter/ipvs/ip_vs_wrr.c): `struct ip_vs_wrr_mark` =
 * {cl current entry (index, -1 = head), cw current weight, mw max weight - (di - 1),
 * di gcd of the positive weights}.
 */
class WeightedRoundRobinScheduler implements IpvsScheduler {
  readonly name: IpvsSchedulerName = "wrr";
  private cl = -1;
  private cw = 0;
  private mw = 0;
  private di = 1;

  /** ip_vs_wrr.c ip_vs_wrr_gcd_weight: gcd of the positive weights in list order, 1 if none. */
  private static gcdWeight(dests: readonly IpvsDestination[]): number {
    let g = 0;
    for (const d of dests) {
      const w = d.weight;
      if (w > 0) g = g > 0 ? gcd(w, g) : w;
    }
    return g !== 0 ? g : 1;
  }

  /** ip_vs_wrr.c ip_vs_wrr_max_weight: largest weight, 0 if none is positive. */
  private static maxWeight(dests: readonly IpvsDestination[]): number {
    let m = 0;
    for (const d of dests) if (d.weight > m) m = d.weight;
    return m;
  }

  initService(dests: readonly IpvsDestination[]): void {
    // ip_vs_wrr.c ip_vs_wrr_init_svc: cl = head, cw = mw = max - (di - 1)
    this.cl = -1;
    this.di = WeightedRoundRobinScheduler.gcdWeight(dests);
    this.mw = WeightedRoundRobinScheduler.maxWeight(dests) - (this.di - 1);
    this.cw = this.mw;
  }

  /**
   * ip_vs_wrr.c ip_vs_wrr_dest_changed (add_dest, del_dest and upd_dest): cl back to the
   * head, di/mw recomputed; cw reset to mw only if it is now above mw or 0, otherwise
   * kept (rounded to the new di grid when di > 1).
   */
  private destChanged(dests: readonly IpvsDestination[]): void {
    this.cl = -1;
    this.di = WeightedRoundRobinScheduler.gcdWeight(dests);
    this.mw = WeightedRoundRobinScheduler.maxWeight(dests) - (this.di - 1);
    if (this.cw > this.mw || this.cw === 0) this.cw = this.mw;
    else if (this.di > 1) this.cw = Math.trunc(this.cw / this.di) * this.di + 1;
  }

  addDest(dests: readonly IpvsDestination[]): void {
    this.destChanged(dests);
  }

  delDest(dests: readonly IpvsDestination[]): void {
    this.destChanged(dests);
  }

  updDest(dests: readonly IpvsDestination[]): void {
    this.destChanged(dests);
  }

  schedule(dests: readonly IpvsDestination[]): IpvsDestination | null {
    // ip_vs_wrr.c ip_vs_wrr_schedule
    if (this.mw === 0) return null; // err_noavail (all weights 0 or no dests); cl unchanged
    const n = dests.length;
    const last = this.cl;
    let from = this.cl;
    let stop = -2; // NULL
    let lastPass = false;
    let restarted = false;
    for (;;) {
      // list_for_each_entry_continue: the entries after `from`, up to the head
      for (let i = from + 1; i < n; i++) {
        const d = dests[i];
        if (!d.overloaded && d.weight >= this.cw) {
          this.cl = i;
          return d;
        }
        if (i === stop) {
          this.cl = i; // err_over: mark->cl = dest
          return null;
        }
      }
      from = -1; // wrapped past the head
      this.cw -= this.di;
      if (this.cw <= 0) {
        this.cw = this.mw;
        // stop if the last pass (cw <= di) already ran, or the walk started at the head
        if (lastPass || last === -1) {
          this.cl = -1; // err_over with dest at the head
          return null;
        }
        restarted = true;
      }
      lastPass = this.cw <= this.di;
      // first traversal for w >= 1 only covered the entries after `last`: finish at `last`
      if (lastPass && restarted && last !== -1) stop = last;
    }
  }

  lookupTable(): null {
    return null;
  }
}

// ---------------------------------------------------------------------------
// lc, wlc, sed, nq: stateless scans in list order
// ---------------------------------------------------------------------------

/** Base for the schedulers with no per-service state and no hooks. */
abstract class StatelessScheduler implements IpvsScheduler {
  abstract readonly name: IpvsSchedulerName;
  initService(): void {}
  addDest(): void {}
  delDest(): void {}
  updDest(): void {}
  abstract schedule(dests: readonly IpvsDestination[]): IpvsDestination | null;
  lookupTable(): null {
    return null;
  }
}

/**
 * Least-connection (net/netfilter/ipvs/ip_vs_lc.c ip_vs_lc_schedule): the smallest
 * `ip_vs_dest_conn_overhead` (active * 256 + inactive; the code comment still says `<< 5`
 * but the helper shifts by 8), as `unsigned int`; strict `<` so the FIRST in list order
 * wins ties; skips `weight == 0` and overloaded; the weight value is otherwise ignored.
 */
class LeastConnectionScheduler extends StatelessScheduler {
  readonly name: IpvsSchedulerName = "lc";
  schedule(dests: readonly IpvsDestination[]): IpvsDestination | null {
    let least: IpvsDestination | null = null;
    let loh = 0;
    for (let i = 0; i < dests.length; i++) {
      const d = dests[i];
      if (d.overloaded || d.weight === 0) continue;
      const doh = ipvsConnOverhead(d) >>> 0;
      if (least === null || doh < loh) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
}

/**
 * Weighted least-connection (net/netfilter/ipvs/ip_vs_wlc.c ip_vs_wlc_schedule): the
 * first destination with weight > 0 and not overloaded is the candidate; each LATER
 * non-overloaded one replaces it iff `(s64)loh * w_dest > (s64)doh * w_least` (strict, so
 * ties keep the earlier one). The later ones are not checked for weight 0: with weight 0
 * the left side is 0 and they can never win.
 */
class WeightedLeastConnectionScheduler extends StatelessScheduler {
  readonly name: IpvsSchedulerName = "wlc";
  schedule(dests: readonly IpvsDestination[]): IpvsDestination | null {
    return leastOverheadPerWeight(dests, ipvsConnOverhead);
  }
}

/**
 * The loop ip_vs_wlc.c and ip_vs_sed.c share, with their own overhead: the first
 * destination with weight > 0 and not overloaded is the candidate; each later
 * non-overloaded one replaces it iff `loh * w_dest > doh * w_least` (strict).
 */
function leastOverheadPerWeight(dests: readonly IpvsDestination[], overhead: (d: IpvsDestination) => number): IpvsDestination | null {
  const n = dests.length;
  let i = 0;
  while (i < n && (dests[i].overloaded || !(dests[i].weight > 0))) i++;
  if (i === n) return null;
  let least = dests[i];
  let loh = overhead(least);
  for (i++; i < n; i++) {
    const d = dests[i];
    if (d.overloaded) continue;
    const doh = overhead(d);
    if (productGreater(loh, d.weight, doh, least.weight)) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

/**
 * Shortest expected delay (net/netfilter/ipvs/ip_vs_sed.c ip_vs_sed_schedule): as wlc
 * but the overhead is `activeconns + 1` (inactive connections ignored), i.e. minimise
 * `(active + 1) / weight`; ties keep the earlier destination.
 */
class ShortestExpectedDelayScheduler extends StatelessScheduler {
  readonly name: IpvsSchedulerName = "sed";
  schedule(dests: readonly IpvsDestination[]): IpvsDestination | null {
    return leastOverheadPerWeight(dests, expectedDelayOverhead);
  }
}

/**
 * Never queue (net/netfilter/ipvs/ip_vs_nq.c ip_vs_nq_schedule): walk the list skipping
 * overloaded and `weight == 0`; the FIRST destination with `activeconns == 0` is returned
 * at once (an idle server beats a faster busy one); otherwise minimise
 * `(active + 1) / weight` like sed, ties keeping the earlier destination.
 */
class NeverQueueScheduler extends StatelessScheduler {
  readonly name: IpvsSchedulerName = "nq";
  schedule(dests: readonly IpvsDestination[]): IpvsDestination | null {
    let least: IpvsDestination | null = null;
    let loh = 0;
    for (let i = 0; i < dests.length; i++) {
      const d = dests[i];
      if (d.overloaded || d.weight === 0) continue;
      const doh = expectedDelayOverhead(d);
      if (d.activeConns === 0) return d;
      if (least === null || productGreater(loh, d.weight, doh, least.weight)) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
}

// ---------------------------------------------------------------------------
// Factory
// ---------------------------------------------------------------------------

/**
 * Creates a fresh scheduler instance for one virtual server, like binding the kernel
 * module `ip_vs_<name>` to a service (`ip_vs_bind_scheduler`). Call `initService` before
 * use (`IpvsVirtualServer` does).
 *
 * @param name - one of {@link IPVS_SCHEDULER_NAMES}.
 * @param options - flags and kernel build options; see {@link IpvsSchedulerOptions}.
 * @throws RangeError naming the value and listing the supported schedulers for an unknown
 * name, and for an `mhTableIndex` outside 8..17.
 *
 * @example
 * ```ts
 * const s = createIpvsScheduler("mh", { port: true }); // what kube-proxy programs for mh
 * createIpvsScheduler("lblc" as IpvsSchedulerName);   // RangeError: unknown IPVS scheduler "lblc"; supported: rr, wrr, ...
 * ```
 */
export function createIpvsScheduler(name: IpvsSchedulerName, options: IpvsSchedulerOptions = {}): IpvsScheduler {
  switch (name) {
    case "rr":
      return new RoundRobinScheduler();
    case "wrr":
      return new WeightedRoundRobinScheduler();
    case "lc":
      return new LeastConnectionScheduler();
    case "wlc":
      return new WeightedLeastConnectionScheduler();
    case "sed":
      return new ShortestExpectedDelayScheduler();
    case "nq":
      return new NeverQueueScheduler();
    case "sh":
      return new SourceHashingScheduler(options);
    case "dh":
      return new DestinationHashingScheduler(options);
    case "mh":
      return new MaglevHashingScheduler(options);
    default:
      throw new RangeError(`unknown IPVS scheduler ${JSON.stringify(name)}; supported: ${IPVS_SCHEDULER_NAMES.join(", ")}`);
  }
}
