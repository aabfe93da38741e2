/**
 * kube-proxy: one per node, with its own lagging view of Services and EndpointSlices,
 * the endpoint selection shared by all modes (CategorizeEndpoints), a rate-limited
 * sync loop, and data planes behind one seam (iptables in this release).
 *
 * @packageDocumentation
 */
export { KubeProxy, DEFAULT_CLIENT_IP_AFFINITY_SECONDS } from "./kube-proxy.js";
export { SharedServiceView } from "./shared-service-view.js";
export type { SharedServiceViewOptions } from "./shared-service-view.js";
export type { KubeProxyOptions, KubeProxyStats } from "./kube-proxy.js";
export { ServiceFrontend, ROUTE_REJECTED, ROUTE_DROPPED, ROUTE_NO_RULE } from "./service-frontend.js";
export type { Verdict } from "./service-frontend.js";
export type { DataPlane, ProxyMode } from "./data-plane.js";
export { SyncRunner } from "./sync-runner.js";
export type { SyncRunnerKind, SyncRunnerOptions } from "./sync-runner.js";
export { IptablesDataPlane, XT_RECENT_IP_LIST_TOT } from "./iptables/iptables-data-plane.js";
export { sha256, base32StdEncode } from "./hash/sha256.js";
export {
  parseServiceAddress,
  upstreamServicePortName,
  portProtoHash,
  servicePortChainName,
  servicePortLocalChainName,
  serviceExternalChainName,
  serviceFirewallChainName,
  servicePortEndpointChainName,
  compareProgrammedServicePorts,
} from "./iptables/chain-names.js";
export type { ProgrammedServicePort, ServiceAddress } from "./iptables/chain-names.js";
export { formatIptablesSave } from "./iptables/iptables-save.js";
export type { IptablesSaveOptions, IptablesTextFormat } from "./iptables/iptables-save.js";
export { formatNftRuleset, hashAndTruncate, servicePortChainNameBase, servicePortEndpointChainNameBase } from "./nftables/nft-ruleset.js";
export type { NftRulesetOptions, NftTextFormat } from "./nftables/nft-ruleset.js";
export { NftablesDataPlane } from "./nftables/nftables-data-plane.js";
export { IpvsDataPlane, IPVS_TCP_TIME_WAIT_MS, IPVS_RS_CHECK_DELETE_INTERVAL_MS } from "./ipvs/ipvs-data-plane.js";
export { IpvsDestination, ipvsConnOverhead, ipvsAddressFold, ipvsDestinationKey, checkIpvsWeight } from "./ipvs/destination.js";
export { IpvsVirtualServer } from "./ipvs/virtual-server.js";
export type { IpvsVirtualServerOptions } from "./ipvs/virtual-server.js";
export { createIpvsScheduler, IPVS_SCHEDULER_NAMES } from "./ipvs/schedulers.js";
export type { IpvsScheduler, IpvsSchedulerName, IpvsSchedulerOptions, IpvsTableHash } from "./ipvs/schedulers.js";
export { ipvsShHashKey, ipvsDhHashKey, ipvsMhHashKey, IPVS_SH_TAB_BITS, IPVS_SH_TAB_SIZE, IPVS_MH_PRIMES, IPVS_MH_TAB_SIZE, IPVS_MH_HASH1, IPVS_MH_HASH2 } from "./ipvs/hashing-schedulers.js";
export { hash32, hsiphash, hsiphashU32, hsiphashKey, GOLDEN_RATIO_32 } from "./ipvs/hsiphash.js";
export type { HsiphashKey, KernelBitsPerLong } from "./ipvs/hsiphash.js";
export { CiliumDataPlane, CILIUM_AFFINITY_MAP_MAX, CILIUM_LB_ALGORITHMS } from "./cilium/cilium-data-plane.js";
export type { CiliumDataPlaneOptions, CiliumLbAlgorithm } from "./cilium/cilium-data-plane.js";
export { murmur3Hash128, utf8Encode } from "./cilium/murmur3.js";
export { JHASH_INITVAL, jhash, jhash1Word, jhash2Words, jhash3Words, jhashFinal, jhashNwords } from "./cilium/jhash.js";
export {
  CILIUM_DEFAULT_BACKEND_WEIGHT,
  MAGLEV_DEFAULT_HASH_SEED,
  MAGLEV_DEFAULT_TABLE_SIZE,
  MAGLEV_SUPPORTED_TABLE_SIZES,
  MaglevTable,
  ciliumBackendHashString,
  goStringCompare,
  hashFromTupleV4,
  maglevOffsetAndSkip,
} from "./cilium/maglev.js";
export type { CiliumL4Protocol, MaglevBackend, MaglevTableOptions } from "./cilium/maglev.js";
export { ciliumBackendState, ciliumRandomSlot, ciliumSelectBackendIdRandom, ciliumSelectableBackends, ciliumServiceSlots } from "./cilium/random.js";
export type { CiliumBackendState, CiliumEndpointConditions, CiliumServiceBackend, CiliumServiceSlots } from "./cilium/random.js";
export { RecentList, AffinityTables } from "./affinity.js";
export { computeProbability, kernelThreshold, iptablesSelectionProbabilities, IptablesSelector } from "./iptables/probability.js";
export { proxyEndpointConditions, joinHostPort, canonicalIP, makeProxyEndpoint, compareEndpointKeys } from "./endpoint.js";
export type { ProxyEndpoint, ProxyEndpointConditions, MakeProxyEndpointOptions } from "./endpoint.js";
export { LOCAL_ORIGIN_SUFFIX, nodeInternalIP, externalAccess, externalAddresses, externalAddressKinds } from "./external.js";
export { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints, topologyModeFromHints, categorizeEndpoints } from "./topology.js";
export type { ExternalAccess, ServicePortTrafficPolicy, TopologyMode, TopologyOptions, CategorizedEndpoints } from "./topology.js";
export { EndpointSliceCache, servicePortNameKey, parseServicePortNameKey } from "./endpointslice-cache.js";
export type { ServicePortName, EndpointsByPort, EndpointsChange, EndpointSliceCacheOptions } from "./endpointslice-cache.js";
