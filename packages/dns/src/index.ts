/**
 * Cluster DNS for kube-netsim: CoreDNS's `kubernetes`, `cache` and `loadbalance`
 * plugins as kubeadm's Corefile configures them, a pod's resolv.conf as the kubelet
 * writes it, the glibc and musl stub resolvers' search-list walk, and client-side
 * caching. Pure: time is a parameter, randomness comes from seeded streams.
 *
 * @packageDocumentation
 */
export type { QueryType, RecordType, Rcode, DnsRecord, DnsResponse, ResponseKind } from "./message.js";
export { responseKind, formatRecord, fqdn, isSubdomain, ipFamily, dedupRecords, addressFromReverse, reverseName } from "./message.js";
export type { PodsMode, KubernetesPluginOptions, ClusterSnapshot, Lookup } from "./kubernetes.js";
export { KubernetesPlugin, KUBEADM_KUBERNETES_OPTIONS } from "./kubernetes.js";
export type { CacheOptions, CacheStats } from "./cache.js";
export { DnsCache, KUBEADM_CACHE_OPTIONS, cacheShard } from "./cache.js";
export { shuffleRecords, loadBalance } from "./loadbalance.js";
export type { Upstream, CoreDnsOptions, DnsExchange, CoreDnsStats } from "./server.js";
export { CoreDnsServer, staticUpstream } from "./server.js";
export type { ResolvConf, DNSPolicy, PodResolvConfOptions } from "./resolv-conf.js";
export { podResolvConf, formatResolvConf, parseResolvConf, MAX_DNS_SEARCH_PATHS, MAX_DNS_SEARCH_LIST_CHARS } from "./resolv-conf.js";
export type { ResolverFlavor, Exchange, Transport, ResolveOptions, SentQuery, ResolveOutcome, ResolveResult } from "./resolver.js";
export { candidateNames, resolveName } from "./resolver.js";
export type { ClientCachePolicy, ClientCacheStats } from "./client-cache.js";
export { ClientDnsCache, JVM_DEFAULT_CACHE } from "./client-cache.js";
