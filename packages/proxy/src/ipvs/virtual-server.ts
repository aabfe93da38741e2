/**
 * One IPVS virtual server (`struct ip_vs_service`): what kube-proxy's IPVS mode creates
 * per Service IP, port and protocol (ClusterIP, externalIP, LoadBalancer IP, node IP for a
 * nodePort), with its real servers in the kernel's list order and its scheduler.
 *
 * @packageDocumentation
 */
import { checkIpvsWeight, IpvsDestination, ipvsDestinationKey } from "./destination.js";
import type { IpvsScheduler, IpvsSchedulerName, IpvsSchedulerOptions } from "./schedulers.js";
import { createIpvsScheduler } from "./schedulers.js";

/**
 * Construction options of an {@link IpvsVirtualServer}.
 *
 * @example
 * ```ts
 * const options: IpvsVirtualServerOptions = { address: "10.96.0.10:53", scheduler: "sh" }; // `ipvsadm -A -u 10.96.0.10:53 -s sh`
 * const vs = new IpvsVirtualServer(options);
 * vs.addDestination("10.244.1.2:53", 1);
 * ```
 */
export interface IpvsVirtualServerOptions {
  /**
   * The virtual server's `"IP:port"` (`"[IPv6]:port"`), e.g. the ClusterIP and Service
   * port. Only `dh` reads it (it hashes the packet's destination address, which for a
   * kube-proxy virtual server is always this IP). Default `"0.0.0.0:0"`.
   */
  readonly address?: string;
  /** Scheduler name; default `"rr"`, kube-proxy's `DefaultScheduler` (pkg/proxy/ipvs/proxier.go). */
  readonly scheduler?: IpvsSchedulerName;
  /** Scheduler flags and build options; see {@link IpvsSchedulerOptions}. */
  readonly schedulerOptions?: IpvsSchedulerOptions;
}

/**
 * An IPVS virtual server with its real servers ("destinations") and scheduler, following
 * net/netfilter/ipvs/ip_vs_ctl.c.
 *
 * Details:
 * - List order: `addDestination` inserts at the HEAD of the list
 *   (`__ip_vs_update_dest`: `list_add_rcu(&dest->n_list, &svc->destinations)`), so the
 *   list is in REVERSE add order; every scheduler walks it in this order and
 *   {@link IpvsVirtualServer.destinations} returns it.
 * - Scheduler hooks, as ip_vs_ctl.c calls them: `add_dest` after an add, `upd_dest` after
 *   an edit, `del_dest` after unlinking (`__ip_vs_unlink_dest`). A new virtual server
 *   runs `init_service` on its empty list first (`ip_vs_add_service` binds the scheduler
 *   before real servers exist).
 * - `last_weight` (`__ip_vs_update_dest`): set to the weight on add, and on edit only
 *   when the new weight is not 0.
 * - Trash: a deleted destination is kept while it still has connections
 *   (`__ip_vs_del_dest` moves it to `ipvs->dest_trash`); adding the same address again
 *   revives that object with its connection counters (`ip_vs_add_dest` ->
 *   `ip_vs_trash_get_dest`), as when kube-proxy re-adds a real server it was gracefully
 *   deleting (`MoveRSOutofGracefulDeleteList`). It goes to the head of the list like any add.
 *   Destinations without connections are forgotten on delete.
 * - The kernel also clears `IP_VS_DEST_F_OVERLOAD` on an edit when no upper threshold is
 *   set; thresholds are not modelled here, so `overloaded` is left to the caller.
 *
 * @example
 * ```ts
 * const vs = new IpvsVirtualServer({ address: "10.96.0.10:53" }); // rr
 * vs.addDestination("10.244.1.2:53", 1); // A
 * vs.addDestination("10.244.2.2:53", 1); // B
 * vs.destinations().map((d) => d.address); // ["10.244.2.2:53", "10.244.1.2:53"] (B, A)
 * vs.schedule(0x0a000001, 40000)?.address;  // "10.244.2.2:53": rr starts at the list head
 * ```
 */
export class IpvsVirtualServer {
  /** The virtual server's `"IP:port"` as normalised. */
  readonly address: string;
  /** Address key (u32 / IPv6 fold) of the virtual server, the `dh` hash input. */
  readonly ip: number;
  /** Virtual server port. */
  readonly port: number;
  private readonly list: IpvsDestination[] = [];
  private readonly byAddress = new Map<string, IpvsDestination>();
  private readonly trash = new Map<string, IpvsDestination>();
  private readonly sched: IpvsScheduler;
  private snapshot: readonly IpvsDestination[] | null = null;

  /**
   * @throws RangeError naming the value for a malformed `address`, an unknown scheduler
   * (listing the supported ones) or a bad scheduler option.
   */
  constructor(options: IpvsVirtualServerOptions = {}) {
    const self = new IpvsDestination(options.address ?? "0.0.0.0:0", 0);
    this.address = self.address;
    this.ip = self.ip;
    this.port = self.port;
    this.sched = createIpvsScheduler(options.scheduler ?? "rr", options.schedulerOptions ?? {});
    // ip_vs_ctl.c ip_vs_add_service -> ip_vs_bind_scheduler -> init_service (no dests yet)
    this.sched.initService(this.list);
  }

