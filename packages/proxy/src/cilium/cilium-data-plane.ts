import type { RandomStream, SimTime } from "@kube-netsim/core";
import type { DataPlane, ProxyMode } from "../data-plane.js";
import type { ServiceFrontend } from "../service-frontend.js";
import { MaglevTable, ciliumBackendHashString } from "./maglev.js";
import type { CiliumL4Protocol } from "./maglev.js";
import { ciliumRandomSlot } from "./random.js";

/**
 * Cilium's LB affinity map size limit (`--bpf-lb-map-max` default 65536, pkg/option/config.go).
 *
 * @example
 * ```ts
 * CILIUM_AFFINITY_MAP_MAX; // 65536: a ClientIP-affinity Service remembers at most this many clients, the oldest entry goes first
 * ```
 */
export const CILIUM_AFFINITY_MAP_MAX = 65536;

/**
 * Cilium's `--bpf-lb-algorithm` (Helm `loadBalancer.algorithm`): `random` (Cilium's
 * default) or `maglev` (consistent hashing for North-South traffic).
 *
 * @example
 * ```ts
 * const algorithm: CiliumLbAlgorithm = "maglev"; // Helm loadBalancer.algorithm=maglev
 * new Simulation({ seed: 1, kubeProxy: { mode: "cilium", cilium: { algorithm } } });
 * ```
 */
export type CiliumLbAlgorithm = "random" | "maglev";

/**
 * The values {@link CiliumLbAlgorithm} takes, as Cilium lists them (pkg/option/config.go).
 *
 * @example
 * ```ts
 * CILIUM_LB_ALGORITHMS; // ["random", "maglev"]
 * CILIUM_LB_ALGORITHMS.includes(flag as CiliumLbAlgorithm); // validate a --bpf-lb-algorithm value
 * ```
 */
export const CILIUM_LB_ALGORITHMS: readonly CiliumLbAlgorithm[] = Object.freeze(["random", "maglev"] as CiliumLbAlgorithm[]);

/**
 * Options of {@link CiliumDataPlane}: the Cilium agent settings it models.
 *
 * @example
 * ```ts
 * const options: CiliumDataPlaneOptions = { algorithm: "maglev" };
 * const plane = new CiliumDataPlane(options);
 * plane.mode;      // "cilium"
 * plane.algorithm; // "maglev"
 * ```
 */
export interface CiliumDataPlaneOptions {
  /** `--bpf-lb-algorithm`; default `random`. */
  readonly algorithm?: CiliumLbAlgorithm;
}

/** First and last port of Linux's default `net.ipv4.ip_local_port_range` (32768-60999), the client's ephemeral source port. */
const EPHEMERAL_PORT_FIRST = 32768;
const EPHEMERAL_PORT_COUNT = 60999 - 32768 + 1;

const IP_PROTOCOL_NUMBER: Readonly<Record<CiliumL4Protocol, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

interface CiliumService {
  readonly count: number;
  /** Endpoint keys in slot order, to carry affinity entries across syncs. */
  readonly keys: readonly string[];
  /** ClientIP affinity: client address -> [endpoint index, last used], or null without affinity. */
  readonly affinity: Map<number, { index: number; lastUsed: SimTime }> | null;
  /** Maglev table of an external frontend under `maglev` (backend ID = slot index + 1), or null. */
  readonly maglev: MaglevTable | null;
  /** The backend set the table was built from (keys joined), to rebuild only when it changes. */
  readonly maglevSet: string;
  /** Frontend port and IP protocol number, the tuple's `dport` and `nexthdr`. */
  readonly dport: number;
  readonly nexthdr: number;
}

/**
 * Cilium's kube-proxy replacement for ClusterIP traffic from pods: socket-LB picks the
 * backend at `connect()` (bpf/bpf_sock.c `sock_select_slot`) as `(random % count) + 1`
 * over the active backends (bpf/lib/lb.h `lb4_select_backend_id_random`), and the
 * socket keeps it for its lifetime, so there is no per-packet DNAT and no conntrack entry.
 *
 * @remarks
 * - Backends: the endpoints kube-proxy's CategorizeEndpoints gives for Cluster traffic
 *   (ready ones, or serving-terminating ones only when none is ready), which is also how
 *   Cilium fills the service's slots (pkg/loadbalancer/reconciler/bpf_reconciler.go:
 *   active first, terminating only when nothing is active).
 * - `algorithm: "random"` (default, Cilium's `--bpf-lb-algorithm` default): every frontend
 *   uses the random slot.
 * - `algorithm: "maglev"`: `external` frontends (NodePort, load-balancer IP, externalIP)
 *   get a {@link MaglevTable} built from their backends, named as Cilium names them
 *   (`[ip:port/PROTO,State:active]`, pkg/loadbalancer `Backend` hash string) with backend
 *   ID = slot + 1; the table is rebuilt only when the backend set changes. A new
 *   connection hashes its tuple (client IP, an ephemeral source port 32768-60999 drawn from
 *   the request's random stream, the frontend port, the protocol) with `hash_from_tuple_v4`
 *   and takes the table entry (bpf/lib/lb.h `lb4_select_backend_id_maglev`). A ClientIP
 *   affinity Service hashes with source port 0, as the datapath does. ClusterIP and
 *   `local-origin` traffic keeps the random slot: socket-LB (bpf/bpf_sock.c) always selects
 *   randomly, and Cilium builds Maglev tables only for North-South frontends
 *   (pkg/loadbalancer/reconciler/bpf_reconciler.go `useMaglev`: not for ClusterIP unless
 *   `bpf-lb-external-clusterip`).
 * - ClientIP affinity: an entry per client address pins it to its backend while
 *   `now - lastUsed <= timeout` and is refreshed on use (bpf/lib/lb.h affinity map).
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1, kubeProxy: { mode: "cilium", cilium: { algorithm: "maglev" } } });
 * sim.apply([deployment, service]);
 * sim.settle();
 * sim.kubeProxy("node-1").ruleset();
 * // ID   Frontend               Service Type   Backend
 * // 1    10.98.120.98:80/TCP    ClusterIP      1 => 10.244.0.2:8080/TCP (active)
 * //                                           2 => ...
 * ```
 */
