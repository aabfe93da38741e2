/**
 * CoreDNS's `kubernetes` plugin: the records of the Kubernetes DNS specification
 * computed from Services, EndpointSlices and Pods, with the plugin's exact NXDOMAIN /
 * NODATA decisions.
 *
 * Upstream: coredns/coredns plugin/kubernetes/{kubernetes.go (Records, findServices,
 * findPods, endpointHostname), parse.go (parseRequest), handler.go (ServeDNS),
 * reverse.go (serviceRecordForIP), object/endpoint.go (EndpointSliceToEndpoints)} and
 * plugin/backend_lookup.go (A, AAAA, SRV, PTR, CNAME, SOA). Written from that source,
 * not copied.
 *
 * @packageDocumentation
 */
import { LABEL_SERVICE_NAME, fieldInvalid, fieldNotSupported, formatFieldError } from "@kube-netsim/model";
import type { EndpointSlice, Pod, Service } from "@kube-netsim/model";
import { addressFromReverse, dedupRecords, fqdn, ipFamily, isSubdomain } from "./message.js";
import type { DnsRecord, DnsResponse, QueryType, Rcode } from "./message.js";

/**
 * The plugin's `pods` option: `disabled` (the plugin's default: no pod records),
 * `insecure` (kubeadm's Corefile: `a-b-c-d.<ns>.pod.<zone>` answers a.b.c.d without a
 * check) or `verified` (only if a pod in that namespace has that IP).
 *
 * @example
 * ```ts
 * const k8s = new KubernetesPlugin({ pods: "insecure" });
 * k8s.serve("10-244-1-7.default.pod.cluster.local.", "A")?.answer[0].data; // "10.244.1.7", no pod needed
 * ```
 */
export type PodsMode = "disabled" | "insecure" | "verified";

/**
 * Options of the `kubernetes` block of a Corefile.
 *
 * @example
 * ```ts
 * const options: KubernetesPluginOptions = { zone: "cluster.local", ttl: 30, pods: "verified", ignoreEmptyService: true };
 * const k8s = new KubernetesPlugin(options);
 * ```
 */
export interface KubernetesPluginOptions {
  /** The cluster domain (`kubernetes cluster.local ...`). Default `cluster.local`. */
  readonly zone?: string;
  /** `ttl`: seconds, 0..3600. Default 5 (the plugin's default; kubeadm's Corefile sets 30). */
  readonly ttl?: number;
  /** `pods`. Default `disabled` (the plugin's default; kubeadm's Corefile sets `insecure`). */
  readonly pods?: PodsMode;
  /** `endpoint_pod_names`: an endpoint without a hostname is named after its pod instead of its dashed IP. Default false. */
  readonly endpointPodNames?: boolean;
  /** `ignore empty_service`: a ClusterIP Service without ready endpoints is NXDOMAIN. Default false. */
  readonly ignoreEmptyService?: boolean;
  /** Reverse zones served (`in-addr.arpa ip6.arpa` in kubeadm's Corefile). Default both. */
  readonly reverseZones?: readonly string[];
  /** `fallthrough` zones: a name error there goes to the next plugin (`forward`). Default `in-addr.arpa`, `ip6.arpa` (kubeadm). */
  readonly fallthrough?: readonly string[];
}

/**
 * The `kubernetes` block of kubeadm's default Corefile
 * (kubernetes/kubernetes cmd/kubeadm/app/phases/addons/dns/manifests.go, CoreDNSConfigMap):
 * `kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`.
 *
 * @example
 * ```ts
 * const k8s = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
 * k8s.ttl;  // 30 (the plugin's own default is 5)
 * k8s.pods; // "insecure"
 * ```
 */
export const KUBEADM_KUBERNETES_OPTIONS: KubernetesPluginOptions = {
  zone: "cluster.local",
  ttl: 30,
  pods: "insecure",
  reverseZones: ["in-addr.arpa", "ip6.arpa"],
  fallthrough: ["in-addr.arpa", "ip6.arpa"],
};

/**
 * What the plugin reads from the API server.
 *
 * @example
 * ```ts
 * const snapshot: ClusterSnapshot = {
 *   services: store.list("Service"),             // store: the simulation's object store
 *   endpointSlices: store.list("EndpointSlice"),
 *   pods: store.list("Pod"),                     // read only with `pods: "verified"`
 * };
 * k8s.setCluster(snapshot);
 * ```
 */
