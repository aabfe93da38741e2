/**
 * The `kube-proxy` nftables table one node's kube-proxy (nftables mode) has programmed for
 * its Services, printed as `nft list ruleset` shows it, or as the `nft -f` transaction that
 * creates it (the `add …` text upstream's proxier tests compare against). Also the
 * nftables chain names (pkg/proxy/nftables/proxier.go hashAndTruncate).
 *
 * @packageDocumentation
 */
import { parseServicePortNameKey } from "../endpointslice-cache.js";
import { base32StdEncode, sha256 } from "../hash/sha256.js";
import { compareProgrammedServicePorts, externalsByPort, parseServiceAddress, upstreamServicePortName } from "../iptables/chain-names.js";
import type { ProgrammedServicePort } from "../iptables/chain-names.js";

/**
 * Which text to print:
 * - `"list"`: what `nft list ruleset` prints for the table (nft 1.0.6 layout: sets and
 *   maps first, then chains, in creation order; `meta mark` expressions expanded; base
 *   chain priorities by name; set elements in nft's listing order);
 * - `"dump"`: the `nft -f` input that creates the same table, one `add …` command per
 *   line, in the syntax of upstream's expected outputs (pkg/proxy/nftables/proxier_test.go,
 *   knftables' fake `Dump`). Loading it with `nft -f` and listing gives the `"list"` text.
 *
 * @example
 * ```ts
 * const format: NftTextFormat = "dump";
 * formatNftRuleset(ports, { format }).split("\n")[0]; // 'add table ip kube-proxy { comment "rules for kube-proxy" ; }'
 * formatNftRuleset(ports, { format: "list" }).split("\n")[0]; // "table ip kube-proxy {"
 * ```
 */
export type NftTextFormat = "list" | "dump";

/**
 * Options of {@link formatNftRuleset}: kube-proxy's configuration.
 *
 * @example
 * ```ts
 * const options: NftRulesetOptions = {
 *   clusterCIDR: "10.244.0.0/16",
 *   nodePortIPs: ["10.0.0.10"],    // --nodeport-addresses: NodePorts match `ip daddr @nodeport-ips`
 *   serviceCIDRs: ["10.96.0.0/12"], // adds `ip daddr 10.96.0.0/12 drop` for unallocated ClusterIPs
 * };
 * formatNftRuleset(ports, options);
 * ```
 */
export interface NftRulesetOptions {
  /** Default `"list"`. */
  readonly format?: NftTextFormat;
  /** The proxier's family (default `"IPv4"`: table `ip kube-proxy`; `"IPv6"`: `ip6 kube-proxy`). Other-family addresses are skipped. */
  readonly ipFamily?: "IPv4" | "IPv6";
  /**
   * Pod CIDR of the local-traffic detector (`--cluster-cidr`): each service chain starts
   * with `ip daddr <clusterIP> ip saddr != <cidr> jump mark-for-masquerade`. Unset: no rule.
   */
  readonly clusterCIDR?: string;
  /** `masqueradeAll`: `ip daddr <clusterIP> jump mark-for-masquerade` for every connection. */
  readonly masqueradeAll?: boolean;
  /** `masqueradeBit` (default 14). */
  readonly masqueradeBit?: number;
  /** The mark as kube-proxy writes it in the dump; default Go's `%#08x` (`0x00004000`). Upstream's fake uses `0x4000`. */
  readonly masqueradeMark?: string;
  /**
   * The node IPs selected by `--nodeport-addresses`: creates the `nodeport-ips` set and
   * matches NodePorts on it. Unset (default, "all local addresses"): `fib daddr type local`
   * and `ip daddr != 127.0.0.0/8` instead.
   */
  readonly nodePortIPs?: readonly string[];
  /**
   * The ServiceCIDRs of this family, when kube-proxy knows them (ServiceCIDR objects):
   * adds the `cluster-ips-check` rule that drops traffic to unallocated ClusterIPs.
   */
  readonly serviceCIDRs?: readonly string[];
}

/** knftables.NameLengthMax (256) minus chainNamePrefixLengthMax (16): pkg/proxy/nftables/proxier.go chainNameBaseLengthMax. */
const CHAIN_NAME_BASE_LENGTH_MAX = 240;

