import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomSource, constant, uniform } from "@kube-netsim/core";
import type { RandomStream } from "@kube-netsim/core";
import type { EndpointSlice, Service } from "@kube-netsim/model";
import { DnsCache, KUBEADM_CACHE_OPTIONS, cacheShard } from "./cache.js";
import { ClientDnsCache, JVM_DEFAULT_CACHE } from "./client-cache.js";
import { KUBEADM_KUBERNETES_OPTIONS, KubernetesPlugin } from "./kubernetes.js";
import { loadBalance, shuffleRecords } from "./loadbalance.js";
import { formatRecord } from "./message.js";
import type { DnsRecord, DnsResponse, QueryType } from "./message.js";
import { podResolvConf } from "./resolv-conf.js";
import { resolveName } from "./resolver.js";
import { CoreDnsServer, staticUpstream } from "./server.js";

const api: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "default" }, spec: { clusterIP: "10.96.0.20", ports: [{ port: 80 }] } };
const db: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "default" }, spec: { clusterIP: "None", ports: [{ name: "pg", port: 5432 }] } };
function dbSlice(ips: readonly string[]): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "db-abcde", namespace: "default", labels: { "kubernetes.io/service-name": "db" } },
    addressType: "IPv4",
    endpoints: ips.map((ip, i) => ({ addresses: [ip], hostname: `db-${i}`, conditions: { ready: true } })),
    ports: [{ name: "pg", protocol: "TCP", port: 5432 }],
  };
}

function kubernetesNext(k: KubernetesPlugin): (q: string, t: QueryType) => DnsResponse {
  const up = staticUpstream({ "www.example.com": ["93.184.216.34"] });
  return (q, t) => k.serve(q, t) ?? up(q, t);
}

