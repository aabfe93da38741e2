import fc from "fast-check";
import { describe, it, expect } from "vitest";
import { Interner, RandomSource, Scheduler, constant } from "@kube-netsim/core";
import type { Distribution, RandomStream } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import { IptablesDataPlane, KubeProxy, ServiceFrontend } from "@kube-netsim/proxy";
import type { ProxyEndpoint } from "@kube-netsim/proxy";
import type { Verdict } from "@kube-netsim/proxy";
import { TrafficEngine } from "./traffic-engine.js";
import type { ClientOptions, OutcomeCounts } from "./traffic-engine.js";

// The engine is driven through a real KubeProxy (for `connect`) and a ServiceFrontend
// programmed by hand, so every verdict and destination is under the test's control.

interface Rig {
  readonly scheduler: Scheduler;
  readonly addresses: Interner;
  readonly engine: TrafficEngine;
  readonly proxy: KubeProxy;
  readonly random: RandomSource;
  /** A frontend with the given verdict and endpoints (`IP:port`), compiled like the iptables data plane does. */
  frontend(verdict: Verdict, endpoints?: readonly string[]): ServiceFrontend;
  /** Re-points a frontend at other endpoints, as a kube-proxy sync would. */
  program(f: ServiceFrontend, verdict: Verdict, endpoints?: readonly string[]): void;
  client(f: ServiceFrontend, options?: Partial<ClientOptions>): number;
}

function rig(options: { stopAfterCompleted?: number } = {}): Rig {
  const scheduler = new Scheduler();
  const random = new RandomSource(7);
  const addresses = new Interner();
  const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
  const plane = new IptablesDataPlane();
  const proxy = new KubeProxy(scheduler, store, { nodeName: "node-a", dataPlane: plane, addresses, random: random.stream("kube-proxy/node-a") });
  const engine = new TrafficEngine(scheduler, { addresses, stopAfterCompleted: options.stopAfterCompleted });
  let clients = 0;
  const program = (f: ServiceFrontend, verdict: Verdict, endpoints: readonly string[] = []): void => {
    f.verdict = verdict;
    f.destinations = Int32Array.from(endpoints.map((e) => addresses.id(e)));
    f.endpoints = endpoints.map((key) => ({ key }) as ProxyEndpoint);
    if (endpoints.length > 0) plane.program(f);
    else f.compiled = undefined;
  };
  return {
    scheduler,
    addresses,
    engine,
    proxy,
    random,
    frontend: (verdict, endpoints = []) => {
      const f = new ServiceFrontend("10.96.0.10:80/TCP");
      program(f, verdict, endpoints);
      return f;
    },
    program,
    client: (f, o = {}) =>
      engine.addClient({
        name: `client-${clients}`,
        sourceIP: 0x0af40001 + clients,
        proxy,
        frontend: f,
        interarrival: constant(1),
        random: random.stream(`client-${clients++}`),
        startAt: 1,
        ...o,
      }),
  };
}

/** A service-time distribution that records when each request enters service. */
function recording(ms: number, log: number[], scheduler: Scheduler): Distribution {
  return {
    sample: (_rng: RandomStream): number => {
      log.push(scheduler.now);
      return ms;
    },
    mean: ms,
    describe: (): string => `recording(${ms})`,
  };
}

const sum = (o: OutcomeCounts & { readonly dnsFailed?: number }): number => o.completed + o.refused + o.reset + o.timedOut + o.dropped + (o.dnsFailed ?? 0);

/** Steps the clock one event at a time and returns each completed request's latency, in completion order. */
function latenciesInOrder(r: Rig, until: number): number[] {
  const out: number[] = [];
  let count = r.engine.latency.count;
  let total = count > 0 ? r.engine.latency.mean * count : 0;
  while (r.scheduler.peekTime() <= until && r.scheduler.step()) {
    const c = r.engine.latency.count;
    if (c !== count) {
      const t = r.engine.latency.mean * c;
      out.push(Math.round(t - total));
      total = t;
      count = c;
    }
  }
  return out;
}

