import fc from "fast-check";
import { describe, it, expect } from "vitest";
import { Interner, RandomSource, Scheduler, constant, exponential } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import { IptablesDataPlane, KubeProxy, ServiceFrontend } from "@kube-netsim/proxy";
import type { ProxyEndpoint, Verdict } from "@kube-netsim/proxy";
import { TrafficEngine } from "./traffic-engine.js";
import type { ClientOptions } from "./traffic-engine.js";

// Closed-loop clients: `users` concurrent users, each sending its next request one think
// time after its previous one ended (whatever the outcome).

function rig(seed = 7) {
  const scheduler = new Scheduler();
  const random = new RandomSource(seed);
  const addresses = new Interner();
  const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
  const plane = new IptablesDataPlane();
  const proxy = new KubeProxy(scheduler, store, { nodeName: "node-a", dataPlane: plane, addresses, random: random.stream("kube-proxy/node-a") });
  const engine = new TrafficEngine(scheduler, { addresses });
  const frontend = (verdict: Verdict, endpoints: readonly string[] = []): ServiceFrontend => {
    const f = new ServiceFrontend("10.96.0.10:80/TCP");
    f.verdict = verdict;
    f.destinations = Int32Array.from(endpoints.map((e) => addresses.id(e)));
    f.endpoints = endpoints.map((key) => ({ key }) as ProxyEndpoint);
    if (endpoints.length > 0) plane.program(f);
    return f;
  };
  const client = (f: ServiceFrontend, o: Partial<ClientOptions>): number =>
    engine.addClient({ name: "users", sourceIP: 0x0af40001, proxy, frontend: f, random: random.stream("client"), startAt: 1, ...o });
  return { scheduler, random, engine, frontend, client };
}

describe("TrafficEngine: closed-loop clients (users, thinkTime)", () => {
  it("users=1, service S=10 ms, think Z=5 ms: throughput is exactly 1/(S+Z)", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { serviceTime: constant(10) }, r.random.stream("app"));
    r.client(r.frontend("forward", ["10.244.0.2:8080"]), { users: 1, thinkTime: constant(5) });
    // Request k starts at 1 + 15k and ends at 11 + 15k.
    r.scheduler.runUntil(1 + 15 * 100 - 0.5);
    expect(r.engine.outcomes().completed).toBe(100);
    expect(r.engine.started).toBe(100);
    expect(r.engine.latency.mean).toBe(10);
    // 100 requests in 1500 ms = 1 / (10 + 5) per ms.
    expect(r.engine.outcomes().completed / 1500).toBe(1 / 15);
  });

  it("no think time: each of N users has exactly one request in flight at all times", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 2, serviceTime: constant(10) }, r.random.stream("app"));
    r.client(r.frontend("forward", ["10.244.0.2:8080"]), { users: 6 });
    for (const t of [1, 7.5, 33, 500.5]) {
      r.scheduler.runUntil(t);
      expect(r.engine.inFlight).toBe(6);
    }
    // 2 servers busy all the time from t=1: 2 completions at each of 11, 21, ..., 491.
    expect(r.engine.outcomes().completed).toBe(98);
    // Each request queues for 2 services of others then its own: R = N / X = 6 / 0.2 = 30 ms.
    r.scheduler.runUntil(5000.5);
    expect(r.engine.latency.mean).toBeCloseTo(30, 0);
  });

  it("Little's law N = X (R + Z) holds within 2% at seed 7", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 4, serviceTime: exponential(10) }, r.random.stream("app"));
    r.client(r.frontend("forward", ["10.244.0.2:8080"]), { users: 20, thinkTime: exponential(50) });
    const T = 200_000;
    r.scheduler.runUntil(T);
    const X = r.engine.outcomes().completed / T;
    const R = r.engine.latency.mean;
    const N = X * (R + 50);
    expect(Math.abs(N - 20) / 20).toBeLessThan(0.02);
  });

  it("a user goes on after failures: refused and timed-out requests also end its turn", () => {
    const r = rig();
    r.client(r.frontend("reject"), { users: 2, thinkTime: constant(10) });
    r.scheduler.runUntil(1 + 10 * 50 - 0.5);
    expect(r.engine.outcomes().refused).toBe(100); // 2 users x 50 turns of 10 ms
    const t = rig();
    t.client(t.frontend("drop"), { users: 3, connectTimeout: 100, thinkTime: constant(0) });
    t.scheduler.runUntil(1 + 100 * 10 - 0.5);
    expect(t.engine.outcomes().timedOut).toBe(27); // 3 users x 9 timeouts; the 10th of each is in flight
    expect(t.engine.inFlight).toBe(3);
  });

  it("stopClient: no new requests once the in-flight ones end; resumeClient brings every user back", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 10, serviceTime: constant(10) }, r.random.stream("app"));
    const c = r.client(r.frontend("forward", ["10.244.0.2:8080"]), { users: 4, thinkTime: constant(10) });
    r.scheduler.runUntil(100);
    r.engine.stopClient(c);
    const started = r.engine.started;
    r.scheduler.runUntil(1000);
    expect(r.engine.started).toBe(started);
    expect(r.engine.inFlight).toBe(0);
    r.engine.resumeClient(c);
    r.scheduler.runUntil(1005);
    expect(r.engine.inFlight).toBe(0); // thinking
    r.scheduler.runUntil(1015);
    expect(r.engine.inFlight).toBe(4);
  });

  it("conservation: started = sum of outcomes + in flight, and in flight <= users (property, seed 11)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 50 }), fc.constantFrom<Verdict>("forward", "reject", "drop"), fc.integer({ min: 0, max: 5 }), (users, think, verdict, queueLimit) => {
        const r = rig(users * 31 + think);
        r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 2, queueLimit, serviceTime: exponential(5) }, r.random.stream("app"));
        const c = r.client(r.frontend(verdict, ["10.244.0.2:8080"]), { users, thinkTime: exponential(think + 0.1), connectTimeout: 50 });
        r.scheduler.runUntil(2000);
        const o = r.engine.outcomes();
        expect(r.engine.started).toBe(o.completed + o.refused + o.reset + o.timedOut + o.dropped + r.engine.inFlight);
        expect(r.engine.inFlight).toBeLessThanOrEqual(users);
        r.engine.stopClient(c);
        r.scheduler.runUntil(4000);
        expect(r.engine.inFlight).toBe(0);
      }),
      { seed: 11, numRuns: 40 },
    );
  });

  it.each([
    ["users 0", { users: 0 }, 'client "users": users: Invalid value: 0: must be an integer >= 1'],
    ["users 1.5", { users: 1.5 }, 'client "users": users: Invalid value: 1.5: must be an integer >= 1'],
    ["both", { users: 2, interarrival: constant(1) }, "give exactly one of interarrival (open loop) or users (closed loop)"],
    ["neither", {}, "give exactly one of interarrival (open loop) or users (closed loop)"],
    ["thinkTime open loop", { interarrival: constant(1), thinkTime: constant(1) }, 'client "users": thinkTime: Forbidden'],
  ] as const)("rejects %s", (_name, o, message) => {
    const r = rig();
    expect(() => r.client(r.frontend("forward", ["10.244.0.2:8080"]), o as Partial<ClientOptions>)).toThrow(message);
  });
});