/**
 * kube-proxy's `hashAndTruncate` (pkg/proxy/nftables/proxier.go): the first 8 characters
 * of `base32.StdEncoding(sha256(name))`, a `-`, then the name, cut to 240 characters (the
 * last three replaced by `...`) if longer.
 *
 * @example
 * ```ts
 * hashAndTruncate("ns1/svc1/tcp/p80"); // "ULMVA6XW-ns1/svc1/tcp/p80"
 * ```
 */
export function hashAndTruncate(name: string): string {
  let out = `${base32StdEncode(sha256(name)).slice(0, 8)}-${name}`;
  if (out.length > CHAIN_NAME_BASE_LENGTH_MAX) out = `${out.slice(0, CHAIN_NAME_BASE_LENGTH_MAX - 3)}...`;
  return out;
}

/**
 * kube-proxy's `servicePortChainNameBase` for a kube-netsim Service port key: hashAndTruncate
 * of `namespace/service/protocol/portName` (protocol lower case; an unnamed port leaves the
 * last part empty). Prefixed with `service-`, `local-`, `external-` or `firewall-` it names
 * the port's chains.
 *
 * @example
 * ```ts
 * servicePortChainNameBase("ns1/svc1:p80/TCP"); // "ULMVA6XW-ns1/svc1/tcp/p80"
 * ```
 */
export function servicePortChainNameBase(servicePortNameKey: string): string {
  const spn = parseServicePortNameKey(servicePortNameKey);
  return hashAndTruncate(`${spn.namespace}/${spn.name}/${spn.protocol.toLowerCase()}/${spn.port}`);
}

/**
 * kube-proxy's `servicePortEndpointChainNameBase`: hashAndTruncate of
 * `namespace/service/protocol/portName__endpointIP/endpointPort`, with the `:` of an IPv6
 * endpoint IP replaced by `.` (chain names may not contain `:`). Prefixed with `endpoint-`
 * it names the endpoint chain, with `affinity-` its session-affinity set.
 *
 * @param endpoint - `IP:port` as `net.JoinHostPort` writes it (`[v6]:port` for IPv6).
 *
 * @example
 * ```ts
 * servicePortEndpointChainNameBase("ns1/svc1:p80/TCP", "10.180.0.1:80"); // "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80"
 * ```
 */
export function servicePortEndpointChainNameBase(servicePortNameKey: string, endpoint: string): string {
  const spn = parseServicePortNameKey(servicePortNameKey);
  const colon = endpoint.lastIndexOf(":");
  let ip = endpoint.slice(0, colon);
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  const port = endpoint.slice(colon + 1);
  return hashAndTruncate(`${spn.namespace}/${spn.name}/${spn.protocol.toLowerCase()}/${spn.port}__${ip.replaceAll(":", ".")}/${port}`);
}

// ---- object model of the table ----

interface NftElement {
  /** Key as written in a command, e.g. `172.30.0.41 . tcp . 80`. */
  readonly key: string;
  /** Key bytes as the kernel stores them (for nft's listing order). */
  readonly keyBytes: readonly number[];
  /** Whether the key is a concatenation (sorted differently by nft). */
  readonly concat: boolean;
  readonly comment?: string;
  /** Map value (verdict), e.g. `goto service-…` or `drop`. */
  readonly value?: string;
}

interface NftSet {
  readonly kind: "set" | "map";
  readonly name: string;
  readonly type: string;
  readonly comment: string;
  /** nft's element separator class: IP address sets print two per line, others one. */
  readonly twoPerLine: boolean;
  readonly elements: NftElement[];
}

interface NftRule {
  /** As written in the dump (`add rule` text). */
  readonly dump: string;
  /** As `nft list` prints it back. */
  readonly list: string;
  readonly comment?: string;
}

interface NftBaseChain {
  readonly type: string;
  readonly hook: string;
  readonly priority: number;
  /** The priority as nft 1.0.6 lists it (`dstnat - 10`, `filter`, `-110`, …). */
  readonly listPriority: string;
}

interface NftChain {
  readonly name: string;
  readonly base?: NftBaseChain;
  readonly comment?: string;
  readonly rules: NftRule[];
}