describe("TrafficEngine: queueing inside an application", () => {
  it("serves FIFO, at most `concurrency` (2) requests at once", () => {
    const r = rig();
    const starts: number[] = [];
    r.engine.startApplication("default/api-0", ["10.244.0.2:8080"], { concurrency: 2, serviceTime: recording(10, starts, r.scheduler) }, r.random.stream("app"));
    const c = r.client(r.frontend("forward", ["10.244.0.2:8080"])); // requests at t = 1, 2, 3, ...
    r.scheduler.runUntil(6.5);
    r.engine.stopClient(c);
    expect(r.engine.started).toBe(6);
    expect(r.engine.inFlight).toBe(6);
    expect(starts).toEqual([1, 2]); // two in service, four waiting
    // FIFO: arrivals 1..6, service 10 ms, 2 servers -> completions at 11, 12, 21, 22, 31, 32.
    // (LIFO would give 10, 10, 15, 17, 27, 29.)
    expect(latenciesInOrder(r, 100)).toEqual([10, 10, 18, 18, 26, 26]);
    expect(starts).toEqual([1, 2, 11, 12, 21, 22]);
    expect(r.engine.outcomes()).toEqual({ completed: 6, refused: 0, reset: 0, timedOut: 0, dropped: 0 });
    expect(r.engine.inFlight).toBe(0);
    expect([...r.engine.completedByAddress()]).toEqual([["10.244.0.2:8080", 6]]);
  });

  it("concurrency 1 serves one at a time", () => {
    const r = rig();
    const starts: number[] = [];
    r.engine.startApplication("a", ["10.244.0.2:8080"], { serviceTime: recording(10, starts, r.scheduler) }, r.random.stream("app"));
    const c = r.client(r.frontend("forward", ["10.244.0.2:8080"]));
    r.scheduler.runUntil(3.5);
    r.engine.stopClient(c);
    r.scheduler.runUntil(100);
    expect(starts).toEqual([1, 11, 21]);
  });

  it("queueLimit: requests beyond the waiting room are dropped", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 1, queueLimit: 2, serviceTime: constant(100) }, r.random.stream("app"));
    const c = r.client(r.frontend("forward", ["10.244.0.2:8080"]));
    r.scheduler.runUntil(5.5); // 1 in service, 2 waiting, 2 dropped
    r.engine.stopClient(c);
    expect(r.engine.outcomes()).toEqual({ completed: 0, refused: 0, reset: 0, timedOut: 0, dropped: 2 });
    expect(r.engine.inFlight).toBe(3);
    r.scheduler.runUntil(1000);
    expect(r.engine.outcomes()).toEqual({ completed: 3, refused: 0, reset: 0, timedOut: 0, dropped: 2 });
    expect(r.engine.inFlight).toBe(0);
  });

  it("queueLimit 0: only what fits in service is accepted", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 2, queueLimit: 0, serviceTime: constant(100) }, r.random.stream("app"));
    const c = r.client(r.frontend("forward", ["10.244.0.2:8080"]));
    r.scheduler.runUntil(4.5);
    r.engine.stopClient(c);
    expect(r.engine.outcomes().dropped).toBe(2);
    expect(r.engine.inFlight).toBe(2);
  });
});

