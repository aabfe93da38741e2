import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EndpointSlice, Pod, Service } from "@kube-netsim/model";
import { KUBEADM_KUBERNETES_OPTIONS, KubernetesPlugin } from "./kubernetes.js";
import { formatRecord, responseKind } from "./message.js";
import type { DnsResponse, QueryType } from "./message.js";

// The fixture of coredns/coredns plugin/kubernetes/handler_test.go (APIConnServeTest:
// svcIndex, epsIndex), written as the Kubernetes objects it stands for.
function svc(name: string, ns: string, spec: Service["spec"]): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec };
}
function slice(svcName: string, ns: string, endpoints: EndpointSlice["endpoints"], ports?: EndpointSlice["ports"], addressType: EndpointSlice["addressType"] = "IPv4"): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `${svcName}-${addressType.toLowerCase()}`, namespace: ns, labels: { "kubernetes.io/service-name": svcName } },
    addressType,
    endpoints,
    ...(ports ? { ports } : {}),
  };
}
const http = [{ name: "http", protocol: "TCP" as const, port: 80 }];
const ep = (ip: string, extra: Partial<EndpointSlice["endpoints"][number]> = {}): EndpointSlice["endpoints"][number] => ({ addresses: [ip], conditions: { ready: true }, ...extra });

const services: Service[] = [
  svc("kubedns", "kube-system", { clusterIP: "10.0.0.10", ports: [{ name: "dns", protocol: "UDP", port: 53 }] }),
  svc("svc1", "testns", { clusterIP: "10.0.0.1", ports: http }),
  svc("svcempty", "testns", { clusterIP: "10.0.0.1", ports: http }),
  svc("svc6", "testns", { clusterIP: "1234:abcd::1", ports: http }),
  svc("hdls1", "testns", { clusterIP: "None" }),
  svc("external", "testns", { type: "ExternalName", externalName: "ext.interwebs.test", ports: http }),
  svc("external-to-service", "testns", { type: "ExternalName", externalName: "svc1.testns.svc.cluster.local.", ports: http }),
  svc("hdlsprtls", "testns", { clusterIP: "None" }),
  svc("svc-dual-stack", "testns", { clusterIP: "10.0.0.3", clusterIPs: ["10.0.0.3", "10::3"], ports: http }),
];
const slices: EndpointSlice[] = [
  slice("kubedns", "kube-system", [ep("172.0.0.100")], [{ name: "dns", protocol: "UDP", port: 53 }]),
  slice("svc1", "testns", [ep("172.0.0.1", { hostname: "ep1a" })], http),
  slice("svcempty", "testns", [], http),
  slice("hdls1", "testns", [ep("172.0.0.2"), ep("172.0.0.3"), ep("172.0.0.4", { hostname: "dup-name" }), ep("172.0.0.5", { hostname: "dup-name" })], http),
  slice("hdls1", "testns", [ep("5678:abcd::1"), ep("5678:abcd::2")], http, "IPv6"),
  slice("hdlsprtls", "testns", [ep("172.0.0.20")]),
];

function plugin(options = {}): KubernetesPlugin {
  const k = new KubernetesPlugin({ ttl: 5, ...options });
  k.setCluster({ services, endpointSlices: slices, namespaces: ["testns", "kube-system", "default"] });
  return k;
}

const lines = (r: DnsResponse | undefined, section: "answer" | "extra" = "answer"): string[] => (r ? r[section].map(formatRecord).sort() : []);

interface Case {
  readonly qname: string;
  readonly qtype: QueryType;
  readonly rcode: "NOERROR" | "NXDOMAIN";
  readonly answer?: readonly string[];
  readonly extra?: readonly string[];
}