describe("cache plugin (kubeadm: ttl 30 + cache 30)", () => {
  const setup = (): { cache: DnsCache; k: KubernetesPlugin; next: (q: string, t: QueryType) => DnsResponse; calls: () => number } => {
    const k = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
    k.setCluster({ services: [api], endpointSlices: [] });
    let n = 0;
    const inner = kubernetesNext(k);
    const next = (q: string, t: QueryType): DnsResponse => {
      n++;
      return inner(q, t);
    };
    return { cache: new DnsCache(KUBEADM_CACHE_OPTIONS, new RandomSource(1).stream("cache")), k, next, calls: () => n };
  };
  const A = "api.default.svc.cluster.local.";

  it("a hit counts the TTL down in whole seconds and expires exactly 30 s after the miss", () => {
    const { cache, next, calls } = setup();
    const at = (t: number): { ttl: number; hit: boolean } => {
      const r = cache.serve(A, "A", t, next);
      return { ttl: r.response.answer[0].ttl, hit: r.hit };
    };
    expect(at(0)).toEqual({ ttl: 30, hit: false });
    expect(at(999)).toEqual({ ttl: 30, hit: true });
    expect(at(1_000)).toEqual({ ttl: 29, hit: true });
    expect(at(10_999)).toEqual({ ttl: 20, hit: true });
    expect(at(29_999)).toEqual({ ttl: 1, hit: true });
    expect(at(30_000)).toEqual({ ttl: 30, hit: false });
    expect(calls()).toBe(2);
    expect(cache.stats()).toMatchObject({ successHits: 4, misses: 2, denialHits: 0 });
  });

  it("negative answers are cached too: a Service created during the denial window stays NXDOMAIN until it ends", () => {
    const { cache, k, next } = setup();
    const W = "web.default.svc.cluster.local.";
    expect(cache.serve(W, "A", 0, next).response.rcode).toBe("NXDOMAIN");
    k.setCluster({ services: [api, { ...api, metadata: { name: "web", namespace: "default" }, spec: { clusterIP: "10.96.0.21", ports: [{ port: 80 }] } }], endpointSlices: [] });
    const r = cache.serve(W, "A", 29_999, next);
    expect(r).toMatchObject({ hit: true, response: { rcode: "NXDOMAIN" } });
    expect(r.response.authority[0].ttl).toBe(1);
    expect(cache.serve(W, "A", 30_000, next).response.answer.map((x) => x.data)).toEqual(["10.96.0.21"]);
    expect(cache.stats().denialHits).toBe(1);
  });

  it("NODATA (AAAA of an IPv4 Service) goes to the denial cache", () => {
    const { cache, next } = setup();
    cache.serve(A, "AAAA", 0, next);
    expect(cache.serve(A, "AAAA", 5_000, next).hit).toBe(true);
    expect(cache.stats()).toMatchObject({ denialSize: 1, successSize: 0 });
  });

  it("TTLs are clamped to [5, 30]: upstream's 300 s is served as 30, a 2 s record as 5", () => {
    const cache = new DnsCache(KUBEADM_CACHE_OPTIONS, new RandomSource(1).stream("cache"));
    const up300 = staticUpstream({ "a.example.com": ["192.0.2.1"] }, 300);
    const up2 = staticUpstream({ "b.example.com": ["192.0.2.2"] }, 2);
    expect(cache.serve("a.example.com.", "A", 0, up300).response.answer[0].ttl).toBe(30);
    expect(cache.serve("b.example.com.", "A", 0, up2).response.answer[0].ttl).toBe(5);
    expect(cache.serve("b.example.com.", "A", 4_999, up2).hit).toBe(true);
    expect(cache.serve("b.example.com.", "A", 5_000, up2).hit).toBe(false);
  });

  it("the plugin's own default TTL of 5 s makes the denial window 5 s (SOA TTL = min(300, ttl))", () => {
    const k = new KubernetesPlugin({ ttl: 5 });
    k.setCluster({ services: [], endpointSlices: [] });
    const cache = new DnsCache(KUBEADM_CACHE_OPTIONS, new RandomSource(1).stream("cache"));
    const next = kubernetesNext(k);
    cache.serve("x.default.svc.cluster.local.", "A", 0, next);
    expect(cache.serve("x.default.svc.cluster.local.", "A", 4_999, next).hit).toBe(true);
    expect(cache.serve("x.default.svc.cluster.local.", "A", 5_000, next).hit).toBe(false);
  });

  it("SERVFAIL is cached 5 s; without `cache TTL` the maxima are 3600 s and 1800 s", () => {
    const fail = (q: string, t: QueryType): DnsResponse => ({ qname: q, qtype: t, rcode: "SERVFAIL", authoritative: false, answer: [], authority: [], extra: [] });
    const cache = new DnsCache({}, new RandomSource(1).stream("cache"));
    cache.serve("x.example.", "A", 0, fail);
    expect(cache.serve("x.example.", "A", 4_999, fail).hit).toBe(true);
    expect(cache.serve("x.example.", "A", 5_000, fail).hit).toBe(false);
    const long = staticUpstream({ "l.example.com": ["192.0.2.9"] }, 86_400);
    expect(cache.serve("l.example.com.", "A", 0, long).response.answer[0].ttl).toBe(3600);
    expect(cache.serve("nx.example.com.", "A", 0, staticUpstream({}, 86_400)).response.authority[0].ttl).toBe(1800);
  });

  it("capacity: 256 shards of floor(capacity / 256), at least 4; random eviction within the shard", () => {
    expect(new DnsCache({}, new RandomSource(1).stream("c")).successShardCapacity).toBe(39); // 9984 entries in all
    const cache = new DnsCache({ ttl: 30, successCapacity: 1024 }, new RandomSource(1).stream("c"));
    const up = (q: string, t: QueryType): DnsResponse => ({ qname: q, qtype: t, rcode: "NOERROR", authoritative: false, answer: [{ name: q, type: "A", ttl: 30, data: "192.0.2.1" }], authority: [], extra: [] });
    for (let i = 0; i < 5000; i++) cache.serve(`n${i}.example.com.`, "A", 0, up);
    const s = cache.stats();
    expect(s.successSize).toBeLessThanOrEqual(1024);
    expect(s.successSize).toBeGreaterThan(1000); // nearly every shard full
    expect(s.evictions).toBe(5000 - s.successSize);
  });

  it("the shard is the low byte of FNV-1 64 over DO bit, qtype and name (checked against a BigInt FNV-1 64)", () => {
    const fnv1 = (bytes: number[]): bigint => {
      let h = 0xcbf29ce484222325n;
      for (const b of bytes) h = ((h * 0x100000001b3n) & 0xffffffffffffffffn) ^ BigInt(b);
      return h;
    };
    for (const [name, type, code] of [["api.default.svc.cluster.local.", "A", 1], ["_http._tcp.x.y.svc.cluster.local.", "SRV", 33], ["www.example.com.", "AAAA", 28]] as const) {
      const bytes = [0x30, code >> 8, code & 0xff, ...[...name].map((c) => c.charCodeAt(0))];
      expect(cacheShard(name, type)).toBe(Number(fnv1(bytes) & 0xffn));
    }
  });

  it("prefetch: a popular item is refreshed when at most 10 % of its TTL is left", () => {
    const { k } = setup();
    let calls = 0;
    const next = (q: string, t: QueryType): DnsResponse => {
      calls++;
      return k.serve(q, t)!;
    };
    const cache = new DnsCache({ ttl: 30, prefetch: { amount: 2 } }, new RandomSource(1).stream("c"));
    cache.serve(A, "A", 0, next);
    cache.serve(A, "A", 10_000, next); // hits: 1, 20 s left
    cache.serve(A, "A", 27_000, next); // hits: 2, 3 s left <= ceil(0.1 x 30): prefetch
    expect(calls).toBe(2);
    expect(cache.serve(A, "A", 40_000, next)).toMatchObject({ hit: true, response: { answer: [{ ttl: 17 }] } });
    expect(cache.stats().prefetches).toBe(1);
  });

  it("rejects invalid options with the field and value", () => {
    expect(() => new DnsCache({ ttl: -1 }, new RandomSource(1).stream("c"))).toThrow("cache.ttl: Invalid value: -1: must be an integer >= 0");
    expect(() => new DnsCache({ prefetch: { amount: 1, percentage: 95 } }, new RandomSource(1).stream("c"))).toThrow("cache.prefetch.percentage: Invalid value: 95");
  });
});