describe("TrafficEngine: stopping an application", () => {
  it("resets queued and in-service requests exactly once; late completion events count nothing", () => {
    const r = rig();
    const app = r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 2, serviceTime: constant(10) }, r.random.stream("app"));
    const f = r.frontend("forward", ["10.244.0.2:8080"]);
    const c = r.client(f);
    r.scheduler.runUntil(5.5); // requests at 1, 2 in service (done at 11, 12); 3, 4, 5 waiting
    r.engine.stopClient(c);
    r.engine.stopApplication(app, r.scheduler.now);
    expect(r.engine.outcomes()).toEqual({ completed: 0, refused: 0, reset: 5, timedOut: 0, dropped: 0 });
    expect(r.engine.inFlight).toBe(0);
    r.engine.stopApplication(app, r.scheduler.now); // a second stop is a no-op
    expect(r.engine.outcomes().reset).toBe(5);
    r.scheduler.runUntil(50); // the completion events of the two reset requests fire at 11 and 12
    expect(r.engine.outcomes()).toEqual({ completed: 0, refused: 0, reset: 5, timedOut: 0, dropped: 0 });
    expect(r.engine.latency.count).toBe(0);
    expect(r.engine.completedByAddress().size).toBe(0);
    expect(r.engine.inFlight).toBe(0);
  });

  it("a new request that reuses a reset request's slot is not completed by the old completion event", () => {
    const r = rig();
    const old = r.engine.startApplication("old", ["10.244.0.2:8080"], { concurrency: 2, serviceTime: constant(10) }, r.random.stream("old"));
    r.engine.startApplication("new", ["10.244.1.2:8080"], { concurrency: 1000, serviceTime: constant(100) }, r.random.stream("new"));
    const f = r.frontend("forward", ["10.244.0.2:8080"]);
    r.client(f, { interarrival: constant(0.5) }); // requests at 1, 1.5, 2, ...
    r.scheduler.runUntil(2.2); // 1 and 1.5 in service until 11 and 11.5; 2 waiting
    r.engine.stopApplication(old, r.scheduler.now);
    r.program(f, "forward", ["10.244.1.2:8080"]); // kube-proxy moves traffic to the new pod
    expect(r.engine.outcomes().reset).toBe(3);
    // Requests every 0.5 ms from 2.5 on reuse the freed slots, including the two that are
    // freed only when the stale completions fire (11, 11.5).
    r.scheduler.runUntil(60);
    r.engine.stopAllClients();
    const started = r.engine.started;
    r.scheduler.runUntil(1000);
    const o = r.engine.outcomes();
    expect(o).toEqual({ completed: started - 3, refused: 0, reset: 3, timedOut: 0, dropped: 0 });
    expect(r.engine.latency.min).toBe(100); // no request ended early
    expect(r.engine.latency.max).toBe(100);
    expect([...r.engine.completedByAddress()]).toEqual([["10.244.1.2:8080", started - 3]]);
  });

  it("a draining application's busy multiplexed connection gets a GOAWAY: new requests go on a new connection, the streams in flight finish", () => {
    const r = rig();
    // The old pod serves its first 5 requests in 100 ms each: they are still in flight when it drains.
    let served = 0;
    const slowFirst: Distribution = { sample: (): number => (++served <= 5 ? 100 : 1), mean: 1, describe: (): string => "slow-first" };
    const old = r.engine.startApplication("old", ["10.244.0.2:8080"], { concurrency: 100, serviceTime: slowFirst }, r.random.stream("old"));
    r.engine.startApplication("new", ["10.244.1.2:8080"], { concurrency: 100, serviceTime: constant(1) }, r.random.stream("new"));
    const f = r.frontend("forward", ["10.244.0.2:8080"]);
    r.client(f, { connections: { mode: "multiplexed" } }); // a request every ms from t=1, on one connection
    r.scheduler.runUntil(5.5); // requests 1..5 in service on the old pod until 101..105
    r.program(f, "forward", ["10.244.1.2:8080"]); // kube-proxy already lists only the new pod
    let exited = -1;
    r.engine.drainApplication(old, () => (exited = r.scheduler.now));
    r.scheduler.runUntil(50.5);
    r.engine.stopAllClients();
    r.scheduler.runUntil(500);
    // Requests from t=6 on use a new connection to the new pod; the five streams in flight
    // finish and the old pod exits after the last one. Nothing is reset.
    expect(r.engine.outcomes()).toEqual({ completed: 50, refused: 0, reset: 0, timedOut: 0, dropped: 0 });
    expect([...r.engine.completedByAddress()].sort()).toEqual([
      ["10.244.0.2:8080", 5],
      ["10.244.1.2:8080", 45],
    ]);
    expect(exited).toBe(105);
    expect(r.engine.openConnections).toBe(1);
  });

  it("after stop, the pod IP refuses connections (nothing listens): refused at once", () => {
    const r = rig();
    const app = r.engine.startApplication("a", ["10.244.0.2:8080"], { serviceTime: constant(1) }, r.random.stream("app"));
    r.engine.stopApplication(app, 0);
    const c = r.client(r.frontend("forward", ["10.244.0.2:8080"]));
    r.scheduler.runUntil(3.5);
    r.engine.stopClient(c);
    expect(r.engine.outcomes()).toEqual({ completed: 0, refused: 3, reset: 0, timedOut: 0, dropped: 0 });
    expect(r.engine.inFlight).toBe(0);
  });

  it("releaseAddresses: the IP is gone, so the client times out after exactly connectTimeout", () => {
    const r = rig();
    const app = r.engine.startApplication("a", ["10.244.0.2:8080"], { serviceTime: constant(1) }, r.random.stream("app"));
    r.engine.stopApplication(app, 0);
    r.engine.releaseAddresses(["10.244.0.2:8080", "10.244.9.9:8080"]); // an address never seen is ignored
    r.client(r.frontend("forward", ["10.244.0.2:8080"]), { startAt: 10, interarrival: constant(1e6), connectTimeout: 250 });
    r.scheduler.runUntil(259.999);
    expect(r.engine.outcomes().timedOut).toBe(0);
    expect(r.engine.inFlight).toBe(1);
    r.scheduler.runUntil(260);
    expect(r.engine.outcomes()).toEqual({ completed: 0, refused: 0, reset: 0, timedOut: 1, dropped: 0 });
    expect(r.engine.inFlight).toBe(0);
  });

  it("a pod IP that exists but has no listener on the port refuses (RST); once the IP is gone, packets are lost", () => {
    const r = rig();
    r.engine.openHost("10.244.0.2");
    const f = r.frontend("forward", ["10.244.0.2:9090"]); // a port nothing listens on
    r.client(f, { interarrival: constant(10), connectTimeout: 100 });
    r.scheduler.runUntil(25); // requests at 1, 11, 21
    expect(r.engine.outcomes()).toEqual({ completed: 0, refused: 3, reset: 0, timedOut: 0, dropped: 0 });
    r.engine.closeHost("10.244.0.2");
    r.scheduler.runUntil(131); // request at 31 times out at 131
    expect(r.engine.outcomes().timedOut).toBe(1);
    expect(r.engine.outcomes().refused).toBe(3);
    // Another IP was never opened: lost, not refused.
    r.engine.openHost("10.244.0.2");
    r.program(f, "forward", ["10.244.0.20:9090"]);
    r.scheduler.runUntil(500);
    expect(r.engine.outcomes().refused).toBe(3);
    expect(r.engine.started).toBe(sum(r.engine.outcomes()) + r.engine.inFlight);
  });

  it("releaseAddresses leaves a running application alone", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { serviceTime: constant(1) }, r.random.stream("app"));
    r.engine.releaseAddresses(["10.244.0.2:8080"]);
    r.client(r.frontend("forward", ["10.244.0.2:8080"]), { interarrival: constant(1e6) });
    r.scheduler.runUntil(10);
    expect(r.engine.outcomes().completed).toBe(1);
  });
});

