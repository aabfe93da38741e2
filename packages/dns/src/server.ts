/**
 * One CoreDNS replica with kubeadm's default Corefile: `loadbalance` in front of
 * `cache` in front of `kubernetes`, then `forward` to the upstream resolvers.
 *
 * Upstream: coredns/coredns plugin.cfg (plugin order: loadbalance, cache, ...,
 * kubernetes, ..., forward), kubernetes/kubernetes
 * cmd/kubeadm/app/phases/addons/dns/manifests.go (the default Corefile).
 *
 * @packageDocumentation
 */
import { constant } from "@kube-netsim/core";
import type { Distribution, RandomSource, RandomStream } from "@kube-netsim/core";
import { fieldInvalid, formatFieldError } from "@kube-netsim/model";
import { DnsCache, KUBEADM_CACHE_OPTIONS } from "./cache.js";
import type { CacheOptions, CacheStats } from "./cache.js";
import { KUBEADM_KUBERNETES_OPTIONS, KubernetesPlugin } from "./kubernetes.js";
import type { ClusterSnapshot, KubernetesPluginOptions } from "./kubernetes.js";
import { loadBalance } from "./loadbalance.js";
import { fqdn, ipFamily, responseKind } from "./message.js";
import type { DnsResponse, QueryType, ResponseKind } from "./message.js";

/**
 * The `forward` plugin's upstream resolvers, as a function from question to reply.
 *
 * @example
 * ```ts
 * // the `forward . /etc/resolv.conf` target, here a stub that answers every A query alike
 * const upstream: Upstream = (qname, qtype) => ({
 *   qname, qtype, rcode: "NOERROR", authoritative: false, extra: [], authority: [],
 *   answer: qtype === "A" ? [{ name: qname, type: "A", ttl: 60, data: "203.0.113.10" }] : [],
 * });
 * new CoreDnsServer({ upstream }, random);
 * ```
 */
export type Upstream = (qname: string, qtype: QueryType) => DnsResponse;

/**
 * Upstream resolvers that know a fixed set of names (everything else is NXDOMAIN with a
 * 300 s negative TTL, as a public resolver answers).
 *
 * @param records - name to addresses, e.g. `{ "api.example.com": ["203.0.113.10"] }`.
 * @param ttl - TTL of the answers, seconds. Default 300.
 * @example
 * ```ts
 * const upstream = staticUpstream({ "db.example.com": ["203.0.113.7"] });
 * upstream("db.example.com.", "A").answer[0].data; // "203.0.113.7"
 * ```
 */
export function staticUpstream(records: Readonly<Record<string, readonly string[]>> = {}, ttl: number = 300): Upstream {
  const table = new Map<string, readonly string[]>();
  for (const [name, ips] of Object.entries(records)) {
    ips.forEach((ip, i) => {
      if (ipFamily(ip) === undefined) throw new RangeError(formatFieldError(fieldInvalid(`upstream[${JSON.stringify(name)}][${i}]`, ip, "must be a valid IP address")));
    });
    table.set(fqdn(name), ips);
  }
  const soa = { name: ".", type: "SOA" as const, ttl, data: `a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 ${ttl}` };
  return (qname, qtype) => {
    const ips = table.get(qname);
    if (ips === undefined) return { qname, qtype, rcode: "NXDOMAIN", authoritative: false, answer: [], authority: [soa], extra: [] };
    const fam = qtype === "A" ? "4" : qtype === "AAAA" ? "6" : undefined;
    const answer = ips.filter((ip) => ipFamily(ip) === fam).map((ip) => ({ name: qname, type: qtype === "A" ? ("A" as const) : ("AAAA" as const), ttl, data: ip }));
    return { qname, qtype, rcode: "NOERROR", authoritative: false, answer, authority: answer.length === 0 ? [soa] : [], extra: [] };
  };
}