describe("loadbalance plugin", () => {
  const ids = (xs: number[]): RandomStream => {
    let i = 0;
    return { nextUint32: () => xs[i++] } as unknown as RandomStream;
  };
  const a = (ip: string): DnsRecord => ({ name: "db.default.svc.cluster.local.", type: "A", ttl: 30, data: ip });

  it("reproduces roundRobinShuffle for given message ids", () => {
    const rs = ["1", "2", "3"];
    shuffleRecords(rs, ids([1, 0, 5])); // j=0: p = 0 + 1 % 3 = 1; j=1: p = 1 + 0 % 2 = 1; j=2: p = 2
    expect(rs).toEqual(["2", "1", "3"]);
    const two = ["1", "2"];
    shuffleRecords(two, ids([0x10004])); // only the low 16 bits: 4 is even, swap
    expect(two).toEqual(["2", "1"]);
    shuffleRecords(two, ids([3]));
    expect(two).toEqual(["2", "1"]);
  });

  it("every order of 3 records is equally likely: first position within 1 % of 1/3 over 30,000 replies (seed 7)", () => {
    const stream = new RandomSource(7).stream("coredns/loadbalance");
    const first = new Map<string, number>();
    const r: DnsResponse = { qname: "db.", qtype: "A", rcode: "NOERROR", authoritative: true, answer: ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map(a), authority: [], extra: [] };
    for (let i = 0; i < 30_000; i++) {
      const out = loadBalance(r, stream).answer[0].data;
      first.set(out, (first.get(out) ?? 0) + 1);
    }
    for (const ip of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) expect(Math.abs(first.get(ip)! / 30_000 - 1 / 3)).toBeLessThan(0.01);
  });

  it("CNAMEs first, other types keep their order, NXDOMAIN is untouched", () => {
    const stream = new RandomSource(7).stream("lb");
    const cname: DnsRecord = { name: "x.", type: "CNAME", ttl: 30, data: "y." };
    const srv = (t: string): DnsRecord => ({ name: "_p._tcp.db.", type: "SRV", ttl: 30, data: `0 50 5432 ${t}` });
    const r: DnsResponse = { qname: "x.", qtype: "A", rcode: "NOERROR", authoritative: true, answer: [a("10.0.0.1"), cname, a("10.0.0.2")], authority: [], extra: [] };
    expect(loadBalance(r, stream).answer[0]).toEqual(cname);
    const s: DnsResponse = { ...r, qtype: "SRV", answer: [srv("db-0."), srv("db-1.")] };
    expect(loadBalance(s, stream).answer).toEqual(s.answer);
    const nx: DnsResponse = { ...r, rcode: "NXDOMAIN" };
    expect(loadBalance(nx, stream)).toBe(nx);
  });
});