describe("TrafficEngine: verdicts of the client's node", () => {
  const cases: readonly { name: string; verdict: Verdict; endpoints?: readonly string[]; outcome: keyof OutcomeCounts; endsAt: number }[] = [
    { name: "no-rule (not synced yet): packets lost -> timedOut", verdict: "no-rule", outcome: "timedOut", endsAt: 1001 },
    { name: "drop (Local policy, no local endpoint) -> timedOut", verdict: "drop", outcome: "timedOut", endsAt: 1001 },
    { name: "reject (no endpoints) -> refused at once", verdict: "reject", outcome: "refused", endsAt: 1 },
    { name: "forward to an IP nobody ever had -> timedOut", verdict: "forward", endpoints: ["10.244.7.7:8080"], outcome: "timedOut", endsAt: 1001 },
  ];
  for (const k of cases) {
    it(k.name, () => {
      const r = rig();
      r.client(r.frontend(k.verdict, k.endpoints), { interarrival: constant(1e6) }); // one request at t=1, default connectTimeout 1000
      r.scheduler.runUntil(k.endsAt - 0.001);
      expect(sum(r.engine.outcomes())).toBe(0);
      r.scheduler.runUntil(k.endsAt);
      expect(r.engine.outcomes()[k.outcome]).toBe(1);
      expect(sum(r.engine.outcomes())).toBe(1);
      expect(r.engine.inFlight).toBe(0);
      expect(r.engine.latency.count).toBe(0);
    });
  }

  it("spreads connections over the endpoints with the iptables probabilities", () => {
    const r = rig();
    const eps = ["10.244.0.2:8080", "10.244.1.2:8080", "10.244.2.2:8080"];
    eps.forEach((e, i) => r.engine.startApplication(`a${i}`, [e], { concurrency: 1000, serviceTime: constant(1) }, r.random.stream(`app${i}`)));
    r.client(r.frontend("forward", eps), { interarrival: constant(0.01) });
    r.scheduler.runUntil(300); // ~30,000 requests
    r.engine.stopAllClients();
    r.scheduler.runUntil(400);
    const by = r.engine.completedByAddress();
    const n = r.engine.outcomes().completed;
    expect([...by.keys()]).toEqual(eps);
    // Each share is 1/3; 4 standard deviations of a binomial share at n ~ 30,000 is ~0.011.
    for (const e of eps) expect(Math.abs((by.get(e) ?? 0) / n - 1 / 3)).toBeLessThan(0.011);
  });
});

