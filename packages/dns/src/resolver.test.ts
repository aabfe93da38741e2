import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Service } from "@kube-netsim/model";
import { KUBEADM_KUBERNETES_OPTIONS, KubernetesPlugin } from "./kubernetes.js";
import type { DnsResponse } from "./message.js";
import { formatResolvConf, parseResolvConf, podResolvConf } from "./resolv-conf.js";
import { candidateNames, resolveName } from "./resolver.js";
import type { Transport } from "./resolver.js";
import { staticUpstream } from "./server.js";

const svc = (name: string, ns: string, ip: string): Service => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });

const k8s = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
// Namespace "db" exists (it holds a Service), which makes db.svc.cluster.local NODATA.
k8s.setCluster({ services: [svc("api", "default", "10.96.0.20"), svc("cache", "db", "10.96.0.30")], endpointSlices: [] });
const upstream = staticUpstream({ "www.example.com": ["93.184.216.34"], "a.b.c.d.e.example.com": ["192.0.2.1"] });
const serve = (q: string, t: "A" | "AAAA"): DnsResponse => k8s.serve(q, t) ?? upstream(q, t);
const transport: Transport = (q, t) => ({ response: serve(q, t), latency: t === "A" ? 0.4 : 0.7 });

const corp = { searches: ["corp.example.com", "example.com"] };

