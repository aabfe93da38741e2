import type { RandomStream, SimTime } from "@kube-netsim/core";
import type { ServiceFrontend } from "./service-frontend.js";

/**
 * kube-proxy modes implemented so far.
 *
 * @example
 * ```ts
 * const mode: ProxyMode = "nftables";
 * new Simulation({ seed: 1, kubeProxy: { mode } });
 * sim.kubeProxy("node-1").dataPlane.mode; // "nftables"
 * ```
 */
export type ProxyMode = "iptables" | "nftables" | "ipvs" | "cilium";

/**
 * The seam between kube-proxy's shared logic (EndpointSlice cache, endpoint
 * selection, sync timing) and one data plane (iptables, nftables, IPVS, eBPF).
 *
 * @remarks
 * kube-proxy decides, per Service port and node, which endpoints are usable and
 * whether an empty set means REJECT or DROP ({@link categorizeEndpoints}); the data
 * plane decides how a NEW connection picks among them. `program` runs at sync time
 * (allocation allowed); `select` runs once per new connection and must not allocate.
 *
 * @example
 * ```ts
 * // every mode implements it; KubeProxy calls program() at sync time and select() per new connection
 * const plane: DataPlane = new IptablesDataPlane();
 * const kp = new KubeProxy(scheduler, store, { nodeName: "node-1", dataPlane: plane, addresses, random: random.stream("kube-proxy/node-1") });
 * plane.mode; // "iptables"
 * ```
 */
export interface DataPlane {
  /** The mode name, as `kube-proxy --proxy-mode` spells it. */
  readonly mode: ProxyMode;
  /** Compiles `frontend.endpoints` (non-empty, rule order) into `frontend.compiled`. */
  program(frontend: ServiceFrontend): void;
  /** The frontend's Service port no longer forwards (no endpoints, or gone): drop its state (affinity lists). */
  unprogram(frontend: ServiceFrontend): void;
  /**
   * Picks the endpoint index (into `frontend.endpoints`) for a new connection from
   * `clientIP` (an IPv4 address as an unsigned 32-bit integer) at time `now`.
   */
  select(frontend: ServiceFrontend, clientIP: number, random: RandomStream, now: SimTime): number;
  /**
   * Whether a Local traffic policy with no local endpoint uses the cluster endpoints
   * instead of dropping (IPVS does, spec 4.1). Default false.
   */
  readonly localFallsBackToCluster?: boolean;
  /**
   * A connection the data plane chose (by `select`) to `address` closed. Only data planes
   * that count connections (IPVS) implement it.
   */
  connectionClosed?(frontend: ServiceFrontend, address: string, now: SimTime): void;
}
