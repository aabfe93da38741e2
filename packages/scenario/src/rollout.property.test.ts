import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { intOrPercent as intOrPercentArb } from "@kube-netsim/testing";
import { constant, exponential, uniform } from "@kube-netsim/core";
import { isPodActive, isPodReady, resolveFenceposts } from "@kube-netsim/controllers";
import type { IntOrPercent } from "@kube-netsim/controllers";
import type { Deployment, ObjectStore, Service } from "@kube-netsim/model";
import type { ConnectionPolicy } from "@kube-netsim/traffic";
import { Simulation, parseMode } from "./index.js";

// Properties of rollouts through the whole stack (API server, controllers, kubelets, each
// node's kube-proxy, clients), over random Deployments and random control-plane timings.
// The fast-check seed is fixed (vitest.setup.ts); numRuns keep this file to a few seconds.

function api(image: string, o: { replicas: number; maxSurge: IntOrPercent; maxUnavailable: IntOrPercent; preStopSeconds: number; minReadySeconds?: number }): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas: o.replicas,
      minReadySeconds: o.minReadySeconds ?? 0,
      selector: { matchLabels: { app: "api" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: o.maxSurge, maxUnavailable: o.maxUnavailable } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: "api",
              image,
              ports: [{ name: "http", containerPort: 8080 }],
              ...(o.preStopSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: o.preStopSeconds } } } } : {}),
            },
          ],
        },
      },
    },
  };
}

const service: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } };

type StoreMethod = "create" | "update" | "mutate" | "delete" | "bindPod";

/** Calls `after` after every write to the store: the API server's state, write by write. */
function onEveryWrite(store: ObjectStore, after: () => void): void {
  const target = store as unknown as Record<StoreMethod, (...args: unknown[]) => unknown>;
  for (const m of ["create", "update", "mutate", "delete", "bindPod"] as const) {
    const orig = target[m].bind(store);
    target[m] = (...args: unknown[]): unknown => {
      const r = orig(...args);
      after();
      return r;
    };
  }
}

const intOrPercent: fc.Arbitrary<IntOrPercent> = intOrPercentArb({ maxInt: 3, maxPercent: 100 });
const isZero = (v: IntOrPercent): boolean => v === 0 || v === "0%";

