import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Interner, RandomSource, Scheduler, constant, exponential } from "@kube-netsim/core";
import type { Distribution, RandomStream } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import { IptablesDataPlane, KubeProxy, ServiceFrontend } from "@kube-netsim/proxy";
import type { ProxyEndpoint } from "@kube-netsim/proxy";
import { TrafficEngine } from "./traffic-engine.js";

// The engine keeps each application's hot fields in a packed record and draws exponential
// service times inline from the stream state it keeps there (RandomStream.moveStateTo).
// These tests check that this is invisible: every run gives exactly what drawing through
// the objects (`serviceTime.sample(random)`) gives, request for request.

/** The same distribution as `d`, but not one of core's: the engine samples it through the object. */
function opaque(d: Distribution): Distribution {
  return { sample: (rng: RandomStream): number => d.sample(rng), mean: d.mean, describe: (): string => `opaque(${d.describe()})` };
}

type Op = "restart" | "drainRestart" | "hang" | "resume" | "stop" | "start";

interface Plan {
  readonly pods: number;
  readonly concurrency: number;
  readonly queueLimit: number;
  readonly serviceMean: number;
  readonly interarrivalMean: number;
  readonly actions: readonly { readonly at: number; readonly pod: number; readonly op: Op }[];
}

interface Outcome {
  readonly requests: string[];
  readonly streamsAfter: number[];
  readonly outcomes: Record<string, number>;
}

function run(plan: Plan, service: (d: Distribution) => Distribution): Outcome {
  const scheduler = new Scheduler();
  const random = new RandomSource(3);
  const addresses = new Interner();
  const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
  const plane = new IptablesDataPlane();
  const proxy = new KubeProxy(scheduler, store, { nodeName: "node-a", dataPlane: plane, addresses, random: random.stream("kube-proxy/node-a") });
  const requests: string[] = [];
  const engine = new TrafficEngine(scheduler, {
    addresses,
    onRequestEnd: (outcome, start, end, endpoint) => requests.push(`${outcome} ${start} ${end} ${endpoint}`),
  });
  const pods = Array.from({ length: plan.pods }, (_, i) => `10.244.${i >> 8}.${(i & 255) + 1}:8080`);
  const streams = pods.map((_, i) => random.stream(`app/default/api-${i}`));
  const model = { concurrency: plan.concurrency, queueLimit: plan.queueLimit, serviceTime: service(exponential(plan.serviceMean)) };
  // The application running each pod now (a restart starts another one on the same stream, as a Simulation does).
  const current = pods.map((a, i) => engine.startApplication(`default/api-${i}`, [a], model, streams[i]));
  const f = new ServiceFrontend("10.96.0.10:80/TCP");
  f.verdict = "forward";
  f.destinations = Int32Array.from(pods.map((p) => addresses.id(p)));
  f.endpoints = pods.map((key) => ({ key }) as ProxyEndpoint);
  plane.program(f);
  engine.addClient({ name: "c", sourceIP: 0x0af40001, proxy, frontend: f, interarrival: exponential(plan.interarrivalMean), random: random.stream("client") });
  for (const a of [...plan.actions].sort((x, y) => x.at - y.at)) {
    scheduler.runUntil(Math.max(a.at, scheduler.now));
    const i = a.pod % plan.pods;
    const app = current[i];
    const name = `default/api-${i}`;
    if (a.op === "restart") {
      engine.stopApplication(app, scheduler.now);
      current[i] = engine.startApplication(name, [pods[i]], model, streams[i]);
    } else if (a.op === "drainRestart") {
      // The old process still serves what it holds while the new one takes new connections.
      engine.drainApplication(app, () => {});
      current[i] = engine.startApplication(name, [pods[i]], model, streams[i]);
    } else if (a.op === "hang") engine.hangApplication(app);
    else if (a.op === "resume") engine.resumeApplication(app);
    else if (a.op === "stop") engine.stopApplication(app, scheduler.now);
    else current[i] = engine.startApplication(name, [pods[i]], model, streams[i]);
  }
  scheduler.runUntil(Math.max(400, scheduler.now));
  engine.stopAllClients();
  scheduler.runUntil(scheduler.now + 5000); // every request ends within its client's 1 s timeout
  expect(engine.inFlight).toBe(0);
  return { requests, streamsAfter: streams.map((s) => s.next()), outcomes: { ...engine.outcomes() } };
}

const plans: fc.Arbitrary<Plan> = fc.record({
  pods: fc.integer({ min: 1, max: 90 }),
  concurrency: fc.integer({ min: 1, max: 3 }),
  queueLimit: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 4 })),
  serviceMean: fc.constantFrom(1, 5, 20),
  interarrivalMean: fc.constantFrom(0.05, 0.5, 2),
  actions: fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: 400 }),
      pod: fc.nat(200),
      op: fc.constantFrom<Op>("restart", "drainRestart", "hang", "resume", "stop", "start"),
    }),
    { maxLength: 40 },
  ),
});

describe("TrafficEngine: application records (inline exponential draws)", () => {
  it("every request, outcome and stream position equals drawing through the objects (property)", () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const inline = run(plan, (d) => d);
        const viaObjects = run(plan, opaque);
        expect(inline.requests.length).toBeGreaterThan(0);
        expect(inline).toEqual(viaObjects);
      }),
      { seed: 9_2026, numRuns: 40 },
    );
  });

  it.each([
    ["restarts on one stream", "restart"],
    ["a draining process and its successor on one stream", "drainRestart"],
    ["a hang and a resume", "hang"],
  ] as const)("a busy pod through %s: the same requests as through the objects", (_name, op) => {
    const actions = [10, 30, 50, 70].map((at) => ({ at, pod: 0, op: at === 50 && op === "hang" ? ("resume" as const) : op }));
    const plan: Plan = { pods: 2, concurrency: 1, queueLimit: Infinity, serviceMean: 5, interarrivalMean: 2, actions };
    const inline = run(plan, (d) => d);
    expect(inline.requests.length).toBeGreaterThan(150);
    expect(inline).toEqual(run(plan, opaque));
  });

  it("200 pods (the record buffer grows while streams live in it): each pod's service times are its stream's exponential draws, in order", () => {
    const plan: Plan = { pods: 200, concurrency: 4, queueLimit: Infinity, serviceMean: 5, interarrivalMean: 0.05, actions: [] };
    const inline = run(plan, (d) => d);
    expect(inline.outcomes.completed).toBe(inline.requests.length);
    expect(inline).toEqual(run(plan, opaque));
  });

  it("constant service times draw nothing from the stream", () => {
    const plan: Plan = { pods: 3, concurrency: 1, queueLimit: Infinity, serviceMean: 5, interarrivalMean: 2, actions: [{ at: 100, pod: 1, op: "restart" }] };
    const r = run(plan, () => constant(5));
    expect(r.outcomes.completed).toBeGreaterThan(150);
    expect(r.streamsAfter).toEqual([0, 1, 2].map((i) => new RandomSource(3).stream(`app/default/api-${i}`).next()));
  });
});
