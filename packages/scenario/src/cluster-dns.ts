import { constant } from "@kube-netsim/core";
import type { Distribution, Interner, RandomSource, RandomStream, SimTime } from "@kube-netsim/core";
import { ClientDnsCache, CoreDnsServer, podResolvConf, resolveName, staticUpstream } from "@kube-netsim/dns";
import type { ClientCachePolicy, CoreDnsOptions, DnsResponse, ResolveOutcome, ResolveResult, ResolverFlavor, ResolvConf, Transport } from "@kube-netsim/dns";
import { fieldInvalid, formatFieldError, parseIPv4 } from "@kube-netsim/model";
import type { Deployment, EndpointSlice, ObjectStore, Pod, Service } from "@kube-netsim/model";
import type { KubeProxy } from "@kube-netsim/proxy";
import { ROUTE_REJECTED } from "@kube-netsim/proxy";
import type { RequestResolver } from "@kube-netsim/traffic";

/**
 * Cluster DNS of a {@link Simulation}: CoreDNS as kubeadm installs it.
 *
 * @example
 * ```ts
 * const sim = new Simulation({
 *   seed: 1,
 *   dns: { replicas: 3, nodeSearchDomains: ["corp.example.com"], upstream: { "www.example.org": ["203.0.113.10"] } },
 * });
 * ```
 */
export interface DnsSettings {
  /** Replicas of the `coredns` Deployment in `kube-system`. Default 2 (kubeadm). */
  readonly replicas?: number;
  /** ClusterIP of the `kube-dns` Service (kubelet `clusterDNS`). Default `10.96.0.10` (kubeadm). */
  readonly clusterIP?: string;
  /** The CoreDNS plugins (`kubernetes`, `cache`, `loadbalance`, per-query `latency`, `upstreamLatency`). Default kubeadm's Corefile. */
  readonly coredns?: Omit<CoreDnsOptions, "upstream">;
  /** Names the upstream resolvers know (`forward . /etc/resolv.conf`): name to addresses. Everything else outside the cluster is NXDOMAIN. */
  readonly upstream?: Readonly<Record<string, readonly string[]>>;
  /** The nodes' own resolv.conf search domains, which pods inherit after the cluster's three. Default none. */
  readonly nodeSearchDomains?: readonly string[];
  /** Network time of one query and its reply between a pod and a CoreDNS pod (ms). Default constant 0.5 ms. */
  readonly networkLatency?: Distribution;
}

/**
 * How a client looks its target up (see {@link AddClientOptions.dns}).
 *
 * @example
 * ```ts
 * sim.addClient({ name: "jvm", target: "http://api:80", rate: 100, dns: { cache: { kind: "fixed", ttl: 30 } } });
 * ```
 */
export interface ClientDnsOptions {
  /** The C library's resolver: `glibc` (default) or `musl` (Alpine images). */
  readonly resolver?: ResolverFlavor;
  /** `A+AAAA` (getaddrinfo AF_UNSPEC, the default) or `A`. */
  readonly families?: "A+AAAA" | "A";
  /** The process's own cache. Default `{ kind: "none" }` (a lookup per request, as glibc does). */
  readonly cache?: ClientCachePolicy;
}

/**
 * Options of {@link Simulation.resolve}.
 *
 * @example
 * ```ts
 * sim.resolve("api.default", { namespace: "shop", node: "node-2", resolver: "musl", families: "A" });
 * ```
 */
export interface ResolveFromPodOptions {
  /** Namespace of the asking pod (its search list). Default `default`. */
  readonly namespace?: string;
  /** Node the asking pod runs on (its kube-proxy routes the query). Default: the first node. */
  readonly node?: string;
  /** Resolver flavor. Default `glibc`. */
  readonly resolver?: ResolverFlavor;
  /** `A+AAAA` (default) or `A`. */
  readonly families?: "A+AAAA" | "A";
}

/**
 * DNS figures of a run (in {@link SimulationResults.dns} when the simulation has cluster DNS).
 *
 * @example
 * ```ts
 * const dns = sim.results().dns;
 * console.log(`${dns?.queries} queries for ${dns?.lookups} lookups`);
 * ```
 */
