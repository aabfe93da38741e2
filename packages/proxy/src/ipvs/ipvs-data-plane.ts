import type { RandomStream, SimTime } from "@kube-netsim/core";
import type { DataPlane, ProxyMode } from "../data-plane.js";
import type { ServiceFrontend } from "../service-frontend.js";
import type { IpvsDestination } from "./destination.js";
import type { IpvsSchedulerName } from "./schedulers.js";
import { IPVS_SCHEDULER_NAMES } from "./schedulers.js";
import { IpvsVirtualServer } from "./virtual-server.js";

/**
 * How long a closed TCP connection stays in IPVS's table as inactive (TIME_WAIT: 2 minutes, net/netfilter/ipvs/ip_vs_proto_tcp.c tcp_timeouts).
 *
 * @example
 * ```ts
 * IPVS_TCP_TIME_WAIT_MS; // 120000: a closed connection counts in InActConn for 2 minutes (ipvsadm -Ln)
 * ```
 */
export const IPVS_TCP_TIME_WAIT_MS = 120_000;
/**
 * kube-proxy checks draining real servers every minute (pkg/proxy/ipvs/graceful_termination.go rsCheckDeleteInterval).
 *
 * @example
 * ```ts
 * IPVS_RS_CHECK_DELETE_INTERVAL_MS; // 60000: every minute, a draining real server (weight 0) with no ActiveConn
 * // and no InActConn left (TIME_WAIT included) is deleted
 * ```
 */
export const IPVS_RS_CHECK_DELETE_INTERVAL_MS = 60_000;
/** Linux's default ephemeral port range (net.ipv4.ip_local_port_range 32768-60999), for client source ports. */
const EPHEMERAL_LOW = 32768;
const EPHEMERAL_COUNT = 60999 - 32768 + 1;

interface IpvsService {
  readonly vs: IpvsVirtualServer;
  /** Endpoint index (in frontend.endpoints) of each destination address. */
  index: Map<string, number>;
  /** Real servers kube-proxy has set to weight 0 and deletes once their connections are gone. */
  readonly draining: Set<string>;
  nextDrainCheck: SimTime;
  /** Real servers by address, refreshed at every sync (avoids re-parsing addresses per connection). */
  byAddress: Map<string, IpvsDestination>;
  /** Closed connections still counted as inactive, in expiry order: expiry times and their real servers. */
  readonly timeWaitAt: number[];
  readonly timeWaitDest: IpvsDestination[];
  timeWaitHead: number;
  /** Persistence (ClientIP affinity): client address -> [real server, expiry]. */
  readonly persistent: Map<number, { dest: IpvsDestination; until: SimTime }>;
}

/**
 * The IPVS data plane: one virtual server per Service address with weight-1 real
 * servers, scheduled by the kernel's rules ({@link IpvsVirtualServer}).
 *
 * @remarks
 * kube-proxy's side (pkg/proxy/ipvs/proxier.go syncEndpoint, graceful_termination.go):
 * - New endpoints are added as real servers with weight 1; the kernel puts each new one
 *   at the head of its list (so rr walks them in reverse add order).
 * - An endpoint that goes away is deleted at once if it has no connections (active +
 *   inactive), else set to weight 0 (no new connections) and deleted by a check every
 *   minute once its connections are gone. One that comes back while draining is deleted
 *   and re-added (the kernel revives it with its counters).
 * - `sessionAffinity: ClientIP` makes the virtual server persistent: a template per
 *   client address pins its new connections to one real server until the template
 *   expires (timeout refreshed by each new connection).
 * - With a Local policy and no local endpoint, IPVS falls back to CategorizeEndpoints'
 *   cluster endpoints (pkg/proxy/ipvs/proxier.go syncEndpoint), which only externally
 *   accessible ports have; a ClusterIP-only Local Service gets no real server and its
 *   connections are refused, where iptables and nftables drop them.
 *
 * Connection accounting: a new connection counts as active until the client closes it,
 * then as inactive for {@link IPVS_TCP_TIME_WAIT_MS} (TIME_WAIT), which is what lc, wlc,
 * sed and nq weigh (`activeconns * 256 + inactconns`). Client source ports are drawn
 * from the ephemeral range, for the schedulers that hash them (mh with `mh-port`).
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1, kubeProxy: { mode: "ipvs", ipvs: { scheduler: "lc" } } });
 * sim.apply([deployment, service]);
 * sim.settle();
 * sim.kubeProxy("node-1").ruleset();
 * // TCP  10.98.120.98:80 lc
 * //   -> 10.244.2.2:8080              Masq    1      0          0
 * //   ...
 * ```
 */
