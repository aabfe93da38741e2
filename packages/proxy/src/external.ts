/**
 * Traffic from outside the cluster: the external addresses kube-proxy programs for a
 * Service port (NodePort on the node's IP, load-balancer ingress IPs, externalIPs) and
 * the endpoints each one forwards to under `externalTrafficPolicy`.
 *
 * Upstream: pkg/proxy/iptables/proxier.go (KUBE-NODEPORTS, KUBE-EXT-*, KUBE-SVL-*, the
 * short-circuit for traffic that starts on the node, KUBE-MARK-MASQ), the same rules in
 * pkg/proxy/nftables/proxier.go, pkg/proxy/ipvs/proxier.go syncEndpoint.
 *
 * @packageDocumentation
 */
import type { Interner } from "@kube-netsim/core";
import type { Node, Service, ServicePort } from "@kube-netsim/model";
import type { DataPlane } from "./data-plane.js";
import type { ProxyEndpoint } from "./endpoint.js";
import type { ServiceFrontend } from "./service-frontend.js";
import type { CategorizedEndpoints, ExternalAccess } from "./topology.js";
import { NO_DESTINATIONS, destinationIds } from "./destinations.js";

/**
 * Suffix of the address key of a {@link KubeProxy.localOriginFrontend} (never a real address).
 *
 * @example
 * ```ts
 * const kp = sim.kubeProxy("node-1");
 * kp.localOriginFrontend("10.0.0.10:30080/TCP").address; // "10.0.0.10:30080/TCP#local-origin"
 * kp.localOriginFrontend("10.0.0.10:30080/TCP").address.endsWith(LOCAL_ORIGIN_SUFFIX); // true
 * ```
 */
export const LOCAL_ORIGIN_SUFFIX = "#local-origin";

/** @internal What {@link programExternal} needs of a kube-proxy. */
export interface KubeProxyInternals {
  readonly dataPlane: () => DataPlane;
  readonly addresses: () => Interner;
  readonly frontend: (address: string) => ServiceFrontend;
}

/** @internal The parts of a programmed Service port that external programming reads. */
export interface ExternalServicePort {
  readonly spn: string;
  readonly externalTrafficPolicy: "Cluster" | "Local";
  readonly internalTrafficPolicy: "Cluster" | "Local";
  readonly affinityTimeout: number;
  readonly external: readonly string[];
  /** What each of `external` is, same order. */
  readonly externalKinds: readonly ("node-port" | "load-balancer" | "external-ip")[];
  readonly healthCheckNodePort: number;
}

/**
 * The node's `InternalIP` (`status.addresses[type=InternalIP]`), or "" when it has none.
 *
 * @example
 * ```ts
 * nodeInternalIP(node); // "10.0.0.10"
 * ```
 */
export function nodeInternalIP(node: Node | undefined): string {
  return node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "";
}

/**
 * The {@link ExternalAccess} of one port of a Service (what makes it externally accessible).
 *
 * @example
 * ```ts
 * const svc: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" },
 *   spec: { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }], externalIPs: ["198.51.100.7"] } };
 * externalAccess(svc, svc.spec.ports![0]); // { nodePort: 30080, loadBalancerVIPs: [], externalIPs: ["198.51.100.7"] }
 * ```
 */
export function externalAccess(svc: Service, port: ServicePort): ExternalAccess {
  const lbIPs: string[] = [];
  if (svc.spec.type === "LoadBalancer") for (const i of svc.status?.loadBalancer?.ingress ?? []) if (i.ip) lbIPs.push(i.ip);
  return {
    nodePort: svc.spec.type === "NodePort" || svc.spec.type === "LoadBalancer" ? (port.nodePort ?? 0) : 0,
    loadBalancerVIPs: lbIPs,
    externalIPs: svc.spec.externalIPs ?? [],
  };
}

/**
 * The external addresses (`IP:port/PROTOCOL`) kube-proxy on a node with IP `nodeIP`
 * programs for a Service port: `<nodeIP>:<nodePort>` (KUBE-NODEPORTS), each
 * load-balancer ingress IP and each externalIP on the Service `port` (KUBE-SERVICES
 * rules jumping to KUBE-EXT), sorted and without duplicates.
 *
 * @example
 * ```ts
 * externalAddresses(svc, svc.spec.ports[0], "10.0.0.10");
 * // ["10.0.0.10:30080/TCP", "192.0.2.10:80/TCP"]
 * ```
 */
export function externalAddresses(svc: Service, port: ServicePort, nodeIP: string): string[] {
  return externalAddressKinds(svc, port, nodeIP).map(([a]) => a);
}