/** pkg/proxy/nftables/proxier.go nftablesBaseChains (the pre-DNAT filter layout of current releases). */
const BASE_CHAINS: ReadonlyArray<readonly [string, NftBaseChain]> = [
  ["filter-prerouting-pre-dnat", { type: "filter", hook: "prerouting", priority: -110, listPriority: "dstnat - 10" }],
  ["filter-output-pre-dnat", { type: "filter", hook: "output", priority: -110, listPriority: "-110" }],
  ["filter-input", { type: "filter", hook: "input", priority: 0, listPriority: "filter" }],
  ["filter-forward", { type: "filter", hook: "forward", priority: 0, listPriority: "filter" }],
  ["filter-output", { type: "filter", hook: "output", priority: 0, listPriority: "filter" }],
  ["nat-prerouting", { type: "nat", hook: "prerouting", priority: -100, listPriority: "dstnat" }],
  ["nat-output", { type: "nat", hook: "output", priority: -100, listPriority: "-100" }],
  ["nat-postrouting", { type: "nat", hook: "postrouting", priority: 100, listPriority: "srcnat" }],
];

/** pkg/proxy/nftables/proxier.go nftablesJumpChains: (destination, source base chain, match). */
const JUMP_CHAINS: ReadonlyArray<readonly [string, string, string]> = [
  ["nodeport-endpoints-check", "filter-input", "ct state new "],
  ["service-endpoints-check", "filter-input", "ct state new "],
  ["service-endpoints-check", "filter-forward", "ct state new "],
  ["service-endpoints-check", "filter-output", "ct state new "],
  ["firewall-check", "filter-prerouting-pre-dnat", "ct state new "],
  ["firewall-check", "filter-output-pre-dnat", "ct state new "],
  ["services", "nat-output", ""],
  ["services", "nat-prerouting", ""],
  ["masquerading", "nat-postrouting", ""],
  ["cluster-ips-check", "filter-forward", "ct state new "],
  ["cluster-ips-check", "filter-output", "ct state new "],
];

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, sctp: 132 };