describe("CoreDnsServer: loadbalance -> cache -> kubernetes -> forward", () => {
  it("answers cluster names, forwards the rest, counts hits and replies; each replica has its own cache", () => {
    const root = new RandomSource(3);
    const mk = (i: number): CoreDnsServer => {
      const s = new CoreDnsServer({ upstream: staticUpstream({ "www.example.com": ["93.184.216.34"] }), latency: uniform(0.1, 0.3), upstreamLatency: constant(8) }, root.fork(`coredns-${i}`));
      s.setCluster({ services: [api], endpointSlices: [] });
      return s;
    };
    const [s0, s1] = [mk(0), mk(1)];
    const x = s0.query("API.default.svc.cluster.local", "A", 0);
    expect(x.response.answer.map(formatRecord)).toEqual(["api.default.svc.cluster.local.\t30\tIN\tA\t10.96.0.20"]);
    expect(x).toMatchObject({ cacheHit: false, forwarded: false });
    expect(x.latency).toBeGreaterThanOrEqual(0.1);
    expect(x.latency).toBeLessThan(0.3);
    expect(s0.query("api.default.svc.cluster.local.", "A", 100).cacheHit).toBe(true);
    expect(s1.query("api.default.svc.cluster.local.", "A", 100).cacheHit).toBe(false);
    const w = s0.query("www.example.com.", "A", 200);
    expect(w).toMatchObject({ forwarded: true, response: { answer: [{ data: "93.184.216.34", ttl: 30 }] } });
    expect(w.latency).toBeGreaterThanOrEqual(8.1);
    expect(s0.query("1.1.168.192.in-addr.arpa.", "PTR", 300)).toMatchObject({ forwarded: true, response: { rcode: "NXDOMAIN", authoritative: false } });
    expect(s0.stats()).toMatchObject({ queries: 4, forwarded: 2, replies: { answer: 3, NXDOMAIN: 1 }, cache: { successHits: 1, misses: 3 } });
  });

  it("an ExternalName pointing outside the cluster is resolved through the upstream and cached", () => {
    const ext: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "pay", namespace: "shop" }, spec: { type: "ExternalName", externalName: "www.example.com" } };
    const s = new CoreDnsServer({ upstream: staticUpstream({ "www.example.com": ["93.184.216.34"] }) }, new RandomSource(1));
    s.setCluster({ services: [ext], endpointSlices: [] });
    const r = s.query("pay.shop.svc.cluster.local.", "A", 0);
    expect(r.response.answer.map(formatRecord)).toEqual(["pay.shop.svc.cluster.local.\t30\tIN\tCNAME\twww.example.com.", "www.example.com.\t30\tIN\tA\t93.184.216.34"]);
    expect(r.forwarded).toBe(true);
    // the target's own answer is now in the cache
    expect(s.query("www.example.com.", "A", 10).cacheHit).toBe(true);
  });
});