export class IpvsDataPlane implements DataPlane {
  /** @inheritDoc */
  readonly mode: ProxyMode = "ipvs";
  /** IPVS falls back to (Categorize's) cluster endpoints when a Local policy finds none on the node, and never drops. */
  readonly localFallsBackToCluster: boolean = true;
  /** The kernel scheduler (`ipvs.scheduler`). */
  readonly scheduler: IpvsSchedulerName;
  private readonly services = new Map<string, IpvsService>();

  /**
   * @param scheduler - `ipvs.scheduler` (default `rr`, kube-proxy's DefaultScheduler).
   * @throws RangeError for an unknown scheduler name.
   */
  constructor(scheduler: IpvsSchedulerName = "rr") {
    if (!IPVS_SCHEDULER_NAMES.includes(scheduler)) {
      throw new RangeError(`ipvs.scheduler: Unsupported value: "${String(scheduler)}": supported values: ${IPVS_SCHEDULER_NAMES.map((n) => `"${n}"`).join(", ")}`);
    }
    this.scheduler = scheduler;
  }

  /**
   * The virtual server programmed for a Service address, for inspection (ipvsadm -Ln).
   *
   * @example
   * ```ts
   * const plane = new IpvsDataPlane("rr");
   * // ... after kube-proxy has programmed the Service ...
   * plane.virtualServer("10.96.0.20:80/TCP")?.destinations(); // real servers in the kernel's list order
   * ```
   */
  virtualServer(address: string): IpvsVirtualServer | undefined {
    return this.services.get(address)?.vs;
  }

  /** @inheritDoc */
  program(frontend: ServiceFrontend): void {
    const svc = this.service(frontend);
    const now = frontend.programmedAt;
    const desired = new Set(frontend.endpoints.map((e) => e.key));
    // syncEndpoint: add what is new (weight 1), revive what was draining.
    for (const e of frontend.endpoints) {
      const d = svc.vs.getDestination(e.key);
      if (d === undefined) svc.vs.addDestination(e.key, 1);
      else if (svc.draining.has(e.key)) {
        // MoveRSOutofGracefulDeleteList: delete and add again (the kernel revives it from its trash).
        svc.draining.delete(e.key);
        svc.vs.deleteDestination(e.key);
        svc.vs.addDestination(e.key, 1);
      }
    }
    // GracefulDeleteRS: gone endpoints leave now if idle, else drain at weight 0; UDP and
    // SCTP real servers are deleted at once (pkg/proxy/ipvs/proxier.go syncEndpoint,
    // pkg/proxy/ipvs/util/ipvs.go IsRsGracefulTerminationNeeded).
    const graceful = rsGracefulTerminationNeeded(frontend.address);
    for (const d of [...svc.vs.destinations()]) {
      if (desired.has(d.address) || svc.draining.has(d.address)) continue;
      if (!graceful || d.activeConns + d.inactConns === 0) svc.vs.deleteDestination(d.address);
      else {
        svc.vs.editDestination(d.address, 0);
        svc.draining.add(d.address);
      }
    }
    svc.index = new Map(frontend.endpoints.map((e, i) => [e.key, i]));
    svc.byAddress = new Map(svc.vs.destinations().map((d) => [d.address, d]));
    if (frontend.affinityTimeout === 0) svc.persistent.clear();
    this.maintain(svc, now);
    frontend.compiled = svc;
  }

  /** @inheritDoc */
  unprogram(frontend: ServiceFrontend): void {
    const svc = this.services.get(frontend.address);
    if (!svc) return;
    // No endpoints: every real server goes (gracefully for TCP); the virtual server stays, empty.
    const graceful = rsGracefulTerminationNeeded(frontend.address);
    for (const d of [...svc.vs.destinations()]) {
      if (!graceful || d.activeConns + d.inactConns === 0) {
        svc.vs.deleteDestination(d.address);
        svc.draining.delete(d.address);
      }
      else if (!svc.draining.has(d.address)) {
        svc.vs.editDestination(d.address, 0);
        svc.draining.add(d.address);
      }
    }
    svc.persistent.clear();
    svc.byAddress = new Map(svc.vs.destinations().map((d) => [d.address, d]));
  }

