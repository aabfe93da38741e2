import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { constant } from "@kube-netsim/core";
import { ValidationError } from "@kube-netsim/model";
import type { Deployment, Ingress, Service } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";

function app(name: string, replicas: number): [Deployment, Service] {
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
    { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } },
  ];
}

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
            { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
            { path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http" } } } },
            { path: "/empty", pathType: "Exact", backend: { service: { name: "empty", port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
};

function cluster(seed = 3): Simulation {
  const sim = new Simulation({ seed, ingressController: { replicas: 2, application: { concurrency: 4, serviceTime: constant(0.2) } } });
  sim.apply([...app("web", 2), ...app("api", 3), ...app("empty", 0), shop]);
  sim.setApplication({ app: "web" }, { concurrency: 4, serviceTime: constant(2) });
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: constant(5) });
  sim.settle();
  return sim;
}

describe("Ingress controller", () => {
  it("routes by host and path: Prefix /api to api, / to web, unknown host 404, a backend without endpoints 503", () => {
    const sim = cluster();
    expect(sim.ingressIP()).toBe("192.0.2.1");
    sim.addExternalClient({ name: "api", target: "ingress", host: "shop.example.com", path: "/api/items", rate: 100 });
    sim.addExternalClient({ name: "home", target: "ingress", host: "shop.example.com", path: "/", rate: 50 });
    sim.addExternalClient({ name: "other", target: "ingress", host: "other.example.com", path: "/api", rate: 20 });
    sim.addExternalClient({ name: "empty", target: "ingress", host: "shop.example.com", path: "/empty", rate: 20 });
    sim.runFor(20_000);
    sim.drain();
    const r = sim.results();
    const ing = r.ingress;
    expect(ing).toBeDefined();
    expect(Object.keys(ing?.byRule ?? {})).toEqual(["(no rule)", "shop: shop.example.com/ (Prefix)", "shop: shop.example.com/api (Prefix)", "shop: shop.example.com/empty (Exact)"]);
    expect(Object.keys(ing?.byClient.api ?? {})).toEqual(["200"]);
    expect(Object.keys(ing?.byClient.other ?? {})).toEqual(["404"]);
    expect(Object.keys(ing?.byClient.empty ?? {})).toEqual(["503"]);
    // Every request got an HTTP response: outcomes are all completed.
    expect(r.outcomes).toEqual({ completed: r.started, refused: 0, reset: 0, timedOut: 0, dropped: 0 });
    const statusTotal = Object.values(ing?.byClient ?? {}).flatMap((row) => Object.values(row)).reduce((a, b) => a + b, 0);
    expect(statusTotal).toBe(r.started);
    // Round robin per proxy pod: each api endpoint gets a third of the api requests within 1 %.
    const apiServed = Object.values(ing?.byBackend["default/api:http"] ?? {});
    expect(apiServed).toHaveLength(3);
    const total = apiServed.reduce((a, b) => a + b, 0);
    expect(total).toBe(ing?.byClient.api["200"]);
    for (const n of apiServed) expect(Math.abs(n / total - 1 / 3)).toBeLessThan(0.01);
    // Both proxy pods took traffic (the load balancer spreads connections over their nodes).
    expect(Object.values(ing?.byControllerPod ?? {}).every((n) => n > 0)).toBe(true);
  });

  it("the proxies talk to endpoints directly: keep-alive clients still spread evenly over endpoints (kube-proxy balances connections, nginx balances requests)", () => {
    const sim = cluster(5);
    sim.addExternalClient({ name: "ka", target: "ingress", host: "shop.example.com", path: "/api", rate: 200, connections: { mode: "keep-alive", poolSize: 1 } });
    sim.runFor(10_000);
    sim.drain();
    const served = Object.values(sim.results().ingress?.byBackend["default/api:http"] ?? {});
    expect(served).toHaveLength(3);
    const total = served.reduce((a, b) => a + b, 0);
    for (const n of served) expect(Math.abs(n / total - 1 / 3)).toBeLessThan(0.01);
  });

  it("scaling the empty backend up turns 503 into 200 once the controller sees the endpoints", () => {
    const sim = cluster();
    sim.setApplication({ app: "empty" }, { serviceTime: constant(1) });
    sim.addExternalClient({ name: "e", target: "ingress", host: "shop.example.com", path: "/empty", rate: 50 });
    sim.runFor(5_000);
    sim.scale("empty", 1);
    sim.runFor(10_000);
    sim.drain();
    const row = sim.results().ingress?.byClient.e ?? {};
    expect(row["503"]).toBeGreaterThan(200);
    expect(row["200"]).toBeGreaterThan(300);
  });

  it("a defaultBackend catches what no rule matches; deleting the Ingress gives 404", () => {
    const sim = cluster();
    sim.apply([{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "fallback" }, spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } } }]);
    sim.settle();
    sim.addExternalClient({ name: "x", target: "ingress", host: "unknown.test", path: "/", rate: 20, interarrival: constant(50) });
    sim.runFor(2_000);
    sim.deleteIngress("fallback");
    sim.runFor(8_000);
    sim.drain();
    const byRule = sim.results().ingress?.byRule ?? {};
    const served = byRule["fallback: defaultBackend"]?.["200"] ?? 0;
    const notFound = byRule["(no rule)"]?.["404"] ?? 0;
    expect(served + notFound).toBe(200); // one request every 50 ms for 10 s
    // The deletion is applied at the controller's next sync: at most 1 / 0.3 s (3.33 s) plus the watch delay after it.
    expect(served).toBeGreaterThanOrEqual(40);
    expect(served).toBeLessThanOrEqual(40 + Math.ceil((1000 / 0.3 + 5) / 50));
  });

  it("--sync-rate-limit: with the default 0.3 syncs/s a new endpoint waits for the next sync; without a limit it is used after the watch delay", () => {
    const first200 = (syncRateLimit: number): number => {
      const sim = new Simulation({ seed: 3, ingressController: { replicas: 1, syncRateLimit } });
      sim.apply([...app("empty", 0), shop]);
      sim.setApplication({ app: "empty" }, { serviceTime: constant(1) });
      sim.settle();
      sim.addExternalClient({ name: "e", target: "ingress", host: "shop.example.com", path: "/empty", interarrival: constant(10), rate: 100 });
      sim.runFor(1_000); // 503s; the last sync was when the Ingress was applied
      sim.scale("empty", 1);
      sim.runFor(6_000);
      sim.drain();
      return sim.results().ingress?.byClient.e["503"] ?? 0;
    };
    const limited = first200(0.3);
    const unlimited = first200(Infinity);
    expect(unlimited).toBeLessThan(limited);
    expect(unlimited).toBeGreaterThanOrEqual(100); // the first second, then pod start (1 s) and slice and watch delays
  });

  it("refuses an invalid Ingress with the API server's message, and Ingress clients without a controller", () => {
    const sim = new Simulation({ seed: 1 });
    const bad = { ...shop, spec: { rules: [{ http: { paths: [{ path: "/", backend: { service: { name: "web", port: { number: 80 } } } }] } }] } } as unknown as Ingress;
    expect(() => sim.apply([bad])).toThrow(ValidationError);
    expect(() => sim.apply([bad])).toThrow('Ingress.networking.k8s.io "shop" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified');
    expect(() => sim.addExternalClient({ name: "c", target: "ingress", rate: 1 })).toThrow(/has no Ingress controller/);
    const results = sim.results();
    expect("ingress" in results).toBe(false);
  });

  it("same seed, same digest", () => {
    const run = (): string => {
      const sim = cluster(9);
      sim.addExternalClient({ name: "api", target: "ingress", host: "shop.example.com", path: "/api", rate: 100 });
      sim.runFor(3_000);
      sim.drain();
      return sim.results().digest;
    };
    expect(run()).toBe(run());
  });
});