export interface ClusterSnapshot {
  /** Every Service. */
  readonly services: readonly Service[];
  /** Every EndpointSlice (matched to Services by the `kubernetes.io/service-name` label). */
  readonly endpointSlices: readonly EndpointSlice[];
  /** Pods (only `pods verified` reads them). */
  readonly pods?: readonly Pod[];
  /**
   * Namespaces that exist. A name in a namespace that does not exist is NXDOMAIN, one in
   * an existing namespace without the Service is NXDOMAIN too, but `<ns>.svc.<zone>`
   * itself is NODATA only when the namespace exists. Default: the namespaces of the
   * objects given plus `default`, `kube-system`, `kube-public` and `kube-node-lease`.
   */
  readonly namespaces?: readonly string[];
}

/**
 * Resolves a name through the whole server (the plugin's `Upstream` for ExternalName targets outside the zone).
 *
 * @example
 * ```ts
 * const upstream = staticUpstream({ "db.example.com": ["203.0.113.7"] });
 * const lookup: Lookup = (q, t) => upstream(q, t);
 * // ExternalName Service db -> db.example.com: the CNAME, then the upstream's A record
 * k8s.serve("db.default.svc.cluster.local.", "A", lookup)?.answer.map((r) => r.data); // ["db.example.com.", "203.0.113.7"]
 * ```
 */
export type Lookup = (qname: string, qtype: QueryType) => DnsResponse | undefined;

/** One backend answer (`msg.Service` in CoreDNS): an address or a name, a port, and the owner name it belongs to. */
interface Entry {
  readonly host: string;
  readonly port: number;
  /** Fully qualified owner (`svc.ns.svc.zone.`, `hostname.svc.ns.svc.zone.`, `a-b-c-d.ns.pod.zone.`). */
  readonly domain: string;
}

interface EndpointAddress {
  readonly ip: string;
  readonly hostname: string;
  readonly targetRefName: string;
}

interface EndpointPortEntry {
  readonly port: number;
  readonly name: string;
  readonly protocol: string;
}

/** An EndpointSlice as CoreDNS keeps it (object.EndpointSliceToEndpoints): ready addresses only, a `-1` port sentinel when portless. */
interface SliceView {
  readonly index: string;
  readonly namespace: string;
  readonly addresses: readonly EndpointAddress[];
  readonly ports: readonly EndpointPortEntry[];
}

class NameError extends Error {}

const ERR_NO_ITEMS = new NameError("no items found");
const ERR_INVALID = new NameError("invalid query name");

interface ParsedRequest {
  port: string;
  protocol: string;
  endpoint: string;
  service: string;
  namespace: string;
  podOrSvc: string;
}

const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/**
 * CoreDNS's `kubernetes` plugin over a snapshot of the cluster.
 *
 * @remarks
 * **What it answers.** ClusterIP Services: A/AAAA of the ClusterIP(s) whether or not
 * endpoints exist. Headless Services: one A/AAAA per ready endpoint address (not-ready
 * endpoints are skipped; `publishNotReadyAddresses` makes the EndpointSlice controller
 * publish them as ready); none ready is NXDOMAIN (`findServices` leaves `errNoItems`).
 * `<hostname>.<svc>.<ns>.svc.<zone>` for every endpoint (hostname, else the dashed
 * IP). SRV `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: one target for a ClusterIP Service,
 * one per endpoint for a headless one, weight `floor(100 / n)`, addresses in the
 * additional section. ExternalName: CNAME, followed inside the zone or through
 * `lookup` outside it. PTR for ClusterIPs and endpoint IPs. Pods per {@link PodsMode}.
 *
 * **NXDOMAIN vs NODATA** (what the stub resolver's search walk depends on): a name
 * that names nothing is NXDOMAIN with the zone's SOA (TTL `min(300, ttl)`, minimum
 * `ttl`); a name that exists with no record of the type asked (AAAA of an IPv4
 * Service, SRV of an ExternalName) is NOERROR with an empty answer and the SOA.
 *
 * @example
 * ```ts
 * const k8s = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
 * k8s.setCluster({ services: store.list("Service"), endpointSlices: store.list("EndpointSlice") });
 * k8s.serve("api.default.svc.cluster.local.", "A")?.answer; // [{ name: "api.default.svc.cluster.local.", type: "A", ttl: 30, data: "10.96.0.20" }]
 * ```
 */