// Expected records copied from handler_test.go's dnsTestCases (TTL 5: the plugin default).
const upstreamCases: readonly Case[] = [
  { qname: "svc1.testns.svc.cluster.local.", qtype: "A", rcode: "NOERROR", answer: ["svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"] },
  { qname: "svcempty.testns.svc.cluster.local.", qtype: "A", rcode: "NOERROR", answer: ["svcempty.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"] },
  {
    qname: "svc1.testns.svc.cluster.local.",
    qtype: "SRV",
    rcode: "NOERROR",
    answer: ["svc1.testns.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 svc1.testns.svc.cluster.local."],
    extra: ["svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"],
  },
  {
    qname: "svc6.testns.svc.cluster.local.",
    qtype: "SRV",
    rcode: "NOERROR",
    answer: ["svc6.testns.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 svc6.testns.svc.cluster.local."],
    extra: ["svc6.testns.svc.cluster.local.\t5\tIN\tAAAA\t1234:abcd::1"],
  },
  {
    qname: "_http._tcp.svc1.testns.svc.cluster.local.",
    qtype: "SRV",
    rcode: "NOERROR",
    answer: ["_http._tcp.svc1.testns.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 svc1.testns.svc.cluster.local."],
    extra: ["svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"],
  },
  {
    qname: "_http._tcp.svcempty.testns.svc.cluster.local.",
    qtype: "SRV",
    rcode: "NOERROR",
    answer: ["_http._tcp.svcempty.testns.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 svcempty.testns.svc.cluster.local."],
    extra: ["svcempty.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"],
  },
  {
    qname: "hdls1.testns.svc.cluster.local.",
    qtype: "A",
    rcode: "NOERROR",
    answer: ["172.0.0.2", "172.0.0.3", "172.0.0.4", "172.0.0.5"].map((ip) => `hdls1.testns.svc.cluster.local.\t5\tIN\tA\t${ip}`),
  },
  { qname: "hdlsprtls.testns.svc.cluster.local.", qtype: "A", rcode: "NOERROR", answer: ["hdlsprtls.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.20"] },
  { qname: "172-0-0-20.hdlsprtls.testns.svc.cluster.local.", qtype: "A", rcode: "NOERROR", answer: ["172-0-0-20.hdlsprtls.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.20"] },
  { qname: "172-0-0-2.hdls1.testns.svc.cluster.local.", qtype: "A", rcode: "NOERROR", answer: ["172-0-0-2.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.2"] },
  {
    qname: "dup-name.hdls1.testns.svc.cluster.local.",
    qtype: "A",
    rcode: "NOERROR",
    answer: ["dup-name.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.4", "dup-name.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.5"],
  },
  {
    qname: "_http._tcp.hdls1.testns.svc.cluster.local.",
    qtype: "SRV",
    rcode: "NOERROR",
    answer: ["172-0-0-2", "172-0-0-3", "5678-abcd--1", "5678-abcd--2", "dup-name"].map((h) => `_http._tcp.hdls1.testns.svc.cluster.local.\t5\tIN\tSRV\t0 16 80 ${h}.hdls1.testns.svc.cluster.local.`),
    extra: [
      "172-0-0-2.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.2",
      "172-0-0-3.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.3",
      "5678-abcd--1.hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t5678:abcd::1",
      "5678-abcd--2.hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t5678:abcd::2",
      "dup-name.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.4",
      "dup-name.hdls1.testns.svc.cluster.local.\t5\tIN\tA\t172.0.0.5",
    ],
  },
  { qname: "5678-abcd--2.hdls1.testns.svc.cluster.local", qtype: "AAAA", rcode: "NOERROR", answer: ["5678-abcd--2.hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t5678:abcd::2"] },
  { qname: "external.testns.svc.cluster.local.", qtype: "CNAME", rcode: "NOERROR", answer: ["external.testns.svc.cluster.local.\t5\tIN\tCNAME\text.interwebs.test."] },
  {
    qname: "external-to-service.testns.svc.cluster.local",
    qtype: "A",
    rcode: "NOERROR",
    answer: ["external-to-service.testns.svc.cluster.local.\t5\tIN\tCNAME\tsvc1.testns.svc.cluster.local.", "svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"],
  },
  { qname: "svc1.testns.svc.cluster.local.", qtype: "AAAA", rcode: "NOERROR", answer: [] },
  { qname: "svc0.testns.svc.cluster.local.", qtype: "AAAA", rcode: "NXDOMAIN" },
  { qname: "svc0.testns.svc.cluster.local.", qtype: "A", rcode: "NXDOMAIN" },
  { qname: "svc0.svc-nons.svc.cluster.local.", qtype: "A", rcode: "NXDOMAIN" },
  { qname: "bogusendpoint.hdls1.testns.svc.cluster.local.", qtype: "A", rcode: "NXDOMAIN" },
  { qname: "bogusendpoint.svc0.testns.svc.cluster.local.", qtype: "A", rcode: "NXDOMAIN" },
  { qname: "svc6.testns.svc.cluster.local.", qtype: "AAAA", rcode: "NOERROR", answer: ["svc6.testns.svc.cluster.local.\t5\tIN\tAAAA\t1234:abcd::1"] },
  {
    qname: "hdls1.testns.svc.cluster.local.",
    qtype: "AAAA",
    rcode: "NOERROR",
    answer: ["hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t5678:abcd::1", "hdls1.testns.svc.cluster.local.\t5\tIN\tAAAA\t5678:abcd::2"],
  },
  { qname: "svc.cluster.local.", qtype: "A", rcode: "NOERROR", answer: [] },
  { qname: "pod.cluster.local.", qtype: "A", rcode: "NOERROR", answer: [] },
  { qname: "testns.svc.cluster.local.", qtype: "A", rcode: "NOERROR", answer: [] },
  { qname: "svc-dual-stack.testns.svc.cluster.local.", qtype: "A", rcode: "NOERROR", answer: ["svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.3"] },
  { qname: "svc-dual-stack.testns.svc.cluster.local.", qtype: "AAAA", rcode: "NOERROR", answer: ["svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tAAAA\t10::3"] },
  {
    qname: "svc-dual-stack.testns.svc.cluster.local.",
    qtype: "SRV",
    rcode: "NOERROR",
    answer: ["svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tSRV\t0 50 80 svc-dual-stack.testns.svc.cluster.local."],
    extra: ["svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.3", "svc-dual-stack.testns.svc.cluster.local.\t5\tIN\tAAAA\t10::3"],
  },
  { qname: "endpoint.external.testns.svc.cluster.local.", qtype: "CNAME", rcode: "NXDOMAIN" },
];

