/**
 * The `filter` and `nat` rules one node's kube-proxy (iptables mode) has programmed for its
 * Services, printed as `iptables-save` shows them, or as the `iptables-restore` input
 * kube-proxy writes (the text upstream's proxier tests compare against).
 *
 * @packageDocumentation
 */
import {
  compareProgrammedServicePorts,
  externalsByPort,
  parseServiceAddress,
  serviceExternalChainName,
  servicePortChainName,
  servicePortEndpointChainName,
  servicePortLocalChainName,
  upstreamServicePortName,
} from "./chain-names.js";
import type { ProgrammedServicePort } from "./chain-names.js";
import { computeProbability, kernelThreshold } from "./probability.js";

/**
 * Which text to print:
 * - `"iptables-save"`: what `iptables-save` prints back from the kernel (addresses with
 *   `/32`, `-p` before the matches, `MARK --set-xmark`, `--probability` as the kernel's
 *   threshold with 11 decimals, `REJECT --reject-with icmp-port-unreachable`, comments
 *   quoted by xtables' rules, chains sorted by name);
 * - `"iptables-restore"`: the `iptables-restore` input kube-proxy writes
 *   (pkg/proxy/iptables/proxier.go syncProxyRules), in the canonical order of upstream's
 *   test helper `sortIPTablesRules` (pkg/proxy/iptables/proxier_test.go).
 *
 * @example
 * ```ts
 * const format: IptablesTextFormat = "iptables-restore";
 * formatIptablesSave(ports, { format }); // ports: e.g. the ProgrammedServicePort example's [port]
 * // -A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
 * // ("iptables-save" prints the same rule as: -A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment ... -m udp --dport 53 -j KUBE-SVC-...)
 * ```
 */
export type IptablesTextFormat = "iptables-save" | "iptables-restore";

/**
 * Options of {@link formatIptablesSave}: kube-proxy's configuration and the node's capabilities.
 *
 * @example
 * ```ts
 * const options: IptablesSaveOptions = {
 *   format: "iptables-save",
 *   clusterCIDR: "10.244.0.0/16", // --cluster-cidr: `! -s 10.244.0.0/16 -j KUBE-MARK-MASQ` in each KUBE-SVC chain
 *   masqueradeBit: 14,            // mark 0x4000
 *   localhostNodePorts: false,
 * };
 * formatIptablesSave(ports, options);
 * ```
 */
export interface IptablesSaveOptions {
  /** Default `"iptables-save"`. */
  readonly format?: IptablesTextFormat;
  /** The proxier's family (default `"IPv4"`); Service addresses of the other family are skipped. */
  readonly ipFamily?: "IPv4" | "IPv6";
  /**
   * The cluster's Pod CIDR for the local-traffic detector (`--cluster-cidr`,
   * detectLocalMode ClusterCIDR), as a network address (`10.244.0.0/16`). When set, each
   * KUBE-SVC/KUBE-SVL chain starts with `! -s <cidr> -j KUBE-MARK-MASQ` for ClusterIP
   * traffic from outside the cluster. Unset: no detector, no such rule.
   */
  readonly clusterCIDR?: string;
  /** `masqueradeAll`: masquerade every ClusterIP connection (the rule then has no `! -s`). Default false. */
  readonly masqueradeAll?: boolean;
  /** `masqueradeBit` (default 14): the mark is `1 << bit`. */
  readonly masqueradeBit?: number;
  /**
   * The mark as kube-proxy writes it in the restore input; default Go's
   * `fmt.Sprintf("%#08x", 1<<bit)`, i.e. `0x00004000`. Upstream's fake proxier uses `0x4000`.
   * Ignored by `iptables-save`, which prints the kernel's value (`0x4000`).
   */
  readonly masqueradeMark?: string;
  /** iptables supports `MASQUERADE --random-fully` (`HasRandomFully`). Default true. */
  readonly randomFully?: boolean;
  /** `iptables.localhostNodePorts` (default true; IPv4 only): adds KUBE-FIREWALL and keeps 127/8 NodePorts. */
  readonly localhostNodePorts?: boolean;
  /** `nf_conntrack_tcp_be_liberal` is set: no INVALID drop rule. Default false. */
  readonly conntrackTCPBeLiberal?: boolean;
  /**
   * The INVALID drop rule carries `-m nfacct --nfacct-name ct_state_invalid_dropped_pkts`
   * (kube-proxy 1.31+ on a kernel with xt_nfacct). Default true.
   */
  readonly nfacct?: boolean;
  /**
   * largeClusterMode (more than 1000 endpoints): comments dropped from KUBE-SVC->KUBE-SEP and
   * KUBE-SEP rules. Default: the sum of the printed ports' endpoints is above 1000
   * (upstream counts every endpoint of every Service port, usable or not).
   */
  readonly largeClusterMode?: boolean;
}