/** Network-order bytes of an IPv4 or IPv6 address (canonical text). */
function ipBytes(ip: string): number[] {
  if (!ip.includes(":")) return ip.split(".").map(Number);
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const words = (s: string | undefined): number[] => (s ? s.split(":").map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

/** Lexicographic comparison of equal-length byte strings (numeric order of network-order values). */
function compareBytes(x: readonly number[], y: readonly number[]): number {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * nft's listing order of set elements (nftables src/mergesort.c, nft 0.9.7 to 1.1.5): a
 * plain value sorts numerically; a concatenation's bytes are read back as a host-endian
 * (little-endian on x86) number, so its LAST byte weighs most.
 */
function compareElements(a: NftElement, b: NftElement): number {
  const x = a.keyBytes;
  const y = b.keyBytes;
  if (a.concat) {
    for (let i = x.length - 1; i >= 0; i--) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  }
  return compareBytes(x, y);
}

/** The `0x%08x` form nft lists a 32-bit mark in. */
function nftHex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/**
 * Prints the `kube-proxy` nftables table a node's kube-proxy (nftables mode) has
 * programmed for the given Service ports (pkg/proxy/nftables/proxier.go setupNFTables,
 * syncProxyRules, writeServiceToEndpointRules), as `nft list ruleset` shows it (default)
 * or as the `nft -f` commands that create it.
 *
 * @remarks
 * **What is printed.** One table `ip kube-proxy` (`ip6` for IPv6) as a full sync leaves it:
 * - the sets `cluster-ips` (every ClusterIP) and, with `nodePortIPs`, `nodeport-ips`; the
 *   verdict maps `no-endpoint-services`, `no-endpoint-nodeports`, `firewall-ips`,
 *   `service-ips`, `service-nodeports`;
 * - the base chains (`filter-prerouting-pre-dnat`, `filter-output-pre-dnat`,
 *   `filter-input`, `filter-forward`, `filter-output`, `nat-prerouting`, `nat-output`,
 *   `nat-postrouting`) with their jumps, and the fixed chains (`services` with
 *   `ip daddr . meta l4proto . th dport vmap @service-ips`, `masquerading`,
 *   `mark-for-masquerade`, `service-endpoints-check`, `nodeport-endpoints-check`,
 *   `firewall-check`, `cluster-ips-check`, `reject-chain`);
 * - per forwarding port: an element `IP . proto . port : goto service-<hash8>-ns/svc/proto/port`
 *   (`local-…` with internalTrafficPolicy Local) in `service-ips`; the service chain with the
 *   off-cluster masquerade rule (with `clusterCIDR` or `masqueradeAll`) and one
 *   `numgen random mod N vmap { 0 : goto endpoint-…, … }` over the endpoints in `IP:port`
 *   order; one `endpoint-<hash8>-ns/svc/proto/port__IP/port` chain per endpoint (hairpin
 *   `ip saddr <podIP> jump mark-for-masquerade`, then `meta l4proto <proto> dnat to IP:port`);
 * - per port without usable endpoints: an element in `no-endpoint-services` with the
 *   Service port as comment and the verdict `goto reject-chain` (`reject` verdict) or `drop`
 *   (Local policy, no local endpoint).
 *
 * **Order.** Objects are created as setupNFTables creates them, then per Service port in
 * the sorted order (`namespace/name`, port name, protocol, address; upstream walks a Go
 * map), endpoint chains before the service chain that jumps to them. `nft list` shows sets
 * and maps before chains, each in creation order, and sorts set elements its own way
 * (see below).
 *
 * **Gotchas.** The listing follows nft 1.0.6 (Debian 12), checked against it (the dump,
 * loaded with `nft -f` in an empty network namespace, lists as exactly the `"list"` text,
 * IPv4 and IPv6): concatenated
 * map keys are listed by nft's little-endian sort (a key's last byte, the port's low byte,
 * weighs most), IP sets numerically, two addresses per line. nft ≥ 1.1.6 sorts concatenations
 * big-endian instead. External addresses (NodePort, load-balancer IPs, externalIPs) are
 * printed when the input holds the port's `external` (and `local-origin`) frontends, as
 * `KubeProxy.ruleset()` passes them; no firewall (`loadBalancerSourceRanges`) or affinity
 * objects yet.
 *
 * @example
 * ```ts
 * const ports = kubeProxy.programmedAddresses().map((a) => kubeProxy.frontend(a));
 * formatNftRuleset(ports, { clusterCIDR: "10.244.0.0/16" });
 * // table ip kube-proxy {
 * // 	comment "rules for kube-proxy"
 * // 	set cluster-ips {
 * // …
 * ```
 */
export function formatNftRuleset(frontends: readonly ProgrammedServicePort[], options: NftRulesetOptions = {}): string {
  const ipv6 = options.ipFamily === "IPv6";
  const family = ipv6 ? "ip6" : "ip";
  const addrType = ipv6 ? "ipv6_addr" : "ipv4_addr";
  const noLocalhost = ipv6 ? "ip6 daddr != ::1" : "ip daddr != 127.0.0.0/8";
  const markValue = 2 ** (options.masqueradeBit ?? 14);
  const dumpMark = options.masqueradeMark ?? `0x${markValue.toString(16).padStart(8, "0")}`;
  const listMark = nftHex32(markValue);

  const sets: NftSet[] = [];
  const chains: NftChain[] = [];
  const setNamed = new Map<string, NftSet>();
  const chainNamed = new Map<string, NftChain>();
  const addSet = (kind: "set" | "map", name: string, type: string, comment: string): void => {
    const s: NftSet = { kind, name, type, comment, twoPerLine: type === "ipv4_addr", elements: [] };
    sets.push(s);
    setNamed.set(name, s);
  };
  const addChain = (name: string, extra: { base?: NftBaseChain; comment?: string } = {}): NftChain => {
    const c: NftChain = { name, ...extra, rules: [] };
    chains.push(c);
    chainNamed.set(name, c);
    return c;
  };
  const addRule = (chain: string, dump: string, list: string = dump, comment?: string): void => {
    (chainNamed.get(chain) as NftChain).rules.push({ dump, list, comment });
  };
  // nftElementStorage.ensureElem: an element is added once per key (a ClusterIP shared by several ports).
  const addElement = (set: string, element: NftElement): void => {
    const s = setNamed.get(set) as NftSet;
    if (!s.elements.some((e) => e.key === element.key)) s.elements.push(element);
  };

  // setupNFTables: base chains, then the jump chains and their jump rules.
  for (const [name, base] of BASE_CHAINS) addChain(name, { base });
  for (const [dst, src, match] of JUMP_CHAINS) {
    if (!chainNamed.has(dst)) addChain(dst);
    addRule(src, `${match}jump ${dst}`);
  }
  addChain("mark-for-masquerade");
  addRule("mark-for-masquerade", `mark set mark or ${dumpMark}`, `meta mark set meta mark | ${listMark}`);
  addRule("masquerading", `mark and ${dumpMark} == 0 return`, `meta mark & ${listMark} == 0x00000000 return`);
  addRule("masquerading", `mark set mark xor ${dumpMark}`, `meta mark set meta mark ^ ${listMark}`);
  addRule("masquerading", "masquerade fully-random");

  addSet("set", "cluster-ips", addrType, "Active ClusterIPs");
  addRule("cluster-ips-check", `${family} daddr @cluster-ips reject`, undefined, "Reject traffic to invalid ports of ClusterIPs");
  if (options.serviceCIDRs && options.serviceCIDRs.length > 0) {
    const cidrs = options.serviceCIDRs;
    // An anonymous interval set: nft lists it sorted by start address (a single element bare).
    const byStart = [...cidrs].sort((a, b) => compareBytes(ipBytes(a.split("/")[0]), ipBytes(b.split("/")[0])));
    addRule(
      "cluster-ips-check",
      `${family} daddr { ${cidrs.join(",")} } drop`,
      `${family} daddr ${cidrs.length === 1 ? cidrs[0] : `{ ${byStart.join(", ")} }`} drop`,
      "Drop traffic to unallocated ClusterIPs",
    );
  }
  const nodePortMatch = options.nodePortIPs ? `${family} daddr @nodeport-ips` : noLocalhost;
  if (options.nodePortIPs) {
    addSet("set", "nodeport-ips", addrType, "IPs that accept NodePort traffic");
    for (const ip of options.nodePortIPs) addElement("nodeport-ips", { key: ip, keyBytes: ipBytes(ip), concat: false });
  }
  addSet("map", "no-endpoint-services", `${addrType} . inet_proto . inet_service : verdict`, "vmap to drop or reject packets to services with no endpoints");
  addSet("map", "no-endpoint-nodeports", "inet_proto . inet_service : verdict", "vmap to drop or reject packets to service nodeports with no endpoints");
  addChain("reject-chain", { comment: "helper for @no-endpoint-services / @no-endpoint-nodeports" });
  addRule("reject-chain", "reject");
  addRule("service-endpoints-check", `${family} daddr . meta l4proto . th dport vmap @no-endpoint-services`);
  addRule("nodeport-endpoints-check", `${nodePortMatch} meta l4proto . th dport vmap @no-endpoint-nodeports`);
  addSet("map", "firewall-ips", `${addrType} . inet_proto . inet_service : verdict`, "destinations that are subject to LoadBalancerSourceRanges");
  addRule("firewall-check", `${family} daddr . meta l4proto . th dport vmap @firewall-ips`);
  addSet("map", "service-ips", `${addrType} . inet_proto . inet_service : verdict`, "ClusterIP, ExternalIP and LoadBalancer IP traffic");
  addSet("map", "service-nodeports", "inet_proto . inet_service : verdict", "NodePort traffic");
  addRule("services", `${family} daddr . meta l4proto . th dport vmap @service-ips`);
  addRule("services", `${options.nodePortIPs ? "" : "fib daddr type local "}${nodePortMatch} meta l4proto . th dport vmap @service-nodeports`);

  // syncProxyRules: one pass per Service port.
  const ports = frontends
    .filter((f) => (f.kind ?? "cluster-ip") === "cluster-ip" && f.verdict !== "no-rule" && f.servicePortName !== "" && parseServiceAddress(f.address).ipv6 === ipv6)
    .sort(compareProgrammedServicePorts);
  const externals = externalsByPort(frontends);
  const ctx: ExternalContext = { family, clusterCIDR: options.clusterCIDR, masqueradeAll: options.masqueradeAll === true, addChain, addRule, addElement };
  for (const f of ports) {
    const addr = parseServiceAddress(f.address);
    const proto = addr.protocol.toLowerCase();
    const keyBytes = [...ipBytes(addr.ip), PROTOCOL_NUMBERS[proto] ?? 0, addr.port >> 8, addr.port & 0xff];
    const key = `${addr.ip} . ${proto} . ${addr.port}`;
    addElement("cluster-ips", { key: addr.ip, keyBytes: ipBytes(addr.ip), concat: false });
    const ext = externals.get(f.servicePortName);
    if (ext !== undefined && ext.external.length > 0) {
      writeExternallyAccessiblePort(ctx, f, ext.external, ext.localOrigin);
      continue;
    }
    if (f.verdict === "reject" || f.verdict === "drop") {
      const value = f.verdict === "reject" ? "goto reject-chain" : "drop";
      addElement("no-endpoint-services", { key, keyBytes, concat: true, comment: upstreamServicePortName(f.servicePortName), value });
      continue;
    }
    const base = servicePortChainNameBase(f.servicePortName);
    const chain = `${f.internalTrafficPolicy === "Local" ? "local-" : "service-"}${base}`;
    const endpointChains = f.endpoints.map((ep) => `endpoint-${servicePortEndpointChainNameBase(f.servicePortName, ep.key)}`);
    for (const ec of endpointChains) addChain(ec);
    addChain(chain);
    if (options.masqueradeAll) addRule(chain, `${family} daddr ${addr.ip} jump mark-for-masquerade`);
    else if (options.clusterCIDR !== undefined) {
      addRule(chain, `${family} daddr ${addr.ip} ${family} saddr != ${options.clusterCIDR} jump mark-for-masquerade`);
    }
    const arms = endpointChains.map((ec, i) => `${i} : goto ${ec}`);
    addRule(chain, `numgen random mod ${arms.length} vmap { ${arms.join(" , ")} }`, `numgen random mod ${arms.length} vmap { ${arms.join(", ")} }`);
    f.endpoints.forEach((ep, i) => {
      addRule(endpointChains[i], `${family} saddr ${ep.ip} jump mark-for-masquerade`);
      addRule(endpointChains[i], `meta l4proto ${proto} dnat to ${ep.key}`);
    });
    addElement("service-ips", { key, keyBytes, concat: true, value: `goto ${chain}` });
  }

  return (options.format ?? "list") === "dump" ? printDump(family, sets, chains) : printList(family, sets, chains);
}


/** What {@link writeExternallyAccessiblePort} writes into. */
interface ExternalContext {
  readonly family: string;
  readonly clusterCIDR: string | undefined;
  readonly masqueradeAll: boolean;
  readonly addChain: (name: string) => NftChain;
  readonly addRule: (chain: string, dump: string, list?: string, comment?: string) => void;
  readonly addElement: (set: string, element: NftElement) => void;
}

/**
 * One Service port with external addresses (NodePort, load-balancer IPs, externalIPs), as
 * pkg/proxy/nftables/proxier.go syncProxyRules writes it: the ClusterIP in `service-ips`
 * (or `no-endpoint-services`); each externalIP and load-balancer IP in `service-ips` with
 * `goto external-…` while the port has any endpoint, and in `no-endpoint-services` when it
 * has none for external traffic (`drop` with Local policy and no local endpoint,
 * `goto reject-chain` with none at all); the NodePort likewise in `service-nodeports` and
 * `no-endpoint-nodeports` (`proto . port` keys); the `external-…` chain (Cluster policy:
 * `jump mark-for-masquerade`; Local: the pod-traffic short-circuit with a cluster CIDR,
 * then `fib saddr type local` masquerade and short-circuit to the `service-…` chain; then
 * `goto` the policy chain when there are external endpoints); the `service-…` chain over the
 * Cluster endpoints and the `local-…` chain over the local ones; an endpoint chain per
 * reachable endpoint. `loadBalancerSourceRanges` (`firewall-ips`) is not modelled.
 */
function writeExternallyAccessiblePort(
  ctx: ExternalContext,
  f: ProgrammedServicePort,
  external: readonly ProgrammedServicePort[],
  localOrigin: ProgrammedServicePort | undefined,
): void {
  const { family, addChain, addRule, addElement } = ctx;
  const addr = parseServiceAddress(f.address);
  const proto = addr.protocol.toLowerCase();
  const protoNumber = PROTOCOL_NUMBERS[proto] ?? 0;
  const spn = upstreamServicePortName(f.servicePortName);
  const base = servicePortChainNameBase(f.servicePortName);
  const clusterChain = `service-${base}`;
  const localChain = `local-${base}`;
  const externalChain = `external-${base}`;
  const first = external[0];
  const etpLocal = first.externalTrafficPolicy === "Local";
  const itpLocal = f.internalTrafficPolicy === "Local";
  // CategorizeEndpoints' outputs, read back from the programmed frontends (as the iptables printer does).
  const clusterEndpoints = localOrigin?.endpoints ?? (itpLocal ? [] : f.endpoints);
  const localEndpoints = etpLocal ? first.endpoints : itpLocal ? f.endpoints : [];
  const hasEndpoints = [f, ...external].some((x) => x.verdict !== "reject");
  const hasInternal = f.verdict === "forward";
  const hasExternal = first.verdict === "forward";
  const internalChain = itpLocal ? localChain : clusterChain;
  const externalPolicyChain = etpLocal ? localChain : clusterChain;
  const internalVerdict = hasEndpoints ? "drop" : "goto reject-chain";
  const externalVerdict = hasEndpoints ? "drop" : "goto reject-chain";
  const ipKey = (ip: string, port: number): { key: string; keyBytes: number[] } => ({
    key: `${ip} . ${proto} . ${port}`,
    keyBytes: [...ipBytes(ip), protoNumber, port >> 8, port & 0xff],
  });

  // Endpoint chains (every locally reachable endpoint), then the policy chains, then external-.
  const reachable = new Map<string, ProgrammedServicePort["endpoints"][number]>();
  for (const ep of [...clusterEndpoints, ...localEndpoints]) if (!reachable.has(ep.key)) reachable.set(ep.key, ep);
  const endpointChain = (ep: ProgrammedServicePort["endpoints"][number]): string => `endpoint-${servicePortEndpointChainNameBase(f.servicePortName, ep.key)}`;
  const sortedReachable = [...reachable.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const ep of sortedReachable) addChain(endpointChain(ep));
  const usesCluster = hasEndpoints && clusterEndpoints.length > 0;
  const usesLocal = hasEndpoints && localEndpoints.length > 0 && (etpLocal || itpLocal);
  if (usesCluster) addChain(clusterChain);
  if (usesLocal) addChain(localChain);
  if (hasEndpoints) addChain(externalChain);

  // The ClusterIP.
  const cip = ipKey(addr.ip, addr.port);
  if (hasInternal) addElement("service-ips", { ...cip, concat: true, value: `goto ${internalChain}` });
  else addElement("no-endpoint-services", { ...cip, concat: true, comment: spn, value: internalVerdict });
  // externalIPs, then load-balancer IPs.
  for (const kind of ["external-ip", "load-balancer"] as const) {
    for (const x of external.filter((e) => e.externalKind === kind)) {
      const a = parseServiceAddress(x.address);
      const k = ipKey(a.ip, a.port);
      if (hasEndpoints) addElement("service-ips", { ...k, concat: true, value: `goto ${externalChain}` });
      if (!hasExternal) addElement("no-endpoint-services", { ...k, concat: true, comment: spn, value: externalVerdict });
    }
  }
  // The NodePort.
  const nodePort = external.find((e) => e.externalKind === "node-port");
  if (nodePort !== undefined) {
    const np = parseServiceAddress(nodePort.address).port;
    const k = { key: `${proto} . ${np}`, keyBytes: [protoNumber, np >> 8, np & 0xff] };
    if (hasEndpoints) addElement("service-nodeports", { ...k, concat: true, value: `goto ${externalChain}` });
    if (!hasExternal) addElement("no-endpoint-nodeports", { ...k, concat: true, comment: spn, value: externalVerdict });
  }

  // Internal traffic: off-cluster ClusterIP traffic is masqueraded.
  if (hasInternal) {
    if (ctx.masqueradeAll) addRule(internalChain, `${family} daddr ${addr.ip} jump mark-for-masquerade`);
    else if (ctx.clusterCIDR !== undefined) addRule(internalChain, `${family} daddr ${addr.ip} ${family} saddr != ${ctx.clusterCIDR} jump mark-for-masquerade`);
  }
  // The external chain.
  if (hasEndpoints) {
    if (!etpLocal) addRule(externalChain, "jump mark-for-masquerade");
    else {
      if (ctx.clusterCIDR !== undefined) addRule(externalChain, `${family} saddr ${ctx.clusterCIDR} goto ${clusterChain}`, undefined, "short-circuit pod traffic");
      addRule(externalChain, "fib saddr type local jump mark-for-masquerade", undefined, "masquerade local traffic");
      addRule(externalChain, `fib saddr type local goto ${clusterChain}`, undefined, "short-circuit local traffic");
    }
    if (hasExternal) addRule(externalChain, `goto ${externalPolicyChain}`);
  }
  // The policy chains: numgen over their endpoints.
  const numgen = (chain: string, eps: readonly ProgrammedServicePort["endpoints"][number][]): void => {
    const arms = eps.map((ep, i) => `${i} : goto ${endpointChain(ep)}`);
    addRule(chain, `numgen random mod ${arms.length} vmap { ${arms.join(" , ")} }`, `numgen random mod ${arms.length} vmap { ${arms.join(", ")} }`);
  };
  if (usesCluster) numgen(clusterChain, clusterEndpoints);
  if (usesLocal) numgen(localChain, localEndpoints);
  for (const ep of sortedReachable) {
    addRule(endpointChain(ep), `${family} saddr ${ep.ip} jump mark-for-masquerade`);
    addRule(endpointChain(ep), `meta l4proto ${proto} dnat to ${ep.key}`);
  }
}

function elementText(e: NftElement): string {
  const comment = e.comment === undefined ? "" : ` comment "${e.comment}"`;
  return `${e.key}${comment}${e.value === undefined ? "" : ` : ${e.value}`}`;
}

/** `nft -f` commands: table, sets/maps, chains, rules, elements (every name exists before it is used). */
function printDump(family: string, sets: readonly NftSet[], chains: readonly NftChain[]): string {
  const t = `${family} kube-proxy`;
  const lines = [`add table ${t} { comment "rules for kube-proxy" ; }`, ""];
  for (const s of sets) lines.push(`add ${s.kind} ${t} ${s.name} { type ${s.type} ; comment "${s.comment}" ; }`);
  lines.push("");
  for (const c of chains) {
    const spec = c.base
      ? ` { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority} ; }`
      : c.comment !== undefined
        ? ` { comment "${c.comment}" ; }`
        : "";
    lines.push(`add chain ${t} ${c.name}${spec}`);
  }
  lines.push("");
  for (const c of chains) {
    for (const r of c.rules) lines.push(`add rule ${t} ${c.name} ${r.dump}${r.comment === undefined ? "" : ` comment "${r.comment}"`}`);
  }
  lines.push("");
  for (const s of sets) for (const e of s.elements) lines.push(`add element ${t} ${s.name} { ${elementText(e)} }`);
  return `${lines.join("\n")}\n`;
}

/** `nft list ruleset` (nftables src/rule.c table_print, set_print, chain_print; src/expression.c set_expr_print). */
function printList(family: string, sets: readonly NftSet[], chains: readonly NftChain[]): string {
  const blocks: string[] = [];
  for (const s of sets) {
    const lines = [`\t${s.kind} ${s.name} {`, `\t\ttype ${s.type}`, `\t\tcomment "${s.comment}"`];
    if (s.elements.length > 0) {
      const sorted = [...s.elements].sort(compareElements);
      // calculate_delim: IPv4 address sets break the line after every second element, others after each.
      let text = "";
      sorted.forEach((e, i) => {
        if (i > 0) text += s.twoPerLine && i % 2 === 1 ? ", " : ",\n\t\t\t     ";
        text += elementText(e);
      });
      lines.push(`\t\telements = { ${text} }`);
    }
    lines.push("\t}");
    blocks.push(lines.join("\n"));
  }
  for (const c of chains) {
    const lines = [`\tchain ${c.name} {`];
    if (c.base) lines.push(`\t\ttype ${c.base.type} hook ${c.base.hook} priority ${c.base.listPriority}; policy accept;`);
    if (c.comment !== undefined) lines.push(`\t\tcomment "${c.comment}"`);
    for (const r of c.rules) lines.push(`\t\t${r.list}${r.comment === undefined ? "" : ` comment "${r.comment}"`}`);
    lines.push("\t}");
    blocks.push(lines.join("\n"));
  }
  return `table ${family} kube-proxy {\n\tcomment "rules for kube-proxy"\n${blocks.join("\n\n")}\n}\n`;
}
