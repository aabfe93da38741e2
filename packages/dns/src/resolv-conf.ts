/**
 * A pod's `/etc/resolv.conf` as the kubelet writes it.
 *
 * Upstream: kubernetes/kubernetes pkg/kubelet/network/dns/dns.go (GetPodDNS,
 * generateSearchesForDNSClusterFirst, formDNSSearchFitsLimits, parseResolvConf) and
 * pkg/apis/core/validation (MaxDNSSearchPaths = 32, MaxDNSSearchListChars = 2048).
 *
 * @packageDocumentation
 */
import { fieldInvalid, fieldNotSupported, formatFieldError } from "@kube-netsim/model";

/**
 * A resolver configuration (the parts of resolv.conf the stub resolvers use).
 *
 * @example
 * ```ts
 * const conf: ResolvConf = podResolvConf({ namespace: "shop" });
 * conf.nameservers; // ["10.96.0.10"]
 * conf.searches;    // ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"]
 * conf.ndots;       // 5
 * conf.timeout;     // 5
 * conf.attempts;    // 2
 * ```
 */
export interface ResolvConf {
  /** `nameserver` lines, in order. */
  readonly nameservers: readonly string[];
  /** The `search` list, without trailing dots. */
  readonly searches: readonly string[];
  /** `options ndots:N` (resolver default 1; the kubelet writes 5). */
  readonly ndots: number;
  /** `options timeout:N`, seconds (default 5). */
  readonly timeout: number;
  /** `options attempts:N` (default 2). */
  readonly attempts: number;
}

/**
 * `dnsPolicy` of a pod.
 *
 * @example
 * ```ts
 * const policy: DNSPolicy = "ClusterFirstWithHostNet"; // a hostNetwork pod that still resolves Services
 * podResolvConf({ namespace: "kube-system", hostNetwork: true, dnsPolicy: policy }).nameservers; // ["10.96.0.10"]
 * ```
 */
export type DNSPolicy = "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None";

/**
 * Inputs of {@link podResolvConf}.
 *
 * @example
 * ```ts
 * const options: PodResolvConfOptions = {
 *   namespace: "shop",
 *   dnsPolicy: "ClusterFirst",
 *   host: { nameservers: ["10.0.0.2"], searches: ["corp.example.com"] }, // the node's resolv.conf
 *   dnsConfig: { ndots: 2 },
 * };
 * podResolvConf(options).ndots; // 2
 * ```
 */
export interface PodResolvConfOptions {
  /** The pod's namespace. */
  readonly namespace: string;
  /** `spec.dnsPolicy`. Default `ClusterFirst`. */
  readonly dnsPolicy?: DNSPolicy;
  /** `spec.hostNetwork` (ClusterFirst then falls back to Default). Default false. */
  readonly hostNetwork?: boolean;
  /** kubelet `clusterDNS` (the kube-dns Service's ClusterIP). Default `["10.96.0.10"]` (kubeadm). */
  readonly clusterDNS?: readonly string[];
  /** kubelet `clusterDomain`. Default `cluster.local`. */
  readonly clusterDomain?: string;
  /** The node's resolv.conf (`--resolv-conf`): its `search` and `nameserver` lines are inherited. Default: none. */
  readonly host?: Partial<Pick<ResolvConf, "nameservers" | "searches">>;
  /** `spec.dnsConfig`: appended nameservers, searches and options (`ndots` overrides). */
  readonly dnsConfig?: { readonly nameservers?: readonly string[]; readonly searches?: readonly string[]; readonly ndots?: number };
}

/**
 * MaxDNSSearchPaths (pkg/apis/core/validation).
 *
 * @example
 * ```ts
 * const many = Array.from({ length: 40 }, (_, i) => `d${i}.example.com`);
 * podResolvConf({ namespace: "default", dnsPolicy: "None", dnsConfig: { searches: many } }).searches.length; // 32: MAX_DNS_SEARCH_PATHS
 * ```
 */
export const MAX_DNS_SEARCH_PATHS = 32;
/**
 * MaxDNSSearchListChars (pkg/apis/core/validation).
 *
 * @example
 * ```ts
 * const long = Array.from({ length: 20 }, (_, i) => `${"x".repeat(120)}.d${i}.example.com`);
 * const { searches } = podResolvConf({ namespace: "default", dnsPolicy: "None", dnsConfig: { searches: long } });
 * searches.length;           // 15 of the 20: paths cut from the end
 * searches.join(" ").length; // 2044, within MAX_DNS_SEARCH_LIST_CHARS (2048)
 * ```
 */
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;

/**
 * The resolv.conf the kubelet gives a pod.
 *
 * @remarks
 * ClusterFirst (the default): `nameserver <clusterDNS>`,
 * `search <ns>.svc.<domain> svc.<domain> <domain> <node's search domains>` (duplicates
 * dropped, then cut to 32 paths and 2048 characters, paths over 253 characters
 * dropped), `options ndots:5`. Default: the node's own resolv.conf. None: only
 * `dnsConfig`. A hostNetwork pod with ClusterFirst gets Default.
 *
 * @example
 * ```ts
 * formatResolvConf(podResolvConf({ namespace: "shop" }));
 * // "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n"
 * ```
 */
