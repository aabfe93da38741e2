/**
 * kube-proxy: one per node, with its own lagging view of Services and EndpointSlices,
 * the endpoint selection shared by all modes (CategorizeEndpoints), a rate-limited
 * sync loop, and data planes behind one seam (iptables in this release).
 *
 * @packageDocumentation
 */
export { KubeProxy } from "./kube-proxy.js";
export type { KubeProxyOptions, KubeProxyStats } from "./kube-proxy.js";
export { ServiceFrontend, ROUTE_REJECTED, ROUTE_DROPPED, ROUTE_NO_RULE } from "./service-frontend.js";
export type { Verdict } from "./service-frontend.js";
export type { DataPlane, ProxyMode } from "./data-plane.js";
export { SyncRunner } from "./sync-runner.js";
export type { SyncRunnerKind, SyncRunnerOptions } from "./sync-runner.js";
export { IptablesDataPlane } from "./iptables/iptables-data-plane.js";
export { computeProbability, kernelThreshold, iptablesSelectionProbabilities, IptablesSelector } from "./iptables/probability.js";
export { proxyEndpointConditions, joinHostPort, canonicalIP, makeProxyEndpoint, compareEndpointKeys } from "./endpoint.js";
export type { ProxyEndpoint, ProxyEndpointConditions, MakeProxyEndpointOptions } from "./endpoint.js";
export { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints, topologyModeFromHints, categorizeEndpoints } from "./topology.js";
export type { ExternalAccess, ServicePortTrafficPolicy, TopologyMode, TopologyOptions, CategorizedEndpoints } from "./topology.js";
export { EndpointSliceCache, servicePortNameKey, parseServicePortNameKey } from "./endpointslice-cache.js";
export type { ServicePortName, EndpointsByPort, EndpointsChange, EndpointSliceCacheOptions } from "./endpointslice-cache.js";
