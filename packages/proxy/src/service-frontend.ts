import type { ProxyEndpoint } from "./endpoint.js";
import { NO_DESTINATIONS } from "./destinations.js";

/**
 * What a node's rules do with a new connection to a Service address.
 *
 * @example
 * ```ts
 * const ip = sim.store.get("Service", "default", "api")?.spec.clusterIP;
 * const v: Verdict = sim.kubeProxy("node-1").frontend(`${ip}:80/TCP`).verdict; // "forward" once synced, "reject" without endpoints
 * ```
 */
export type Verdict = "forward" | "reject" | "drop" | "no-rule";

/**
 * Result codes of {@link KubeProxy.connect} when no endpoint was chosen. A chosen
 * endpoint is returned as its destination id (>= 0).
 *
 * @example
 * ```ts
 * // kp = sim.kubeProxy("node-1"); a Service whose selector matches no pod: KUBE-SERVICES rejects (connection refused)
 * kp.connect(kp.frontend(`${emptyIP}:80/TCP`), clientIP) === ROUTE_REJECTED; // true (-1)
 * ```
 */
export const ROUTE_REJECTED: number = -1;
/**
 * The connection is silently dropped (Local policy without local endpoints): the client times out.
 *
 * @example
 * ```ts
 * // externalTrafficPolicy: Local; kp = sim.kubeProxy("node-3"), a node (10.0.0.12) without an api pod
 * kp.connect(kp.frontend(`10.0.0.12:${nodePort}/TCP`), clientIP) === ROUTE_DROPPED; // true (-2)
 * ```
 */
export const ROUTE_DROPPED: number = -2;
/**
 * No rule matches the address (unknown or not yet synced ClusterIP): packets leave the node and are lost.
 *
 * @example
 * ```ts
 * kp.connect(kp.frontend("10.96.99.99:80/TCP"), clientIP) === ROUTE_NO_RULE; // true (-3): no Service has that ClusterIP
 * ```
 */
export const ROUTE_NO_RULE: number = -3;

/**
 * One Service address (`clusterIP:port/protocol`) as one node's kube-proxy has
 * programmed it: the compiled form of the KUBE-SERVICES rule and its KUBE-SVC chain.
 *
 * @remarks
 * The object is created once per (node, address) and updated in place at every sync
 * that touches its Service, so a client can hold it and pay no lookup per connection.
 * Fields are written only by the node's kube-proxy and its data plane.
 *
 * @example
 * ```ts
 * const f = sim.kubeProxy("node-3").frontend(`${ip}:80/TCP`); // ip: the ClusterIP of Service api
 * f.servicePortName;                 // "default/api:http/TCP"
 * f.verdict;                         // "forward"
 * f.endpoints.map((e) => e.key);     // ["10.244.0.2:8080", "10.244.1.2:8080"]
 * f.kind;                            // "cluster-ip"
 * sim.kubeProxy("node-3").connect(f, parseIPv4("10.244.2.9")); // a destination id, one of f.destinations
 * ```
 */
export class ServiceFrontend {
  /** `clusterIP:port/PROTOCOL`, e.g. `10.96.12.34:80/TCP`. */
  readonly address: string;
  /** The Service port this address belongs to (`ns/svc:port/PROTOCOL`), or "" when none. */
  servicePortName = "";
  /** What the rules do with new connections. */
  verdict: Verdict = "no-rule";
  /** Endpoints in rule order (sorted by `IP:port`), as programmed. */
  endpoints: readonly ProxyEndpoint[] = [];
  /** Destination ids of {@link ServiceFrontend.endpoints}, same order. */
  destinations: Int32Array = NO_DESTINATIONS;
  /** The Service's `spec.internalTrafficPolicy` as programmed (Local ClusterIP traffic uses KUBE-SVL / `local-` chains). */
  internalTrafficPolicy: "Cluster" | "Local" = "Cluster";
  /** ClientIP session affinity timeout in ms (`sessionAffinityConfig.clientIP.timeoutSeconds`); 0 when sessionAffinity is None. */
  affinityTimeout = 0;
  /**
   * What the address is: `cluster-ip` (the Service's ClusterIP), `external` (a NodePort on
   * this node's IP, a load-balancer ingress IP or an externalIP: KUBE-NODEPORTS /
   * KUBE-EXT), or `local-origin` (the same external address as traffic that starts on this
   * node reaches it: a pod or a host process, short-circuited to the Cluster endpoints).
   */
  kind: "cluster-ip" | "external" | "local-origin" = "cluster-ip";
  /** The Service's `spec.externalTrafficPolicy` as programmed (external addresses). */
  externalTrafficPolicy: "Cluster" | "Local" = "Cluster";
  /** For an `external` address: a NodePort on this node, a load-balancer ingress IP, or an externalIP. */
  externalKind: "node-port" | "load-balancer" | "external-ip" | undefined = undefined;
  /** The Service's `spec.healthCheckNodePort` as programmed (external addresses); 0 when none. */
  healthCheckNodePort = 0;
  /** Data-plane specific compiled state (for iptables: the probability chain). */
  compiled: unknown = undefined;
  /** Virtual time of the sync that last programmed this address. */
  programmedAt = -1;

  constructor(address: string) {
    this.address = address;
  }
}
