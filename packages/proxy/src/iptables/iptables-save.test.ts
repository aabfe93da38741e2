import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { makeProxyEndpoint } from "../endpoint.js";
import type { ProxyEndpoint } from "../endpoint.js";
import { ServiceFrontend } from "../service-frontend.js";
import type { Verdict } from "../service-frontend.js";
import { formatIptablesSave } from "./iptables-save.js";
import type { IptablesSaveOptions } from "./iptables-save.js";

function ep(ip: string, port: number, nodeName = "node-b"): ProxyEndpoint {
  return makeProxyEndpoint({ addresses: [ip], nodeName }, port, "node-a") as ProxyEndpoint;
}

function frontend(address: string, servicePortName: string, verdict: Verdict, endpoints: ProxyEndpoint[] = []): ServiceFrontend {
  const f = new ServiceFrontend(address);
  f.servicePortName = servicePortName;
  f.verdict = verdict;
  f.endpoints = endpoints;
  return f;
}

/** Dedents a golden written inside the test (strips the common leading indentation and the first newline). */
function text(s: string): string {
  const lines = s.replace(/^\n/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join("\n").replace(/\n[ \t]*$/, "\n");
}

// The scenario of the brief: a Service with 3 endpoints, one with no endpoints at all (REJECT),
// one Local-policy Service with endpoints elsewhere but none on this node (DROP), and an
// unprogrammed address that prints nothing. Given out of order on purpose.
const scenario: ServiceFrontend[] = [
  frontend("172.30.0.47:80/TCP", "ns7/svc7:p80/TCP", "drop"),
  frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", [ep("10.180.0.1", 80, "node-a"), ep("10.180.0.2", 80), ep("10.180.0.3", 80, "node-c")]),
  frontend("172.30.0.46:80/TCP", "ns6/svc6:p80/TCP", "reject"),
  frontend("172.30.0.48:80/TCP", "ns8/svc8:p80/TCP", "no-rule"),
];

// Goldens checked against the real tools (iptables v1.8.9, nf_tables and legacy): the
// restore text was loaded with `iptables-restore --noflush` in a fresh network namespace and
// `iptables-save` printed exactly the save text (without its "#" lines and built-in chains).
const SAVE_GOLDEN = `
*filter
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-SERVICES -d 172.30.0.47/32 -p tcp -m comment --comment "ns7/svc7:p80 has no local endpoints" -m tcp --dport 80 -j DROP
COMMIT
*nat
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-ICDUIKC33SFI6ZPR - [0:0]
:KUBE-SEP-LXVODXWDISEETFEF - [0:0]
:KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SEP-ICDUIKC33SFI6ZPR -s 10.180.0.3/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-ICDUIKC33SFI6ZPR -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-LXVODXWDISEETFEF -s 10.180.0.2/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-LXVODXWDISEETFEF -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.2:80
-A KUBE-SEP-SXIVWICOYRO3J4NJ -s 10.180.0.1/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-SXIVWICOYRO3J4NJ -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.1:80
-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-XPGD46QRK7WJZT7O ! -s 10.0.0.0/8 -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-SXIVWICOYRO3J4NJ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-LXVODXWDISEETFEF
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.3:80" -j KUBE-SEP-ICDUIKC33SFI6ZPR
COMMIT
`;

const RESTORE_GOLDEN = `
*filter
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
-A KUBE-SERVICES -m comment --comment "ns7/svc7:p80 has no local endpoints" -m tcp -p tcp -d 172.30.0.47 --dport 80 -j DROP
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x00004000/0x00004000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-ICDUIKC33SFI6ZPR - [0:0]
:KUBE-SEP-LXVODXWDISEETFEF - [0:0]
:KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000
-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SEP-ICDUIKC33SFI6ZPR -m comment --comment ns1/svc1:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-ICDUIKC33SFI6ZPR -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-LXVODXWDISEETFEF -m comment --comment ns1/svc1:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-LXVODXWDISEETFEF -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-SXIVWICOYRO3J4NJ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-LXVODXWDISEETFEF
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.3:80" -j KUBE-SEP-ICDUIKC33SFI6ZPR
COMMIT
`;

describe("formatIptablesSave: golden text for the scenario", () => {
  const cases: ReadonlyArray<readonly [string, IptablesSaveOptions, string]> = [
    ["iptables-save (default format)", { clusterCIDR: "10.0.0.0/8" }, SAVE_GOLDEN],
    ["iptables-restore input kube-proxy writes", { clusterCIDR: "10.0.0.0/8", format: "iptables-restore" }, RESTORE_GOLDEN],
  ];
  for (const [name, options, golden] of cases) {
    it(name, () => {
      expect(formatIptablesSave(scenario, options)).toBe(text(golden));
    });
  }
});

// kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go, TestSyncProxyRulesRepeated: the
// expected restore text after the first (full) sync, verbatim (1.28-era test: no nfacct,
// fake proxier mark "0x4000", no --random-fully, local detector 10.0.0.0/8).
const UPSTREAM_SYNC_REPEATED = `
  *filter
  :KUBE-NODEPORTS - [0:0]
  :KUBE-SERVICES - [0:0]
  :KUBE-EXTERNAL-SERVICES - [0:0]
  :KUBE-FIREWALL - [0:0]
  :KUBE-FORWARD - [0:0]
  :KUBE-PROXY-FIREWALL - [0:0]
  -A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
  -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
  -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
  -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  COMMIT
  *nat
  :KUBE-NODEPORTS - [0:0]
  :KUBE-SERVICES - [0:0]
  :KUBE-MARK-MASQ - [0:0]
  :KUBE-POSTROUTING - [0:0]
  :KUBE-SEP-SNQ3ZNILQDEJNDQO - [0:0]
  :KUBE-SEP-UHEGFW77JX3KXTOV - [0:0]
  :KUBE-SVC-2VJB64SDSIJUP5T6 - [0:0]
  :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
  -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
  -A KUBE-SERVICES -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 -j KUBE-SVC-2VJB64SDSIJUP5T6
  -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
  -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
  -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
  -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
  -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
  -A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -s 10.0.1.1 -j KUBE-MARK-MASQ
  -A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.1.1:80
  -A KUBE-SEP-UHEGFW77JX3KXTOV -m comment --comment ns2/svc2:p8080 -s 10.0.2.1 -j KUBE-MARK-MASQ
  -A KUBE-SEP-UHEGFW77JX3KXTOV -m comment --comment ns2/svc2:p8080 -m tcp -p tcp -j DNAT --to-destination 10.0.2.1:8080
  -A KUBE-SVC-2VJB64SDSIJUP5T6 -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-SVC-2VJB64SDSIJUP5T6 -m comment --comment "ns2/svc2:p8080 -> 10.0.2.1:8080" -j KUBE-SEP-UHEGFW77JX3KXTOV
  -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.0.1.1:80" -j KUBE-SEP-SNQ3ZNILQDEJNDQO
  COMMIT
  `;

// kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go, TestOverallIPTablesRules (current
// version, with nfacct): the expected lines for svc1 (ClusterIP), svc4 (its ClusterIP part, two
// endpoints) and svc6 (no endpoints), plus the fixed rules, verbatim.
const UPSTREAM_OVERALL_LINES = `
  -A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
  -A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
  -A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
  -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
  -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
  -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
  -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
  -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
  -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
  -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
  -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
  -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
  -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
  -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
  -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
  -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
  -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
  -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
  -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
  -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
  `;

/** Options that make our restore text speak like upstream's fake proxier. */
const UPSTREAM_FAKE: IptablesSaveOptions = {
  format: "iptables-restore",
  clusterCIDR: "10.0.0.0/8",
  masqueradeMark: "0x4000",
  randomFully: false,
};

describe("formatIptablesSave reproduces upstream's expected restore text (pkg/proxy/iptables/proxier_test.go)", () => {
  it("TestSyncProxyRulesRepeated, first sync: identical text", () => {
    const ports = [
      frontend("172.30.0.42:8080/TCP", "ns2/svc2:p8080/TCP", "forward", [ep("10.0.2.1", 8080)]),
      frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", [ep("10.0.1.1", 80)]),
    ];
    expect(formatIptablesSave(ports, { ...UPSTREAM_FAKE, nfacct: false })).toBe(text(UPSTREAM_SYNC_REPEATED));
  });

  it("TestOverallIPTablesRules: every line we print for svc1, svc4, svc6 is upstream's, and all of these upstream lines are printed", () => {
    const ports = [
      frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", [ep("10.180.0.1", 80)]),
      frontend("172.30.0.44:80/TCP", "ns4/svc4:p80/TCP", "forward", [ep("10.180.0.4", 80), ep("10.180.0.5", 80, "node-a")]),
      frontend("172.30.0.46:80/TCP", "ns6/svc6:p80/TCP", "reject"),
    ];
    const ours = formatIptablesSave(ports, UPSTREAM_FAKE).split("\n").filter((l) => l.startsWith("-A "));
    const upstream = text(UPSTREAM_OVERALL_LINES).split("\n").filter((l) => l !== "");
    expect(new Set(ours)).toEqual(new Set(upstream));
    expect(ours).toHaveLength(upstream.length);
  });
});

function natRules(out: string): string[] {
  return out.slice(out.indexOf("*nat")).split("\n").filter((l) => l.startsWith("-A "));
}

describe("formatIptablesSave behaviour", () => {
  it("a Local-policy port with local endpoints dispatches through KUBE-SVL, and no KUBE-SVC chain exists", () => {
    const f = { ...frontend("172.30.0.44:80/TCP", "ns4/svc4:http/TCP", "forward", [ep("10.180.0.8", 8080, "node-a")]), internalTrafficPolicy: "Local" as const };
    const out = formatIptablesSave([f]);
    expect(out).toContain(
      '-A KUBE-SERVICES -d 172.30.0.44/32 -p tcp -m comment --comment "ns4/svc4:http cluster IP" -m tcp --dport 80 -j KUBE-SVL-IK7IIOFE7XAB2QM3',
    );
    expect(out).toContain(':KUBE-SVL-IK7IIOFE7XAB2QM3 - [0:0]');
    expect(out).not.toContain("KUBE-SVC-");
  });

  it("an unnamed port is named ns/svc in comments and hashes (ServicePortName.String)", () => {
    const out = formatIptablesSave([frontend("10.96.115.88:80/TCP", "default/test-svc:/TCP", "forward", [ep("10.244.1.3", 80)])]);
    expect(out).toContain(
      '-A KUBE-SERVICES -d 10.96.115.88/32 -p tcp -m comment --comment "default/test-svc cluster IP" -m tcp --dport 80 -j KUBE-SVC-QKNQQNIN727HO3XU',
    );
    expect(out).toContain('-A KUBE-SEP-SQEBHSRBMT4ZUBXZ -p tcp -m comment --comment "default/test-svc" -m tcp -j DNAT --to-destination 10.244.1.3:80');
  });

  it("probabilities: 1/(n-i) with ten decimals in the restore text, the kernel threshold with eleven in iptables-save", () => {
    const eps = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map((ip) => ep(ip, 80));
    const f = frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", eps);
    const probs = (out: string): string[] => [...out.matchAll(/--probability (\S+)/g)].map((m) => m[1]);
    expect(probs(formatIptablesSave([f], { format: "iptables-restore" }))).toEqual(["0.2500000000", "0.3333333333", "0.5000000000"]);
    expect(probs(formatIptablesSave([f]))).toEqual(["0.25000000000", "0.33333333349", "0.50000000000"]);
    // The last rule is unconditional.
    expect(natRules(formatIptablesSave([f])).filter((l) => l.startsWith("-A KUBE-SVC-")).at(-1)).not.toContain("statistic");
  });

  it("iptables-save rounds the threshold half to even like glibc (4096 endpoints: 2^19/2^31 = 0.000244140625 -> 0.00024414062)", () => {
    const eps = Array.from({ length: 4096 }, (_, i) => ep(`10.${(i >> 8) & 255}.${i & 255}.1`, 80)).sort((a, b) => (a.key < b.key ? -1 : 1));
    const f = frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", eps);
    const first = (out: string): string | undefined => out.match(/--probability (\S+)/)?.[1];
    expect(first(formatIptablesSave([f]))).toBe("0.00024414062");
    expect(first(formatIptablesSave([f], { format: "iptables-restore" }))).toBe("0.0002441406");
  });

  it("largeClusterMode: more than 1000 endpoints drops the per-endpoint comments (largeClusterEndpointsThreshold)", () => {
    const make = (n: number): ServiceFrontend =>
      frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward",
        Array.from({ length: n }, (_, i) => ep(`10.${i >> 8}.${i & 255}.9`, 80)).sort((a, b) => (a.key < b.key ? -1 : 1)));
    const sepComments = (out: string): number => natRules(out).filter((l) => l.startsWith("-A KUBE-SEP-") && l.includes("--comment")).length;
    expect(sepComments(formatIptablesSave([make(1000)]))).toBe(2000);
    expect(sepComments(formatIptablesSave([make(1001)]))).toBe(0);
    expect(formatIptablesSave([make(1001)], { format: "iptables-restore" })).toMatch(/^-A KUBE-SEP-\S+ -s \S+ -j KUBE-MARK-MASQ$/m);
    // The ClusterIP rules keep their comments.
    expect(formatIptablesSave([make(1001)])).toContain('--comment "ns1/svc1:p80 cluster IP"');
    expect(sepComments(formatIptablesSave([make(3)], { largeClusterMode: true }))).toBe(0);
  });

  it("masqueradeAll masquerades every ClusterIP connection; no detector and no masqueradeAll: no masquerade rule", () => {
    const f = frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", [ep("10.180.0.1", 80)]);
    expect(formatIptablesSave([f], { masqueradeAll: true })).toContain(
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    );
    expect(natRules(formatIptablesSave([f])).filter((l) => l.startsWith("-A KUBE-SVC-"))).toEqual([
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
    ]);
  });

  it("node options: localhostNodePorts off, no --random-fully, liberal conntrack, another masquerade bit", () => {
    const out = formatIptablesSave([], { localhostNodePorts: false, randomFully: false, conntrackTCPBeLiberal: true, masqueradeBit: 15 });
    expect(out).not.toContain("KUBE-FIREWALL");
    expect(out).not.toContain("INVALID");
    expect(out).toContain(
      '-A KUBE-SERVICES ! -d 127.0.0.0/8 -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    );
    expect(out).toContain('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE\n');
    expect(out).toContain("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x8000/0x8000");
    expect(formatIptablesSave([], { format: "iptables-restore", masqueradeBit: 15 })).toContain("-A KUBE-MARK-MASQ -j MARK --or-mark 0x00008000");
  });

  it("IPv6: only IPv6 addresses, /128, icmp6 reject, ::1 excluded from NodePorts, no KUBE-FIREWALL", () => {
    const ports = [
      frontend("fd00:10:96::a:53/UDP", "kube-system/kube-dns:dns/UDP", "forward", [ep("fd00:10:244::5", 53)]),
      frontend("fd00:10:96::b:80/TCP", "ns6/svc6:p80/TCP", "reject"),
      frontend("10.96.0.1:443/TCP", "default/kubernetes:https/TCP", "forward", [ep("172.18.0.2", 6443)]),
    ];
    const out = formatIptablesSave(ports, { ipFamily: "IPv6" });
    expect(out).not.toContain("default/kubernetes");
    expect(out).not.toContain("KUBE-FIREWALL");
    expect(out).toContain(
      '-A KUBE-SERVICES -d fd00:10:96::b/128 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp6-port-unreachable',
    );
    expect(out).toContain('-A KUBE-SEP-S3ECNNUTXGFUFGBT -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination [fd00:10:244::5]:53');
    expect(out).toContain("-A KUBE-SERVICES ! -d ::1/128 -m comment");
    // And the IPv4 proxier ignores the IPv6 addresses.
    expect(formatIptablesSave(ports)).not.toContain("fd00");
  });

  it("with no Service ports it prints kube-proxy's fixed chains only", () => {
    expect(natRules(formatIptablesSave([]))).toEqual([
      "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
      "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
      "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    ]);
  });

  it("the output does not depend on the order of the input (upstream walks a Go map; we sort)", () => {
    const expected = formatIptablesSave(scenario, { clusterCIDR: "10.0.0.0/8" });
    fc.assert(
      fc.property(fc.shuffledSubarray(scenario, { minLength: scenario.length, maxLength: scenario.length }), (shuffled) => {
        expect(formatIptablesSave(shuffled, { clusterCIDR: "10.0.0.0/8" })).toBe(expected);
      }),
    );
  });

  it("sorts Service ports by namespace/name before the port (ns1/svc1 before ns1/svc10, as upstream's test sort)", () => {
    const out = formatIptablesSave([
      frontend("172.30.0.2:80/TCP", "ns1/svc10:a/TCP", "forward", [ep("10.0.0.2", 80)]),
      frontend("172.30.0.1:80/TCP", "ns1/svc1:b/TCP", "forward", [ep("10.0.0.1", 80)]),
    ]);
    const services = natRules(out).filter((l) => l.startsWith("-A KUBE-SERVICES -d"));
    expect(services[0]).toContain("ns1/svc1:b cluster IP");
    expect(services[1]).toContain("ns1/svc10:a cluster IP");
  });
});
