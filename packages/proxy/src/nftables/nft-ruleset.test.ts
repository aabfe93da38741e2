import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { makeProxyEndpoint } from "../endpoint.js";
import type { ProxyEndpoint } from "../endpoint.js";
import { ServiceFrontend } from "../service-frontend.js";
import type { Verdict } from "../service-frontend.js";
import {
  formatNftRuleset,
  hashAndTruncate,
  servicePortChainNameBase,
  servicePortEndpointChainNameBase,
} from "./nft-ruleset.js";
import type { NftRulesetOptions } from "./nft-ruleset.js";

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

describe("nftables chain names (pkg/proxy/nftables/proxier.go hashAndTruncate), known answers from upstream proxier_test.go", () => {
  // TestOverallNFTablesRules expected output.
  const services: ReadonlyArray<readonly [string, string]> = [
    ["ns1/svc1:p80/TCP", "ULMVA6XW-ns1/svc1/tcp/p80"],
    ["ns2/svc2:p80/TCP", "42NFTM6N-ns2/svc2/tcp/p80"],
    ["ns3/svc3:p80/TCP", "4AT6LBPK-ns3/svc3/tcp/p80"],
    ["ns4/svc4:p80/TCP", "LAUZTJTB-ns4/svc4/tcp/p80"],
    ["ns5/svc5:p80/TCP", "HVFWP5L3-ns5/svc5/tcp/p80"],
  ];
  for (const [key, expected] of services) {
    it(`servicePortChainNameBase(${key}) = ${expected}`, () => {
      expect(servicePortChainNameBase(key)).toBe(expected);
    });
  }
  const endpoints: ReadonlyArray<readonly [string, string, string]> = [
    ["ns1/svc1:p80/TCP", "10.180.0.1:80", "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80"],
    ["ns2/svc2:p80/TCP", "10.180.0.2:80", "SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80"],
    ["ns3/svc3:p80/TCP", "10.180.0.3:80", "UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80"],
    ["ns4/svc4:p80/TCP", "10.180.0.4:80", "UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80"],
    ["ns4/svc4:p80/TCP", "10.180.0.5:80", "5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80"],
    ["ns5/svc5:p80/TCP", "10.180.0.3:80", "GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80"],
  ];
  for (const [key, endpoint, expected] of endpoints) {
    it(`servicePortEndpointChainNameBase(${key}, ${endpoint}) = ${expected}`, () => {
      expect(servicePortEndpointChainNameBase(key, endpoint)).toBe(expected);
    });
  }

  it("hashAndTruncate prefixes 8 base32 characters of the name's sha256", () => {
    expect(hashAndTruncate("ns1/svc1/tcp/p80")).toBe("ULMVA6XW-ns1/svc1/tcp/p80");
  });

  it("an unnamed port leaves the last part empty; an IPv6 endpoint's colons become dots", () => {
    expect(servicePortChainNameBase("default/api:/TCP")).toMatch(/^[A-Z2-7]{8}-default\/api\/tcp\/$/);
    expect(servicePortEndpointChainNameBase("ns/svc:dns/UDP", "[fd00:10:244::5]:53")).toMatch(/^[A-Z2-7]{8}-ns\/svc\/udp\/dns__fd00\.10\.244\.\.5\/53$/);
  });

  it("names longer than 240 characters are cut to 237 plus '...' (knftables.NameLengthMax 256 - 16)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 400 }), (name) => {
        const out = hashAndTruncate(name);
        expect(out.length).toBe(Math.min(9 + name.length, 240));
        if (9 + name.length > 240) expect(out.endsWith("...")).toBe(true);
        else expect(out.slice(9)).toBe(name);
      }),
    );
  });
});