describe("pod resolv.conf (pkg/kubelet/network/dns)", () => {
  it("ClusterFirst: kube-dns, <ns>.svc, svc, zone, node domains, ndots:5", () => {
    expect(formatResolvConf(podResolvConf({ namespace: "shop", host: corp }))).toBe(
      "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example.com example.com\noptions ndots:5\n",
    );
  });

  it("the node's duplicate and root search entries are dropped, trailing dots trimmed", () => {
    const c = podResolvConf({ namespace: "default", host: { searches: ["cluster.local.", ".", "corp.example.com."] } });
    expect(c.searches).toEqual(["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example.com"]);
  });

  it("Default inherits the node's file; hostNetwork + ClusterFirst falls back to Default; None is empty", () => {
    const host = { nameservers: ["10.0.0.2"], searches: ["corp.example.com"] };
    expect(formatResolvConf(podResolvConf({ namespace: "x", dnsPolicy: "Default", host }))).toBe("nameserver 10.0.0.2\nsearch corp.example.com\n");
    expect(podResolvConf({ namespace: "x", hostNetwork: true, host }).nameservers).toEqual(["10.0.0.2"]);
    expect(podResolvConf({ namespace: "x", dnsPolicy: "ClusterFirstWithHostNet", hostNetwork: true, host }).nameservers).toEqual(["10.96.0.10"]);
    expect(formatResolvConf(podResolvConf({ namespace: "x", dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1"], ndots: 2 } }))).toBe("nameserver 1.1.1.1\noptions ndots:2\n");
  });

  it("search paths are cut to 32 and to 2048 characters (formDNSSearchFitsLimits)", () => {
    const many = Array.from({ length: 40 }, (_, i) => `d${i}.example.com`);
    expect(podResolvConf({ namespace: "default", host: { searches: many } }).searches).toHaveLength(32);
    const long = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, "0")}${"x".repeat(120)}.example.com`);
    const s = podResolvConf({ namespace: "default", host: { searches: long } }).searches;
    expect(s.join(" ").length).toBeLessThanOrEqual(2048);
    // 57 characters for the 3 cluster paths, 135 per long path with its space: 57 + 14 x 135 = 1947, a 15th would make 2082.
    expect(s).toHaveLength(3 + 14);
  });

  it("parses a node resolv.conf", () => {
    const c = parseResolvConf("# generated\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch corp.example.com. example.com\noptions ndots:2 timeout:3 attempts:4 rotate\n");
    expect(c).toEqual({ nameservers: ["10.0.0.2", "10.0.0.3"], searches: ["corp.example.com", "example.com"], ndots: 2, timeout: 3, attempts: 4 });
  });

  it("rejects an unknown dnsPolicy with the field and value", () => {
    expect(() => podResolvConf({ namespace: "x", dnsPolicy: "Cluster" as never })).toThrow('spec.dnsPolicy: Unsupported value: "Cluster"');
  });
});

describe("the search-list walk and its query counts (ndots:5, A + AAAA in parallel)", () => {
  // [name, pod namespace, node search domains, outcome, queries sent, names tried]
  const table: readonly (readonly [string, string, boolean, string, number, readonly string[]])[] = [
    ["api", "default", false, "ok", 2, ["api.default.svc.cluster.local."]],
    ["api", "default", true, "ok", 2, ["api.default.svc.cluster.local."]],
    ["web", "default", false, "NXDOMAIN", 2 * (3 + 0 + 1), ["web.default.svc.cluster.local.", "web.svc.cluster.local.", "web.cluster.local.", "web."]],
    ["web", "default", true, "NXDOMAIN", 2 * (3 + 2 + 1), ["web.default.svc.cluster.local.", "web.svc.cluster.local.", "web.cluster.local.", "web.corp.example.com.", "web.example.com.", "web."]],
    ["api.default", "default", false, "ok", 4, ["api.default.default.svc.cluster.local.", "api.default.svc.cluster.local."]],
    ["api.default", "shop", false, "ok", 4, ["api.default.shop.svc.cluster.local.", "api.default.svc.cluster.local."]],
    ["api.default.svc", "shop", false, "ok", 6, ["api.default.svc.shop.svc.cluster.local.", "api.default.svc.svc.cluster.local.", "api.default.svc.cluster.local."]],
    [
      "api.default.svc.cluster.local",
      "shop",
      true,
      "ok",
      12,
      ["api.default.svc.cluster.local.shop.svc.cluster.local.", "api.default.svc.cluster.local.svc.cluster.local.", "api.default.svc.cluster.local.cluster.local.", "api.default.svc.cluster.local.corp.example.com.", "api.default.svc.cluster.local.example.com.", "api.default.svc.cluster.local."],
    ],
    ["api.default.svc.cluster.local.", "shop", true, "ok", 2, ["api.default.svc.cluster.local."]],
    ["www.example.com", "default", false, "ok", 8, ["www.example.com.default.svc.cluster.local.", "www.example.com.svc.cluster.local.", "www.example.com.cluster.local.", "www.example.com."]],
    ["a.b.c.d.e.example.com", "default", true, "ok", 2, ["a.b.c.d.e.example.com."]],
    ["x.b.c.d.e.example.com", "default", false, "NXDOMAIN", 8, ["x.b.c.d.e.example.com.", "x.b.c.d.e.example.com.default.svc.cluster.local.", "x.b.c.d.e.example.com.svc.cluster.local.", "x.b.c.d.e.example.com.cluster.local."]],
    // db.svc.cluster.local is NODATA (namespace "db" exists): glibc goes on and reports NODATA at the end.
    ["db", "shop", false, "NODATA", 8, ["db.shop.svc.cluster.local.", "db.svc.cluster.local.", "db.cluster.local.", "db."]],
  ];
  it.each(table)("glibc: %s from namespace %s (node domains: %s) -> %s in %i queries", (name, ns, withCorp, outcome, count, tried) => {
    const conf = podResolvConf({ namespace: ns, ...(withCorp ? { host: corp } : {}) });
    const r = resolveName(name, conf, transport);
    expect(r.outcome).toBe(outcome);
    expect(r.queries).toHaveLength(count);
    expect(r.queries.filter((q) => q.qtype === "A").map((q) => q.qname)).toEqual(tried);
    expect(r.queries.map((q) => q.qtype)).toEqual(tried.flatMap(() => ["A", "AAAA"]));
    // Each pair costs its slower reply (0.7 ms).
    expect(r.latency).toBeCloseTo(0.7 * tried.length, 9);
  });

  it("the answer: addresses, the name that answered, the TTL (kubeadm: 30 s)", () => {
    const r = resolveName("api", podResolvConf({ namespace: "default" }), transport);
    expect(r).toMatchObject({ outcome: "ok", addresses: ["10.96.0.20"], answeredName: "api.default.svc.cluster.local.", ttl: 30 });
    expect(r.queries.map((q) => q.result)).toEqual(["answer", "NODATA"]);
  });

  it("musl stops at NODATA and never searches a name with ndots or more dots", () => {
    const shop = podResolvConf({ namespace: "shop" });
    const db = resolveName("db", shop, transport, { flavor: "musl" });
    expect(db.outcome).toBe("NODATA");
    expect(db.queries).toHaveLength(4);
    const deep = resolveName("x.b.c.d.e.example.com", shop, transport, { flavor: "musl" });
    expect(deep.outcome).toBe("NXDOMAIN");
    expect(deep.queries).toHaveLength(2);
    expect(resolveName("web", shop, transport, { flavor: "musl" }).queries).toHaveLength(8);
  });

  it("AF_INET lookups send A only: a missing name costs 3 + k + 1 queries", () => {
    const r = resolveName("web", podResolvConf({ namespace: "default", host: corp }), transport, { families: "A" });
    expect(r.queries).toHaveLength(6);
  });

  it("lost queries: glibc waits timeout x attempts (10 s) resending the pair; musl 5 s in all, resending at 2.5 s", () => {
    const lost: Transport = () => ({ response: undefined, latency: 0 });
    const conf = podResolvConf({ namespace: "default" });
    const g = resolveName("api", conf, lost);
    expect(g).toMatchObject({ outcome: "timeout", latency: 10_000 });
    expect(g.queries.map((q) => `${q.qtype}:${q.result}`)).toEqual(["A:timeout", "AAAA:timeout", "A:timeout", "AAAA:timeout"]);
    const m = resolveName("api", conf, lost, { flavor: "musl" });
    expect(m).toMatchObject({ outcome: "timeout", latency: 5_000 });
    expect(m.queries).toHaveLength(4);
  });

  it("resends carry their attempt number (they leave on the first send's socket)", () => {
    const seen: string[] = [];
    const lost: Transport = (q, t, attempt) => {
      seen.push(`${t}#${attempt}`);
      return { response: undefined, latency: 0 };
    };
    resolveName("api", podResolvConf({ namespace: "default" }), lost);
    expect(seen).toEqual(["A#0", "AAAA#0", "A#1", "AAAA#1"]);
    seen.length = 0;
    resolveName("api", podResolvConf({ namespace: "default" }), lost, { flavor: "musl" });
    expect(seen).toEqual(["A#0", "AAAA#0", "A#1", "AAAA#1"]);
  });

  it("glibc: a lost AAAA retried once and answered costs one timeout plus the reply", () => {
    let n = 0;
    const flaky: Transport = (q, t) => (t === "AAAA" && n++ === 0 ? { response: undefined, latency: 0 } : { response: serve(q, t), latency: 1 });
    const r = resolveName("api", podResolvConf({ namespace: "default" }), flaky);
    expect(r).toMatchObject({ outcome: "ok", latency: 5_001 });
    expect(r.queries).toHaveLength(4);
  });

  it("SERVFAIL: glibc keeps searching and reports it at the end; musl stops", () => {
    const fail: Transport = (q, t) => ({ response: { qname: q, qtype: t, rcode: "SERVFAIL", authoritative: false, answer: [], authority: [], extra: [] }, latency: 1 });
    const conf = podResolvConf({ namespace: "default" });
    expect(resolveName("api", conf, fail)).toMatchObject({ outcome: "SERVFAIL" });
    expect(resolveName("api", conf, fail).queries).toHaveLength(8);
    expect(resolveName("api", conf, fail, { flavor: "musl" }).queries).toHaveLength(2);
  });

  it("property: a missing short name costs exactly 2 x (search domains + 1) queries; a found one 2 per name tried", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    fc.assert(
      fc.property(fc.array(label, { maxLength: 6 }), fc.integer({ min: 0, max: 3 }), (nodeDomains, dots) => {
        const conf = podResolvConf({ namespace: "default", host: { searches: nodeDomains.map((d) => `${d}.test`) } });
        const name = ["zz-missing", ...Array.from({ length: dots }, () => "x")].join(".");
        const r = resolveName(name, conf, transport);
        expect(r.outcome).toBe("NXDOMAIN");
        expect(r.queries).toHaveLength(2 * (conf.searches.length + 1));
        expect(candidateNames(name, conf).at(-1)).toBe(`${name}.`);
      }),
    );
  });

  it("rejects an empty name", () => {
    expect(() => candidateNames("", podResolvConf({ namespace: "default" }))).toThrow('name: Invalid value: "": must be a host name');
  });
});