describe("KubernetesPlugin: coredns handler_test.go cases", () => {
  const k = plugin();
  it.each(upstreamCases.map((c) => [`${c.qtype} ${c.qname}`, c] as const))("%s", (_n, c) => {
    const r = k.serve(c.qname, c.qtype);
    expect(r?.rcode).toBe(c.rcode);
    expect(r?.authoritative).toBe(true);
    if (c.answer !== undefined) expect(lines(r)).toEqual([...c.answer].sort());
    if (c.extra !== undefined) expect(lines(r, "extra")).toEqual([...c.extra].sort());
    // Negative answers carry the zone's SOA: TTL min(300, ttl), minimum = ttl.
    if (c.rcode === "NXDOMAIN" || (c.answer ?? []).length === 0) {
      expect(r?.authority).toHaveLength(1);
      expect(r?.authority[0].name).toBe("cluster.local.");
      expect(r?.authority[0].ttl).toBe(5);
      expect(r?.authority[0].data).toMatch(/^ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. [0-9]+ 7200 1800 86400 5$/);
    }
  });

  it("`ignore empty_service` makes a ClusterIP Service without endpoints NXDOMAIN (handler_ignore_emptyservice_test.go)", () => {
    const e = plugin({ ignoreEmptyService: true });
    expect(e.serve("svcempty.testns.svc.cluster.local.", "A")?.rcode).toBe("NXDOMAIN");
    expect(lines(e.serve("external.testns.svc.cluster.local.", "CNAME"))).toEqual(["external.testns.svc.cluster.local.\t5\tIN\tCNAME\text.interwebs.test."]);
  });

  it("an ExternalName outside the zone is followed through the server's upstream lookup: CNAME first, then the target's records", () => {
    const r = k.serve("external.testns.svc.cluster.local.", "A", (q, t) => ({
      qname: q,
      qtype: t,
      rcode: "NOERROR",
      authoritative: false,
      answer: [{ name: q, type: "A", ttl: 300, data: "1.2.3.4" }],
      authority: [],
      extra: [],
    }));
    expect(r?.answer.map(formatRecord)).toEqual(["external.testns.svc.cluster.local.\t5\tIN\tCNAME\text.interwebs.test.", "ext.interwebs.test.\t300\tIN\tA\t1.2.3.4"]);
  });
});