/**
 * Options of a {@link CoreDnsServer}.
 *
 * @example
 * ```ts
 * const options: CoreDnsOptions = {
 *   kubernetes: { ...KUBEADM_KUBERNETES_OPTIONS, ttl: 5 },
 *   cache: false,                                  // no `cache` plugin
 *   upstream: staticUpstream({ "db.example.com": ["203.0.113.7"] }),
 *   upstreamLatency: constant(25),                 // ms, from @kube-netsim/core
 * };
 * const dns = new CoreDnsServer(options, new RandomSource(1).fork("coredns-0"));
 * ```
 */
export interface CoreDnsOptions {
  /** The `kubernetes` block. Default kubeadm's ({@link KUBEADM_KUBERNETES_OPTIONS}). */
  readonly kubernetes?: KubernetesPluginOptions;
  /** The `cache` plugin, or `false` for none. Default kubeadm's `cache 30`. */
  readonly cache?: CacheOptions | false;
  /** The `loadbalance` plugin. Default true (kubeadm's Corefile has it). */
  readonly loadbalance?: boolean;
  /** The `forward . /etc/resolv.conf` upstream. Default {@link staticUpstream} with no names. */
  readonly upstream?: Upstream;
  /** Time a query spends in this replica (ms), answered from the cache or the kubernetes plugin. Default constant 0.2 ms. */
  readonly latency?: Distribution;
  /** Extra time of a query forwarded upstream (ms). Default constant 10 ms. */
  readonly upstreamLatency?: Distribution;
}

/**
 * One query served.
 *
 * @example
 * ```ts
 * const x: DnsExchange = dns.query("api.default.svc.cluster.local.", "A", sim.now);
 * x.response.rcode; // "NOERROR"
 * x.latency;        // 0.2 ms (the default `latency`)
 * x.cacheHit;       // false on the first query
 * x.forwarded;      // false: the kubernetes plugin answered
 * ```
 */
export interface DnsExchange {
  /** The reply. */
  readonly response: DnsResponse;
  /** Time in the server, ms. */
  readonly latency: number;
  /** Whether the cache answered. */
  readonly cacheHit: boolean;
  /** Whether the query (or an ExternalName target) went to the upstream resolvers. */
  readonly forwarded: boolean;
}

/**
 * Counters of a {@link CoreDnsServer}.
 *
 * @example
 * ```ts
 * const s: CoreDnsStats = dns.stats();
 * s.replies.NXDOMAIN / s.queries; // share of queries for names that do not exist (search-list walks)
 * s.cache?.successHits;           // undefined when the server runs with `cache: false`
 * ```
 */
export interface CoreDnsStats {
  /** Queries served. */
  readonly queries: number;
  /** Replies by kind. */
  readonly replies: Readonly<Record<ResponseKind, number>>;
  /** Queries that went upstream. */
  readonly forwarded: number;
  /** The cache plugin's counters (undefined without a cache). */
  readonly cache: CacheStats | undefined;
}

/**
 * One CoreDNS replica.
 *
 * @remarks
 * A query goes `loadbalance` (shuffle A/AAAA of NOERROR replies, also cache hits) ->
 * `cache` -> `kubernetes` (cluster zone and reverse zones) -> `forward` (everything
 * else, and reverse names the cluster does not know: `fallthrough in-addr.arpa
 * ip6.arpa`). Each replica has its own cache, as each CoreDNS pod does.
 *
 * @example
 * ```ts
 * const dns = new CoreDnsServer({}, new RandomSource(1).fork("coredns-0"));
 * dns.setCluster({ services: store.list("Service"), endpointSlices: store.list("EndpointSlice") });
 * dns.query("api.default.svc.cluster.local.", "A", sim.now).response.answer;
 * ```
 */
export class CoreDnsServer {
  /** The kubernetes plugin. */
  readonly kubernetes: KubernetesPlugin;
  private readonly cache: DnsCache | undefined;
  private readonly upstream: Upstream;
  private readonly balance: boolean;
  private readonly latency: Distribution;
  private readonly upstreamLatency: Distribution;
  private readonly lbRandom: RandomStream;
  private readonly latencyRandom: RandomStream;
  private queries = 0;
  private forwardedCount = 0;
  private forwardedNow = false;
  private readonly replies: Record<ResponseKind, number> = { answer: 0, NODATA: 0, NXDOMAIN: 0, SERVFAIL: 0, REFUSED: 0 };

