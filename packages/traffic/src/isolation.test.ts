import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Interner, RandomSource, Scheduler, constant } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import { IptablesDataPlane, KubeProxy, ServiceFrontend } from "@kube-netsim/proxy";
import type { ProxyEndpoint } from "@kube-netsim/proxy";
import { TrafficEngine } from "./traffic-engine.js";
import type { ConnectionPolicy } from "./traffic-engine.js";

// A failed node: its applications are cut off (TrafficEngine.isolateApplication). Nothing
// answers, so every request they held, and every new one sent to them, ends as a timeout.

function rig(connections: ConnectionPolicy = { mode: "per-request" }) {
  const scheduler = new Scheduler();
  const random = new RandomSource(11);
  const addresses = new Interner();
  const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
  const plane = new IptablesDataPlane();
  const proxy = new KubeProxy(scheduler, store, { nodeName: "node-a", dataPlane: plane, addresses, random: random.stream("kp") });
  const engine = new TrafficEngine(scheduler, { addresses });
  const f = new ServiceFrontend("10.96.0.10:80/TCP");
  const endpoint = "10.244.1.2:8080";
  f.verdict = "forward";
  f.destinations = Int32Array.from([addresses.id(endpoint)]);
  f.endpoints = [{ key: endpoint } as ProxyEndpoint];
  plane.program(f);
  engine.openHost("10.244.1.2");
  const app = engine.startApplication("p", [endpoint], { concurrency: 1, serviceTime: constant(100) }, random.stream("app"));
  const client = engine.addClient({ name: "c", sourceIP: 0x0af40001, proxy, frontend: f, interarrival: constant(40), random: random.stream("c"), startAt: 0, connectTimeout: 1000, connections });
  return { scheduler, engine, app, client };
}

describe("TrafficEngine.isolateApplication", () => {
  it("times out the request in service and the queued ones when their client's timeout runs out from the failure (no RST, no reset)", () => {
    const { scheduler, engine, app, client } = rig();
    const ends: [string, number, number][] = [];
    engine.setRequestEndListener((outcome, start, end) => ends.push([outcome, start, end]));
    scheduler.runUntil(250); // requests at 0 (served 0..100), 40 (100..200), 80 (in service 200..300), 120..240 queued
    const before = engine.outcomes();
    engine.isolateApplication(app, 250);
    engine.stopClient(client);
    scheduler.runUntil(10_000);
    const o = engine.outcomes();
    // 7 requests started (0, 40, ..., 240): 2 completed before 250, the other 5 time out.
    expect(engine.started).toBe(7);
    expect(before.completed).toBe(2);
    expect(o).toEqual({ completed: 2, refused: 0, reset: 0, timedOut: 5, dropped: 0 });
    expect(engine.inFlight).toBe(0);
    expect(ends.filter((e) => e[0] === "timedOut").sort((a, b) => a[1] - b[1])).toEqual([80, 120, 160, 200, 240].map((t) => ["timedOut", t, 1250]));
  });

  it("a resumed client starts again one interarrival time later, with no second arrival stream", () => {
    const { scheduler, engine, client } = rig();
    scheduler.runUntil(100);
    engine.stopClient(client);
    engine.resumeClient(client); // its arrival at 120 is still pending: no new one
    scheduler.runUntil(1000);
    expect(engine.clientStarted(client)).toBe(26); // 0, 40, ..., 1000
  });

  it("property: under random isolation times and connection policies every request ends in exactly one outcome", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.constantFrom<ConnectionPolicy>({ mode: "per-request" }, { mode: "keep-alive", poolSize: 2 }, { mode: "multiplexed" }), (at, policy) => {
        const { scheduler, engine, app, client } = rig(policy);
        scheduler.runUntil(at);
        engine.isolateApplication(app, at);
        scheduler.runUntil(at + 500);
        engine.stopClient(client);
        scheduler.runUntil(at + 100_000);
        const o = engine.outcomes();
        return engine.inFlight === 0 && o.completed + o.refused + o.reset + o.timedOut + o.dropped === engine.started;
      }),
      { seed: 5, numRuns: 60 },
    );
  });
});