/**
 * {@link externalAddresses} with what each address is: `node-port`, `load-balancer` or
 * `external-ip` (the first kind wins when one address is two).
 *
 * @example
 * ```ts
 * externalAddressKinds(svc, svc.spec.ports![0], "10.0.0.10"); // svc: the NodePort Service of externalAccess's example
 * // [["10.0.0.10:30080/TCP", "node-port"], ["198.51.100.7:80/TCP", "external-ip"]]
 * ```
 */
export function externalAddressKinds(svc: Service, port: ServicePort, nodeIP: string): [string, "node-port" | "load-balancer" | "external-ip"][] {
  const access = externalAccess(svc, port);
  const protocol = port.protocol ?? "TCP";
  const out = new Map<string, "node-port" | "load-balancer" | "external-ip">();
  const add = (a: string, k: "node-port" | "load-balancer" | "external-ip"): void => {
    if (!out.has(a)) out.set(a, k);
  };
  if ((access.nodePort ?? 0) > 0 && nodeIP !== "") add(`${nodeIP}:${access.nodePort}/${protocol}`, "node-port");
  for (const ip of access.loadBalancerVIPs ?? []) add(`${ip}:${port.port}/${protocol}`, "load-balancer");
  for (const ip of access.externalIPs ?? []) add(`${ip}:${port.port}/${protocol}`, "external-ip");
  return [...out].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * @internal Programs the external addresses of one Service port on one node.
 *
 * - Traffic from outside (the `external` frontend): `externalTrafficPolicy: Cluster`
 *   uses the Cluster endpoints (KUBE-EXT masquerades, then KUBE-SVC); `Local` uses the
 *   local endpoints only (KUBE-SVL, no masquerade: the client IP is preserved). No
 *   endpoint anywhere: REJECT. Endpoints elsewhere but none usable here (Local): DROP, the
 *   client times out. IPVS programs the Cluster endpoints as real servers then
 *   (kubernetes#97081) but the reply to an outside client carries the pod's address and
 *   is discarded, so the client times out just the same.
 * - Traffic that starts on this node (the `local-origin` frontend): short-circuited to
 *   the Cluster endpoints (KUBE-EXT: "pod-originated" and "src-type LOCAL" rules jump to
 *   KUBE-SVC). IPVS has one virtual server per address, so there it is the local
 *   endpoints when there are any, else the Cluster ones.
 */
export function programExternal(kp: KubeProxyInternals, port: ExternalServicePort, c: CategorizedEndpoints, at: number): void {
  const plane = kp.dataPlane();
  const local = c.localEndpoints ?? [];
  const cluster = c.clusterEndpoints ?? [];
  port.external.forEach((address, i) => {
    const ext = kp.frontend(address);
    ext.kind = "external";
    ext.externalKind = port.externalKinds[i];
    setUp(ext, port, at);
    program(kp, ext, port.externalTrafficPolicy === "Local" ? local : cluster, c.hasAnyEndpoints);
    const lo = kp.frontend(address + LOCAL_ORIGIN_SUFFIX);
    lo.kind = "local-origin";
    setUp(lo, port, at);
    const ipvsLocal = plane.localFallsBackToCluster === true && port.externalTrafficPolicy === "Local" && local.length > 0;
    program(kp, lo, ipvsLocal ? local : cluster, c.hasAnyEndpoints);
  });
}

function setUp(f: ServiceFrontend, port: ExternalServicePort, at: number): void {
  f.servicePortName = port.spn;
  f.programmedAt = at;
  f.affinityTimeout = port.affinityTimeout;
  f.internalTrafficPolicy = port.internalTrafficPolicy;
  f.externalTrafficPolicy = port.externalTrafficPolicy;
  f.healthCheckNodePort = port.healthCheckNodePort;
}

function program(kp: KubeProxyInternals, f: ServiceFrontend, usable: readonly ProxyEndpoint[], hasAnyEndpoints: boolean): void {
  const plane = kp.dataPlane();
  if (usable.length === 0) {
    // spec 1.4: no endpoint anywhere => REJECT; endpoints elsewhere, none here => DROP.
    f.verdict = hasAnyEndpoints ? "drop" : "reject";
    plane.unprogram(f);
    f.endpoints = [];
    f.destinations = NO_DESTINATIONS;
    f.compiled = undefined;
    return;
  }
  f.verdict = "forward";
  f.endpoints = usable;
  f.destinations = destinationIds(usable, kp.addresses());
  plane.program(f);
}