// The scenario of the brief: 3 endpoints, a Service without endpoints, a Local-policy Service
// with no local endpoints, and an unprogrammed address; given out of order.
const scenario: ServiceFrontend[] = [
  frontend("172.30.0.47:80/TCP", "ns7/svc7:p80/TCP", "drop"),
  frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", [ep("10.180.0.1", 80, "node-a"), ep("10.180.0.2", 80), ep("10.180.0.3", 80, "node-c")]),
  frontend("172.30.0.46:80/TCP", "ns6/svc6:p80/TCP", "reject"),
  frontend("172.30.0.48:80/TCP", "ns8/svc8:p80/TCP", "no-rule"),
];

// Checked against nftables v1.0.6: `nft -f` of DUMP_GOLDEN in a fresh network namespace, then
// `nft list ruleset`, printed exactly LIST_GOLDEN.
const LIST_GOLDEN = `table ip kube-proxy {
	comment "rules for kube-proxy"
	set cluster-ips {
		type ipv4_addr
		comment "Active ClusterIPs"
		elements = { 172.30.0.41, 172.30.0.46,
			     172.30.0.47 }
	}

	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "vmap to drop or reject packets to services with no endpoints"
		elements = { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain,
			     172.30.0.47 . tcp . 80 comment "ns7/svc7:p80" : drop }
	}

	map no-endpoint-nodeports {
		type inet_proto . inet_service : verdict
		comment "vmap to drop or reject packets to service nodeports with no endpoints"
	}

	map firewall-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "destinations that are subject to LoadBalancerSourceRanges"
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
		elements = { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
		comment "NodePort traffic"
	}

	chain filter-prerouting-pre-dnat {
		type filter hook prerouting priority dstnat - 10; policy accept;
		ct state new jump firewall-check
	}

	chain filter-output-pre-dnat {
		type filter hook output priority -110; policy accept;
		ct state new jump firewall-check
	}

	chain filter-input {
		type filter hook input priority filter; policy accept;
		ct state new jump nodeport-endpoints-check
		ct state new jump service-endpoints-check
	}

	chain filter-forward {
		type filter hook forward priority filter; policy accept;
		ct state new jump service-endpoints-check
		ct state new jump cluster-ips-check
	}

	chain filter-output {
		type filter hook output priority filter; policy accept;
		ct state new jump service-endpoints-check
		ct state new jump cluster-ips-check
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain nodeport-endpoints-check {
		ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
	}

	chain service-endpoints-check {
		ip daddr . meta l4proto . th dport vmap @no-endpoint-services
	}

	chain firewall-check {
		ip daddr . meta l4proto . th dport vmap @firewall-ips
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
	}

	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}

	chain cluster-ips-check {
		ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
	}

	chain mark-for-masquerade {
		meta mark set meta mark | 0x00004000
	}

	chain reject-chain {
		comment "helper for @no-endpoint-services / @no-endpoint-nodeports"
		reject
	}

	chain endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 {
		ip saddr 10.180.0.1 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.180.0.1:80
	}

	chain endpoint-2ZNDXFAB-ns1/svc1/tcp/p80__10.180.0.2/80 {
		ip saddr 10.180.0.2 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.180.0.2:80
	}

	chain endpoint-WUHIZN2H-ns1/svc1/tcp/p80__10.180.0.3/80 {
		ip saddr 10.180.0.3 jump mark-for-masquerade
		meta l4proto tcp dnat to 10.180.0.3:80
	}

	chain service-ULMVA6XW-ns1/svc1/tcp/p80 {
		ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
		numgen random mod 3 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80, 1 : goto endpoint-2ZNDXFAB-ns1/svc1/tcp/p80__10.180.0.2/80, 2 : goto endpoint-WUHIZN2H-ns1/svc1/tcp/p80__10.180.0.3/80 }
	}
}
`;

