/**
 * Lab 4: the cost of `ndots:5`.
 *
 * A cluster with cluster DNS (CoreDNS, kubeadm's Corefile, `kube-dns` at 10.96.0.10), a
 * Service `api` in namespace `default`, a Service `cart` in namespace `shop`, and nodes
 * whose own resolv.conf searches `corp.example.com example.com`. A pod in `shop` looks up
 * several spellings of in-cluster and external names (glibc),
 * then two clients call the `api` Service by two spellings of its name.
 *
 * Run: `pnpm build && node examples/dist/labs/04-dns-ndots.js`.
 * Page: `examples/labs/04-dns-ndots.md`.
 */
import { exponential } from "@kube-netsim/core";
import type { Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import { apiDeployment } from "../flagship.js";
import { isMain } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

/** The names looked up from namespace `shop`, in the order printed. */
export const NAMES = ["cart", "api", "api.default", "api.default.svc", "api.default.svc.cluster.local", "api.default.svc.cluster.local.", "www.example.org", "www.example.org."] as const;

/** The node search domains (k = 2). */
export const NODE_SEARCH = ["corp.example.com", "example.com"] as const;

const service = (name: string, namespace: string): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
});

/** One lookup. */
export interface Lookup {
  readonly name: string;
  readonly outcome: string;
  /** Candidate names tried (one A and one AAAA query each). */
  readonly tried: number;
  readonly queries: number;
  /** Queries CoreDNS had to forward upstream (names outside the cluster domain). */
  readonly upstream: number;
  readonly latency: number;
  readonly answeredName: string;
}

function cluster(): Simulation {
  const sim = new Simulation({ seed: 42, dns: { nodeSearchDomains: NODE_SEARCH, upstream: { "www.example.org": ["203.0.113.10"] } } });
  sim.apply([apiDeployment, service("api", "default"), service("cart", "shop")]);
  sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(5) });
  sim.settle();
  return sim;
}

/** A client calling the api Service at {@link CLIENT_RATE} requests/s for 10 s, looking the name up before each request. */
export interface ClientLoad {
  readonly target: string;
  /** DNS queries sent per second, and per request. */
  readonly queriesPerSecond: number;
  readonly queriesPerRequest: number;
  /** Mean request latency (ms), lookup included. */
  readonly meanLatency: number;
}

/** Requests per second of the clients. */
export const CLIENT_RATE = 100;

function clientLoad(host: string): ClientLoad {
  const sim = cluster();
  const dns0 = sim.results().dns?.queries ?? 0;
  sim.addClient({ name: "checkout", namespace: "shop", target: `http://${host}:80`, rate: CLIENT_RATE, dns: true });
  sim.runFor(10_000);
  sim.drain();
  const r = sim.results();
  const queries = (r.dns?.queries ?? 0) - dns0;
  return { target: host, queriesPerSecond: queries / 10, queriesPerRequest: queries / r.started, meanLatency: r.latency.mean };
}

/** The lab's figures. */
export interface Lab4 {
  readonly lookups: readonly Lookup[];
  readonly clients: readonly ClientLoad[];
}

/** Runs every lookup, each from a fresh cluster so that no cache helps, then the two clients. */
export function run(): Lab4 {
  const out: Lookup[] = [];
  {
    for (const name of NAMES) {
      const sim = cluster();
      const r = sim.resolve(name, { namespace: "shop" });
      const names = new Set(r.queries.map((q) => q.qname));
      out.push({
        name,
        outcome: r.outcome,
        tried: names.size,
        queries: r.queries.length,
        upstream: r.queries.filter((q) => !q.qname.endsWith("cluster.local.")).length,
        latency: r.latency,
        answeredName: r.answeredName ?? "",
      });
    }
  }
  return { lookups: out, clients: [clientLoad("api.default"), clientLoad("api.default.svc.cluster.local")] };
}

/** Looks one lookup up in the results. */
export function lookup(rs: readonly Lookup[], name: string): Lookup {
  const r = rs.find((x) => x.name === name);
  if (!r) throw new RangeError(`no lookup of ${name}`);
  return r;
}

/** What the lab prints, and the figures its page quotes. */
export function report(lab: Lab4): LabOutput {
  const rs = lab.lookups;
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  const lines = [
    `A pod in namespace shop: search shop.svc.cluster.local svc.cluster.local cluster.local ${NODE_SEARCH.join(" ")}, options ndots:5`,
    `  ${"name".padEnd(32)} ${"outcome".padEnd(8)} ${"tried".padStart(5)} ${"queries".padStart(7)} ${"upstream".padStart(8)} ${"time".padStart(8)}  answered by`,
    ...rs.map(
      (r) =>
        `  ${r.name.padEnd(32)} ${r.outcome.padEnd(8)} ${String(r.tried).padStart(5)} ${String(r.queries).padStart(7)} ${String(r.upstream).padStart(8)} ${ms(r.latency).padStart(8)}  ${r.answeredName}`.trimEnd(),
    ),
    `Clients in shop, ${CLIENT_RATE} requests/s for 10 s, a lookup (glibc, no cache) before each request:`,
    ...lab.clients.map((c) => `  http://${c.target}:80`.padEnd(44) + `${String(c.queriesPerSecond).padStart(6)} DNS queries/s, ${c.queriesPerRequest.toFixed(2)} per request, mean latency ${ms(c.meanLatency)}`),
  ];
  const g = (n: string): Lookup => lookup(rs, n);
  const quotes = [
    String(g("cart").queries),
    ms(g("cart").latency),
    String(g("api").queries),
    String(g("api").upstream),
    ms(g("api").latency),
    String(g("api.default").queries),
    String(g("api.default.svc.cluster.local").queries),
    ms(g("api.default.svc.cluster.local").latency),
    String(g("api.default.svc.cluster.local.").queries),
    ms(g("api.default.svc.cluster.local.").latency),
    String(g("www.example.org").queries),
    String(g("www.example.org").upstream),
    ms(g("www.example.org").latency),
    String(g("www.example.org.").queries),
    ms(g("www.example.org.").latency),
    String(g("api.default.svc").queries),
    ...lab.clients.flatMap((c) => [String(c.queriesPerSecond), c.queriesPerRequest.toFixed(2), ms(c.meanLatency)]),
  ];
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
