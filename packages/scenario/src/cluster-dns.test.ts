import { describe, expect, it } from "vitest";
import { constant, exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";
import type { SimulationResults } from "./simulation.js";

// Cluster DNS end to end: CoreDNS pods behind the kube-dns Service, queries routed by the
// asking node's kube-proxy, per-request lookups by clients. Fixed seeds throughout.

function deployment(name: string, replicas: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example/${name}:1`, ports: [{ name: "http", containerPort: 8080 }] }] } },
    },
  };
}
const service: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } };

function cluster(seed: number, dns: ConstructorParameters<typeof Simulation>[0]["dns"] = true): Simulation {
  const sim = new Simulation({ seed, dns });
  sim.apply([deployment("api", 2), service]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
  sim.settle();
  return sim;
}

const sum = (r: SimulationResults): number => Object.values(r.outcomes).reduce((a: number, b) => a + (b ?? 0), 0);

describe("cluster DNS in a Simulation", () => {
  it("installs CoreDNS as kubeadm does: Deployment coredns (2 replicas) and Service kube-dns at 10.96.0.10 in kube-system", () => {
    const sim = new Simulation({ seed: 1, dns: true });
    sim.settle();
    expect(sim.store.get("Service", "kube-system", "kube-dns")?.spec.clusterIP).toBe("10.96.0.10");
    expect(sim.pods({ "k8s-app": "kube-dns" }, "kube-system").filter((p) => p.status?.phase === "Running")).toHaveLength(2);
    expect(sim.warnings()).toEqual([]);
  });

  it("resolve() walks the search list from a pod: query counts as the ndots table says", () => {
    const sim = cluster(2);
    const api = sim.resolve("api");
    expect(api).toMatchObject({ outcome: "ok", addresses: [sim.store.get("Service", "default", "api")?.spec.clusterIP], answeredName: "api.default.svc.cluster.local." });
    expect(api.queries).toHaveLength(2);
    expect(sim.resolve("kube-dns.kube-system").queries).toHaveLength(4);
    expect(sim.resolve("api", { namespace: "shop" }).outcome).toBe("NXDOMAIN");
    expect(sim.resolve("api", { namespace: "shop" }).queries).toHaveLength(8);
    const r = sim.results().dns!;
    expect(r).toMatchObject({ lookups: 4, queries: 22, lookupsByOutcome: { ok: 2, NXDOMAIN: 2 } });
    // Both replicas served some of them (kube-proxy spreads the queries), and their caches answered repeats.
    const perPod = Object.values(r.coredns);
    expect(perPod).toHaveLength(2);
    expect(perPod.reduce((a, p) => a + p.queries, 0)).toBe(22);
    expect(perPod.reduce((a, p) => a + p.cacheHits, 0)).toBeGreaterThan(0);
  });

  it("a client that looks its target up per request: 2 queries per request, the lookup's time in its latency, no failures", () => {
    const plain = cluster(3);
    plain.addClient({ name: "c", target: "http://api:80", rate: 100 });
    plain.runFor(20_000);
    const withDns = cluster(3);
    withDns.addClient({ name: "c", target: "http://api:80", rate: 100, dns: true });
    withDns.runFor(20_000);
    const a = plain.results();
    const b = withDns.results();
    expect(b.outcomes.dnsFailed).toBe(0);
    expect(a.outcomes).not.toHaveProperty("dnsFailed");
    expect(b.dns!.queries).toBe(2 * b.dns!.lookups);
    expect(b.dns!.lookups).toBe(b.started);
    // Each lookup: one pair, 0.5 ms network + 0.2 ms CoreDNS, both constants => +0.7 ms per request (within 0.05 ms).
    expect(b.latency.mean - a.latency.mean).toBeGreaterThan(0.65);
    expect(b.latency.mean - a.latency.mean).toBeLessThan(0.75);
    expect(b.started).toBe(sum(b) + b.inFlight);
  });

  it("client caching: forever sends one lookup; the JVM's 30 s one lookup per 30 s", () => {
    const sim = cluster(4);
    sim.addClient({ name: "once", target: "http://api:80", rate: 50, dns: { cache: { kind: "forever" } } });
    sim.addClient({ name: "jvm", target: "http://api:80", rate: 50, dns: { cache: { kind: "fixed", ttl: 30, negativeTtl: 10 } } });
    sim.runFor(95_000);
    const d = sim.results().dns!;
    expect(d.lookups).toBe(1 + 4); // jvm: at its first request, then 30, 60 and 90 s later
    expect(d.clientCacheHits).toBe(sim.results().started - 5);
  });

  it("no CoreDNS pod left: every query is refused (ICMP), every request ends as dnsFailed at once", () => {
    const sim = cluster(5);
    sim.scale("coredns", 0, "kube-system");
    sim.settle();
    sim.addClient({ name: "c", target: "http://api:80", rate: 100, dns: true });
    sim.runFor(5_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.completed).toBe(0);
    expect(r.outcomes.dnsFailed).toBe(r.started);
    expect(r.dns!.lookupsByOutcome.SERVFAIL).toBe(r.started);
    expect(r.dns!.queriesByResult).toEqual({ REFUSED: 8 * r.started });
  });

  it("the Service is deleted: lookups turn NXDOMAIN once CoreDNS's cached answer expires (30 s after it was stored)", () => {
    const sim = cluster(6);
    sim.addClient({ name: "c", target: "http://api:80", rate: 20, dns: true });
    sim.runFor(5_000);
    const t = sim.now;
    sim.store.delete("Service", "default", "api");
    sim.runFor(40_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.dnsFailed).toBeGreaterThan(0);
    expect(r.dns!.lookupsByOutcome.NXDOMAIN).toBe(r.outcomes.dnsFailed);
    // Requests after the deletion whose lookup a CoreDNS cache still answered went on to the (gone) ClusterIP.
    expect(r.outcomes.completed + r.outcomes.refused + r.outcomes.timedOut).toBeGreaterThan(Math.floor((t / 1000) * 20 * 0.8));
    expect(r.started).toBe(sum(r) + r.inFlight);
  });

  it("the same seed gives the same digest; DNS options are validated with field paths", () => {
    const run = (): string => {
      const sim = cluster(7);
      sim.addClient({ name: "c", target: "http://api:80", rate: 50, dns: { resolver: "musl" } });
      sim.runFor(5_000);
      return sim.results().digest;
    };
    expect(run()).toBe(run());
    expect(() => new Simulation({ seed: 1, dns: { replicas: -1 } })).toThrow("dns.replicas: Invalid value: -1");
    expect(() => new Simulation({ seed: 1, dns: { coredns: { kubernetes: { ttl: 7200 } } } })).toThrow("kubernetes.ttl: Invalid value: 7200");
    const plain = new Simulation({ seed: 1 });
    expect(() => plain.resolve("api")).toThrow("dns: Required value: the simulation has no cluster DNS");
    plain.apply([service]);
    expect(() => plain.addClient({ name: "c", target: "http://api:80", rate: 1, dns: true })).toThrow('client "c": dns: Invalid value: true: the simulation has no cluster DNS');
    expect(() => new Simulation({ seed: 1, dns: "yes" as never })).toThrow('dns: Invalid value: "yes": must be true or an object of DNS settings');
    const sim = cluster(7);
    expect(() => sim.addClient({ name: "x", target: "http://api:80", rate: 1, dns: { cache: { kind: "fixed", ttl: -5 } } })).toThrow('client "x": dns.cache.ttl: Invalid value: -5');
    expect(() => sim.addClient({ name: "y", target: "http://api:80", rate: 1, dns: { resolver: "bionic" as never } })).toThrow('client "y": dns.resolver: Unsupported value: "bionic"');
  });

  it("a headless target: requests go straight to the pod IP a lookup returned; a client caching forever keeps calling a deleted pod", () => {
    const db: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "db" }, spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ name: "http", port: 8080 }] } };
    const run = (cache: { kind: "none" } | { kind: "forever" }): { before: SimulationResults; after: SimulationResults; lastTen: SimulationResults } => {
      const sim = new Simulation({ seed: 8, dns: true });
      sim.apply([deployment("db", 2), db]);
      sim.setApplication({ app: "db" }, { concurrency: 4, serviceTime: exponential(5) });
      sim.settle();
      sim.addClient({ name: "c", target: "db:8080", rate: 50, dns: { cache } });
      sim.runFor(10_000);
      const before = sim.results();
      // Delete the pod this client sent its first request to.
      const first = [...before.endpoints].sort((a, b) => b.completed - a.completed)[0].pod;
      sim.deletePod(first);
      sim.runFor(50_000);
      const after = sim.results();
      sim.runFor(10_000);
      sim.drain();
      return { before, after, lastTen: sim.results() };
    };
    const forever = run({ kind: "forever" });
    // One lookup, one address: every request went to the same pod.
    expect(forever.before.endpoints).toHaveLength(1);
    expect(forever.lastTen.dns!.lookups).toBe(1);
    // After the deletion nothing completes any more: refused while the pod terminates, then timeouts (its IP is gone).
    expect(forever.lastTen.outcomes.completed - forever.after.outcomes.completed).toBe(0);
    expect(forever.lastTen.outcomes.timedOut).toBeGreaterThan(0);
    const none = run({ kind: "none" });
    // Looked up per request: the shuffled answers spread the requests over both pods...
    expect(none.before.endpoints).toHaveLength(2);
    // ...and once CoreDNS's cache has expired, the deleted pod is no longer in the answers: the last 10 s all complete.
    const lastTen = (k: "completed" | "timedOut" | "refused"): number => none.lastTen.outcomes[k] - none.after.outcomes[k];
    expect(lastTen("timedOut") + lastTen("refused")).toBe(0);
    expect(lastTen("completed")).toBeGreaterThan(400);
    expect(none.lastTen.started).toBe(sum(none.lastTen) + none.lastTen.inFlight);
  });

  it("a CoreDNS pod gone but still in kube-proxy's rules: a lookup pinned to it loses both queries and their resends (10 s, glibc)", () => {
    const sim = new Simulation({ seed: 9, dns: true, kubeProxy: { minSyncPeriod: 30_000 } });
    sim.apply([deployment("api", 2), service]);
    sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
    sim.settle();
    sim.scale("api", 3);
    sim.runFor(2_000); // kube-proxy synced for the new pod: the next sync waits 30 s
    sim.deletePod(sim.pods({ "k8s-app": "kube-dns" }, "kube-system")[0].metadata.name, "kube-system");
    sim.runFor(1_000);
    const results = Array.from({ length: 40 }, () => sim.resolve("api"));
    const lost = results.filter((r) => r.outcome === "timeout");
    // Each lookup's socket lands on the dead replica with probability 1/2: 40 lookups, 10..30 (about 3 sigma) lost at seed 9.
    expect(lost.length).toBeGreaterThanOrEqual(10);
    expect(lost.length).toBeLessThanOrEqual(30);
    for (const r of lost) {
      expect(r.latency).toBe(10_000);
      expect(r.queries.map((q) => q.result)).toEqual(["timeout", "timeout", "timeout", "timeout"]);
    }
    for (const r of results.filter((x) => x.outcome !== "timeout")) expect(r).toMatchObject({ outcome: "ok", queries: [{ result: "answer" }, { result: "NODATA" }] });
  });

  it("CoreDNS answers from its informers: a new Service is NXDOMAIN until the watch delivers it, and a cached NXDOMAIN outlives that", () => {
    const sim = new Simulation({ seed: 10, dns: true, timings: { watchDelay: constant(2_000) } });
    sim.settle();
    sim.runFor(5_000); // settle() does not wait for watch events still in flight
    sim.apply([{ ...service, metadata: { name: "web" } }]);
    const name = "web.default.svc.cluster.local.";
    expect(sim.resolve(name).outcome).toBe("NXDOMAIN"); // the informers have not delivered the Service yet
    sim.runFor(2_500);
    // Delivered now; but the replica that answered NXDOMAIN keeps it cached for 30 s, the other answers.
    const mixed = new Set(Array.from({ length: 20 }, () => sim.resolve(name).outcome));
    expect([...mixed].sort()).toEqual(["NXDOMAIN", "ok"]);
    sim.runFor(30_000);
    expect(new Set(Array.from({ length: 20 }, () => sim.resolve(name).outcome))).toEqual(new Set(["ok"]));
  });
});