const DUMP_GOLDEN = `add table ip kube-proxy { comment "rules for kube-proxy" ; }

add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }

add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add chain ip kube-proxy service-endpoints-check
add chain ip kube-proxy firewall-check
add chain ip kube-proxy services
add chain ip kube-proxy masquerading
add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy mark-for-masquerade
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
add chain ip kube-proxy endpoint-2ZNDXFAB-ns1/svc1/tcp/p80__10.180.0.2/80
add chain ip kube-proxy endpoint-WUHIZN2H-ns1/svc1/tcp/p80__10.180.0.3/80
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80

add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nodeport-endpoints-check ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports
add rule ip kube-proxy masquerading mark and 0x00004000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x00004000
add rule ip kube-proxy masquerading masquerade fully-random
add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x00004000
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80
add rule ip kube-proxy endpoint-2ZNDXFAB-ns1/svc1/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-2ZNDXFAB-ns1/svc1/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80
add rule ip kube-proxy endpoint-WUHIZN2H-ns1/svc1/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-WUHIZN2H-ns1/svc1/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 3 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 , 1 : goto endpoint-2ZNDXFAB-ns1/svc1/tcp/p80__10.180.0.2/80 , 2 : goto endpoint-WUHIZN2H-ns1/svc1/tcp/p80__10.180.0.3/80 }

add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy cluster-ips { 172.30.0.46 }
add element ip kube-proxy cluster-ips { 172.30.0.47 }
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
add element ip kube-proxy no-endpoint-services { 172.30.0.47 . tcp . 80 comment "ns7/svc7:p80" : drop }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
`;

describe("formatNftRuleset: golden text for the scenario", () => {
  const cases: ReadonlyArray<readonly [string, NftRulesetOptions, string]> = [
    ["nft list ruleset (default format)", { clusterCIDR: "10.0.0.0/8" }, LIST_GOLDEN],
    ["nft -f commands (dump)", { clusterCIDR: "10.0.0.0/8", format: "dump" }, DUMP_GOLDEN],
  ];
  for (const [name, options, golden] of cases) {
    it(name, () => {
      expect(formatNftRuleset(scenario, options)).toBe(golden);
    });
  }
});

// kubernetes/kubernetes pkg/proxy/nftables/proxier_test.go, TestOverallNFTablesRules: baseRules
// and the "# svc1" and "# svc6" blocks of the expected transaction, verbatim (fake proxier:
// nodePortAddresses 192.168.0.2/32, serviceCIDRs 172.30.0.0/16, pod CIDR 10.0.0.0/8, mark 0x4000).
const UPSTREAM_BASE_SVC1_SVC6 = `
	add table ip kube-proxy { comment "rules for kube-proxy" ; }

	add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
	add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }

	add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
	add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
	add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
	add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
	add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }

	add chain ip kube-proxy cluster-ips-check
	add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
	add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
	add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
	add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
	add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
	add chain ip kube-proxy firewall-check
	add chain ip kube-proxy mark-for-masquerade
	add chain ip kube-proxy masquerading
	add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
	add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
	add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
	add chain ip kube-proxy nodeport-endpoints-check
	add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
	add chain ip kube-proxy services
	add chain ip kube-proxy service-endpoints-check

	add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
	add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
	add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
	add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
	add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
	add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
	add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
	add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
	add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
	add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
	add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
	add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
	add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
	add rule ip kube-proxy masquerading mark set mark xor 0x4000
	add rule ip kube-proxy masquerading masquerade fully-random
	add rule ip kube-proxy nat-output jump services
	add rule ip kube-proxy nat-postrouting jump masquerading
	add rule ip kube-proxy nat-prerouting jump services
	add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
	add rule ip kube-proxy reject-chain reject
	add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
	add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports

	add element ip kube-proxy nodeport-ips { 192.168.0.2 }
	add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services

	# svc1
	add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
	add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
	add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }

	add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
	add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
	add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80

	add element ip kube-proxy cluster-ips { 172.30.0.41 }
	add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }

	# svc6
	add element ip kube-proxy cluster-ips { 172.30.0.46 }
	add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
	`;

// The same test's "# svc4" service and endpoint chains (its ClusterIP part, two endpoints).
const UPSTREAM_SVC4_CHAINS = `
	add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
	add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
	add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }
	add chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80
	add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 ip saddr 10.180.0.5 jump mark-for-masquerade
	add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 meta l4proto tcp dnat to 10.180.0.5:80
	add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
	add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
	add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80
	add element ip kube-proxy cluster-ips { 172.30.0.44 }
	add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
	`;

