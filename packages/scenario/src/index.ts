/**
 * The {@link Simulation} facade: apply Kubernetes objects, attach application models,
 * add clients, run on a virtual clock and read results.
 *
 * @packageDocumentation
 */
export { Simulation } from "./simulation.js";
export type {
  AddClientOptions,
  ControlPlaneTimings,
  EndpointResult,
  KubeProxySettings,
  NodeLifecycleSettings,
  NodeSpec,
  SimulationOptions,
  SimulationResults,
} from "./simulation.js";
export { compareModes, formatComparison, parseMode } from "./compare.js";
export type { CompareModesOptions, ModeComparisonRow } from "./compare.js";
export { Timeline } from "./timeline.js";
export type { TimelineBucket, TimelineLatency } from "./timeline.js";
export type { DnsSettings, ClientDnsOptions, ResolveFromPodOptions, DnsResults } from "./cluster-dns.js";
export { CloudLoadBalancer, ExternalRoute, LoadBalancerController, DEFAULT_HEALTH_CHECK } from "./external-traffic.js";
export type { EntryNodeResult, ExternalClientResult, HealthCheckSettings, LoadBalancerOptions, RouteEntry } from "./external-traffic.js";
export type { AddExternalClientOptions, CrossZoneOptions, CrossZoneResult } from "./external-clients.js";
export { INGRESS_NAMESPACE, INGRESS_CONTROLLER_NAME } from "./ingress-controller.js";
export type { IngressControllerOptions, IngressResults } from "./ingress-controller.js";
