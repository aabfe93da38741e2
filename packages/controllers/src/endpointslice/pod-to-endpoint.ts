/**
 * From a Pod to an EndpointSlice endpoint: which pods are published, with which
 * conditions, addresses and ports.
 *
 * Mirrors `staging/src/k8s.io/endpointslice/utils.go` (podToEndpoint, getEndpointPorts,
 * getEndpointAddresses, FindPort) and `staging/src/k8s.io/endpointslice/util/controller_utils.go`
 * (ShouldPodBeInEndpoints, ShouldSetHostname, IsPodReady).
 *
 * @packageDocumentation
 */

import type { Endpoint, EndpointPort, Node, Pod, Protocol, Service, ServicePort } from "@kube-netsim/model";
import { LABEL_ZONE } from "@kube-netsim/model";

/** The namespace an object without `metadata.namespace` lives in (the store defaults it). */
const DEFAULT_NAMESPACE = "default";

/** The protocol the API server defaults a port's `protocol` to. */
const DEFAULT_PROTOCOL: Protocol = "TCP";

/**
 * Whether a Pod is ready: its `Ready` condition has status `"True"`.
 *
 * @remarks
 * `pkg/api/v1/pod` IsPodReady (copied into `staging/src/k8s.io/endpointslice/util/controller_utils.go`).
 * A pod without a `Ready` condition is not ready.
 *
 * @example
 * ```ts
 * isPodReady({ ...pod, status: { conditions: [{ type: "Ready", status: "True" }] } }); // true
 * ```
 */
export function isPodReady(pod: Pod): boolean {
  const conditions = pod.status?.conditions;
  if (conditions === undefined) return false;
  for (const condition of conditions) {
    if (condition.type === "Ready") return condition.status === "True";
  }
  return false;
}

/**
 * Whether a Pod should be published in an EndpointSlice (or legacy Endpoints) at all.
 *
 * @remarks
 * `staging/src/k8s.io/endpointslice/util/controller_utils.go` ShouldPodBeInEndpoints:
 * - terminal pods (phase `Succeeded` or `Failed`) never are;
 * - pods without an IP (`status.podIP` and `status.podIPs` both empty) never are;
 * - terminating pods (`metadata.deletionTimestamp` set) are only when `includeTerminating`
 *   (the EndpointSlice controller passes `true`; the legacy Endpoints controller passes
 *   `publishNotReadyAddresses`).
 *
 * @param pod - the pod, already selected by the Service selector.
 * @param includeTerminating - keep pods that are being deleted.
 *
 * @example
 * ```ts
 * // pod: Running, status.podIP "10.244.0.1"
 * shouldPodBeInEndpoints(pod, true);                                                        // true
 * shouldPodBeInEndpoints({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: 5 } }, false); // false: terminating
 * shouldPodBeInEndpoints({ ...pod, status: { phase: "Pending" } }, true);                   // false: no IP yet
 * ```
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  const hasIP = (pod.status?.podIP ?? "") !== "" || (pod.status?.podIPs?.length ?? 0) > 0;
  if (!hasIP) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp !== undefined) return false;
  return true;
}

/**
 * Whether the endpoint of `pod` gets a `hostname` for `service`: the pod sets
 * `spec.hostname` and its `spec.subdomain` names the Service, in the same namespace.
 *
 * @remarks
 * `staging/src/k8s.io/endpointslice/util/controller_utils.go` ShouldSetHostname. This is
 * what makes `<hostname>.<subdomain>.<ns>.svc` resolvable for headless Services.
 *
 * @example
 * ```ts
 * // service: headless Service "web" in "default"; pod in "default" with spec.hostname "web-0", spec.subdomain "web"
 * shouldSetHostname(pod, service); // true: web-0.web.default.svc.cluster.local resolves to the pod
 * ```
 */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return (
    (pod.spec.hostname ?? "") !== "" &&
    pod.spec.subdomain === service.metadata.name &&
    (pod.metadata.namespace ?? DEFAULT_NAMESPACE) === (service.metadata.namespace ?? DEFAULT_NAMESPACE)
  );
}