export interface DnsResults {
  /** Name lookups that sent queries (client cache misses and {@link Simulation.resolve} calls). */
  readonly lookups: number;
  /** Lookups by how they ended. */
  readonly lookupsByOutcome: Readonly<Record<ResolveOutcome, number>>;
  /** Lookups answered from a client's own cache. */
  readonly clientCacheHits: number;
  /** DNS queries sent by pods (A and AAAA counted apart, retransmissions included). */
  readonly queries: number;
  /** Queries by how they ended: `answer`, `NODATA`, `NXDOMAIN`, `SERVFAIL`, `REFUSED` (no CoreDNS endpoint: ICMP unreachable) or `timeout`. */
  readonly queriesByResult: Readonly<Record<string, number>>;
  /** Per CoreDNS pod: queries it served and its cache hits. */
  readonly coredns: Readonly<Record<string, { readonly queries: number; readonly cacheHits: number }>>;
}

/** What {@link ClusterDns} needs of the simulation. */
export interface ClusterDnsHost {
  readonly store: ObjectStore;
  readonly addresses: Interner;
  readonly random: RandomSource;
  readonly now: () => SimTime;
  readonly proxy: (node: string) => KubeProxy;
  readonly reserveIP: (node: string) => string;
  /** The informer lag of a watcher (ms per event). */
  readonly watchDelay: () => number;
}

const LABELS = { "k8s-app": "kube-dns" };
const NS = "kube-system";

/**
 * CoreDNS in a simulation: the kubeadm objects, one {@link CoreDnsServer} per running
 * CoreDNS pod, and lookups from pods that travel through the asking node's kube-proxy to
 * the `kube-dns` Service like any other UDP traffic.
 */
export class ClusterDns {
  readonly clusterIP: string;
  private readonly replicas: number;
  private readonly corednsOptions: CoreDnsOptions;
  private readonly searches: readonly string[];
  private readonly network: Distribution;
  private readonly networkRandom: RandomStream;
  private readonly servers = new Map<string, { pod: string; server: CoreDnsServer; version: number; closed: boolean }>();
  private readonly sourceIPs = new Map<string, number>();
  // CoreDNS's informers: what it has seen of the API server, updated by watch events.
  private readonly seen = { Service: new Map<string, Service>(), EndpointSlice: new Map<string, EndpointSlice>(), Pod: new Map<string, Pod>() };
  private seenVersion = 0;
  private snapshotVersion = -1;
  private snapshot: { services: Service[]; endpointSlices: EndpointSlice[]; pods: Pod[] } | undefined;
  private lookups = 0;
  private clientCacheHits = 0;
  private queries = 0;
  private readonly byOutcome: Record<ResolveOutcome, number> = { ok: 0, NXDOMAIN: 0, NODATA: 0, SERVFAIL: 0, timeout: 0 };
  private readonly byResult: Record<string, number> = {};
  private readonly served = new Map<string, { queries: number; cacheHits: number }>();

  constructor(
    settings: DnsSettings | true,
    private readonly host: ClusterDnsHost,
  ) {
    if (settings !== true && (settings === null || typeof settings !== "object")) {
      throw new RangeError(formatFieldError(fieldInvalid("dns", settings, "must be true or an object of DNS settings")));
    }
    const s: DnsSettings = settings === true ? {} : settings;
    this.replicas = s.replicas ?? 2;
    if (!Number.isInteger(this.replicas) || this.replicas < 0) throw new RangeError(formatFieldError(fieldInvalid("dns.replicas", this.replicas, "must be an integer >= 0")));
    this.clusterIP = s.clusterIP ?? "10.96.0.10";
    if (parseIPv4(this.clusterIP) < 0) throw new RangeError(formatFieldError(fieldInvalid("dns.clusterIP", this.clusterIP, "must be a valid IPv4 address")));
    this.corednsOptions = { ...(s.coredns ?? {}), upstream: staticUpstream(s.upstream ?? {}) };
    this.searches = s.nodeSearchDomains ?? [];
    this.network = s.networkLatency ?? constant(0.5);
    this.networkRandom = host.random.stream("dns/network");
    // Fails early on bad CoreDNS options (field paths in the message).
    new CoreDnsServer(this.corednsOptions, host.random.fork("validate"));
    podResolvConf({ namespace: "default", host: { searches: this.searches } });
    // CoreDNS watches Services, EndpointSlices, Namespaces (and Pods for `pods verified`)
    // like any controller and answers from what its informers have delivered. The store
    // has no Namespace objects: the pods' namespaces stand for them.
    for (const kind of ["Service", "EndpointSlice", "Pod"] as const) {
      const map = this.seen[kind] as Map<string, Service | EndpointSlice | Pod>;
      host.store.watch(
        kind,
        (e) => {
          const key = `${e.object.metadata.namespace ?? "default"}/${e.object.metadata.name}`;
          if (e.type === "DELETED") map.delete(key);
          else map.set(key, e.object);
          this.seenVersion++;
        },
        { delay: host.watchDelay, name: `coredns/${kind}` },
      );
    }
  }