describe("client-side caching and the stale headless pod", () => {
  // db-0 (10.244.1.5) and db-1 (10.244.2.6) behind a headless Service; db-0 is deleted at t = 10 s.
  const server = new CoreDnsServer({ loadbalance: false }, new RandomSource(11));
  server.setCluster({ services: [db], endpointSlices: [dbSlice(["10.244.1.5", "10.244.2.6"])] });
  const conf = podResolvConf({ namespace: "default" });
  const lookup = (now: number) => () => resolveName("db", conf, (q, t) => ({ response: server.query(q, t, now).response, latency: 0.3 }));
  const clients = {
    libc: new ClientDnsCache({ kind: "none" }),
    ttl: new ClientDnsCache({ kind: "ttl" }),
    jvm: new ClientDnsCache(JVM_DEFAULT_CACHE),
    forever: new ClientDnsCache({ kind: "forever" }),
  };
  const addresses = (c: ClientDnsCache, now: number): readonly string[] => c.lookup("db", now, lookup(now)).result.addresses;

  it("every client sees both pods at t = 0", () => {
    for (const c of Object.values(clients)) expect(addresses(c, 0)).toEqual(["10.244.1.5", "10.244.2.6"]);
  });

  it("after the deletion, CoreDNS's own cache serves the old answer until 30 s after it was stored", () => {
    server.setCluster({ services: [db], endpointSlices: [dbSlice(["10.244.2.6"])] });
    expect(addresses(clients.libc, 29_999)).toEqual(["10.244.1.5", "10.244.2.6"]);
    expect(addresses(clients.libc, 30_000)).toEqual(["10.244.2.6"]);
  });

  it("a TTL-respecting client follows at t = 30 s, the JVM's fixed 30 s too, a cache-forever client never", () => {
    expect(addresses(clients.ttl, 30_000)).toEqual(["10.244.2.6"]);
    expect(addresses(clients.jvm, 30_000)).toEqual(["10.244.2.6"]);
    expect(addresses(clients.forever, 30_000)).toEqual(["10.244.1.5", "10.244.2.6"]);
    expect(addresses(clients.forever, 3_600_000)).toEqual(["10.244.1.5", "10.244.2.6"]);
    expect(clients.forever.stats()).toEqual({ hits: 2, misses: 1 });
    expect(clients.libc.stats()).toEqual({ hits: 0, misses: 3 });
  });

  it("rejects an invalid policy with the field and value", () => {
    expect(() => new ClientDnsCache({ kind: "fixed", ttl: -1 })).toThrow("cache.ttl: Invalid value: -1");
    expect(() => new ClientDnsCache({ kind: "sometimes" } as never)).toThrow('cache.kind: Unsupported value: "sometimes"');
  });
});

describe("cache plugin: properties (fixed fast-check seed)", () => {
  it("an answer stored at t0 is a hit at t exactly when 30 - floor((t - t0) / 1000) > 0, and then carries that TTL", () => {
    const k = new KubernetesPlugin(KUBEADM_KUBERNETES_OPTIONS);
    k.setCluster({ services: [api], endpointSlices: [] });
    const next = kubernetesNext(k);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 40_000 }), (t0, dt) => {
        const cache = new DnsCache(KUBEADM_CACHE_OPTIONS, new RandomSource(1).stream("c"));
        cache.serve("api.default.svc.cluster.local.", "A", t0, next);
        const r = cache.serve("api.default.svc.cluster.local.", "A", t0 + dt, next);
        const left = 30 - Math.floor(dt / 1000);
        expect(r.hit).toBe(left > 0);
        expect(r.response.answer[0].ttl).toBe(left > 0 ? left : 30);
      }),
    );
  });
});
