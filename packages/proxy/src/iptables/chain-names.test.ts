import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  compareProgrammedServicePorts,
  parseServiceAddress,
  portProtoHash,
  serviceExternalChainName,
  serviceFirewallChainName,
  servicePortChainName,
  servicePortEndpointChainName,
  servicePortLocalChainName,
  upstreamServicePortName,
} from "./chain-names.js";

// Known answers: chain names that appear in the expected outputs of upstream's
// kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go (TestOverallIPTablesRules,
// TestSyncProxyRulesRepeated, TestSyncProxyRulesLargeClusterMode, TestSortIPTablesRules).
describe("servicePortChainName: KUBE-SVC names from upstream pkg/proxy/iptables/proxier_test.go", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["ns1/svc1:p80", "tcp", "KUBE-SVC-XPGD46QRK7WJZT7O"],
    ["ns2/svc2:p80", "tcp", "KUBE-SVC-GNZBNJ2PO5MGZ6GT"],
    ["ns3/svc3:p80", "tcp", "KUBE-SVC-X27LE4BHSL4DOUIK"],
    ["ns4/svc4:p80", "tcp", "KUBE-SVC-4SW47YFZTEDKD3PK"],
    ["ns5/svc5:p80", "tcp", "KUBE-SVC-NUKIZ6OKUXPJNT4C"],
    ["ns2/svc2:p8080", "tcp", "KUBE-SVC-2VJB64SDSIJUP5T6"],
    ["ns4/svc4:p8082", "tcp", "KUBE-SVC-EBDQOQU5SJFXRIL3"],
  ];
  for (const [spn, proto, expected] of cases) {
    it(`${spn} ${proto} => ${expected}`, () => {
      expect(servicePortChainName(spn, proto)).toBe(expected);
    });
  }
});

describe("servicePortEndpointChainName: KUBE-SEP names from upstream proxier_test.go", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["ns1/svc1:p80", "10.180.0.1:80", "KUBE-SEP-SXIVWICOYRO3J4NJ"],
    ["ns1/svc1:p80", "10.0.1.1:80", "KUBE-SEP-SNQ3ZNILQDEJNDQO"],
    ["ns1/svc1:p80", "10.0.0.0:80", "KUBE-SEP-DKGQUZGBKLTPAR56"],
    ["ns2/svc2:p8080", "10.0.2.1:8080", "KUBE-SEP-UHEGFW77JX3KXTOV"],
    ["ns3/svc3:p80", "10.0.3.1:80", "KUBE-SEP-BSWRHOQ77KEXZLNL"],
    ["ns2/svc2:p80", "10.180.0.2:80", "KUBE-SEP-RS4RBKLTHTF2IUXJ"],
    ["ns3/svc3:p80", "10.180.0.3:80", "KUBE-SEP-OYPFS5VJICHGATKP"],
    ["ns4/svc4:p80", "10.180.0.4:80", "KUBE-SEP-UKSFD7AGPMPPLUHC"],
    ["ns4/svc4:p80", "10.180.0.5:80", "KUBE-SEP-C6EBXVWJJZMIWKLZ"],
    // Same endpoint IP:port as ns3/svc3 but another Service port: a different chain.
    ["ns5/svc5:p80", "10.180.0.3:80", "KUBE-SEP-I77PXRDZVX7PMWMN"],
    ["ns4/svc4:p8082", "10.4.0.1:8082", "KUBE-SEP-SU5STNODRYEWJAUF"],
  ];
  for (const [spn, ep, expected] of cases) {
    it(`${spn} -> ${ep} => ${expected}`, () => {
      expect(servicePortEndpointChainName(spn, "tcp", ep)).toBe(expected);
    });
  }
});

describe("the other prefixes share the port's hash (upstream TestOverallIPTablesRules)", () => {
  it("KUBE-EXT / KUBE-SVL / KUBE-FW", () => {
    expect(serviceExternalChainName("ns2/svc2:p80", "tcp")).toBe("KUBE-EXT-GNZBNJ2PO5MGZ6GT");
    expect(servicePortLocalChainName("ns2/svc2:p80", "tcp")).toBe("KUBE-SVL-GNZBNJ2PO5MGZ6GT");
    expect(serviceExternalChainName("ns4/svc4:p80", "tcp")).toBe("KUBE-EXT-4SW47YFZTEDKD3PK");
    expect(serviceFirewallChainName("ns5/svc5:p80", "tcp")).toBe("KUBE-FW-NUKIZ6OKUXPJNT4C");
  });
});

describe("chain names seen on real clusters (iptables-save output)", () => {
  it("kubeadm's default Services", () => {
    expect(servicePortChainName("default/kubernetes:https", "tcp")).toBe("KUBE-SVC-NPX46M4PTMTKRN6Y");
    expect(servicePortChainName("kube-system/kube-dns:dns", "udp")).toBe("KUBE-SVC-TCOU7JCQXEZGVUNU");
    expect(servicePortChainName("kube-system/kube-dns:dns-tcp", "tcp")).toBe("KUBE-SVC-ERIFXISQEP7F7OF4");
    expect(servicePortChainName("kube-system/kube-dns:metrics", "tcp")).toBe("KUBE-SVC-JD5MR3NA4I4DYORP");
  });

  it("an unnamed port hashes `ns/svc` without the colon (kind cluster, default/test-svc)", () => {
    const spn = upstreamServicePortName("default/test-svc:/TCP");
    expect(spn).toBe("default/test-svc");
    expect(servicePortChainName(spn, "tcp")).toBe("KUBE-SVC-QKNQQNIN727HO3XU");
    expect(servicePortEndpointChainName(spn, "tcp", "10.244.1.3:80")).toBe("KUBE-SEP-SQEBHSRBMT4ZUBXZ");
    expect(servicePortEndpointChainName(spn, "tcp", "10.244.2.3:80")).toBe("KUBE-SEP-SUSDB4Q4CAFDFR7F");
    // The colon would change the hash: "default/test-svc:" is a different string.
    expect(servicePortChainName("default/test-svc:", "tcp")).not.toBe("KUBE-SVC-QKNQQNIN727HO3XU");
  });
});

