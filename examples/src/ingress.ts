/**
 * Service versus Ingress: one load balancer per Service, or one for many, routing by host
 * and path, balancing requests rather than connections.
 *
 * Three Deployments (`api` with 3 pods, `web` with 2, `reports` with 0) and an
 * ingress-nginx-like controller (2 proxy pods behind a LoadBalancer Service). One Ingress
 * routes `shop.example.com/api` to `api`, `shop.example.com/` to `web` and
 * `shop.example.com/reports` to `reports`.
 *
 * Part 1 calls `api` from outside with a keep-alive client (a pool of 2 connections), once
 * through a LoadBalancer Service of its own and once through the Ingress. kube-proxy
 * balances connections, so the Service's 2 long-lived connections load 2 pods at most; the
 * proxy balances each request round robin over the endpoints, so all 3 share the load.
 *
 * Part 2 shows the rules: each path reaches its Service, an unknown host gets the
 * controller's 404, and the backend without endpoints gets 503.
 *
 * Run: `pnpm build && node examples/dist/ingress.js`. Its output is checked in as
 * `examples/ingress.out` and a test keeps the two equal.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Ingress, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

function app(name: string, replicas: number, type: "ClusterIP" | "LoadBalancer" = "ClusterIP"): [Deployment, Service] {
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ports: [{ containerPort: 8080 }] }] } },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { type, selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } },
  ];
}

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });

const shop: Ingress = {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "shop" },
  spec: {
    ingressClassName: "nginx",
    rules: [
      {
        host: "shop.example.com",
        http: {
          paths: [
            { path: "/", pathType: "Prefix", backend: backend("web") },
            { path: "/api", pathType: "Prefix", backend: backend("api") },
            { path: "/reports", pathType: "Prefix", backend: backend("reports") },
          ],
        },
      },
    ],
  },
};

function cluster(): Simulation {
  const sim = new Simulation({ seed: 17, ingressController: { replicas: 2 } });
  sim.apply([...app("api", 3, "LoadBalancer"), ...app("web", 2), ...app("reports", 0), shop]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
  sim.setApplication({ app: "web" }, { concurrency: 4, serviceTime: exponential(2) });
  sim.settle();
  return sim;
}

const pct = (n: number, total: number): string => `${total > 0 ? ((100 * n) / total).toFixed(1) : "0.0"}%`;

/** Runs the example, printing each line with `print`. */
export function main(print: (line: string) => void = console.log): void {
  print(`Part 1: a keep-alive client (pool of 2 connections, 200 requests/s for 30 s) calls api`);
  print(`  pod                 via its LoadBalancer Service   via the Ingress`);
  const shares: Record<string, [number, number]> = {};
  const totals: [number, number] = [0, 0];
  for (const via of ["service", "ingress"] as const) {
    const sim = cluster();
    const connections = { mode: "keep-alive", poolSize: 2 } as const;
    if (via === "service") sim.addExternalClient({ name: "c", target: "lb", service: "api", rate: 200, connections });
    else sim.addExternalClient({ name: "c", target: "ingress", host: "shop.example.com", path: "/api/orders", rate: 200, connections });
    sim.runFor(30_000);
    sim.drain();
    const r = sim.results();
    const col = via === "service" ? 0 : 1;
    for (const p of sim.pods({ app: "api" })) {
      const served = r.endpoints.find((e) => e.pod === p.metadata.name)?.completed ?? 0;
      (shares[p.metadata.name] ??= [0, 0])[col] = served;
      totals[col] += served;
    }
  }
  for (const [pod, [s, i]] of Object.entries(shares)) {
    print(`  ${pod.padEnd(20)}  ${String(s).padStart(6)} ${pct(s, totals[0]).padStart(6)}               ${String(i).padStart(6)} ${pct(i, totals[1]).padStart(6)}`);
  }

  print(``);
  const sim = cluster();
  print(`Part 2: one load balancer (${sim.ingressIP()}), routing by host and path, 20 requests/s per client for 20 s`);
  const clients: [string, string, string][] = [
    ["api", "shop.example.com", "/api/orders"],
    ["home", "shop.example.com", "/"],
    ["apiary", "shop.example.com", "/apiary"],
    ["reports", "shop.example.com", "/reports/2026"],
    ["other-host", "blog.example.com", "/api"],
  ];
  for (const [name, host, path] of clients) sim.addExternalClient({ name, target: "ingress", host, path, rate: 20 });
  sim.runFor(20_000);
  sim.drain();
  const ing = sim.results().ingress;
  print(`  client      request                          rule                                     responses`);
  for (const [name, host, path] of clients) {
    const rule = ing?.routes[name]?.rule;
    const row = Object.entries(ing?.byClient[name] ?? {}).map(([s, n]) => `${n} x ${s}`).join(", ");
    print(`  ${name.padEnd(10)}  ${(host + path).padEnd(31)}  ${(rule ?? "").padEnd(39)}  ${row}`);
  }
  print(`  /apiary is not under /api (Prefix matches whole path elements), so it goes to web.`);
  print(`  The proxies connect to the endpoints themselves (not the ClusterIP): requests per endpoint`);
  for (const [b, row] of Object.entries(ing?.byBackend ?? {})) print(`    ${b}: ${Object.entries(row).map(([a, n]) => `${a} ${n}`).join(", ")}`);
  print(`  Requests per controller pod: ${Object.values(ing?.byControllerPod ?? {}).join(", ")}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