export function podResolvConf(options: PodResolvConfOptions): ResolvConf {
  const policy = options.dnsPolicy ?? "ClusterFirst";
  if (!["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"].includes(policy)) {
    throw new RangeError(formatFieldError(fieldNotSupported("spec.dnsPolicy", policy, ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"])));
  }
  if (typeof options.namespace !== "string" || options.namespace === "") {
    throw new RangeError(formatFieldError(fieldInvalid("metadata.namespace", options.namespace, "must be a non-empty namespace name")));
  }
  const domain = (options.clusterDomain ?? "cluster.local").replace(/\.$/, "");
  const hostSearch = (options.host?.searches ?? []).filter((s) => s !== ".").map((s) => s.replace(/\.$/, ""));
  const hostServers = options.host?.nameservers ?? [];
  let nameservers: string[];
  let searches: string[];
  let ndots = 1;
  const cluster = policy === "ClusterFirstWithHostNet" || (policy === "ClusterFirst" && !options.hostNetwork);
  if (policy === "None") {
    nameservers = [];
    searches = [];
  } else if (cluster) {
    nameservers = [...(options.clusterDNS ?? ["10.96.0.10"])];
    searches = omitDuplicates([`${options.namespace}.svc.${domain}`, `svc.${domain}`, domain, ...hostSearch]);
    ndots = 5; // defaultDNSOptions = ["ndots:5"]
  } else {
    nameservers = [...hostServers];
    searches = [...hostSearch];
  }
  const dc = options.dnsConfig;
  if (dc !== undefined) {
    nameservers = omitDuplicates([...nameservers, ...(dc.nameservers ?? [])]);
    searches = omitDuplicates([...searches, ...(dc.searches ?? [])]);
    if (dc.ndots !== undefined) {
      if (!(Number.isInteger(dc.ndots) && dc.ndots >= 0)) throw new RangeError(formatFieldError(fieldInvalid("spec.dnsConfig.options[ndots]", dc.ndots, "must be a non-negative integer")));
      ndots = Math.min(dc.ndots, 15); // glibc caps ndots at 15 (RES_MAXNDOTS)
    }
  }
  return { nameservers: nameservers.slice(0, 3), searches: fitSearchLimits(searches), ndots, timeout: 5, attempts: 2 };
}

function omitDuplicates(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/** formDNSSearchFitsLimits: at most 32 paths, none longer than 253 characters, at most 2048 characters joined by spaces (dropping from the end). */
function fitSearchLimits(searches: readonly string[]): string[] {
  let s = searches.slice(0, MAX_DNS_SEARCH_PATHS).filter((x) => x.length <= 253);
  let len = s.join(" ").length;
  while (len > MAX_DNS_SEARCH_LIST_CHARS && s.length > 0) {
    len -= s[s.length - 1].length + 1;
    s = s.slice(0, -1);
  }
  return s;
}

/**
 * resolv.conf text for a configuration.
 *
 * @example
 * ```ts
 * formatResolvConf(podResolvConf({ namespace: "default", host: { searches: ["corp.example.com"] } }));
 * // nameserver 10.96.0.10
 * // search default.svc.cluster.local svc.cluster.local cluster.local corp.example.com
 * // options ndots:5
 * ```
 */
export function formatResolvConf(conf: ResolvConf): string {
  const lines = conf.nameservers.map((n) => `nameserver ${n}`);
  if (conf.searches.length > 0) lines.push(`search ${conf.searches.join(" ")}`);
  const opts: string[] = [];
  if (conf.ndots !== 1) opts.push(`ndots:${conf.ndots}`);
  if (conf.timeout !== 5) opts.push(`timeout:${conf.timeout}`);
  if (conf.attempts !== 2) opts.push(`attempts:${conf.attempts}`);
  if (opts.length > 0) lines.push(`options ${opts.join(" ")}`);
  return lines.map((l) => `${l}\n`).join("");
}

/**
 * Reads resolv.conf text (`nameserver`, `search`, `domain`, `options ndots/timeout/attempts`);
 * the last `search` or `domain` line wins, as in glibc.
 *
 * @example
 * ```ts
 * parseResolvConf("nameserver 10.0.0.2\nsearch corp.example.com\n").searches; // ["corp.example.com"]
 * ```
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let searches: string[] = [];
  let ndots = 1;
  let timeout = 5;
  let attempts = 2;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    if (line === "") continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === "nameserver" && rest[0] !== undefined) nameservers.push(rest[0]);
    else if (key === "search") searches = rest.filter((s) => s !== ".").map((s) => s.replace(/\.$/, ""));
    else if (key === "domain" && rest[0] !== undefined) searches = [rest[0].replace(/\.$/, "")];
    else if (key === "options") {
      for (const o of rest) {
        const m = /^(ndots|timeout|attempts):([0-9]+)$/.exec(o);
        if (!m) continue;
        const v = Number(m[2]);
        if (m[1] === "ndots") ndots = Math.min(v, 15);
        else if (m[1] === "timeout") timeout = Math.min(Math.max(v, 1), 30);
        else attempts = Math.min(Math.max(v, 1), 5);
      }
    }
  }
  return { nameservers, searches, ndots, timeout, attempts };
}