/**
 * Upstream's comparison (sortNFTablesTransaction in the nftables helpers_test.go): blank and
 * "#" lines dropped; objects compared as a set; rules compared per chain, in order.
 */
function normalize(transaction: string): { objects: string[]; rules: Record<string, string[]> } {
  const lines = transaction.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const rules: Record<string, string[]> = {};
  const objects: string[] = [];
  for (const l of lines) {
    const w = l.split(" ");
    if (w[1] === "rule") (rules[w[4]] ??= []).push(l);
    else objects.push(l);
  }
  return { objects: objects.sort(), rules };
}

const UPSTREAM_FAKE: NftRulesetOptions = {
  format: "dump",
  clusterCIDR: "10.0.0.0/8",
  masqueradeMark: "0x4000",
  nodePortIPs: ["192.168.0.2"],
  serviceCIDRs: ["172.30.0.0/16"],
};

describe("formatNftRuleset reproduces upstream's expected transaction (pkg/proxy/nftables/proxier_test.go TestOverallNFTablesRules)", () => {
  it("baseRules + svc1 (one endpoint) + svc6 (no endpoints): same objects, same rules per chain", () => {
    const ports = [
      frontend("172.30.0.46:80/TCP", "ns6/svc6:p80/TCP", "reject"),
      frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", [ep("10.180.0.1", 80)]),
    ];
    expect(normalize(formatNftRuleset(ports, UPSTREAM_FAKE))).toEqual(normalize(UPSTREAM_BASE_SVC1_SVC6));
  });

  it("svc4's service chain (numgen over two endpoints) and endpoint chains are upstream's lines", () => {
    const ports = [frontend("172.30.0.44:80/TCP", "ns4/svc4:p80/TCP", "forward", [ep("10.180.0.4", 80), ep("10.180.0.5", 80, "node-a")])];
    const ours = new Set(formatNftRuleset(ports, UPSTREAM_FAKE).split("\n"));
    for (const line of UPSTREAM_SVC4_CHAINS.split("\n").map((l) => l.trim()).filter((l) => l !== "")) {
      expect(ours.has(line), line).toBe(true);
    }
  });
});

