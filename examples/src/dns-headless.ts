/**
 * A client that caches DNS keeps calling a headless Service's pod after the pod is gone.
 *
 * A headless Service (`clusterIP: None`) has no virtual IP: its name resolves to the
 * ready pods' IPs, and clients connect to those directly. Three clients call the same
 * two-pod Service, each looking the name up through cluster DNS (CoreDNS, kubeadm's
 * Corefile: `ttl 30`, `cache 30`, `loadbalance`): one per request (C, Go, Python), one
 * that caches for 30 s (a JVM's default), one that resolved once at start-up. At t = 10 s
 * one pod is deleted.
 *
 * Run: `pnpm build && node examples/dist/dns-headless.js`. Its output is checked in as
 * `examples/dns-headless.out` and a test keeps the two equal.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "db" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "db" } },
    template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", ports: [{ containerPort: 8080 }] }] } },
  },
};

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "db" },
  spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 8080 }] },
};

const CLIENTS = [
  { name: "per-request", label: "lookup per request", cache: { kind: "none" } as const },
  { name: "jvm", label: "JVM, cached 30 s", cache: { kind: "fixed", ttl: 30 } as const },
  { name: "once", label: "resolved once", cache: { kind: "forever" } as const },
];

/** Runs the scenario and prints, per 5 s after the deletion, each client's completed and failed requests. */
export function main(print: (line: string) => void): void {
  const sim = new Simulation({ seed: 3, dns: true, traceRequests: true });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "db" }, { concurrency: 8, serviceTime: exponential(5) });
  sim.settle();
  const t0 = sim.now;
  const buckets = new Map<string, { ok: number; failed: number }[]>(CLIENTS.map((c) => [c.name, []]));
  let onceEndpoint = "";
  sim.trace.subscribe((r) => {
    if (r.kind !== "request") return;
    if (r.fields.client === "once" && onceEndpoint === "") onceEndpoint = String(r.fields.endpoint);
    const i = Math.floor((r.time - t0 - 10_000) / 5_000);
    if (i < 0) return;
    const rows = buckets.get(String(r.fields.client))!;
    while (rows.length <= i) rows.push({ ok: 0, failed: 0 });
    if (r.fields.outcome === "completed") rows[i].ok++;
    else rows[i].failed++;
  });
  for (const c of CLIENTS) sim.addClient({ name: c.name, target: "db:8080", rate: 50, dns: { cache: c.cache } });
  sim.runFor(10_000);
  // The pod the client that resolved once is calling.
  const victim = sim.pods({ app: "db" }).find((p) => onceEndpoint.startsWith(`${p.status?.podIP}:`))!;
  print(`Headless Service db: 2 pods, 3 clients at 50 requests/s each; pod ${victim.metadata.name} (${victim.status?.podIP}) deleted at t = 10 s.`);
  sim.deletePod(victim.metadata.name);
  sim.runFor(60_000);
  sim.drain();
  print(`requests ending in each 5 s after the deletion, completed / failed:`);
  print(`  ${"after".padEnd(8)}${CLIENTS.map((c) => c.label.padStart(22)).join("")}`);
  for (let i = 0; i < 12; i++) {
    const cells = CLIENTS.map((c) => {
      const b = buckets.get(c.name)![i] ?? { ok: 0, failed: 0 };
      return `${b.ok} / ${b.failed}`.padStart(22);
    });
    print(`  ${`+${(i + 1) * 5} s`.padEnd(8)}${cells.join("")}`);
  }
  const r = sim.results();
  const d = r.dns!;
  print(`outcomes: ${JSON.stringify(r.outcomes)}`);
  print(`DNS: ${d.lookups} lookups sent ${d.queries} queries (${d.clientCacheHits} answered from the clients' caches); CoreDNS cache hits ${Object.values(d.coredns).reduce((a, x) => a + x.cacheHits, 0)}`);
  print("The pod leaves the EndpointSlice at once, but each CoreDNS replica caches its answer for 30 s:");
  print("the per-request client fails on about half its requests until both replicas' entries have");
  print("expired; the JVM fails on all of them until its own 30 s entry expires (it could be up to 30 s");
  print("after CoreDNS); the client that resolved once calls the gone pod for ever.");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