  /** @inheritDoc */
  select(frontend: ServiceFrontend, clientIP: number, random: RandomStream, now: SimTime): number {
    const svc = frontend.compiled as IpvsService;
    this.maintain(svc, now);
    let dest: IpvsDestination | null | undefined;
    if (frontend.affinityTimeout > 0) {
      const t = svc.persistent.get(clientIP);
      // A template to a quiesced (weight 0) or deleted server is not used (expire_quiescent_template=1).
      if (t !== undefined && t.until >= now && t.dest.weight > 0 && svc.byAddress.get(t.dest.address) === t.dest) dest = t.dest;
    }
    if (dest === undefined || dest === null) {
      const port = EPHEMERAL_LOW + random.nextInt(EPHEMERAL_COUNT);
      dest = svc.vs.schedule(clientIP, port);
    }
    if (dest === null) return -1;
    if (frontend.affinityTimeout > 0) svc.persistent.set(clientIP, { dest, until: now + frontend.affinityTimeout });
    dest.activeConns++;
    return svc.index.get(dest.address) ?? -1;
  }

  /** A connection to `address` through this frontend closed: active -> inactive (TIME_WAIT). */
  connectionClosed(frontend: ServiceFrontend, address: string, now: SimTime): void {
    const svc = this.services.get(frontend.address);
    const d = svc?.byAddress.get(address);
    if (!svc || !d || d.activeConns === 0) return;
    d.activeConns--;
    d.inactConns++;
    svc.timeWaitAt.push(now + IPVS_TCP_TIME_WAIT_MS);
    svc.timeWaitDest.push(d);
  }

  private service(frontend: ServiceFrontend): IpvsService {
    let svc = this.services.get(frontend.address);
    if (!svc) {
      const slash = frontend.address.lastIndexOf("/");
      svc = {
        vs: new IpvsVirtualServer({
          address: frontend.address.slice(0, slash),
          scheduler: this.scheduler,
          // kube-proxy sets mh-port for mh (pkg/proxy/ipvs/proxier.go, kubernetes#115527).
          schedulerOptions: this.scheduler === "mh" ? { port: true } : {},
        }),
        index: new Map(),
        draining: new Set(),
        nextDrainCheck: 0,
        byAddress: new Map(),
        timeWaitAt: [],
        timeWaitDest: [],
        timeWaitHead: 0,
        persistent: new Map(),
      };
      this.services.set(frontend.address, svc);
    }
    return svc;
  }

  // Expires TIME_WAIT entries, and runs kube-proxy's once-a-minute check of draining servers.
  private maintain(svc: IpvsService, now: SimTime): void {
    const at = svc.timeWaitAt;
    while (svc.timeWaitHead < at.length && at[svc.timeWaitHead] <= now) {
      const d = svc.timeWaitDest[svc.timeWaitHead];
      if (d.inactConns > 0) d.inactConns--;
      svc.timeWaitHead++;
    }
    if (svc.timeWaitHead > 1024 && svc.timeWaitHead * 2 > at.length) {
      at.splice(0, svc.timeWaitHead);
      svc.timeWaitDest.splice(0, svc.timeWaitHead);
      svc.timeWaitHead = 0;
    }
    if (svc.draining.size > 0 && now >= svc.nextDrainCheck) {
      svc.nextDrainCheck = now + IPVS_RS_CHECK_DELETE_INTERVAL_MS;
      for (const address of [...svc.draining]) {
        const d = svc.vs.getDestination(address);
        if (d === undefined || d.activeConns + d.inactConns === 0) {
          if (d !== undefined) {
            svc.vs.deleteDestination(address);
            svc.byAddress.delete(address);
          }
          svc.draining.delete(address);
        }
      }
    }
  }
}

/**
 * Whether kube-proxy drains a removed real server of this virtual server (`IP:port/PROTOCOL`)
 * at weight 0 before deleting it: only for TCP; UDP and SCTP real servers are deleted at
 * once (pkg/proxy/ipvs/util/ipvs.go IsRsGracefulTerminationNeeded).
 */
function rsGracefulTerminationNeeded(address: string): boolean {
  const protocol = address.slice(address.lastIndexOf("/") + 1);
  return protocol !== "UDP" && protocol !== "SCTP";
}