describe("formatNftRuleset behaviour", () => {
  it("internalTrafficPolicy Local: ClusterIP goes to the local- chain", () => {
    const f = { ...frontend("172.30.0.44:80/TCP", "ns4/svc4:http/TCP", "forward", [ep("10.180.0.8", 8080, "node-a")]), internalTrafficPolicy: "Local" as const };
    const out = formatNftRuleset([f]);
    const base = servicePortChainNameBase("ns4/svc4:http/TCP");
    expect(out).toContain(`elements = { 172.30.0.44 . tcp . 80 : goto local-${base} }`);
    expect(out).toContain(`\tchain local-${base} {\n`);
    expect(out).not.toContain(`service-${base}`);
  });

  it("masqueradeAll: the service chain masquerades every connection to the ClusterIP", () => {
    const out = formatNftRuleset([frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", [ep("10.180.0.1", 80)])], { masqueradeAll: true });
    expect(out).toContain("\tchain service-ULMVA6XW-ns1/svc1/tcp/p80 {\n\t\tip daddr 172.30.0.41 jump mark-for-masquerade\n\t\tnumgen random mod 1 vmap");
  });

  it("lists map elements in nft 1.0.6's order: a concatenated key's last byte (the port's low byte) weighs most", () => {
    // Checked with nft v1.0.6: 172.30.0.42 . udp . 53 is listed before 172.30.0.41 . tcp . 80 (53 < 80).
    const out = formatNftRuleset([
      frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "forward", [ep("10.180.0.1", 80)]),
      frontend("172.30.0.42:53/UDP", "ns2/svc2:dns/UDP", "forward", [ep("10.180.0.5", 5353)]),
    ]);
    expect(out).toContain(
      "elements = { 172.30.0.42 . udp . 53 : goto service-M5UHGSIB-ns2/svc2/udp/dns,\n\t\t\t     172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }",
    );
  });

  it("lists an IPv4 set numerically, two addresses per line, each ClusterIP once", () => {
    // Checked with nft v1.0.6 (same layout).
    const ports = [
      frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "reject"),
      frontend("172.30.0.46:80/TCP", "ns6/svc6:p80/TCP", "reject"),
      frontend("172.30.0.9:80/TCP", "ns9/svc9:p80/TCP", "reject"),
      frontend("10.96.0.10:53/UDP", "kube-system/kube-dns:dns/UDP", "reject"),
      frontend("10.96.0.10:53/TCP", "kube-system/kube-dns:dns-tcp/TCP", "reject"),
      frontend("10.96.0.1:443/TCP", "default/kubernetes:https/TCP", "reject"),
    ];
    expect(formatNftRuleset(ports)).toContain(
      "elements = { 10.96.0.1, 10.96.0.10,\n\t\t\t     172.30.0.9, 172.30.0.41,\n\t\t\t     172.30.0.46 }",
    );
  });

  it("IPv6: table ip6, ipv6_addr, one address per line, ::1 excluded from NodePorts, other family skipped", () => {
    const ports = [
      frontend("fd00:10:96::a:53/UDP", "kube-system/kube-dns:dns/UDP", "forward", [ep("fd00:10:244::5", 53)]),
      frontend("fd00:10:96::b:80/TCP", "ns6/svc6:p80/TCP", "reject"),
      frontend("10.96.0.1:443/TCP", "default/kubernetes:https/TCP", "forward", [ep("172.18.0.2", 6443)]),
    ];
    const out = formatNftRuleset(ports, { ipFamily: "IPv6", clusterCIDR: "fd00:10:244::/64" });
    expect(out.startsWith("table ip6 kube-proxy {\n")).toBe(true);
    expect(out).toContain("elements = { fd00:10:96::a,\n\t\t\t     fd00:10:96::b }");
    expect(out).toContain("\t\tip6 daddr fd00:10:96::a ip6 saddr != fd00:10:244::/64 jump mark-for-masquerade\n");
    expect(out).toContain("\t\tmeta l4proto udp dnat to [fd00:10:244::5]:53\n");
    expect(out).toContain("\t\tfib daddr type local ip6 daddr != ::1 meta l4proto . th dport vmap @service-nodeports\n");
    expect(out).not.toContain("10.96.0.1");
  });

  it("several ServiceCIDRs: listed as an anonymous set sorted by address", () => {
    const out = formatNftRuleset([], { serviceCIDRs: ["172.30.0.0/16", "10.96.0.0/12"] });
    expect(out).toContain('\t\tip daddr { 10.96.0.0/12, 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"\n');
    expect(formatNftRuleset([], { serviceCIDRs: ["172.30.0.0/16", "10.96.0.0/12"], format: "dump" })).toContain(
      'add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16,10.96.0.0/12 } drop comment "Drop traffic to unallocated ClusterIPs"',
    );
  });

  it("the output does not depend on the order of the input", () => {
    const expected = formatNftRuleset(scenario, { clusterCIDR: "10.0.0.0/8" });
    fc.assert(
      fc.property(fc.shuffledSubarray(scenario, { minLength: scenario.length, maxLength: scenario.length }), (shuffled) => {
        expect(formatNftRuleset(shuffled, { clusterCIDR: "10.0.0.0/8" })).toBe(expected);
      }),
    );
  });

  it("the dump creates every chain before a rule or element refers to it", () => {
    const lines = formatNftRuleset(scenario, { clusterCIDR: "10.0.0.0/8", format: "dump" }).split("\n");
    const created = new Set<string>();
    for (const l of lines) {
      const m = l.match(/^add chain ip kube-proxy (\S+)/);
      if (m) created.add(m[1]);
      for (const ref of l.matchAll(/(?:goto|jump) (\S+?)(?= |$)/g)) expect(created.has(ref[1]), l).toBe(true);
    }
  });
});