/** pkg/proxy/iptables/proxier.go largeClusterEndpointsThreshold. */
const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

const NODEPORTS_COMMENT = "kubernetes service nodeports; NOTE: this must be the last rule in this chain";

interface Rule {
  readonly chain: string;
  readonly restore: string;
  readonly save: string;
}

/**
 * xtables `xtables_save_string` (iptables libxtables/xtables.c): a value made only of
 * `[A-Za-z0-9_-]` is printed bare, anything else in double quotes with `"`, `\` and `'`
 * escaped by a backslash.
 */
function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/** Go `fmt.Sprintf("%#08x", v)`: zero padding to 8 digits does not count the `0x`. */
function goHex08(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/**
 * libxt_statistic `print_match`: `%.11f` of `threshold / 0x80000000`, the exact binary
 * value rounded half-to-even as glibc's printf does.
 */
function formatSavedProbability(threshold: number): string {
  const scale = 10n ** 11n;
  const num = BigInt(threshold) * scale;
  const den = 1n << 31n;
  let q = num / den;
  const twiceRem = (num - q * den) * 2n;
  if (twiceRem > den || (twiceRem === den && (q & 1n) === 1n)) q += 1n;
  const s = q.toString().padStart(12, "0");
  return `${s.slice(0, -11)}.${s.slice(-11)}`;
}

/** `--probability` of the rule with `remaining` endpoints left, in the chosen format. */
function probabilityText(remaining: number, save: boolean): string {
  const p = computeProbability(remaining);
  return save ? formatSavedProbability(kernelThreshold(p)) : p;
}

/**
 * The Service ports a printer shows, in print order: programmed ones (`verdict` not
 * `no-rule`) of the given family, sorted by Service name, port name, protocol and address.
 */
function printedPorts(frontends: readonly ProgrammedServicePort[], ipv6: boolean): ProgrammedServicePort[] {
  return frontends
    .filter((f) => (f.kind ?? "cluster-ip") === "cluster-ip" && f.verdict !== "no-rule" && f.servicePortName !== "" && parseServiceAddress(f.address).ipv6 === ipv6)
    .sort(compareProgrammedServicePorts);
}


/**
 * Prints the `filter` and `nat` tables a node's kube-proxy (iptables mode) has programmed
 * for the given Service ports (pkg/proxy/iptables/proxier.go syncProxyRules,
 * writeServiceToEndpointRules), as `iptables-save` shows them (default) or as the
 * `iptables-restore` input kube-proxy writes.
 *
 * @remarks
 * **What is printed.** kube-proxy's own chains, as one full sync writes them:
 * - filter: KUBE-SERVICES (a `REJECT` rule, comment `"<ns/svc:port> has no endpoints"`, for
 *   each port with no usable endpoint anywhere; a `DROP` rule, comment
 *   `"... has no local endpoints"`, for a Local-policy port without endpoints on this
 *   node), KUBE-EXTERNAL-SERVICES, KUBE-FORWARD (INVALID drop, marked-packet and
 *   RELATED/ESTABLISHED accepts), KUBE-NODEPORTS, KUBE-PROXY-FIREWALL, and KUBE-FIREWALL
 *   (the 127.0.0.0/8 martian drop) with `localhostNodePorts` on IPv4.
 * - nat: KUBE-SERVICES (`-d <clusterIP>/32 -p tcp -m comment --comment "ns/svc:port cluster IP"
 *   -m tcp --dport <port> -j KUBE-SVC-…`, then the KUBE-NODEPORTS jump, always last),
 *   KUBE-MARK-MASQ, KUBE-POSTROUTING, KUBE-NODEPORTS, one KUBE-SVC- (Cluster policy) or
 *   KUBE-SVL- (internalTrafficPolicy Local) chain per forwarding port — the off-cluster
 *   masquerade rule when `clusterCIDR` or `masqueradeAll` is set, then one rule per endpoint
 *   in `IP:port` order with `-m statistic --mode random --probability 1/(n-i)` and the last
 *   rule unconditional — and one KUBE-SEP- chain per endpoint (the hairpin
 *   `-s <podIP>/32 -j KUBE-MARK-MASQ`, then `-j DNAT --to-destination IP:port`).
 * - A port with verdict `no-rule` prints nothing.
 *
 * **Order.** Deterministic: Service ports sorted by `namespace/name`, port name, protocol,
 * address (upstream walks a Go map). `iptables-save` lists chains sorted by name, each
 * chain's rules together; the restore text uses upstream's test order (KUBE-NODEPORTS,
 * KUBE-SERVICES, then the other chains by name).
 *
 * **Checked against the real tools.** The restore text, loaded with `iptables-restore
 * --noflush` (iptables 1.8.9, nf_tables and legacy) in an empty network namespace, reads
 * back through `iptables-save` as exactly the save text, IPv4 and IPv6.
 *
 * **Gotchas.** Built-in chains (PREROUTING, INPUT, …) with kube-proxy's jump rules,
 * KUBE-PROXY-CANARY and other components' chains are not printed, nor `iptables-save`'s
 * `# Generated by` comment lines; `filter` comes before `nat` as kube-proxy writes them
 * (iptables-legacy-save may list `nat` first, in the kernel's table order). iptables 1.8.9
 * prints `--nfacct-name  ct_state_invalid_dropped_pkts` with two spaces; we print one, as
 * later releases do. NodePort, load-balancer and externalIP rules (KUBE-NODEPORTS, KUBE-EXT,
 * KUBE-EXTERNAL-SERVICES) are printed when the input holds the port's `external` and
 * `local-origin` frontends; no `loadBalancerSourceRanges` (KUBE-FW) and no session
 * affinity rules. A `forward` port is printed with Cluster policy unless the input says
 * `Local`.
 *
 * @example
 * ```ts
 * const ports = kubeProxy.programmedAddresses().map((a) => kubeProxy.frontend(a));
 * formatIptablesSave(ports, { clusterCIDR: "10.244.0.0/16" });
 * // *filter ... COMMIT
 * // *nat
 * // ...
 * // -A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
 * ```
 */
export function formatIptablesSave(frontends: readonly ProgrammedServicePort[], options: IptablesSaveOptions = {}): string {
  const save = (options.format ?? "iptables-save") === "iptables-save";
  const ipv6 = options.ipFamily === "IPv6";
  const hostMask = ipv6 ? "/128" : "/32";
  const rejectWith = ipv6 ? "icmp6-port-unreachable" : "icmp-port-unreachable";
  const markValue = 2 ** (options.masqueradeBit ?? 14);
  const restoreMark = options.masqueradeMark ?? goHex08(markValue);
  const savedMark = `0x${markValue.toString(16)}`;
  const localhostNodePorts = !ipv6 && (options.localhostNodePorts ?? true);
  const ports = printedPorts(frontends, ipv6);
  const externals = externalsByPort(frontends);
  const totalEndpoints = ports.reduce((n, f) => n + f.endpoints.length, 0);
  const largeClusterMode = options.largeClusterMode ?? totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;

  const filterChains = ["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL"];
  const natChains = ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"];
  const filterRules: Rule[] = [];
  const natRules: Rule[] = [];
  const rule = (into: Rule[], chain: string, restore: string, saved: string): void => {
    into.push({ chain, restore: `-A ${chain} ${restore}`, save: `-A ${chain} ${saved}` });
  };

  // KUBE-POSTROUTING and KUBE-MARK-MASQ (syncProxyRules, "kubernetes-specific postrouting rules").
  rule(natRules, "KUBE-POSTROUTING", `-m mark ! --mark ${restoreMark}/${restoreMark} -j RETURN`, `-m mark ! --mark ${savedMark}/${savedMark} -j RETURN`);
  rule(natRules, "KUBE-POSTROUTING", `-j MARK --xor-mark ${restoreMark}`, `-j MARK --set-xmark ${savedMark}/0x0`);
  const masquerade = `-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${(options.randomFully ?? true) ? " --random-fully" : ""}`;
  rule(natRules, "KUBE-POSTROUTING", masquerade, masquerade);
  rule(natRules, "KUBE-MARK-MASQ", `-j MARK --or-mark ${restoreMark}`, `-j MARK --set-xmark ${savedMark}/${savedMark}`);

  // KUBE-FIREWALL: the anti-martian rule for route_localnet (issue 90259), IPv4 only.
  if (localhostNodePorts) {
    filterChains.push("KUBE-FIREWALL");
    rule(
      filterRules,
      "KUBE-FIREWALL",
      `-m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
      `! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    );
  }

  const ctx: PortContext = { save, hostMask, rejectWith, largeClusterMode, localhostNodePorts, options, filterChains, natChains, filterRules, natRules, rule };
  for (const f of ports) {
    const addr = parseServiceAddress(f.address);
    const spn = upstreamServicePortName(f.servicePortName);
    const p = addr.protocol.toLowerCase();
    const dst = `-d ${addr.ip}`;
    const dstSaved = `-d ${addr.ip}${hostMask}`;
    const ext = externals.get(f.servicePortName);
    if (ext !== undefined && ext.external.length > 0) {
      writeExternallyAccessiblePort(ctx, f, ext.external, ext.localOrigin);
      continue;
    }

    if (f.verdict === "reject" || f.verdict === "drop") {
      // No usable endpoint: filter-table rule, no nat chains (syncProxyRules "No endpoints.").
      const comment = f.verdict === "reject" ? `${spn} has no endpoints` : `${spn} has no local endpoints`;
      const target = f.verdict === "reject" ? "REJECT" : "DROP";
      rule(
        filterRules,
        "KUBE-SERVICES",
        `-m comment --comment "${comment}" -m ${p} -p ${p} ${dst} --dport ${addr.port} -j ${target}`,
        `${dstSaved} -p ${p} -m comment --comment ${saveString(comment)} -m ${p} --dport ${addr.port} -j ${target}${target === "REJECT" ? ` --reject-with ${rejectWith}` : ""}`,
      );
      continue;
    }

    // verdict "forward": ClusterIP -> internalTrafficChain (KUBE-SVL with Local policy).
    const chain = f.internalTrafficPolicy === "Local" ? servicePortLocalChainName(spn, p) : servicePortChainName(spn, p);
    natChains.push(chain);
    const clusterIPComment = `${spn} cluster IP`;
    rule(
      natRules,
      "KUBE-SERVICES",
      `-m comment --comment "${clusterIPComment}" -m ${p} -p ${p} ${dst} --dport ${addr.port} -j ${chain}`,
      `${dstSaved} -p ${p} -m comment --comment ${saveString(clusterIPComment)} -m ${p} --dport ${addr.port} -j ${chain}`,
    );
    if (options.masqueradeAll || options.clusterCIDR !== undefined) {
      const notLocal = options.masqueradeAll ? "" : ` ! -s ${options.clusterCIDR}`;
      rule(
        natRules,
        chain,
        `-m comment --comment "${clusterIPComment}" -m ${p} -p ${p} ${dst} --dport ${addr.port}${notLocal} -j KUBE-MARK-MASQ`,
        `${notLocal === "" ? "" : `${notLocal.slice(1)} `}${dstSaved} -p ${p} -m comment --comment ${saveString(clusterIPComment)} -m ${p} --dport ${addr.port} -j KUBE-MARK-MASQ`,
      );
    }

    // writeServiceToEndpointRules: rule i < n-1 matches with probability 1/(n-i); the last is unconditional.
    const n = f.endpoints.length;
    f.endpoints.forEach((ep, i) => {
      const sep = servicePortEndpointChainName(spn, p, ep.key);
      const comment = `${spn} -> ${ep.key}`;
      const stat = i < n - 1 ? `-m statistic --mode random --probability ${probabilityText(n - i, save)} ` : "";
      const commentRestore = largeClusterMode ? "" : `-m comment --comment "${comment}" `;
      const commentSaved = largeClusterMode ? "" : `-m comment --comment ${saveString(comment)} `;
      rule(natRules, chain, `${commentRestore}${stat}-j ${sep}`, `${commentSaved}${stat}-j ${sep}`);
    });

    // One KUBE-SEP chain per endpoint: hairpin masquerade, then DNAT.
    for (const ep of f.endpoints) {
      const sep = servicePortEndpointChainName(spn, p, ep.key);
      natChains.push(sep);
      const commentRestore = largeClusterMode ? "" : `-m comment --comment ${spn} `;
      const commentSaved = largeClusterMode ? "" : `-m comment --comment ${saveString(spn)} `;
      rule(natRules, sep, `${commentRestore}-s ${ep.ip} -j KUBE-MARK-MASQ`, `-s ${ep.ip}${hostMask} ${commentSaved}-j KUBE-MARK-MASQ`);
      rule(
        natRules,
        sep,
        `${commentRestore}-m ${p} -p ${p} -j DNAT --to-destination ${ep.key}`,
        `-p ${p} ${commentSaved}-m ${p} -j DNAT --to-destination ${ep.key}`,
      );
    }
  }

  // The tail call to KUBE-NODEPORTS, which must be the last rule of nat KUBE-SERVICES.
  const noLocalhost = ipv6 ? "::1/128" : localhostNodePorts ? "" : "127.0.0.0/8";
  rule(
    natRules,
    "KUBE-SERVICES",
    `-m comment --comment "${NODEPORTS_COMMENT}" -m addrtype --dst-type LOCAL${noLocalhost ? ` ! -d ${noLocalhost}` : ""} -j KUBE-NODEPORTS`,
    `${noLocalhost ? `! -d ${noLocalhost} ` : ""}-m comment --comment ${saveString(NODEPORTS_COMMENT)} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`,
  );

  // KUBE-FORWARD.
  if (!options.conntrackTCPBeLiberal) {
    const invalid = `-m conntrack --ctstate INVALID${(options.nfacct ?? true) ? " -m nfacct --nfacct-name ct_state_invalid_dropped_pkts" : ""} -j DROP`;
    rule(filterRules, "KUBE-FORWARD", invalid, invalid);
  }
  rule(
    filterRules,
    "KUBE-FORWARD",
    `-m comment --comment "kubernetes forwarding rules" -m mark --mark ${restoreMark}/${restoreMark} -j ACCEPT`,
    `-m comment --comment "kubernetes forwarding rules" -m mark --mark ${savedMark}/${savedMark} -j ACCEPT`,
  );
  const established = `-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`;
  rule(filterRules, "KUBE-FORWARD", established, established);

  return printTable("filter", filterChains, filterRules, save) + printTable("nat", natChains, natRules, save);
}

/** What {@link writeExternallyAccessiblePort} writes into. */
interface PortContext {
  readonly save: boolean;
  readonly hostMask: string;
  readonly rejectWith: string;
  readonly largeClusterMode: boolean;
  readonly localhostNodePorts: boolean;
  readonly options: IptablesSaveOptions;
  readonly filterChains: string[];
  readonly natChains: string[];
  readonly filterRules: Rule[];
  readonly natRules: Rule[];
  readonly rule: (into: Rule[], chain: string, restore: string, saved: string) => void;
}

/** `metrics.LocalhostNodePortAcceptedNFAcctCounter` (pkg/proxy/metrics). */
const LOCALHOST_NODEPORT_NFACCT = "localhost_nps_accepted_pkts";

/**
 * One Service port with external addresses, as syncProxyRules writes it
 * (pkg/proxy/iptables/proxier.go): the ClusterIP rule, `external IP` and `loadbalancer IP`
 * rules and the KUBE-NODEPORTS rule jumping to KUBE-EXT, the KUBE-EXT chain (masquerade
 * then KUBE-SVC for Cluster policy; for Local the pod-traffic, LOCAL-masquerade and
 * LOCAL-route short-circuits to KUBE-SVC, then KUBE-SVL), KUBE-SVC with the Cluster
 * endpoints and KUBE-SVL with the local ones, one KUBE-SEP per reachable endpoint, the
 * filter rules for a port with no (local) endpoints in KUBE-EXTERNAL-SERVICES, and the
 * health-check node port ACCEPT in filter KUBE-NODEPORTS.
 */
function writeExternallyAccessiblePort(
  ctx: PortContext,
  f: ProgrammedServicePort,
  external: readonly ProgrammedServicePort[],
  localOrigin: ProgrammedServicePort | undefined,
): void {
  const { save, hostMask, rejectWith, largeClusterMode, options, rule, filterRules, natRules, natChains } = ctx;
  const addr = parseServiceAddress(f.address);
  const spn = upstreamServicePortName(f.servicePortName);
  const p = addr.protocol.toLowerCase();
  const svcChain = servicePortChainName(spn, p);
  const svlChain = servicePortLocalChainName(spn, p);
  const extChain = serviceExternalChainName(spn, p);
  const first = external[0];
  const etpLocal = first.externalTrafficPolicy === "Local";
  const itpLocal = f.internalTrafficPolicy === "Local";
  // CategorizeEndpoints' outputs, read back from the programmed frontends.
  const clusterEndpoints = localOrigin?.endpoints ?? (itpLocal ? [] : f.endpoints);
  const localEndpoints = etpLocal ? first.endpoints : itpLocal ? f.endpoints : [];
  const hasEndpoints = [f, ...external].some((x) => x.verdict !== "reject");
  const hasInternal = f.verdict === "forward";
  const hasExternal = first.verdict === "forward";
  const internalChain = itpLocal ? svlChain : svcChain;
  const usesClusterChain = clusterEndpoints.length > 0;
  const usesLocalChain = localEndpoints.length > 0 && (itpLocal || etpLocal);
  const noEndpoints = `${spn} has no endpoints`;
  const noLocal = `${spn} has no local endpoints`;
  const internalComment = hasEndpoints ? noLocal : noEndpoints;
  const externalComment = hasEndpoints ? noLocal : noEndpoints;
  const externalTarget = hasEndpoints ? "DROP" : "REJECT";
  const internalTarget = hasEndpoints ? "DROP" : "REJECT";
  const withReject = (t: string): string => (t === "REJECT" ? ` --reject-with ${rejectWith}` : "");
  const dport = (ip: string, port: number): { r: string; s: string } => ({ r: `-m ${p} -p ${p} -d ${ip} --dport ${port}`, s: `-d ${ip}${hostMask} -p ${p}` });

  // Internal (ClusterIP) traffic.
  const clusterIPComment = `${spn} cluster IP`;
  if (hasInternal) {
    rule(natRules, "KUBE-SERVICES", `-m comment --comment "${clusterIPComment}" ${dport(addr.ip, addr.port).r} -j ${internalChain}`, `${dport(addr.ip, addr.port).s} -m comment --comment ${saveString(clusterIPComment)} -m ${p} --dport ${addr.port} -j ${internalChain}`);
  } else {
    rule(filterRules, "KUBE-SERVICES", `-m comment --comment "${internalComment}" ${dport(addr.ip, addr.port).r} -j ${internalTarget}`, `${dport(addr.ip, addr.port).s} -m comment --comment ${saveString(internalComment)} -m ${p} --dport ${addr.port} -j ${internalTarget}${withReject(internalTarget)}`);
  }
  const byKind = (k: string): ProgrammedServicePort[] => external.filter((x) => x.externalKind === k);
  // externalIPs, then load-balancer IPs: to KUBE-EXT; filtered when there is no external endpoint.
  for (const [kind, label] of [["external-ip", "external IP"], ["load-balancer", "loadbalancer IP"]] as const) {
    const list = byKind(kind);
    for (const x of list) {
      const a = parseServiceAddress(x.address);
      const comment = `${spn} ${label}`;
      if (hasEndpoints) rule(natRules, "KUBE-SERVICES", `-m comment --comment "${comment}" ${dport(a.ip, a.port).r} -j ${extChain}`, `${dport(a.ip, a.port).s} -m comment --comment ${saveString(comment)} -m ${p} --dport ${a.port} -j ${extChain}`);
      if (kind === "external-ip" && !hasExternal) {
        rule(filterRules, "KUBE-EXTERNAL-SERVICES", `-m comment --comment "${externalComment}" ${dport(a.ip, a.port).r} -j ${externalTarget}`, `${dport(a.ip, a.port).s} -m comment --comment ${saveString(externalComment)} -m ${p} --dport ${a.port} -j ${externalTarget}${withReject(externalTarget)}`);
      }
    }
    if (kind === "load-balancer" && !hasExternal) {
      for (const x of list) {
        const a = parseServiceAddress(x.address);
        rule(filterRules, "KUBE-EXTERNAL-SERVICES", `-m comment --comment "${externalComment}" ${dport(a.ip, a.port).r} -j ${externalTarget}`, `${dport(a.ip, a.port).s} -m comment --comment ${saveString(externalComment)} -m ${p} --dport ${a.port} -j ${externalTarget}${withReject(externalTarget)}`);
      }
    }
  }
  // The NodePort.
  const nodePort = byKind("node-port")[0];
  if (nodePort !== undefined) {
    const np = parseServiceAddress(nodePort.address).port;
    if (hasEndpoints) {
      if (ctx.localhostNodePorts && (options.nfacct ?? true)) {
        rule(
          natRules,
          "KUBE-NODEPORTS",
          `-m comment --comment ${spn} -m ${p} -p ${p} -d 127.0.0.0/8 --dport ${np} -m nfacct --nfacct-name ${LOCALHOST_NODEPORT_NFACCT} -j ${extChain}`,
          `-d 127.0.0.0/8 -p ${p} -m comment --comment ${saveString(spn)} -m ${p} --dport ${np} -m nfacct --nfacct-name ${LOCALHOST_NODEPORT_NFACCT} -j ${extChain}`,
        );
      }
      rule(natRules, "KUBE-NODEPORTS", `-m comment --comment ${spn} -m ${p} -p ${p} --dport ${np} -j ${extChain}`, `-p ${p} -m comment --comment ${saveString(spn)} -m ${p} --dport ${np} -j ${extChain}`);
    }
    if (!hasExternal) {
      rule(
        filterRules,
        "KUBE-EXTERNAL-SERVICES",
        `-m comment --comment "${externalComment}" -m addrtype --dst-type LOCAL -m ${p} -p ${p} --dport ${np} -j ${externalTarget}`,
        `-p ${p} -m comment --comment ${saveString(externalComment)} -m addrtype --dst-type LOCAL -m ${p} --dport ${np} -j ${externalTarget}${withReject(externalTarget)}`,
      );
    }
  }
  // The health-check node port is always accepted.
  const hc = first.healthCheckNodePort ?? 0;
  if (hc > 0) {
    const comment = `${spn} health check node port`;
    rule(filterRules, "KUBE-NODEPORTS", `-m comment --comment "${comment}" -m tcp -p tcp --dport ${hc} -j ACCEPT`, `-p tcp -m comment --comment ${saveString(comment)} -m tcp --dport ${hc} -j ACCEPT`);
  }
  // Off-cluster ClusterIP traffic is masqueraded in the internal chain.
  if (hasInternal && (options.masqueradeAll || options.clusterCIDR !== undefined)) {
    const notLocal = options.masqueradeAll ? "" : ` ! -s ${options.clusterCIDR}`;
    rule(
      natRules,
      internalChain,
      `-m comment --comment "${clusterIPComment}" ${dport(addr.ip, addr.port).r}${notLocal} -j KUBE-MARK-MASQ`,
      `${notLocal === "" ? "" : `${notLocal.slice(1)} `}${dport(addr.ip, addr.port).s} -m comment --comment ${saveString(clusterIPComment)} -m ${p} --dport ${addr.port} -j KUBE-MARK-MASQ`,
    );
  }
  // KUBE-EXT.
  if (hasEndpoints) {
    natChains.push(extChain);
    if (!etpLocal) {
      const c = `masquerade traffic for ${spn} external destinations`;
      rule(natRules, extChain, `-m comment --comment "${c}" -j KUBE-MARK-MASQ`, `-m comment --comment ${saveString(c)} -j KUBE-MARK-MASQ`);
    } else {
      if (options.clusterCIDR !== undefined) {
        const c = `pod traffic for ${spn} external destinations`;
        rule(natRules, extChain, `-m comment --comment "${c}" -s ${options.clusterCIDR} -j ${svcChain}`, `-s ${options.clusterCIDR} -m comment --comment ${saveString(c)} -j ${svcChain}`);
      }
      const m = `masquerade LOCAL traffic for ${spn} external destinations`;
      rule(natRules, extChain, `-m comment --comment "${m}" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`, `-m comment --comment ${saveString(m)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
      const r = `route LOCAL traffic for ${spn} external destinations`;
      rule(natRules, extChain, `-m comment --comment "${r}" -m addrtype --src-type LOCAL -j ${svcChain}`, `-m comment --comment ${saveString(r)} -m addrtype --src-type LOCAL -j ${svcChain}`);
    }
    if (hasExternal) {
      const target = etpLocal ? svlChain : svcChain;
      rule(natRules, extChain, `-j ${target}`, `-j ${target}`);
    }
  }
  // KUBE-SVC (Cluster endpoints) and KUBE-SVL (local endpoints), then the KUBE-SEP chains.
  const endpointRules = (chain: string, eps: ProgrammedServicePort["endpoints"]): void => {
    natChains.push(chain);
    const n = eps.length;
    eps.forEach((ep, i) => {
      const sep = servicePortEndpointChainName(spn, p, ep.key);
      const comment = `${spn} -> ${ep.key}`;
      const stat = i < n - 1 ? `-m statistic --mode random --probability ${probabilityText(n - i, save)} ` : "";
      const commentRestore = largeClusterMode ? "" : `-m comment --comment "${comment}" `;
      const commentSaved = largeClusterMode ? "" : `-m comment --comment ${saveString(comment)} `;
      rule(natRules, chain, `${commentRestore}${stat}-j ${sep}`, `${commentSaved}${stat}-j ${sep}`);
    });
  };
  if (usesClusterChain) endpointRules(svcChain, clusterEndpoints);
  if (usesLocalChain) endpointRules(svlChain, localEndpoints);
  const reachable = new Map<string, ProgrammedServicePort["endpoints"][number]>();
  for (const ep of [...clusterEndpoints, ...localEndpoints]) if (!reachable.has(ep.key)) reachable.set(ep.key, ep);
  for (const ep of [...reachable.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const sep = servicePortEndpointChainName(spn, p, ep.key);
    natChains.push(sep);
    const commentRestore = largeClusterMode ? "" : `-m comment --comment ${spn} `;
    const commentSaved = largeClusterMode ? "" : `-m comment --comment ${saveString(spn)} `;
    rule(natRules, sep, `${commentRestore}-s ${ep.ip} -j KUBE-MARK-MASQ`, `-s ${ep.ip}${hostMask} ${commentSaved}-j KUBE-MARK-MASQ`);
    rule(natRules, sep, `${commentRestore}-m ${p} -p ${p} -j DNAT --to-destination ${ep.key}`, `-p ${p} ${commentSaved}-m ${p} -j DNAT --to-destination ${ep.key}`);
  }
}

/** Byte-order string comparison (strcmp on ASCII names). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One table: chain lines, then every chain's rules together, chain by chain.
 * iptables-save: chains by name (libiptc keeps user chains sorted). Restore text: upstream's
 * sortIPTablesRules order (KUBE-NODEPORTS, KUBE-SERVICES, then the rest by name).
 */
function printTable(table: string, chains: readonly string[], rules: readonly Rule[], save: boolean): string {
  const rank = (c: string): number => (save ? 0 : c === "KUBE-NODEPORTS" ? 0 : c === "KUBE-SERVICES" ? 1 : 2);
  const ordered = [...new Set(chains)].sort((a, b) => rank(a) - rank(b) || byName(a, b));
  const lines = [`*${table}`, ...ordered.map((c) => `:${c} - [0:0]`)];
  for (const chain of ordered) {
    for (const r of rules) if (r.chain === chain) lines.push(save ? r.save : r.restore);
  }
  lines.push("COMMIT");
  return `${lines.join("\n")}\n`;
}