describe("Rollouts through the whole stack (property)", () => {
  it("at every write, Ready pods >= replicas - maxUnavailable and the ReplicaSets want <= replicas + maxSurge pods (pods over it for at most one informer delay); every node's kube-proxy keeps >= replicas - maxUnavailable ready endpoints; the rollout completes", () => {
    fc.assert(
      fc.property(
        fc.record({
          replicas: fc.integer({ min: 1, max: 8 }),
          maxSurge: intOrPercent,
          maxUnavailable: intOrPercent,
          startMax: fc.integer({ min: 0, max: 3000 }),
          readyMax: fc.integer({ min: 0, max: 3000 }),
          watchDelay: fc.integer({ min: 0, max: 50 }),
          minSyncPeriod: fc.constantFrom(0, 1000),
          mode: fc.constantFrom("iptables", "nftables", "ipvs", "cilium"),
          preStopSeconds: fc.integer({ min: 0, max: 3 }),
          seed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        (c) => {
          fc.pre(!(isZero(c.maxSurge) && isZero(c.maxUnavailable)));
          const sim = new Simulation({
            seed: c.seed,
            kubeProxy: { ...parseMode(c.mode), minSyncPeriod: c.minSyncPeriod },
            timings: { watchDelay: constant(c.watchDelay), podStartDelay: uniform(0, c.startMax), readinessDelay: uniform(0, c.readyMax) },
          });
          const o = { replicas: c.replicas, maxSurge: c.maxSurge, maxUnavailable: c.maxUnavailable, preStopSeconds: c.preStopSeconds };
          sim.apply([api("api:1", o), service]);
          sim.setApplication({ app: "api" }, { serviceTime: exponential(5), onSigterm: "drain" });
          sim.settle();
          const { surge, unavailable } = resolveFenceposts(c.maxSurge, c.maxUnavailable, c.replicas);
          const minReady = c.replicas - Math.min(unavailable, c.replicas);
          const violations: string[] = [];
          let overSince = -1;
          let maxOver = 0;
          let longestOver = 0;
          onEveryWrite(sim.store, () => {
            const pods = sim.store.list("Pod", "default").filter(isPodActive);
            const active = pods.filter((p) => p.metadata.deletionTimestamp === undefined);
            const ready = active.filter(isPodReady).length;
            const wanted = sim.store.list("ReplicaSet", "default").reduce((n, rs) => n + (rs.spec.replicas ?? 1), 0);
            if (wanted > c.replicas + surge) violations.push(`t=${sim.now}: ReplicaSets want ${wanted} pods > ${c.replicas} + ${surge}`);
            if (ready < minReady) violations.push(`t=${sim.now}: ${ready} Ready pods < ${c.replicas} - ${unavailable}`);
            if (active.length > c.replicas + surge) {
              if (overSince < 0) overSince = sim.now;
              maxOver = Math.max(maxOver, active.length - c.replicas - surge);
            } else if (overSince >= 0) {
              longestOver = Math.max(longestOver, sim.now - overSince);
              overSince = -1;
            }
          });
          // A timeline with one bucket tracks the fewest ready endpoints of each node at every kube-proxy sync.
          const tl = sim.timeline({ service: "api", bucket: 1e9 });
          sim.apply([api("api:2", o)]);
          sim.settle();
          sim.runFor(c.preStopSeconds * 1000 + 2000); // the old pods finish terminating
          tl.stop();
          expect(violations.slice(0, 3)).toEqual([]);
          // Upstream bounds the ReplicaSets' spec.replicas by replicas + maxSurge
          // (pkg/controller/deployment/util/deployment_util.go NewRSNewReplicas); the pods
          // follow through the ReplicaSet controller, which may act on the new ReplicaSet's
          // scale-up before the old one's scale-down: pods over the bound for at most one
          // informer delay, as in a real cluster.
          expect(longestOver, `${maxOver} pod(s) over replicas + maxSurge for ${longestOver} ms`).toBeLessThanOrEqual(c.watchDelay);
          const fewest = tl.buckets()[0].minReadyEndpointsByNode;
          for (const node of sim.nodeNames) expect(fewest[node], node).toBeGreaterThanOrEqual(minReady);
          const pods = sim.pods({ app: "api" });
          expect(pods).toHaveLength(c.replicas);
          expect(pods.every((p) => p.spec.containers[0].image === "api:2" && isPodReady(p))).toBe(true);
          for (const node of sim.nodeNames) expect(sim.kubeProxy(node).frontend(`${sim.store.get("Service", "default", "api")?.spec.clusterIP}:80/TCP`).endpoints).toHaveLength(c.replicas);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("maxUnavailable 0, a preStop sleep longer than the worst propagation delay and a draining app: no request is refused, reset, timed out or dropped, for random timings, clients and data planes", () => {
    const policy: fc.Arbitrary<ConnectionPolicy> = fc.oneof(
      fc.constant<ConnectionPolicy>({ mode: "per-request" }),
      fc.integer({ min: 1, max: 8 }).map((poolSize): ConnectionPolicy => ({ mode: "keep-alive", poolSize })),
      fc.integer({ min: 1, max: 50 }).map((maxRequestsPerConnection): ConnectionPolicy => ({ mode: "keep-alive", poolSize: 4, maxRequestsPerConnection })),
      fc.constant<ConnectionPolicy>({ mode: "multiplexed" }),
    );
    fc.assert(
      fc.property(
        fc.record({
          replicas: fc.integer({ min: 1, max: 6 }),
          maxSurge: intOrPercent.filter((v) => !isZero(v)),
          startMax: fc.integer({ min: 0, max: 2000 }),
          readyMax: fc.integer({ min: 0, max: 2000 }),
          watchDelayMax: fc.integer({ min: 0, max: 200 }),
          sliceLatencyMax: fc.integer({ min: 0, max: 100 }),
          minSyncPeriod: fc.constantFrom(0, 1000, 2000),
          syncDurationMax: fc.integer({ min: 0, max: 300 }),
          // Not ipvs:sh, dh or mh: their tables keep a weight-0 real server's slots, and without the
          // sh/mh-fallback flags (kube-proxy sets none) those connections are refused while it drains.
          mode: fc.constantFrom("iptables", "nftables", "cilium", "ipvs:rr", "ipvs:lc", "ipvs:sed"),
          connections: policy,
          rate: fc.integer({ min: 20, max: 300 }),
          extraPreStop: fc.integer({ min: 0, max: 2 }),
          seed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        (c) => {
          fc.pre(!(resolveFenceposts(c.maxSurge, 0, c.replicas).surge === 0)); // a percentage can round to no surge, which validation allows only with maxUnavailable > 0
          // Worst case from a pod's deletion to every node's rules without it: the informers
          // (EndpointSlice controller, then kube-proxy), the slice write, a full minSyncPeriod
          // wait and the sync itself. The preStop sleep starts after the kubelet's informer.
          const worst = c.watchDelayMax + c.sliceLatencyMax + c.watchDelayMax + c.minSyncPeriod + c.syncDurationMax;
          const preStopSeconds = Math.ceil(worst / 1000) + 1 + c.extraPreStop;
          const sim = new Simulation({
            seed: c.seed,
            kubeProxy: { ...parseMode(c.mode), minSyncPeriod: c.minSyncPeriod },
            timings: {
              watchDelay: uniform(0, c.watchDelayMax),
              podStartDelay: uniform(0, c.startMax),
              readinessDelay: uniform(0, c.readyMax),
              endpointSliceSyncLatency: uniform(0, c.sliceLatencyMax),
              proxySyncDuration: uniform(0, c.syncDurationMax),
            },
          });
          const o = { replicas: c.replicas, maxSurge: c.maxSurge, maxUnavailable: 0, preStopSeconds };
          sim.apply([api("api:1", o), service]);
          sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5), onSigterm: "drain" });
          sim.settle();
          sim.addClient({ name: "c", target: "api:80", rate: c.rate, connections: c.connections });
          sim.runFor(2_000);
          sim.apply([api("api:2", o)]);
          sim.settle();
          sim.runFor(preStopSeconds * 1000 + 3000);
          sim.drain();
          const r = sim.results();
          const x = r.outcomes;
          expect({ refused: x.refused, reset: x.reset, timedOut: x.timedOut, dropped: x.dropped, inFlight: r.inFlight }).toEqual({ refused: 0, reset: 0, timedOut: 0, dropped: 0, inFlight: 0 });
          expect(x.completed).toBe(r.started);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("every request ends in exactly one outcome, whatever the rollout settings (with or without preStop, draining or not)", () => {
    fc.assert(
      fc.property(
        fc.record({
          replicas: fc.integer({ min: 1, max: 5 }),
          maxSurge: intOrPercent,
          maxUnavailable: intOrPercent,
          preStopSeconds: fc.integer({ min: 0, max: 3 }),
          onSigterm: fc.constantFrom<"exit" | "drain">("exit", "drain"),
          mode: fc.constantFrom("iptables", "ipvs:rr", "cilium"),
          keepAlive: fc.boolean(),
          seed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        (c) => {
          fc.pre(!(isZero(c.maxSurge) && isZero(c.maxUnavailable)));
          const sim = new Simulation({ seed: c.seed, kubeProxy: parseMode(c.mode) });
          const o = { replicas: c.replicas, maxSurge: c.maxSurge, maxUnavailable: c.maxUnavailable, preStopSeconds: c.preStopSeconds };
          sim.apply([api("api:1", o), service]);
          sim.setApplication({ app: "api" }, { concurrency: 2, serviceTime: exponential(10), queueLimit: 5, onSigterm: c.onSigterm });
          sim.settle();
          sim.addClient({ name: "c", target: "api:80", rate: 150, connections: c.keepAlive ? { mode: "keep-alive", poolSize: 4 } : { mode: "per-request" } });
          sim.runFor(1_000);
          sim.apply([api("api:2", o)]);
          for (let t = 0; t < 15; t++) {
            sim.runFor(1000);
            const r = sim.results();
            const ended = r.outcomes.completed + r.outcomes.refused + r.outcomes.reset + r.outcomes.timedOut + r.outcomes.dropped;
            if (r.started !== ended + r.inFlight) return false;
          }
          sim.drain();
          const r = sim.results();
          const ended = r.outcomes.completed + r.outcomes.refused + r.outcomes.reset + r.outcomes.timedOut + r.outcomes.dropped;
          return r.inFlight === 0 && r.started === ended;
        },
      ),
      { numRuns: 30 },
    );
  });
});