  /**
   * @param options - the Corefile's plugins.
   * @param random - source of the replica's streams (`loadbalance`, `cache`, `latency`).
   */
  constructor(options: CoreDnsOptions, random: RandomSource) {
    this.kubernetes = new KubernetesPlugin(options.kubernetes ?? KUBEADM_KUBERNETES_OPTIONS);
    this.cache = options.cache === false ? undefined : new DnsCache(options.cache ?? KUBEADM_CACHE_OPTIONS, random.stream("cache"));
    this.upstream = options.upstream ?? staticUpstream();
    this.balance = options.loadbalance ?? true;
    this.latency = options.latency ?? constant(0.2);
    this.upstreamLatency = options.upstreamLatency ?? constant(10);
    this.lbRandom = random.stream("loadbalance");
    this.latencyRandom = random.stream("latency");
  }

  /**
   * Replaces what the kubernetes plugin knows of the cluster.
   *
   * @example
   * ```ts
   * dns.setCluster({ services: store.list("Service"), endpointSlices: store.list("EndpointSlice"), pods: store.list("Pod") });
   * ```
   */
  setCluster(snapshot: ClusterSnapshot): void {
    this.kubernetes.setCluster(snapshot);
  }

  /**
   * Serves one query at virtual time `now` (ms).
   *
   * @param qname - the question name (any case; the trailing dot is optional).
   * @param qtype - the question type.
   * @param now - virtual time, ms (the cache's clock).
   *
   * @example
   * ```ts
   * const first = dns.query("api.default.svc.cluster.local.", "A", 0);
   * first.response.answer; // [{ name: "api.default.svc.cluster.local.", type: "A", ttl: 30, data: "10.96.0.20" }]
   * first.cacheHit;        // false
   * const again = dns.query("api.default.svc.cluster.local.", "A", 1000);
   * again.cacheHit;                 // true
   * again.response.answer[0].ttl;   // 29: counted down in whole seconds
   * ```
   */
  query(qname: string, qtype: QueryType, now: number): DnsExchange {
    const name = fqdn(qname);
    this.queries++;
    this.forwardedNow = false;
    let response: DnsResponse;
    let hit = false;
    if (this.cache !== undefined) {
      const r = this.cache.serve(name, qtype, now, (q, t) => this.resolve(q, t, now));
      response = r.response;
      hit = r.hit;
    } else response = this.resolve(name, qtype, now);
    if (this.balance) response = loadBalance(response, this.lbRandom);
    this.replies[responseKind(response)]++;
    const forwarded = this.forwardedNow;
    if (forwarded) this.forwardedCount++;
    let latency = this.latency.sample(this.latencyRandom);
    if (forwarded) latency += this.upstreamLatency.sample(this.latencyRandom);
    return { response, latency, cacheHit: hit, forwarded };
  }

  /**
   * Counters so far.
   *
   * @example
   * ```ts
   * dns.stats(); // { queries: 3, replies: { answer: 2, NXDOMAIN: 1, ... }, forwarded: 0, cache: { successHits: 1, misses: 2, ... } }
   * ```
   */
  stats(): CoreDnsStats {
    return { queries: this.queries, replies: { ...this.replies }, forwarded: this.forwardedCount, cache: this.cache?.stats() };
  }

  /** kubernetes, then forward. ExternalName targets outside the zone are looked up through cache + forward, as `upstream.Lookup` does. */
  private resolve(qname: string, qtype: QueryType, now: number): DnsResponse {
    const lookup = (q: string, t: QueryType): DnsResponse => {
      const n = fqdn(q);
      return this.cache !== undefined ? this.cache.serve(n, t, now, (q2, t2) => this.resolve(q2, t2, now)).response : this.resolve(n, t, now);
    };
    const r = this.kubernetes.serve(qname, qtype, lookup);
    if (r !== undefined) return r;
    this.forwardedNow = true;
    return this.upstream(qname, qtype);
  }
}