export class KubernetesPlugin {
  /** The cluster zone, fully qualified (`cluster.local.`). */
  readonly zone: string;
  /** TTL of every record, seconds. */
  readonly ttl: number;
  /** The `pods` mode. */
  readonly pods: PodsMode;
  private readonly endpointPodNames: boolean;
  private readonly ignoreEmptyService: boolean;
  private readonly zones: readonly string[];
  private readonly fallthrough: readonly string[];
  private services = new Map<string, Service>();
  private slices = new Map<string, SliceView[]>();
  private clusterIPIndex = new Map<string, Service>();
  private endpointIPIndex = new Map<string, SliceView[]>();
  private podIPs = new Map<string, Set<string>>();
  private namespaces = new Set<string>(DEFAULT_NAMESPACES);
  /** SOA serial: bumped on every {@link setCluster} (CoreDNS uses the time of the last API change). */
  private serial = 0;

  /** @throws RangeError naming the option and value when an option is invalid. */
  constructor(options: KubernetesPluginOptions = {}) {
    const zone = options.zone ?? "cluster.local";
    if (typeof zone !== "string" || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$/.test(zone)) {
      throw new RangeError(formatFieldError(fieldInvalid("kubernetes.zone", zone, "must be a lower-case DNS domain, e.g. cluster.local")));
    }
    const ttl = options.ttl ?? 5;
    // plugin/kubernetes/setup.go: "ttl must be in range [0, 3600]".
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) {
      throw new RangeError(formatFieldError(fieldInvalid("kubernetes.ttl", ttl, "must be an integer between 0 and 3600, inclusive")));
    }
    const pods = options.pods ?? "disabled";
    if (pods !== "disabled" && pods !== "insecure" && pods !== "verified") {
      throw new RangeError(formatFieldError(fieldNotSupported("kubernetes.pods", pods, ["disabled", "insecure", "verified"])));
    }
    this.zone = fqdn(zone);
    this.ttl = ttl;
    this.pods = pods;
    this.endpointPodNames = options.endpointPodNames ?? false;
    this.ignoreEmptyService = options.ignoreEmptyService ?? false;
    this.zones = [this.zone, ...(options.reverseZones ?? ["in-addr.arpa", "ip6.arpa"]).map(fqdn)];
    this.fallthrough = (options.fallthrough ?? ["in-addr.arpa", "ip6.arpa"]).map(fqdn);
  }

  /** Replaces what the plugin knows of the cluster (its informers' caches). */
  setCluster(snapshot: ClusterSnapshot): void {
    this.serial++;
    this.services = new Map();
    this.slices = new Map();
    this.clusterIPIndex = new Map();
    this.endpointIPIndex = new Map();
    this.podIPs = new Map();
    this.namespaces = new Set(snapshot.namespaces ?? DEFAULT_NAMESPACES);
    const addNs = (ns: string | undefined): void => {
      if (snapshot.namespaces === undefined) this.namespaces.add(ns ?? "default");
    };
    for (const svc of snapshot.services) {
      const ns = svc.metadata.namespace ?? "default";
      addNs(ns);
      this.services.set(`${svc.metadata.name}.${ns}`, svc);
      if (svc.spec.type !== "ExternalName") {
        for (const ip of clusterIPs(svc)) if (!this.clusterIPIndex.has(ip)) this.clusterIPIndex.set(ip, svc);
      }
    }
    for (const slice of snapshot.endpointSlices) {
      const ns = slice.metadata.namespace ?? "default";
      addNs(ns);
      const svcName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
      if (svcName === undefined || slice.addressType === "FQDN") continue;
      const view = toSliceView(slice, `${svcName}.${ns}`, ns);
      const list = this.slices.get(view.index);
      if (list) list.push(view);
      else this.slices.set(view.index, [view]);
      for (const a of view.addresses) {
        const l = this.endpointIPIndex.get(a.ip);
        if (l) {
          if (!l.includes(view)) l.push(view);
        } else this.endpointIPIndex.set(a.ip, [view]);
      }
    }
    for (const pod of snapshot.pods ?? []) {
      const ns = pod.metadata.namespace ?? "default";
      addNs(ns);
      const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
      for (const ip of ips) {
        let s = this.podIPs.get(ip);
        if (!s) this.podIPs.set(ip, (s = new Set()));
        s.add(ns);
      }
    }
  }

  /** The zone of this plugin that `qname` falls in (longest match), or `undefined`. */
  zoneOf(qname: string): string | undefined {
    const n = fqdn(qname);
    let best: string | undefined;
    for (const z of this.zones) if (isSubdomain(z, n) && (best === undefined || z.length > best.length)) best = z;
    return best;
  }

  /**
   * Answers one query as the plugin's `ServeDNS` does.
   *
   * @param qname - the question name (any case, with or without the trailing dot).
   * @param qtype - the question type.
   * @param lookup - resolves ExternalName targets outside the zone (the server's upstream); absent, they are not followed.
   * @returns the response, or `undefined` when the plugin passes the query on (a name
   *   outside its zones, or a name error in a `fallthrough` zone).
   */
  serve(qname: string, qtype: QueryType, lookup?: Lookup): DnsResponse | undefined {
    const name = fqdn(qname);
    const zone = this.zoneOf(name);
    if (zone === undefined) return undefined;
    let records: DnsRecord[] = [];
    let extra: DnsRecord[] = [];
    let err: Error | undefined;
    try {
      switch (qtype) {
        case "A":
        case "AAAA":
          records = this.address(zone, name, qtype, [], lookup);
          break;
        case "SRV":
          [records, extra] = this.srv(zone, name);
          break;
        case "PTR":
          records = this.ptr(zone, name);
          break;
        case "CNAME":
          records = this.cname(zone, name);
          break;
        default:
          // handler.go: "Do a fake A lookup, so we can distinguish between NODATA and NXDOMAIN".
          this.address(zone, name, "A", [], lookup);
      }
    } catch (e) {
      if (!(e instanceof NameError)) throw e;
      err = e;
    }
    if (err !== undefined) {
      if (this.fallthrough.some((f) => isSubdomain(f, name))) return undefined;
      return this.negative(name, qtype, "NXDOMAIN");
    }
    if (records.length === 0) return this.negative(name, qtype, "NOERROR");
    return { qname: name, qtype, rcode: "NOERROR", authoritative: true, answer: dedupRecords(records), authority: [], extra: dedupRecords(extra) };
  }

  /** The zone's SOA as CoreDNS builds it for negative answers (plugin.SOA). */
  soa(zone: string = this.zone): DnsRecord {
    const ttl = Math.min(300, this.ttl);
    return { name: zone, type: "SOA", ttl, data: `ns.dns.${zone} hostmaster.${zone} ${this.serial} 7200 1800 86400 ${this.ttl}` };
  }

  private negative(name: string, qtype: QueryType, rcode: Rcode): DnsResponse {
    const zone = this.zoneOf(name) ?? this.zone;
    return { qname: name, qtype, rcode, authoritative: true, answer: [], authority: [this.soa(zone)], extra: [] };
  }

  // ---- the ServiceBackend ---------------------------------------------------------

  /** kubernetes.go Services + Records. Throws a NameError for NXDOMAIN. */
  private entries(zone: string, name: string, forSrv: boolean): Entry[] {
    if (zone !== this.zone) throw ERR_NO_ITEMS; // Records: reverse names are not forward records.
    const r = parseRequest(name, zone);
    if (r.podOrSvc === "") return [];
    if (!this.namespaces.has(r.namespace)) throw ERR_NO_ITEMS;
    const out = r.podOrSvc === "pod" ? this.findPods(r, zone) : this.findServices(r, zone);
    // Services(): "SRV for external services is not yet implemented, so remove those records."
    return forSrv ? out.filter((e) => ipFamily(e.host) !== undefined) : out;
  }

  private findPods(r: ParsedRequest, zone: string): Entry[] {
    if (this.pods === "disabled") throw ERR_NO_ITEMS;
    if (r.service === "") return [];
    const podname = r.service;
    const ip = (podname.split("-").length - 1 === 3 && !podname.includes("--")) ? podname.replaceAll("-", ".") : podname.replaceAll("-", ":");
    const domain = `${podname}.${r.namespace}.pod.${zone}`;
    if (this.pods === "insecure") {
      if (ipFamily(ip) === undefined) throw ERR_NO_ITEMS;
      return [{ host: ip, port: 0, domain }];
    }
    if (this.podIPs.get(ip)?.has(r.namespace)) return [{ host: ip, port: 0, domain }];
    throw ERR_NO_ITEMS;
  }

  private findServices(r: ParsedRequest, zone: string): Entry[] {
    if (r.service === "") return [];
    const svc = this.services.get(`${r.service}.${r.namespace}`);
    if (svc === undefined) throw ERR_NO_ITEMS;
    const ns = svc.metadata.namespace ?? "default";
    const svcDomain = `${svc.metadata.name}.${ns}.svc.${zone}`;
    const slices = this.slices.get(`${svc.metadata.name}.${ns}`) ?? [];
    const headless = svc.spec.type !== "ExternalName" && svc.spec.clusterIP === "None";
    if (this.ignoreEmptyService && svc.spec.type !== "ExternalName" && !headless) {
      if (slices.every((s) => s.addresses.length === 0)) throw ERR_NO_ITEMS;
    }
    const out: Entry[] = [];
    if (svc.spec.type === "ExternalName") {
      // External services have no endpoints and no port/protocol labels.
      if (r.endpoint !== "" || r.port !== "" || r.protocol !== "") throw ERR_NO_ITEMS;
      const host = svc.spec.externalName ?? "";
      // msg.Service.HostType: only a name (not an IP) makes a CNAME; anything else answers nothing.
      if (host === "" || ipFamily(host) !== undefined) throw ERR_NO_ITEMS;
      return [{ host, port: 0, domain: svcDomain }];
    }
    if (headless || r.endpoint !== "") {
      for (const s of slices) {
        for (const a of s.addresses) {
          const hn = this.endpointHostname(a);
          if (r.endpoint !== "" && r.endpoint !== hn.toLowerCase()) continue;
          for (const p of s.ports) {
            if (!matchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
            out.push({ host: a.ip, port: p.port, domain: `${hn}.${svcDomain}` });
          }
        }
      }
      if (out.length === 0) throw ERR_NO_ITEMS;
      return out;
    }
    let matched = false;
    for (const p of svc.spec.ports ?? []) {
      if (!matchPortAndProtocol(r.port, p.name ?? "", r.protocol, p.protocol ?? "TCP")) continue;
      matched = true;
      for (const ip of clusterIPs(svc)) out.push({ host: ip, port: p.port, domain: svcDomain });
    }
    if (!matched) throw ERR_NO_ITEMS;
    return out;
  }

  private endpointHostname(a: EndpointAddress): string {
    if (a.hostname !== "") return a.hostname;
    if (this.endpointPodNames && a.targetRefName !== "") return a.targetRefName;
    if (a.ip.includes(".")) return a.ip.replaceAll(".", "-");
    if (a.ip.includes(":")) return a.ip.replaceAll(":", "-");
    return "";
  }

  // ---- backend_lookup.go ----------------------------------------------------------

  private address(zone: string, name: string, qtype: "A" | "AAAA", previous: DnsRecord[], lookup: Lookup | undefined): DnsRecord[] {
    const entries = this.entries(zone, name, false);
    const want = qtype === "A" ? "4" : "6";
    const out: DnsRecord[] = [];
    const dup = new Set<string>();
    for (const e of entries) {
      const fam = ipFamily(e.host);
      if (fam === undefined) {
        const target = fqdn(e.host);
        if (target === name) continue; // x CNAME x is a loop
        if (previous.length > 7) continue;
        const cname: DnsRecord = { name, type: "CNAME", ttl: this.ttl, data: target };
        if (previous.some((p) => p.type === "CNAME" && p.data === target)) continue;
        if (isSubdomain(zone, target)) {
          let next: DnsRecord[] = [];
          try {
            next = this.address(zone, target, qtype, [...previous, cname], lookup);
          } catch (err) {
            if (!(err instanceof NameError)) throw err;
          }
          if (next.length > 0) out.push(cname, ...next);
          continue;
        }
        const m = lookup?.(target, qtype);
        if (m === undefined) continue;
        out.push(cname, ...m.answer);
        continue;
      }
      if (fam !== want || dup.has(e.host)) continue;
      dup.add(e.host);
      out.push({ name, type: qtype, ttl: this.ttl, data: e.host });
    }
    return out;
  }

  private srv(zone: string, name: string): [DnsRecord[], DnsRecord[]] {
    const entries = this.entries(zone, name, true);
    // All entries share priority 0 and the default weight 100: weight = floor(100 * 100 / (100 n)), at least 1.
    const weight = Math.max(1, Math.floor(10000 / (100 * entries.length)));
    const records: DnsRecord[] = [];
    const extra: DnsRecord[] = [];
    const dup = new Set<string>();
    for (const e of entries) {
      if (e.port === -1) continue; // portless endpoints: no SRV
      const fam = ipFamily(e.host);
      if (fam === undefined) continue;
      const target = e.domain;
      const k1 = `${target}\u0000${e.port}`;
      if (!dup.has(k1)) {
        dup.add(k1);
        records.push({ name, type: "SRV", ttl: this.ttl, data: `0 ${weight} ${e.port} ${target}` });
      }
      const k2 = `${target}\u0000addr\u0000${e.host}`;
      if (!dup.has(k2)) {
        dup.add(k2);
        extra.push({ name: target, type: fam === "4" ? "A" : "AAAA", ttl: this.ttl, data: e.host });
      }
    }
    return [records, extra];
  }

  private ptr(zone: string, name: string): DnsRecord[] {
    const ip = addressFromReverse(name);
    if (ip === undefined) {
      this.entries(zone, name, false);
      return [];
    }
    const targets: string[] = [];
    const svc = this.clusterIPIndex.get(ip);
    if (svc !== undefined) {
      targets.push(`${svc.metadata.name}.${svc.metadata.namespace ?? "default"}.svc.${this.zone}`);
    } else {
      for (const s of this.endpointIPIndex.get(ip) ?? []) {
        for (const a of s.addresses) if (a.ip === ip) targets.push(`${this.endpointHostname(a)}.${s.index}.svc.${this.zone}`);
      }
    }
    if (targets.length === 0) throw ERR_NO_ITEMS;
    return [...new Set(targets)].map((t) => ({ name, type: "PTR" as const, ttl: this.ttl, data: t }));
  }

  private cname(zone: string, name: string): DnsRecord[] {
    const entries = this.entries(zone, name, false);
    if (entries.length > 0 && ipFamily(entries[0].host) === undefined) {
      return [{ name, type: "CNAME", ttl: this.ttl, data: fqdn(entries[0].host) }];
    }
    return [];
  }
}