describe("KubernetesPlugin: the Kubernetes DNS specification over kube-netsim objects", () => {
  // kubeadm's Corefile: ttl 30, pods insecure, fallthrough in-addr.arpa ip6.arpa.
  const api = svc("api", "default", { selector: { app: "api" }, clusterIP: "10.96.0.20", ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "metrics", port: 9090 }] });
  const db = svc("db", "default", { selector: { app: "db" }, clusterIP: "None", ports: [{ name: "pg", port: 5432 }] });
  const dbSlice = slice(
    "db",
    "default",
    [
      { addresses: ["10.244.1.5"], hostname: "db-0", conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: "Pod", name: "db-0", namespace: "default" } },
      { addresses: ["10.244.2.6"], hostname: "db-1", conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: "Pod", name: "db-1", namespace: "default" } },
      { addresses: ["10.244.3.7"], hostname: "db-2", conditions: { ready: false, serving: false, terminating: false }, targetRef: { kind: "Pod", name: "db-2", namespace: "default" } },
      { addresses: ["10.244.3.8"], conditions: { ready: false, serving: true, terminating: true }, targetRef: { kind: "Pod", name: "db-old", namespace: "default" } },
    ],
    [{ name: "pg", protocol: "TCP", port: 5432 }],
  );
  const apiSlice = slice("api", "default", [ep("10.244.1.2"), ep("10.244.2.3")], [{ name: "http", protocol: "TCP", port: 8080 }, { name: "metrics", protocol: "TCP", port: 9090 }]);
  const ext = svc("payments", "shop", { type: "ExternalName", externalName: "pay.example.com" });
  const empty = svc("empty", "default", { selector: { app: "none" }, clusterIP: "None", ports: [{ port: 80 }] });
  const pods: Pod[] = [{ apiVersion: "v1", kind: "Pod", metadata: { name: "db-0", namespace: "default" }, spec: { containers: [] }, status: { podIP: "10.244.1.5" } }];
  const k = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
  k.setCluster({ services: [api, db, ext, empty], endpointSlices: [apiSlice, dbSlice, slice("empty", "default", [], [{ protocol: "TCP", port: 80 }])], pods });

  const table: readonly (readonly [string, string, QueryType, string, readonly string[]])[] = [
    ["ClusterIP Service: A of the ClusterIP", "api.default.svc.cluster.local.", "A", "answer", ["api.default.svc.cluster.local.\t30\tIN\tA\t10.96.0.20"]],
    ["ClusterIP Service: AAAA of an IPv4-only Service is NODATA", "api.default.svc.cluster.local.", "AAAA", "NODATA", []],
    ["names are case-insensitive, trailing dot optional", "API.Default.SVC.cluster.local", "A", "answer", ["api.default.svc.cluster.local.\t30\tIN\tA\t10.96.0.20"]],
    ["a Service that does not exist is NXDOMAIN", "web.default.svc.cluster.local.", "A", "NXDOMAIN", []],
    ["a namespace that does not exist is NXDOMAIN", "api.nope.svc.cluster.local.", "A", "NXDOMAIN", []],
    ["an existing namespace itself is NODATA", "default.svc.cluster.local.", "A", "NODATA", []],
    ["a missing namespace itself is NXDOMAIN", "nope.svc.cluster.local.", "A", "NXDOMAIN", []],
    ["a name directly under the zone is NXDOMAIN (not svc or pod)", "api.cluster.local.", "A", "NXDOMAIN", []],
    ["too many labels is NXDOMAIN", "a.b.c.api.default.svc.cluster.local.", "A", "NXDOMAIN", []],
    ["SRV of a named port: one target, the Service name, port = Service port", "_http._tcp.api.default.svc.cluster.local.", "SRV", "answer", ["_http._tcp.api.default.svc.cluster.local.\t30\tIN\tSRV\t0 100 80 api.default.svc.cluster.local."]],
    ["SRV of the Service name: one per port", "api.default.svc.cluster.local.", "SRV", "answer", ["api.default.svc.cluster.local.\t30\tIN\tSRV\t0 50 80 api.default.svc.cluster.local.", "api.default.svc.cluster.local.\t30\tIN\tSRV\t0 50 9090 api.default.svc.cluster.local."]],
    ["SRV of a port name the Service does not have is NXDOMAIN", "_grpc._tcp.api.default.svc.cluster.local.", "SRV", "NXDOMAIN", []],
    ["SRV with the wrong protocol is NXDOMAIN", "_http._udp.api.default.svc.cluster.local.", "SRV", "NXDOMAIN", []],
    ["an endpoint name resolves for a ClusterIP Service too", "10-244-1-2.api.default.svc.cluster.local.", "A", "answer", ["10-244-1-2.api.default.svc.cluster.local.\t30\tIN\tA\t10.244.1.2"]],
    ["headless: one A per READY endpoint (not-ready and terminating skipped)", "db.default.svc.cluster.local.", "A", "answer", ["db.default.svc.cluster.local.\t30\tIN\tA\t10.244.1.5", "db.default.svc.cluster.local.\t30\tIN\tA\t10.244.2.6"]],
    ["headless: per-pod hostname record", "db-1.db.default.svc.cluster.local.", "A", "answer", ["db-1.db.default.svc.cluster.local.\t30\tIN\tA\t10.244.2.6"]],
    ["headless: a not-ready pod's hostname is NXDOMAIN", "db-2.db.default.svc.cluster.local.", "A", "NXDOMAIN", []],
    ["headless: an endpoint with a hostname has no dashed-IP name", "10-244-1-5.db.default.svc.cluster.local.", "A", "NXDOMAIN", []],
    ["headless SRV: one per ready endpoint, port = endpoint port, weight floor(100/2)", "_pg._tcp.db.default.svc.cluster.local.", "SRV", "answer", ["_pg._tcp.db.default.svc.cluster.local.\t30\tIN\tSRV\t0 50 5432 db-0.db.default.svc.cluster.local.", "_pg._tcp.db.default.svc.cluster.local.\t30\tIN\tSRV\t0 50 5432 db-1.db.default.svc.cluster.local."]],
    ["headless with no ready endpoint is NXDOMAIN (findServices leaves errNoItems)", "empty.default.svc.cluster.local.", "A", "NXDOMAIN", []],
    ["ExternalName: CNAME", "payments.shop.svc.cluster.local.", "CNAME", "answer", ["payments.shop.svc.cluster.local.\t30\tIN\tCNAME\tpay.example.com."]],
    ["ExternalName SRV is NODATA (external services are removed from SRV)", "payments.shop.svc.cluster.local.", "SRV", "NODATA", []],
    ["ExternalName with port labels is NXDOMAIN", "_https._tcp.payments.shop.svc.cluster.local.", "SRV", "NXDOMAIN", []],
    ["pods insecure: a-b-c-d.<ns>.pod answers a.b.c.d unchecked", "10-244-9-9.default.pod.cluster.local.", "A", "answer", ["10-244-9-9.default.pod.cluster.local.\t30\tIN\tA\t10.244.9.9"]],
    ["pods insecure: not an IP is NXDOMAIN", "db-0.default.pod.cluster.local.", "A", "NXDOMAIN", []],
    ["pods insecure: AAAA of an IPv4 pod name is NODATA", "10-244-9-9.default.pod.cluster.local.", "AAAA", "NODATA", []],
    ["PTR of a ClusterIP: the Service name", "20.0.96.10.in-addr.arpa.", "PTR", "answer", ["20.0.96.10.in-addr.arpa.\t30\tIN\tPTR\tapi.default.svc.cluster.local."]],
    ["PTR of a headless endpoint: its hostname record", "6.2.244.10.in-addr.arpa.", "PTR", "answer", ["6.2.244.10.in-addr.arpa.\t30\tIN\tPTR\tdb-1.db.default.svc.cluster.local."]],
    ["PTR of an endpoint without hostname: the dashed IP", "3.2.244.10.in-addr.arpa.", "PTR", "answer", ["3.2.244.10.in-addr.arpa.\t30\tIN\tPTR\t10-244-2-3.api.default.svc.cluster.local."]],
    ["PTR of a name in the cluster zone is NODATA", "api.default.svc.cluster.local.", "PTR", "NODATA", []],
    ["TXT of an existing name is NODATA (the fake A lookup)", "api.default.svc.cluster.local.", "TXT", "NODATA", []],
    ["TXT of a missing name is NXDOMAIN", "web.default.svc.cluster.local.", "TXT", "NXDOMAIN", []],
  ];
  it.each(table)("%s", (_n, qname, qtype, kind, answer) => {
    const r = k.serve(qname, qtype);
    expect(r).toBeDefined();
    expect(responseKind(r!)).toBe(kind);
    expect(lines(r)).toEqual([...answer].sort());
  });

  it("reverse names the cluster does not know fall through to the next plugin; names outside the zones are not handled", () => {
    expect(k.serve("1.1.168.192.in-addr.arpa.", "PTR")).toBeUndefined();
    expect(k.serve("example.com.", "A")).toBeUndefined();
    expect(k.zoneOf("20.0.96.10.in-addr.arpa")).toBe("in-addr.arpa.");
  });

  it("publishNotReadyAddresses: the EndpointSlice controller marks every endpoint ready, so DNS lists them all", () => {
    const k2 = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
    const s2 = slice("db", "default", dbSlice.endpoints.map((e) => ({ ...e, conditions: { ...e.conditions, ready: true } })), dbSlice.ports);
    k2.setCluster({ services: [{ ...db, spec: { ...db.spec, publishNotReadyAddresses: true } }], endpointSlices: [s2] });
    expect(k2.serve("db.default.svc.cluster.local.", "A")?.answer.map((r) => r.data)).toEqual(["10.244.1.5", "10.244.2.6", "10.244.3.7", "10.244.3.8"]);
  });

  it("a nil ready condition counts as ready (endpointsliceReady)", () => {
    const k2 = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
    k2.setCluster({ services: [db], endpointSlices: [slice("db", "default", [{ addresses: ["10.244.1.9"] }], dbSlice.ports)] });
    expect(k2.serve("db.default.svc.cluster.local.", "A")?.answer.map((r) => r.data)).toEqual(["10.244.1.9"]);
  });

  it("a ClusterIP Service answers with zero endpoints, a headless one does not", () => {
    const k2 = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
    k2.setCluster({ services: [api, db], endpointSlices: [] });
    expect(k2.serve("api.default.svc.cluster.local.", "A")?.answer.map((r) => r.data)).toEqual(["10.96.0.20"]);
    expect(k2.serve("db.default.svc.cluster.local.", "A")?.rcode).toBe("NXDOMAIN");
  });

  it("pods verified: only an existing pod's IP in that namespace answers", () => {
    const v = new KubernetesPlugin({ ...KUBEADM_KUBERNETES_OPTIONS, pods: "verified" });
    v.setCluster({ services: [], endpointSlices: [], pods });
    expect(v.serve("10-244-1-5.default.pod.cluster.local.", "A")?.answer.map((r) => r.data)).toEqual(["10.244.1.5"]);
    expect(v.serve("10-244-9-9.default.pod.cluster.local.", "A")?.rcode).toBe("NXDOMAIN");
    const d = new KubernetesPlugin({ pods: "disabled" });
    d.setCluster({ services: [], endpointSlices: [], pods });
    expect(d.serve("10-244-1-5.default.pod.cluster.local.", "A")?.rcode).toBe("NXDOMAIN");
  });

  it("endpoint_pod_names names endpoints without a hostname after their pod", () => {
    const e = new KubernetesPlugin({ ...KUBEADM_KUBERNETES_OPTIONS, endpointPodNames: true });
    e.setCluster({ services: [db], endpointSlices: [dbSlice] });
    expect(e.serve("db-old.db.default.svc.cluster.local.", "A")?.rcode).toBe("NXDOMAIN"); // not ready
    expect(e.serve("db-0.db.default.svc.cluster.local.", "A")?.answer.map((r) => r.data)).toEqual(["10.244.1.5"]);
  });

  it("rejects invalid options with the field and value", () => {
    expect(() => new KubernetesPlugin({ ttl: 4000 })).toThrow("kubernetes.ttl: Invalid value: 4000: must be an integer between 0 and 3600, inclusive");
    expect(() => new KubernetesPlugin({ pods: "sometimes" as never })).toThrow('kubernetes.pods: Unsupported value: "sometimes"');
    expect(() => new KubernetesPlugin({ zone: "Cluster Local" })).toThrow('kubernetes.zone: Invalid value: "Cluster Local"');
  });
});

