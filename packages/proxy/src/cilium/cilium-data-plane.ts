import type { RandomStream, SimTime } from "@kube-netsim/core";
import type { DataPlane, ProxyMode } from "../data-plane.js";
import type { ServiceFrontend } from "../service-frontend.js";
import { ciliumRandomSlot } from "./random.js";

/** Cilium's LB affinity map size limit (`--bpf-lb-map-max` default 65536, pkg/option/config.go). */
export const CILIUM_AFFINITY_MAP_MAX = 65536;

interface CiliumService {
  readonly count: number;
  /** Endpoint keys in slot order, to carry affinity entries across syncs. */
  readonly keys: readonly string[];
  /** ClientIP affinity: client address -> [endpoint index, last used], or null without affinity. */
  readonly affinity: Map<number, { index: number; lastUsed: SimTime }> | null;
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
 * - Maglev (`--bpf-lb-algorithm=maglev`) is not used on this path: socket-LB always uses
 *   the random slot, and Cilium builds no Maglev table for ClusterIP without
 *   `bpf-lb-external-clusterip` (pkg/loadbalancer `useMaglev`). Traffic from outside
 *   (NodePort, load-balancer IP, externalIP) uses the same random slot, Cilium's default
 *   `--bpf-lb-algorithm`; `MaglevTable` holds the table Cilium would use with `maglev`.
 * - ClientIP affinity: an entry per client address pins it to its backend while
 *   `now - lastUsed <= timeout` and is refreshed on use (bpf/lib/lb.h affinity map).
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1, kubeProxy: { mode: "cilium" } });
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
    const service: CiliumService = { count: frontend.endpoints.length, affinity, keys: frontend.endpoints.map((e) => e.key) };
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
    const index = ciliumRandomSlot(random.nextUint32(), svc.count) - 1;
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