describe("TrafficEngine: clients", () => {
  it("rejects a bad connectTimeout with a RangeError naming the field", () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = rig();
      expect(() => r.client(r.frontend("reject"), { connectTimeout: bad })).toThrow(RangeError);
      expect(() => r.client(r.frontend("reject"), { connectTimeout: bad })).toThrow(/connectTimeout: Invalid value/);
    }
  });

  it("counts requests per client and stops a client without touching its requests in flight", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { serviceTime: constant(1000) }, r.random.stream("app"));
    const f = r.frontend("forward", ["10.244.0.2:8080"]);
    const a = r.client(f, { interarrival: constant(1) });
    const b = r.client(f, { interarrival: constant(2) });
    r.scheduler.runUntil(10);
    expect(r.engine.clientStarted(a)).toBe(10); // 1..10
    expect(r.engine.clientStarted(b)).toBe(5); // 1, 3, 5, 7, 9
    expect(r.engine.clientStarted(99)).toBe(0);
    r.engine.stopClient(a);
    r.scheduler.runUntil(20);
    expect(r.engine.clientStarted(a)).toBe(10);
    expect(r.engine.clientStarted(b)).toBe(10);
    expect(r.engine.started).toBe(20);
    expect(r.engine.started).toBe(sum(r.engine.outcomes()) + r.engine.inFlight);
  });

  it("stopAfterCompleted stops the scheduler at that completion", () => {
    const r = rig({ stopAfterCompleted: 5 });
    r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 100, serviceTime: constant(3) }, r.random.stream("app"));
    r.client(r.frontend("forward", ["10.244.0.2:8080"]));
    r.scheduler.runUntil(1000);
    expect(r.engine.outcomes().completed).toBe(5);
    expect(r.scheduler.now).toBe(8); // 5th request (t=5) completes at 8
  });

  it("conservation: started = sum(outcomes) + inFlight at every event", () => {
    const r = rig();
    const app = r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 2, queueLimit: 3, serviceTime: constant(7) }, r.random.stream("app"));
    const f = r.frontend("forward", ["10.244.0.2:8080"]);
    r.client(f, { interarrival: constant(1) });
    r.client(r.frontend("drop"), { interarrival: constant(3), connectTimeout: 20 });
    let checked = 0;
    while (r.scheduler.now < 200 && r.scheduler.step()) {
      if (r.scheduler.now >= 100 && r.scheduler.now < 101) r.engine.stopApplication(app, r.scheduler.now);
      expect(r.engine.started).toBe(sum(r.engine.outcomes()) + r.engine.inFlight);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
    const o = r.engine.outcomes();
    expect(o.completed).toBeGreaterThan(0);
    expect(o.dropped).toBeGreaterThan(0);
    expect(o.reset).toBeGreaterThan(0);
    expect(o.refused).toBeGreaterThan(0);
    expect(o.timedOut).toBeGreaterThan(0);
  });

  it("a resolver delays each request by its lookup time and ends failed lookups as dnsFailed (one outcome each)", () => {
    const r = rig();
    r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 100, serviceTime: constant(3) }, r.random.stream("app"));
    // Every 4th lookup fails after 8 ms (NXDOMAIN after a search walk), every 4th + 1 is a cache hit (no delay), the rest take 2 ms.
    let n = 0;
    const resolver = {
      delay: 0,
      lookup(): boolean {
        const k = n++ % 4;
        this.delay = k === 0 ? 8 : k === 1 ? 0 : 2;
        return k !== 0;
      },
    };
    const ends: string[] = [];
    r.engine.setRequestEndListener((outcome, start, end) => ends.push(`${outcome}@${start}+${end - start}`));
    r.client(r.frontend("forward", ["10.244.0.2:8080"]), { resolver, interarrival: constant(10) });
    r.scheduler.runUntil(45);
    expect(ends).toEqual(["dnsFailed@1+8", "completed@11+3", "completed@21+5", "completed@31+5"]);
    expect(r.engine.outcomes()).toEqual({ completed: 3, refused: 0, reset: 0, timedOut: 0, dropped: 0, dnsFailed: 1 });
    expect(r.engine.started).toBe(sum(r.engine.outcomes()) + r.engine.inFlight);
  });

  it("a failed lookup that took no time ends at once; results keep their shape without resolvers", () => {
    const r = rig();
    const f = r.frontend("forward", ["10.244.0.2:8080"]);
    expect(Object.keys(r.engine.outcomes())).toEqual(["completed", "refused", "reset", "timedOut", "dropped"]);
    r.client(f, { resolver: { delay: 0, lookup: () => false }, interarrival: constant(10) });
    r.scheduler.runUntil(25);
    expect(r.engine.outcomes()).toMatchObject({ dnsFailed: 3, completed: 0 });
    expect(r.engine.inFlight).toBe(0);
  });

  it("a direct resolver sends each request to the endpoint its lookup chose, bypassing kube-proxy", () => {
    const r = rig();
    const a = r.engine.startApplication("a", ["10.244.0.2:8080"], { concurrency: 100, serviceTime: constant(3) }, r.random.stream("a"));
    r.engine.startApplication("b", ["10.244.0.3:8080"], { concurrency: 100, serviceTime: constant(3) }, r.random.stream("b"));
    const ids = [r.addresses.id("10.244.0.2:8080"), r.addresses.id("10.244.0.3:8080")];
    let n = 0;
    const resolver = {
      delay: 1,
      direct: true,
      destination: -1,
      lookup(): boolean {
        this.destination = ids[n++ % 2];
        return true;
      },
    };
    // The frontend has no rule: without `direct` every request would time out.
    r.client(r.frontend("no-rule"), { resolver, interarrival: constant(10) });
    r.scheduler.runUntil(40);
    expect(r.engine.completedByAddress()).toEqual(new Map([["10.244.0.2:8080", 2], ["10.244.0.3:8080", 2]]));
    r.engine.stopApplication(a, r.scheduler.now);
    r.engine.releaseAddresses(["10.244.0.2:8080"]);
    r.scheduler.runUntil(2000); // requests k = 4..199 start at 1 + 10k; even k go to the gone pod
    r.engine.stopAllClients();
    r.scheduler.runUntil(4000);
    expect(r.engine.outcomes()).toEqual({ completed: 4 + 98, refused: 0, reset: 0, timedOut: 98, dropped: 0, dnsFailed: 0 });
    expect(() => r.client(r.frontend("no-rule"), { resolver, connections: { mode: "keep-alive" } })).toThrow("resolver: Invalid value: direct: endpoints from DNS are supported for per-request TCP clients only");
  });
});