/**
 * Resolves a Service port's `targetPort` against a Pod (`FindPort`).
 *
 * @remarks
 * `pkg/api/v1/pod` FindPort (also `staging/src/k8s.io/endpointslice/utils.go` FindPort):
 * - a numeric `targetPort` is used as it is (an absent `targetPort` defaults to `port`,
 *   as the API server defaults it);
 * - a named `targetPort` is looked up in every container's `ports[]`: the first port with
 *   the same `name` AND the same `protocol` (both default to `TCP`) wins;
 * - otherwise the port cannot be found and `undefined` is returned.
 *
 * Restartable init (sidecar) containers are also searched upstream; kube-netsim does not
 * model init containers.
 *
 * @returns the container port number, or `undefined` if a named port is not exposed.
 *
 * @example
 * ```ts
 * // a pod whose container has ports: [{ name: "http", containerPort: 8080 }]
 * findPort(pod, { port: 80, targetPort: "http" }); // 8080
 * findPort(pod, { port: 80, targetPort: "grpc" }); // undefined: the pod gets no endpoint for this port
 * findPort(pod, { port: 80 });                     // 80: targetPort defaults to port
 * ```
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  const protocol = servicePort.protocol ?? DEFAULT_PROTOCOL;
  for (const container of pod.spec.containers) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? DEFAULT_PROTOCOL) === protocol) return port.containerPort;
    }
  }
  return undefined;
}

/**
 * The `ports[]` an EndpointSlice holding `pod`'s endpoint must have for `service`.
 *
 * @remarks
 * `staging/src/k8s.io/endpointslice/utils.go` getEndpointPorts: one entry per Service port,
 * in `spec.ports` order, with the Service port's `name` (`""` when unnamed, as upstream
 * writes a pointer to the empty string) and `protocol` (default `TCP`) and the port found by
 * {@link findPort}. A Service port whose named `targetPort` the pod does not expose is
 * OMITTED for that pod, so pods with different resolved ports end up in different slices.
 * A headless Service without ports (and any Service without ports) yields `[]`.
 *
 * @example
 * ```ts
 * // Service port {name:"web", port:80, targetPort:"http"}, container port {name:"http", containerPort:8080}
 * endpointPortsForPod(service, pod); // [{ name: "web", protocol: "TCP", port: 8080 }]
 * ```
 */
export function endpointPortsForPod(service: Service, pod: Pod): readonly EndpointPort[] {
  const result: EndpointPort[] = [];
  for (const servicePort of service.spec.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    result.push({ name: servicePort.name ?? "", protocol: servicePort.protocol ?? DEFAULT_PROTOCOL, port });
  }
  return result;
}

/**
 * The pod's IPv4 addresses: `status.podIPs` (or `[status.podIP]` when `podIPs` is empty),
 * keeping only IPv4 ones. `staging/src/k8s.io/endpointslice/utils.go` getEndpointAddresses
 * for address type IPv4 (dual-stack is not modelled yet).
 */
function podIPv4Addresses(pod: Pod): string[] {
  const status = pod.status;
  const podIPs = status?.podIPs;
  let ips: readonly string[];
  if (podIPs !== undefined && podIPs.length > 0) ips = podIPs.map((p) => p.ip);
  else if (status?.podIP !== undefined && status.podIP !== "") ips = [status.podIP];
  else ips = [];
  return ips.filter((ip) => !ip.includes(":"));
}

/**
 * Builds the EndpointSlice endpoint for one Pod of a Service (address type IPv4).
 *
 * @remarks
 * `staging/src/k8s.io/endpointslice/utils.go` podToEndpoint:
 * - `conditions` are always all set: `serving` = pod `Ready` condition is `"True"`;
 *   `terminating` = `metadata.deletionTimestamp` is set;
 *   `ready` = `spec.publishNotReadyAddresses || (serving && !terminating)`.
 * - `addresses` = the pod's IPv4 addresses (dual-stack is not modelled yet).
 * - `nodeName` = `spec.nodeName` (omitted when empty); `zone` = the node's
 *   `topology.kubernetes.io/zone` label (omitted when the node is unknown or unlabelled).
 * - `hostname` = `spec.hostname` iff {@link shouldSetHostname}.
 * - `targetRef` = `{kind: "Pod", name, namespace, uid}`.
 *
 * Fields that upstream leaves nil are left out of the object (no `undefined` values), so
 * endpoints compare and serialise identically.
 *
 * @param pod - a pod that passed {@link shouldPodBeInEndpoints}.
 * @param node - the pod's Node, or `undefined` if it is not known.
 * @param service - the Service the endpoint is for.
 * @example
 * ```ts
 * podToEndpoint(readyPodOnNodeA, nodeA, service);
 * // { addresses: ["10.244.1.5"], conditions: { ready: true, serving: true, terminating: false },
 * //   nodeName: "node-a", zone: "zone-a", targetRef: { kind: "Pod", name: "web-1", namespace: "default", uid: "…" } }
 * ```
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, service: Service): Endpoint {
  const serving = isPodReady(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  // "ready" is never true for a terminating pod unless publishNotReadyAddresses (utils.go podToEndpoint).
  const ready = service.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const nodeName = pod.spec.nodeName ?? "";
  const zone = node?.metadata.labels?.[LABEL_ZONE] ?? "";
  const targetRef: { kind: string; name: string; namespace?: string; uid?: string } = {
    kind: "Pod",
    name: pod.metadata.name,
  };
  if (pod.metadata.namespace !== undefined) targetRef.namespace = pod.metadata.namespace;
  if (pod.metadata.uid !== undefined) targetRef.uid = pod.metadata.uid;
  return {
    addresses: podIPv4Addresses(pod),
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, service) ? { hostname: pod.spec.hostname } : {}),
    ...(nodeName !== "" ? { nodeName } : {}),
    ...(zone !== "" ? { zone } : {}),
    targetRef,
  };
}
