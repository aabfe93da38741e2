import type { ProxyEndpoint } from "./endpoint.js";
import { NO_DESTINATIONS } from "./destinations.js";

/** What a node's rules do with a new connection to a Service address. */
export type Verdict = "forward" | "reject" | "drop" | "no-rule";

/**
 * Result codes of {@link KubeProxy.connect} when no endpoint was chosen. A chosen
 * endpoint is returned as its destination id (>= 0).
 */
export const ROUTE_REJECTED: number = -1;
/** The connection is silently dropped (Local policy without local endpoints): the client times out. */
export const ROUTE_DROPPED: number = -2;
/** No rule matches the address (unknown or not yet synced ClusterIP): packets leave the node and are lost. */
export const ROUTE_NO_RULE: number = -3;

/**
 * One Service address (`clusterIP:port/protocol`) as one node's kube-proxy has
 * programmed it: the compiled form of the KUBE-SERVICES rule and its KUBE-SVC chain.
 *
 * @remarks
 * The object is created once per (node, address) and updated in place at every sync
 * that touches its Service, so a client can hold it and pay no lookup per connection.
 * Fields are written only by the node's kube-proxy and its data plane.
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