describe("KubernetesPlugin: properties (fixed fast-check seed)", () => {
  it("a headless Service answers exactly its ready endpoints; SRV has one record each, weight floor(100 / n)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 250 }), { maxLength: 40 }), fc.array(fc.constantFrom(true, false, undefined), { minLength: 40, maxLength: 40 }), (hosts, ready) => {
        const eps = hosts.map((h, i) => ({ addresses: [`10.244.0.${h}`], ...(ready[i] === undefined ? {} : { conditions: { ready: ready[i] } }) }));
        const k = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
        k.setCluster({ services: [svc("h", "default", { clusterIP: "None", ports: [{ name: "p", port: 7000 }] })], endpointSlices: [slice("h", "default", eps, [{ name: "p", protocol: "TCP", port: 7000 }])] });
        const want = hosts.filter((_, i) => ready[i] !== false).map((h) => `10.244.0.${h}`);
        const a = k.serve("h.default.svc.cluster.local.", "A")!;
        if (want.length === 0) {
          expect(a.rcode).toBe("NXDOMAIN");
          return;
        }
        expect(a.answer.map((r) => r.data)).toEqual(want);
        const srv = k.serve("_p._tcp.h.default.svc.cluster.local.", "SRV")!;
        expect(srv.answer).toHaveLength(want.length);
        for (const r of srv.answer) expect(r.data.split(" ").slice(0, 3)).toEqual(["0", String(Math.max(1, Math.floor(100 / want.length))), "7000"]);
      }),
    );
  });
});