  /** The `coredns` Deployment and the `kube-dns` Service, as kubeadm creates them. */
  objects(): [Deployment, Service] {
    const deployment: Deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns", namespace: NS, labels: LABELS },
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: LABELS },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            containers: [
              {
                name: "coredns",
                image: "registry.k8s.io/coredns/coredns:v1.11.3",
                ports: [
                  { name: "dns", containerPort: 53, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                  { name: "metrics", containerPort: 9153, protocol: "TCP" },
                ],
              },
            ],
          },
        },
      },
    };
    const service: Service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace: NS, labels: { ...LABELS, "kubernetes.io/name": "CoreDNS" } },
      spec: {
        selector: LABELS,
        clusterIP: this.clusterIP,
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
          { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
        ],
      },
    };
    return [deployment, service];
  }

  /** The labels of CoreDNS pods. */
  get labels(): Readonly<Record<string, string>> {
    return LABELS;
  }

  /** A pod started: a CoreDNS pod begins answering on its IP. */
  podStarted(pod: Pod, ip: string): void {
    if (!isCoreDns(pod)) return;
    const name = pod.metadata.name;
    this.servers.set(ip, { pod: name, server: new CoreDnsServer(this.corednsOptions, this.host.random.fork(`coredns/${name}`)), version: -1, closed: false });
    if (!this.served.has(name)) this.served.set(name, { queries: 0, cacheHits: 0 });
  }

  /** SIGTERM: the process exits, its IP answers ICMP port unreachable until the pod is gone. */
  podTerminated(pod: Pod, ip: string): void {
    const s = this.servers.get(ip);
    if (s && s.pod === pod.metadata.name) s.closed = true;
  }

  /** The pod is gone with its IP: queries to it are lost. */
  podStopped(pod: Pod, ip: string): void {
    const s = this.servers.get(ip);
    if (s && s.pod === pod.metadata.name) this.servers.delete(ip);
  }

  /** A pod's resolv.conf (ClusterFirst). */
  resolvConf(namespace: string): ResolvConf {
    return podResolvConf({ namespace, clusterDNS: [this.clusterIP], host: { searches: this.searches } });
  }

  /** One lookup from a pod on `node` in `namespace`, now. */
  resolve(name: string, options: ResolveFromPodOptions, node: string): ResolveResult {
    const conf = this.resolvConf(options.namespace ?? "default");
    const r = resolveName(name, conf, this.transport(node), { flavor: options.resolver, families: options.families });
    this.count(r);
    return r;
  }

  /**
   * The per-request resolver of a client (see RequestResolver in the traffic package).
   * With `directPort` (a headless target), each lookup also picks the endpoint: the
   * first address of the answer, as a client connecting to getaddrinfo's first result does.
   */
  clientResolver(hostName: string, namespace: string, node: string, dns: ClientDnsOptions, directPort?: number): RequestResolver {
    if (dns.resolver !== undefined && dns.resolver !== "glibc" && dns.resolver !== "musl") {
      throw new RangeError(`dns.resolver: Unsupported value: ${JSON.stringify(dns.resolver)}: supported values: "glibc", "musl"`);
    }
    if (dns.families !== undefined && dns.families !== "A+AAAA" && dns.families !== "A") {
      throw new RangeError(`dns.families: Unsupported value: ${JSON.stringify(dns.families)}: supported values: "A", "A+AAAA"`);
    }
    let cache: ClientDnsCache;
    try {
      cache = new ClientDnsCache(dns.cache ?? { kind: "none" });
    } catch (e) {
      throw new RangeError(`dns.${(e as Error).message}`);
    }
    const conf = this.resolvConf(namespace);
    const transport = this.transport(node);
    const flavor = dns.resolver;
    const families = dns.families;
    const resolve = (): ResolveResult => {
      const r = resolveName(hostName, conf, transport, { flavor, families });
      this.count(r);
      return r;
    };
    const addresses = this.host.addresses;
    const resolver = {
      delay: 0,
      direct: directPort !== undefined,
      destination: -1,
      lookup: (now: SimTime): boolean => {
        const { result, cached } = cache.lookup(hostName, now, resolve);
        if (cached) this.clientCacheHits++;
        resolver.delay = cached ? 0 : result.latency;
        const ok = result.outcome === "ok";
        if (ok && directPort !== undefined) resolver.destination = addresses.id(`${result.addresses[0]}:${directPort}`);
        return ok;
      },
    };
    return resolver;
  }

  /** Figures so far. */
  results(): DnsResults {
    const coredns: Record<string, { queries: number; cacheHits: number }> = {};
    for (const [pod, s] of [...this.served].sort((a, b) => (a[0] < b[0] ? -1 : 1))) coredns[pod] = { ...s };
    const byResult: Record<string, number> = {};
    for (const k of Object.keys(this.byResult).sort()) byResult[k] = this.byResult[k];
    return { lookups: this.lookups, lookupsByOutcome: { ...this.byOutcome }, clientCacheHits: this.clientCacheHits, queries: this.queries, queriesByResult: byResult, coredns };
  }

  private count(r: ResolveResult): void {
    this.lookups++;
    this.byOutcome[r.outcome]++;
    for (const q of r.queries) {
      this.queries++;
      this.byResult[q.result] = (this.byResult[q.result] ?? 0) + 1;
    }
  }

  /**
   * Queries from a pod on `node`. The resolver opens a UDP socket per candidate name and
   * sends its A and AAAA queries (and their resends) on it, so kube-proxy picks a CoreDNS
   * endpoint once per candidate name: its conntrack entry pins the rest to that endpoint,
   * even a dead one.
   */
  private transport(node: string): Transport {
    const proxy = this.host.proxy(node);
    let source = this.sourceIPs.get(node);
    if (source === undefined) {
      source = parseIPv4(this.host.reserveIP(node));
      this.sourceIPs.set(node, source);
    }
    const clientIP = source;
    const frontend = proxy.frontend(`${this.clusterIP}:53/UDP`);
    let socketName = "";
    let dest = -1;
    return (qname, qtype, attempt) => {
      if (qname !== socketName || (qtype === "A" && attempt === 0)) {
        socketName = qname;
        dest = proxy.connect(frontend, clientIP);
      }
      const rtt = this.network.sample(this.networkRandom);
      if (dest < 0) {
        // REJECT: ICMP port unreachable, the resolver moves on at once; DROP or no rule: lost.
        if (dest === ROUTE_REJECTED) return { response: refused(qname, qtype), latency: rtt };
        return { response: undefined, latency: 0 };
      }
      const address = this.host.addresses.name(dest);
      const s = this.servers.get(address.slice(0, address.lastIndexOf(":")));
      if (s === undefined) return { response: undefined, latency: 0 };
      if (s.closed) return { response: refused(qname, qtype), latency: rtt };
      this.refresh(s);
      const x = s.server.query(qname, qtype, this.host.now());
      const stat = this.served.get(s.pod);
      if (stat) {
        stat.queries++;
        if (x.cacheHit) stat.cacheHits++;
      }
      return { response: x.response, latency: rtt + x.latency };
    };
  }

  /** Gives a replica the cluster as CoreDNS's informers have delivered it. */
  private refresh(s: { server: CoreDnsServer; version: number }): void {
    const v = this.seenVersion;
    if (s.version === v) return;
    if (this.snapshotVersion !== v || this.snapshot === undefined) {
      this.snapshot = { services: [...this.seen.Service.values()], endpointSlices: [...this.seen.EndpointSlice.values()], pods: [...this.seen.Pod.values()] };
      this.snapshotVersion = v;
    }
    s.server.setCluster({ services: this.snapshot.services, endpointSlices: this.snapshot.endpointSlices, pods: this.snapshot.pods });
    s.version = v;
  }
}

function isCoreDns(pod: Pod): boolean {
  return (pod.metadata.namespace ?? "default") === NS && pod.metadata.labels?.["k8s-app"] === "kube-dns";
}

function refused(qname: string, qtype: "A" | "AAAA"): DnsResponse {
  return { qname, qtype, rcode: "REFUSED", authoritative: false, answer: [], authority: [], extra: [] };
}