describe("portProtoHash", () => {
  it("lower-cases the protocol, as every upstream caller does", () => {
    expect(portProtoHash("ns1/svc1:p80", "TCP")).toBe("XPGD46QRK7WJZT7O");
    expect(servicePortEndpointChainName("ns1/svc1:p80", "TCP", "10.180.0.1:80")).toBe("KUBE-SEP-SXIVWICOYRO3J4NJ");
  });

  it("the protocol is part of the hash: TCP and UDP ports of one name get different chains", () => {
    expect(portProtoHash("ns/svc:dns", "udp")).not.toBe(portProtoHash("ns/svc:dns", "tcp"));
  });

  it("is 16 characters of the base32 alphabet, and every prefixed name fits iptables' 28-char limit", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom("tcp", "udp", "sctp"), (name, proto) => {
        const h = portProtoHash(name, proto);
        expect(h).toMatch(/^[A-Z2-7]{16}$/);
        for (const chain of [
          servicePortChainName(name, proto),
          servicePortLocalChainName(name, proto),
          serviceExternalChainName(name, proto),
          serviceFirewallChainName(name, proto),
          servicePortEndpointChainName(name, proto, "10.0.0.1:80"),
        ]) {
          expect(chain.length).toBeLessThanOrEqual(28);
        }
      }),
    );
  });
});

describe("upstreamServicePortName (pkg/proxy/types.go ServicePortName.String)", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["ns1/svc1:p80/TCP", "ns1/svc1:p80"],
    ["kube-system/kube-dns:dns/UDP", "kube-system/kube-dns:dns"],
    ["default/api:/TCP", "default/api"],
    ["ns/svc:sctp-port/SCTP", "ns/svc:sctp-port"],
  ];
  for (const [key, expected] of cases) {
    it(`${key} => ${expected}`, () => {
      expect(upstreamServicePortName(key)).toBe(expected);
    });
  }

  it("rejects a key that is not ns/svc:port/PROTOCOL", () => {
    expect(() => upstreamServicePortName("ns1/svc1:p80")).toThrow(RangeError);
  });
});

describe("parseServiceAddress", () => {
  const cases: ReadonlyArray<readonly [string, { ip: string; port: number; protocol: string; ipv6: boolean }]> = [
    ["10.96.0.10:53/UDP", { ip: "10.96.0.10", port: 53, protocol: "UDP", ipv6: false }],
    ["172.30.0.41:80/TCP", { ip: "172.30.0.41", port: 80, protocol: "TCP", ipv6: false }],
    ["fd00:10:96::a:53/UDP", { ip: "fd00:10:96::a", port: 53, protocol: "UDP", ipv6: true }],
    ["[fd00:10:96::a]:443/TCP", { ip: "fd00:10:96::a", port: 443, protocol: "TCP", ipv6: true }],
  ];
  for (const [address, expected] of cases) {
    it(address, () => {
      expect(parseServiceAddress(address)).toEqual(expected);
    });
  }

  it("rejects an address without a port or protocol", () => {
    expect(() => parseServiceAddress("10.96.0.10")).toThrow(RangeError);
    expect(() => parseServiceAddress("10.96.0.10:99999/TCP")).toThrow(RangeError);
  });
});

describe("compareProgrammedServicePorts", () => {
  const port = (address: string, servicePortName: string) => ({ address, servicePortName, verdict: "forward" as const, endpoints: [] });
  it("orders by namespace/name first (ns1/svc1 < ns1/svc10 < ns2/a), then port name, protocol, address", () => {
    const sorted = [
      port("172.30.0.5:53/UDP", "ns1/svc1:dns/UDP"),
      port("172.30.0.3:80/TCP", "ns2/a:http/TCP"),
      port("172.30.0.2:80/TCP", "ns1/svc10:a/TCP"),
      port("172.30.0.4:53/TCP", "ns1/svc1:dns/TCP"),
      port("172.30.0.1:80/TCP", "ns1/svc1:b/TCP"),
    ].sort(compareProgrammedServicePorts);
    expect(sorted.map((p) => p.servicePortName)).toEqual([
      "ns1/svc1:b/TCP",
      "ns1/svc1:dns/TCP",
      "ns1/svc1:dns/UDP",
      "ns1/svc10:a/TCP",
      "ns2/a:http/TCP",
    ]);
  });

  it("is a strict order on distinct addresses", () => {
    const a = port("10.96.0.10:53/UDP", "kube-system/kube-dns:dns/UDP");
    const b = port("fd00::a:53/UDP", "kube-system/kube-dns:dns/UDP");
    expect(compareProgrammedServicePorts(a, b)).toBe(-1);
    expect(compareProgrammedServicePorts(b, a)).toBe(1);
    expect(compareProgrammedServicePorts(a, a)).toBe(0);
  });
});