describe("TrafficEngine: reverse proxies (setForwarder)", () => {
  // A proxy at 10.244.0.9:80 with 1 ms of its own work, upstreams api-0 and api-1 (10 ms).
  function proxyRig(statusOf: (client: number, n: number) => number, tries?: number) {
    const r = rig();
    const proxyApp = r.engine.startApplication("ingress/proxy-0", ["10.244.0.9:80"], { concurrency: 1, serviceTime: constant(1) }, r.random.stream("proxy"));
    const up0 = r.engine.startApplication("default/api-0", ["10.244.0.2:8080"], { concurrency: 1, serviceTime: constant(10) }, r.random.stream("a0"));
    const up1 = r.engine.startApplication("default/api-1", ["10.244.0.3:8080"], { concurrency: 1, serviceTime: constant(10) }, r.random.stream("a1"));
    const answers: [number, number, string][] = [];
    let n = 0;
    r.engine.setForwarder(
      proxyApp,
      {
        forward: (client) => statusOf(client, n++),
        answered: (client, status, upstream) => answers.push([client, status, upstream >= 0 ? r.addresses.name(upstream) : ""]),
      },
      tries,
    );
    return { r, proxyApp, up0, up1, answers };
  }
  const A0 = (r: Rig): number => r.addresses.id("10.244.0.2:8080");
  const A1 = (r: Rig): number => r.addresses.id("10.244.0.3:8080");

  it("round robin over two upstreams: each request costs the proxy's 1 ms plus the upstream's 10 ms, and the proxy is free during the upstream's work", () => {
    let rr = 0;
    let rigRef: Rig | undefined;
    const { r, answers } = proxyRig(() => (rr++ % 2 === 0 ? A0(rigRef as Rig) : A1(rigRef as Rig)));
    rigRef = r;
    const c = r.client(r.frontend("forward", ["10.244.0.9:80"]), { interarrival: constant(20) }); // t = 1, 21, 41, ...
    r.scheduler.runUntil(80);
    r.engine.stopClient(c);
    r.scheduler.runUntil(1000);
    expect(r.engine.outcomes()).toEqual({ completed: 4, refused: 0, reset: 0, timedOut: 0, dropped: 0 });
    expect(r.engine.latency.mean).toBe(11);
    expect(answers.map((a) => `${a[1]} ${a[2]}`)).toEqual(["200 10.244.0.2:8080", "200 10.244.0.3:8080", "200 10.244.0.2:8080", "200 10.244.0.3:8080"]);
    // The client's completions count at the proxy's address, the upstream's at the endpoints.
    expect([...r.engine.completedByAddress()]).toEqual([["10.244.0.2:8080", 2], ["10.244.0.3:8080", 2], ["10.244.0.9:80", 4]]);
  });

  it("a status the forwarder answers (404, 503) ends the request completed after the proxy's own time", () => {
    const { r, answers } = proxyRig((_c, n) => (n % 2 === 0 ? -404 : -503));
    const c = r.client(r.frontend("forward", ["10.244.0.9:80"]), { interarrival: constant(5) }); // t = 1, 6
    r.scheduler.runUntil(8);
    r.engine.stopClient(c);
    r.scheduler.runUntil(100);
    expect(r.engine.outcomes().completed).toBe(2);
    expect(r.engine.latency.mean).toBe(1);
    expect(answers.map((a) => a[1])).toEqual([404, 503]);
  });

  it("an answer given without trying an upstream names none, even in a request slot an upstream-served request used before", () => {
    let rigRef: Rig | undefined;
    // Request 1 goes to api-0 (200); request 2, in the freed slot, is answered 404 at once.
    const { r, answers } = proxyRig((_c, n) => (n === 0 ? A0(rigRef as Rig) : -404));
    rigRef = r;
    const c = r.client(r.frontend("forward", ["10.244.0.9:80"]), { interarrival: constant(20) }); // t = 1, 21
    r.scheduler.runUntil(30);
    r.engine.stopClient(c);
    r.scheduler.runUntil(100);
    expect(answers.map((a) => `${a[1]} ${a[2]}`)).toEqual(["200 10.244.0.2:8080", "404 "]);
  });

  it("refused upstreams are retried up to `tries`, then answered 502; a reset upstream is answered 502; a hung one ends timedOut (499)", () => {
    const { r, up0, up1, answers } = proxyRig((_c, n) => (n % 2 === 0 ? A0(rigOf) : A1(rigOf)), 2);
    const rigOf = r;
    r.engine.stopApplication(up0, 0); // api-0 refuses: every request goes on to api-1
    const c = r.client(r.frontend("forward", ["10.244.0.9:80"]), { interarrival: constant(20), connectTimeout: 100 });
    r.scheduler.runUntil(5); // request 1 at t=1: api-0 refused, api-1 serves it until t=12
    r.engine.stopApplication(up1, r.scheduler.now); // reset while api-1 serves it: 502
    r.scheduler.runUntil(30); // request 2 at t=21: both refuse: 502 after 2 tries
    r.engine.stopClient(c);
    r.scheduler.runUntil(1000);
    expect(answers.map((a) => a[1])).toEqual([502, 502]);
    expect(r.engine.outcomes()).toEqual({ completed: 2, refused: 0, reset: 0, timedOut: 0, dropped: 0 });

    const h = proxyRig(() => A0(h2));
    const h2 = h.r;
    h.r.engine.hangApplication(h.up0);
    const c2 = h.r.client(h.r.frontend("forward", ["10.244.0.9:80"]), { interarrival: constant(1000), connectTimeout: 100 });
    h.r.scheduler.runUntil(10);
    h.r.engine.stopClient(c2);
    h.r.scheduler.runUntil(1000);
    expect(h.r.engine.outcomes().timedOut).toBe(1);
    expect(h.answers.map((a) => a[1])).toEqual([499]);
  });

  it("every request ends as exactly one outcome and one answer (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2, max: 1 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 60 }), (script, stopAt) => {
        const p = proxyRig((_c, n) => {
          const v = script[n % script.length];
          return v === -2 ? -404 : v === -1 ? -503 : v === 0 ? A0(p.r) : A1(p.r);
        });
        const c = p.r.client(p.r.frontend("forward", ["10.244.0.9:80"]), { interarrival: constant(3), connectTimeout: 50 });
        p.r.scheduler.runUntil(stopAt);
        p.r.engine.stopApplication(p.up1, p.r.scheduler.now);
        p.r.scheduler.runUntil(90);
        p.r.engine.stopClient(c);
        p.r.scheduler.runUntil(10_000);
        const o = p.r.engine.outcomes();
        return p.r.engine.inFlight === 0 && sum(o) === p.r.engine.started && p.answers.length === p.r.engine.started;
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