export class CiliumDataPlane implements DataPlane {
  /** @inheritDoc */
  readonly mode: ProxyMode = "cilium";
  /** `--bpf-lb-algorithm`. */
  readonly algorithm: CiliumLbAlgorithm;

  /** @throws RangeError naming `cilium.algorithm` when it is not `random` or `maglev`. */
  constructor(options: CiliumDataPlaneOptions = {}) {
    const algorithm = options.algorithm ?? "random";
    if (!CILIUM_LB_ALGORITHMS.includes(algorithm)) {
      throw new RangeError(`cilium.algorithm: Unsupported value: "${String(algorithm)}": supported values: "maglev", "random"`);
    }
    this.algorithm = algorithm;
  }

  /** @inheritDoc */
  program(frontend: ServiceFrontend): void {
    const previous = frontend.compiled as CiliumService | undefined;
    let affinity: CiliumService["affinity"] = null;
    if (frontend.affinityTimeout > 0) {
      // Entries for backends that are gone are dropped; the others keep their backend by address.
      const keys = frontend.endpoints.map((e) => e.key);
      affinity = new Map();
      if (previous?.affinity) {
        for (const [ip, e] of previous.affinity) {
          const i = keys.indexOf(previous.keys[e.index]);
          if (i >= 0) affinity.set(ip, { index: i, lastUsed: e.lastUsed });
        }
      }
    }
    const keys = frontend.endpoints.map((e) => e.key);
    // address is `ip:port/PROTO` (`[ip]:port/PROTO` for IPv6).
    const slash = frontend.address.lastIndexOf("/");
    const named = frontend.address.slice(slash + 1);
    const protocol: CiliumL4Protocol = named === "UDP" || named === "SCTP" ? named : "TCP";
    const dport = Number(frontend.address.slice(frontend.address.lastIndexOf(":", slash) + 1, slash));
    const nexthdr = IP_PROTOCOL_NUMBER[protocol];
    let maglev: MaglevTable | null = null;
    let maglevSet = "";
    if (this.algorithm === "maglev" && frontend.kind === "external") {
      maglevSet = keys.join(",");
      if (previous?.maglev && previous.maglevSet === maglevSet) {
        maglev = previous.maglev; // same backends, same IDs: Cilium keeps the table
      } else {
        maglev = previous?.maglev ?? new MaglevTable();
        maglev.build(frontend.endpoints.map((e, i) => ({ name: ciliumBackendHashString(e.ip, e.port, protocol), id: i + 1 })));
      }
    }
    const service: CiliumService = { count: frontend.endpoints.length, affinity, keys, maglev, maglevSet, dport, nexthdr };
    frontend.compiled = service;
  }

  /** @inheritDoc */
  unprogram(frontend: ServiceFrontend): void {
    frontend.compiled = undefined;
  }

  /** @inheritDoc */
  select(frontend: ServiceFrontend, clientIP: number, random: RandomStream, now: SimTime): number {
    const svc = frontend.compiled as CiliumService;
    const affinity = svc.affinity;
    if (affinity !== null) {
      const hit = affinity.get(clientIP);
      if (hit !== undefined && now - hit.lastUsed <= frontend.affinityTimeout) {
        hit.lastUsed = now;
        return hit.index;
      }
    }
    let index: number;
    if (svc.maglev !== null) {
      // bpf/lib/lb.h lb4_select_backend_id_maglev: table[hash_from_tuple_v4(tuple) % M];
      // with ClientIP affinity the tuple's source port is 0.
      const sport = affinity !== null ? 0 : EPHEMERAL_PORT_FIRST + (random.nextUint32() % EPHEMERAL_PORT_COUNT);
      index = svc.maglev.lookup(clientIP, sport, svc.dport, svc.nexthdr) - 1;
    } else {
      index = ciliumRandomSlot(random.nextUint32(), svc.count) - 1;
    }
    if (affinity !== null) {
      affinity.delete(clientIP);
      if (affinity.size >= CILIUM_AFFINITY_MAP_MAX) {
        for (const oldest of affinity.keys()) {
          affinity.delete(oldest); // LRU map: the least recently inserted entry goes
          break;
        }
      }
      affinity.set(clientIP, { index, lastUsed: now });
    }
    return index;
  }
}