describe("Ingress controller: every request ends once (property)", () => {
  it("completed = responses the proxies gave (not 499); every request a proxy took is answered once; nothing in flight after drain", () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1000 }),
          apiReplicas: fc.integer({ min: 0, max: 3 }),
          controllers: fc.integer({ min: 1, max: 2 }),
          keepAlive: fc.boolean(),
          deleteAt: fc.integer({ min: 0, max: 3000 }),
          scaleTo: fc.integer({ min: 0, max: 3 }),
          policy: fc.constantFrom("Cluster" as const, "Local" as const),
        }),
        (p) => {
          const sim = new Simulation({ seed: p.seed, ingressController: { replicas: p.controllers, externalTrafficPolicy: p.policy } });
          sim.apply([...app("web", 2), ...app("api", p.apiReplicas), ...app("empty", 0), shop]);
          sim.setApplication({ app: "web" }, { concurrency: 2, serviceTime: constant(2) });
          sim.setApplication({ app: "api" }, { concurrency: 2, serviceTime: constant(5), onSigterm: "exit" });
          sim.settle();
          const connections = p.keepAlive ? ({ mode: "keep-alive", poolSize: 2 } as const) : undefined;
          sim.addExternalClient({ name: "a", target: "ingress", host: "shop.example.com", path: "/api", rate: 100, connectTimeout: 300, connections });
          sim.addExternalClient({ name: "w", target: "ingress", host: "shop.example.com", path: "/", rate: 50, connectTimeout: 300 });
          sim.runFor(p.deleteAt);
          const victim = sim.pods({ app: "api" })[0];
          if (victim !== undefined) sim.deletePod(victim.metadata.name);
          sim.scale("api", p.scaleTo);
          sim.runFor(3000);
          sim.drain();
          const r = sim.results();
          const o = r.outcomes;
          const statuses = Object.values(r.ingress?.byClient ?? {}).flatMap((row) => Object.entries(row));
          const answered = statuses.filter(([s]) => s !== "499").reduce((a, [, n]) => a + n, 0);
          const all = statuses.reduce((a, [, n]) => a + n, 0);
          const byPod = Object.values(r.ingress?.byControllerPod ?? {}).reduce((a, b) => a + b, 0);
          return r.inFlight === 0 && o.completed + o.refused + o.reset + o.timedOut + o.dropped === r.started && o.completed === answered && all === byPod && all <= r.started;
        },
      ),
      { seed: 7, numRuns: 12 },
    );
  });
});

describe("Ingress controller: pod clients", () => {
  it("a pod calling the controller's Service is routed by its host and path too", () => {
    const sim = cluster(4);
    sim.addClient({ name: "in-cluster", target: "http://ingress-nginx-controller.ingress-nginx:80", host: "shop.example.com", path: "/api", rate: 50 });
    sim.addClient({ name: "no-host", target: "http://ingress-nginx-controller.ingress-nginx:80", rate: 10 });
    sim.runFor(5_000);
    sim.drain();
    const ing = sim.results().ingress;
    expect(ing?.routes["in-cluster"]).toEqual({ host: "shop.example.com", path: "/api", rule: "shop: shop.example.com/api (Prefix)" });
    expect(Object.keys(ing?.byClient["in-cluster"] ?? {})).toEqual(["200"]);
    expect(ing?.routes["no-host"]?.host).toBe("ingress-nginx-controller.ingress-nginx");
    expect(Object.keys(ing?.byClient["no-host"] ?? {})).toEqual(["404"]);
  });
});