// The same test's "# svc2", "# svc3" and "# svc4" blocks (external addresses), verbatim.
const UPSTREAM_SVC2_SVC3_SVC4 = `
	add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
	add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 ip daddr 172.30.0.42 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
	add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 }
	add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
	add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
	add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
	add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
	add chain ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80
	add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
	add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80
	add element ip kube-proxy cluster-ips { 172.30.0.42 }
	add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
	add element ip kube-proxy service-ips { 192.168.99.22 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
	add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
	add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
	add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
	add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }
	add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }
	add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
	add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
	add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 }
	add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
	add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade
	add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
	add chain ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80
	add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
	add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
	add element ip kube-proxy cluster-ips { 172.30.0.43 }
	add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
	add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }
	add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
	add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
	add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }
	add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80
	add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade
	add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80
	add chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80
	add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 ip saddr 10.180.0.5 jump mark-for-masquerade
	add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 meta l4proto tcp dnat to 10.180.0.5:80
	add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
	add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
	add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80
	add element ip kube-proxy cluster-ips { 172.30.0.44 }
	add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
	add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }
	`;

function external(address: string, servicePortName: string, verdict: Verdict, kind: "node-port" | "load-balancer" | "external-ip", policy: "Cluster" | "Local", endpoints: ProxyEndpoint[] = []): ServiceFrontend {
  const f = frontend(address, servicePortName, verdict, endpoints);
  f.kind = "external";
  f.externalKind = kind;
  f.externalTrafficPolicy = policy;
  return f;
}

function localOrigin(address: string, servicePortName: string, endpoints: ProxyEndpoint[]): ServiceFrontend {
  const f = frontend(`${address}/local-origin`, servicePortName, "forward", endpoints);
  f.kind = "local-origin";
  return f;
}