  /** The bound scheduler (for inspection, e.g. its `lookupTable()`). */
  get scheduler(): IpvsScheduler {
    return this.sched;
  }

  /** Number of real servers (`svc->num_dests`). */
  get size(): number {
    return this.list.length;
  }

  /**
   * `ipvsadm -a`: adds a real server at the HEAD of the list and notifies the scheduler
   * (`add_dest`).
   *
   * @param address - `"IP:port"` / `"[IPv6]:port"`.
   * @param weight - 0..2147483647; kube-proxy always uses 1.
   * @returns the destination (a revived trash object keeps its connection counters).
   * @throws Error when the address is already a real server of this virtual server
   * (the kernel's EEXIST); RangeError for a malformed address or weight.
   */
  addDestination(address: string, weight: number = 1): IpvsDestination {
    const key = ipvsDestinationKey(address);
    checkIpvsWeight(weight);
    if (this.byAddress.has(key)) throw new Error(`IPVS destination ${key} already exists in virtual server ${this.address} (EEXIST)`);
    let dest = this.trash.get(key);
    if (dest !== undefined) {
      // ip_vs_ctl.c ip_vs_add_dest: ip_vs_trash_get_dest, then __ip_vs_update_dest(add=1)
      this.trash.delete(key);
      dest.weight = weight;
      dest.lastWeight = weight;
    } else {
      dest = new IpvsDestination(key, weight);
    }
    // ip_vs_ctl.c __ip_vs_update_dest: list_add_rcu at the head, then sched->add_dest
    this.list.unshift(dest);
    this.byAddress.set(key, dest);
    this.snapshot = null;
    this.sched.addDest(this.list, dest);
    return dest;
  }

  /**
   * `ipvsadm -e`: changes a real server's weight in place (list position unchanged) and
   * notifies the scheduler (`upd_dest`), even when the weight is the same.
   *
   * @throws Error when the address is not a real server here (ENOENT); RangeError for a
   * malformed address or weight.
   */
  editDestination(address: string, weight: number): IpvsDestination {
    const key = ipvsDestinationKey(address);
    checkIpvsWeight(weight);
    const dest = this.byAddress.get(key);
    if (dest === undefined) throw new Error(`IPVS destination ${key} not found in virtual server ${this.address} (ENOENT)`);
    // ip_vs_ctl.c __ip_vs_update_dest(add=0): last_weight keeps the latest non-0 weight
    if (weight !== 0) dest.lastWeight = weight;
    dest.weight = weight;
    this.sched.updDest(this.list, dest);
    return dest;
  }

  /**
   * `ipvsadm -d`: unlinks a real server and notifies the scheduler (`del_dest`). Existing
   * connections keep the returned object (and its counters); a later
   * {@link IpvsVirtualServer.addDestination} of the same address revives it while it
   * still has connections.
   *
   * @throws Error when the address is not a real server here (ENOENT).
   */
  deleteDestination(address: string): IpvsDestination {
    const key = ipvsDestinationKey(address);
    const dest = this.byAddress.get(key);
    if (dest === undefined) throw new Error(`IPVS destination ${key} not found in virtual server ${this.address} (ENOENT)`);
    const index = this.list.indexOf(dest);
    // ip_vs_ctl.c __ip_vs_unlink_dest: list_del_rcu, num_dests--, then sched->del_dest
    this.list.splice(index, 1);
    this.byAddress.delete(key);
    this.snapshot = null;
    for (const [k, d] of this.trash) if (d.activeConns + d.inactConns === 0) this.trash.delete(k);
    if (dest.activeConns + dest.inactConns > 0) this.trash.set(key, dest);
    this.sched.delDest(this.list, dest, index);
    return dest;
  }

  /** The real server with this address, if present. */
  getDestination(address: string): IpvsDestination | undefined {
    return this.byAddress.get(ipvsDestinationKey(address));
  }

  /**
   * The real servers in the kernel's list order (newest first), as `ipvsadm -Ln` prints
   * them. A frozen snapshot, rebuilt only after the list changes.
   */
  destinations(): readonly IpvsDestination[] {
    if (this.snapshot === null) this.snapshot = Object.freeze(this.list.slice());
    return this.snapshot;
  }

  /**
   * Picks the real server for a NEW connection from `clientIP:clientPort` to this virtual
   * server (`svc->scheduler->schedule`), or `null` when none is available (the kernel's
   * "no destination available"). Allocation-free.
   *
   * @param clientIP - client address as an unsigned 32-bit integer (IPv6: `ipvsAddressFold`).
   * @param clientPort - client source port (0 when the protocol has none).
   */
  schedule(clientIP: number, clientPort: number): IpvsDestination | null {
    return this.sched.schedule(this.list, clientIP >>> 0, clientPort, this.ip, this.port);
  }
}