/** The ClusterIPs of a Service (`spec.clusterIPs`, else `spec.clusterIP`), without `None`. */
function clusterIPs(svc: Service): string[] {
  const ips = svc.spec.clusterIPs ?? (svc.spec.clusterIP !== undefined ? [svc.spec.clusterIP] : []);
  return ips.filter((ip) => ip !== "None" && ip !== "");
}

function toSliceView(slice: EndpointSlice, index: string, namespace: string): SliceView {
  const ports: EndpointPortEntry[] =
    slice.ports === undefined || slice.ports.length === 0
      ? [{ port: -1, name: "", protocol: "" }] // "Add sentinel if there are no ports."
      : slice.ports.map((p) => ({ port: p.port ?? -1, name: p.name ?? "", protocol: p.protocol ?? "TCP" }));
  const addresses: EndpointAddress[] = [];
  for (const ep of slice.endpoints) {
    // endpointsliceReady: a nil ready condition counts as ready.
    if (ep.conditions?.ready === false) continue;
    for (const ip of ep.addresses) {
      addresses.push({ ip, hostname: ep.hostname ?? "", targetRefName: ep.targetRef && ep.targetRef.name.length < 64 ? ep.targetRef.name : "" });
    }
  }
  return { index, namespace, addresses, ports };
}