describe("formatNftRuleset: NodePort, load-balancer and externalIP objects (upstream TestOverallNFTablesRules svc2, svc3, svc4)", () => {
  // svc2: ETP Local, its one endpoint on another node; externalIP, load-balancer IP, NodePort 3001.
  const svc2Ep = [ep("10.180.0.2", 80, "node-b")];
  const svc2 = [
    frontend("172.30.0.42:80/TCP", "ns2/svc2:p80/TCP", "forward", svc2Ep),
    external("192.168.99.22:80/TCP", "ns2/svc2:p80/TCP", "drop", "external-ip", "Local"),
    external("1.2.3.4:80/TCP", "ns2/svc2:p80/TCP", "drop", "load-balancer", "Local"),
    external("192.168.0.2:3001/TCP", "ns2/svc2:p80/TCP", "drop", "node-port", "Local"),
    localOrigin("1.2.3.4:80/TCP", "ns2/svc2:p80/TCP", svc2Ep),
  ];
  // svc3: NodePort 3003, Cluster. svc4: externalIP 192.168.99.33, Cluster, two endpoints.
  const svc3Ep = [ep("10.180.0.3", 80)];
  const svc4Eps = [ep("10.180.0.4", 80), ep("10.180.0.5", 80, "node-a")];
  const svc3 = [frontend("172.30.0.43:80/TCP", "ns3/svc3:p80/TCP", "forward", svc3Ep), external("192.168.0.2:3003/TCP", "ns3/svc3:p80/TCP", "forward", "node-port", "Cluster", svc3Ep)];
  const svc4 = [frontend("172.30.0.44:80/TCP", "ns4/svc4:p80/TCP", "forward", svc4Eps), external("192.168.99.33:80/TCP", "ns4/svc4:p80/TCP", "forward", "external-ip", "Cluster", svc4Eps)];

  it("every object and every chain's rules are upstream's lines", () => {
    const ours = normalize(formatNftRuleset([...svc2, ...svc3, ...svc4], UPSTREAM_FAKE));
    const theirs = normalize(UPSTREAM_SVC2_SVC3_SVC4);
    for (const o of theirs.objects) expect(ours.objects, o).toContain(o);
    for (const [chain, rules] of Object.entries(theirs.rules)) {
      if (chain === "service-ips" || chain === "cluster-ips") continue;
      expect(ours.rules[chain], chain).toEqual(rules);
    }
    // And nothing more for these Services than upstream writes.
    const mine = ours.objects.filter((o) => /svc[234]|172\.30\.0\.4[234]|192\.168\.99|1\.2\.3\.4|tcp \. 300[13]/.test(o));
    expect(mine.sort()).toEqual(theirs.objects.filter((o) => !o.startsWith("add table")).sort());
  });

  const noEndpoints = [
    frontend("172.30.0.41:80/TCP", "ns1/svc1:p80/TCP", "reject"),
    external("192.168.99.11:80/TCP", "ns1/svc1:p80/TCP", "reject", "external-ip", "Cluster"),
    external("1.2.3.4:80/TCP", "ns1/svc1:p80/TCP", "reject", "load-balancer", "Cluster"),
    external("192.168.0.2:3001/TCP", "ns1/svc1:p80/TCP", "reject", "node-port", "Cluster"),
  ];
  it("no endpoints at all: every address rejected, no chain (TestNoEndpointsReject's Service)", () => {
    const out = formatNftRuleset(noEndpoints, { format: "dump" });
    const elements = out.split("\n").filter((l) => l.startsWith("add element"));
    expect(elements).toEqual([
      "add element ip kube-proxy cluster-ips { 172.30.0.41 }",
      'add element ip kube-proxy no-endpoint-services { 172.30.0.41 . tcp . 80 comment "ns1/svc1:p80" : goto reject-chain }',
      'add element ip kube-proxy no-endpoint-services { 192.168.99.11 . tcp . 80 comment "ns1/svc1:p80" : goto reject-chain }',
      'add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns1/svc1:p80" : goto reject-chain }',
      'add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns1/svc1:p80" : goto reject-chain }',
    ]);
    expect(out).not.toMatch(/add chain ip kube-proxy (service|external|endpoint)-[A-Z0-9]{8}-/);
  });

  it("ETP Local with a local endpoint: the external chain ends in goto local-…, which balances over the local endpoints", () => {
    const all = [ep("10.180.0.6", 80, "node-a"), ep("10.180.0.7", 80, "node-b")];
    const local = [all[0]];
    const ports = [
      frontend("172.30.0.47:80/TCP", "ns7/svc7:p80/TCP", "forward", all),
      external("192.168.0.2:3007/TCP", "ns7/svc7:p80/TCP", "forward", "node-port", "Local", local),
      localOrigin("192.168.0.2:3007/TCP", "ns7/svc7:p80/TCP", all),
    ];
    const base = servicePortChainNameBase("ns7/svc7:p80/TCP");
    const rules = normalize(formatNftRuleset(ports, UPSTREAM_FAKE)).rules;
    expect(rules[`external-${base}`]?.at(-1)).toBe(`add rule ip kube-proxy external-${base} goto local-${base}`);
    expect(rules[`local-${base}`]).toEqual([
      `add rule ip kube-proxy local-${base} numgen random mod 1 vmap { 0 : goto endpoint-${servicePortEndpointChainNameBase("ns7/svc7:p80/TCP", "10.180.0.6:80")} }`,
    ]);
    expect(rules[`service-${base}`]?.at(-1)).toMatch(/numgen random mod 2 /);
  });

  it("the list format shows the NodePort maps' elements", () => {
    const out = formatNftRuleset(svc3);
    expect(out).toContain(`elements = { tcp . 3003 : goto external-${servicePortChainNameBase("ns3/svc3:p80/TCP")} }`);
  });
});