/** parse.go parseRequest (no multicluster, no zonal). Throws ERR_INVALID for NXDOMAIN. */
function parseRequest(name: string, zone: string): ParsedRequest {
  const r: ParsedRequest = { port: "", protocol: "", endpoint: "", service: "", namespace: "", podOrSvc: "" };
  const base = name === zone ? "" : name.slice(0, name.length - zone.length - 1);
  if (base === "" || base === "svc" || base === "pod") return r;
  const segs = base.split(".");
  let last = segs.length - 1;
  r.podOrSvc = segs[last];
  if (r.podOrSvc !== "pod" && r.podOrSvc !== "svc") throw ERR_INVALID;
  if (--last < 0) return r;
  r.namespace = segs[last];
  if (--last < 0) return r;
  r.service = segs[last];
  if (--last < 0) return r;
  if (last === 0) r.endpoint = segs[0];
  else if (last === 1) {
    r.protocol = stripUnderscore(segs[1]);
    r.port = stripUnderscore(segs[0]);
  } else throw ERR_INVALID;
  return r;
}

function stripUnderscore(s: string): string {
  return s.startsWith("_") ? s.slice(1) : s;
}

/** matchPortAndProtocol: the request's parts may be empty (wildcards); comparison ignores case. */
function matchPortAndProtocol(aPort: string, bPort: string, aProto: string, bProto: string): boolean {
  return (aPort === "" || aPort === bPort.toLowerCase()) && (aProto === "" || aProto === bProto.toLowerCase());
}
