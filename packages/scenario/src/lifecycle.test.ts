import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { constant, exponential } from "@kube-netsim/core";
import type { TraceRecord } from "@kube-netsim/core";
import type { Container, Deployment, PodSpec, Service } from "@kube-netsim/model";
import type { ConnectionPolicy, OutcomeCounts } from "@kube-netsim/traffic";
import { Simulation } from "./simulation.js";

// End-to-end pod lifecycle: probes as the kubelet runs them, applications that hang or
// crash, container restarts with the CrashLoopBackOff back-off, and what clients see.

function deployment(name: string, replicas: number, container: Partial<Container> = {}, spec: Partial<PodSpec> = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: `example/${name}:1.0`, ports: [{ name: "http", containerPort: 8080 }], ...container }], ...spec },
      },
    },
  };
}

function service(name: string): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } };
}

const total = (o: OutcomeCounts): number => o.completed + o.refused + o.reset + o.timedOut + o.dropped;
const minus = (a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts => ({
  completed: a.completed - b.completed,
  refused: a.refused - b.refused,
  reset: a.reset - b.reset,
  timedOut: a.timedOut - b.timedOut,
  dropped: a.dropped - b.dropped,
});

/** Endpoints each node's kube-proxy forwards Service `name` to. */
function programmed(sim: Simulation, name: string): number[] {
  const svc = sim.store.get("Service", "default", name);
  const address = `${svc?.spec.clusterIP}:80/TCP`;
  return sim.nodeNames.map((n) => sim.kubeProxy(n).frontend(address).endpoints.length);
}

describe("a liveness-failing pod is killed and restarted; clients see failures, then recovery", () => {
  it("hang -> timeouts; liveness kill -> resets; restart -> the pod serves again", () => {
    const sim = new Simulation({ seed: 11 });
    sim.apply([deployment("api", 3, { livenessProbe: { periodSeconds: 5, failureThreshold: 2 } }, { terminationGracePeriodSeconds: 5 }), service("api")]);
    sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
    sim.settle();
    sim.addClient({ name: "frontend", target: "http://api:80", rate: 300, connectTimeout: 3000 });
    sim.runFor(5_000);
    const before = sim.results().outcomes;
    expect(before.completed).toBe(total(before) - sim.results().inFlight);
    const victim = sim.pods({ app: "api" })[0];
    const address = `${victim.status?.podIP}:8080`;
    sim.hangPod(victim.metadata.name);
    const hungAt = sim.now;
    const servedBefore = sim.traffic.completedByAddress().get(address) ?? 0;
    sim.runFor(30_000);
    const during = minus(sim.results().outcomes, before);
    // Two liveness failures (probes 5 s apart, each failing 1 s after it is sent) kill the
    // container: requests stuck in the hang for longer than 3 s timed out, the rest were reset.
    expect(during.timedOut).toBeGreaterThan(0);
    expect(during.reset).toBeGreaterThan(0);
    const pod = sim.store.get("Pod", "default", victim.metadata.name);
    expect(pod?.status?.containerStatuses?.[0]?.restartCount).toBe(1);
    const killedAt = pod?.status?.containerStatuses?.[0]?.lastState?.terminated?.finishedAt ?? 0;
    expect(killedAt - hungAt).toBeGreaterThan(5_000);
    expect(killedAt - hungAt).toBeLessThanOrEqual(11_000);
    // After the restart the same pod IP serves again, and the Service is whole.
    expect(sim.traffic.completedByAddress().get(address) ?? 0).toBeGreaterThan(servedBefore + 1000);
    expect(programmed(sim, "api")).toEqual([3, 3, 3]);
    const tail = sim.results().outcomes;
    sim.runFor(10_000);
    const after = minus(sim.results().outcomes, tail);
    expect(after.completed).toBeGreaterThan(2_800);
    expect(after.timedOut + after.reset + after.refused + after.dropped).toBe(0);
  });
});

describe("readiness failing removes the endpoint from every node's kube-proxy, and it comes back", () => {
  it("within the watch, EndpointSlice and kube-proxy sync delays (minSyncPeriod 1 s)", () => {
    const sim = new Simulation({ seed: 5 });
    sim.apply([deployment("api", 3, { readinessProbe: { periodSeconds: 5, failureThreshold: 1 } }), service("api")]);
    sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
    sim.settle();
    expect(programmed(sim, "api")).toEqual([3, 3, 3]);
    const victim = sim.pods({ app: "api" })[1].metadata.name;
    sim.hangPod(victim, "default", { duration: 20_000 });
    // Record when the Ready condition flips and when each node's programmed count changes.
    const readyFlips: [number, string][] = [];
    sim.store.watch("Pod", (e) => {
      if (e.object.metadata.name !== victim) return;
      const r = e.object.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "";
      if (readyFlips.length === 0 || readyFlips[readyFlips.length - 1][1] !== r) readyFlips.push([sim.now, r]);
    }, { initialList: false });
    const changes: { at: number; counts: number[] }[] = [];
    let last = programmed(sim, "api");
    const start = sim.now;
    while (sim.now < start + 40_000) {
      sim.runFor(10);
      const c = programmed(sim, "api");
      if (c.join() !== last.join()) changes.push({ at: sim.now, counts: c });
      last = c;
    }
    expect(readyFlips.map((f) => f[1])).toEqual(["False", "True"]);
    const [notReadyAt, readyAgainAt] = readyFlips.map((f) => f[0]);
    // The probe that finds the hang fails when its 1 s timeout ends; the one after the stall succeeds.
    expect(notReadyAt - start).toBeLessThanOrEqual(5_000 + 1_000);
    expect(readyAgainAt - start).toBeGreaterThanOrEqual(20_000);
    expect(readyAgainAt - start).toBeLessThanOrEqual(25_000);
    // Every node drops the endpoint once, then takes it back; each within 1.1 s of the flip
    // (watch 5 ms + EndpointSlice sync 10 ms + watch 5 ms + the next kube-proxy sync).
    const dropped = changes.filter((c) => c.at < readyAgainAt);
    const back = changes.filter((c) => c.at >= readyAgainAt);
    expect(dropped.at(-1)?.counts).toEqual([2, 2, 2]);
    expect(back.at(-1)?.counts).toEqual([3, 3, 3]);
    for (const c of dropped) expect(c.at - notReadyAt).toBeLessThanOrEqual(1_100);
    for (const c of back) expect(c.at - readyAgainAt).toBeLessThanOrEqual(1_100);
  });
});

describe("a crash-looping pod's restarts follow the kubelet's back-off", () => {
  it("exits 2 s after every start: restarts 1 s (containerRestartDelay) after 0, 10, 20, 40, 80, 160, 300, 300 s of back-off", () => {
    const sim = new Simulation({ seed: 3, keepTrace: 100_000 });
    sim.apply([deployment("crashy", 1), service("crashy")]);
    sim.setApplication({ app: "crashy" }, { serviceTime: constant(1), crashAfter: constant(2_000) });
    sim.runFor(20 * 60_000);
    const recs = sim.trace.records();
    const at = (kind: string): number[] => recs.filter((r: TraceRecord) => r.kind === kind).map((r) => r.time);
    const exits = at("app.crash");
    const restarts = at("kubelet.Started");
    const waits = restarts.slice(0, 8).map((r, i) => r - exits[i]);
    expect(waits).toEqual([0, 10, 20, 40, 80, 160, 300, 300].map((s) => s * 1000 + 1000));
    // Each instance runs exactly 2 s before it crashes again.
    expect(exits.slice(1, 8).map((e, i) => e - restarts[i])).toEqual(Array(7).fill(2_000));
    const pod = sim.pods({ app: "crashy" })[0];
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(restarts.length);
    // Every exit but the first finds the container in back-off.
    expect(at("kubelet.BackOff").length).toBe(exits.length - 1);
  });

  it("the timeline shows the pod as CrashLoopBackOff while it waits, Running while it runs", () => {
    const sim = new Simulation({ seed: 4 });
    sim.apply([deployment("crashy", 1), service("crashy")]);
    sim.setApplication({ app: "crashy" }, { serviceTime: constant(1), crashAfter: constant(2_000) });
    const tl = sim.timeline({ service: "crashy", bucket: 1_000 });
    sim.runFor(60_000);
    tl.stop();
    const states = tl.buckets().map((b) => Object.keys(b.pods).join());
    // Samples at the end of each second. Start just after 1 s (podStartDelay plus watch delays), crash
    // just after 3 s, restart 1 s later (its status says terminated: phase Running), crash just
    // after 6 s, back-off 10 s + 1 s: running again just after 17 s.
    expect(states.slice(0, 19)).toEqual([
      "Pending", "Running", "Running", "Running", "Running", "Running",
      ...Array(11).fill("CrashLoopBackOff"),
      "Running", "Running",
    ]);
  });

  it("crashPod: one crash of a healthy pod is restarted at once (+1 s); clients see resets and refusals, then nothing", () => {
    const sim = new Simulation({ seed: 8 });
    sim.apply([deployment("api", 2), service("api")]);
    sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(50) });
    sim.settle();
    sim.addClient({ name: "c", target: "api:80", rate: 200, connections: { mode: "keep-alive", poolSize: 4 } });
    sim.runFor(3_000);
    const before = sim.results().outcomes;
    const name = sim.pods({ app: "api" })[0].metadata.name;
    sim.crashPod(name);
    sim.runFor(5_000);
    const d = minus(sim.results().outcomes, before);
    expect(d.reset).toBeGreaterThan(0); // the requests it held
    expect(sim.restartCount(name)).toBe(1);
    expect(sim.store.get("Pod", "default", name)?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(() => sim.crashPod("nope")).toThrow('crashPod: pods "nope" not found');
    expect(() => sim.hangPod(name, "default", { duration: 0 })).toThrow("hangPod: duration: Invalid value: 0");
    sim.crashPod(name); // a second crash: now in CrashLoopBackOff, nothing runs to crash or hang
    expect(() => sim.crashPod(name)).toThrow(`crashPod: pods "${name}": its containers are not running`);
    expect(() => sim.hangPod(name)).toThrow(`hangPod: pods "${name}": its containers are not running`);
  });

  it("application model fields are validated with their field paths", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.setApplication({ app: "x" }, { serviceTime: constant(1), crashAfter: 5 as never })).toThrow("setApplication: application.crashAfter: Invalid value: 5: must be a Distribution (e.g. constant(30000))");
    expect(() => sim.setApplication({ app: "x" }, { serviceTime: constant(1), warmUp: {} as never })).toThrow("setApplication: application.warmUp: Invalid value: {}");
  });

  it("warmUp: the port opens late, so a readiness probe holds the pod out of the Service until then", () => {
    const sim = new Simulation({ seed: 2 });
    sim.apply([deployment("api", 1, { readinessProbe: { periodSeconds: 2 } }), service("api")]);
    sim.setApplication({ app: "api" }, { serviceTime: constant(1), warmUp: constant(7_000) });
    sim.settle();
    const pod = sim.pods({ app: "api" })[0];
    const started = pod.status?.startTime ?? 0;
    const ready = pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime ?? 0;
    // Probes every 2 s from the start: refused at 0, 2, 4, 6 s; answered at 8 s.
    expect(ready - started).toBe(8_000);
  });
});

describe("request conservation with crashes and hangs (property)", () => {
  type Action = { readonly at: number; readonly kind: "crash" | "hang" | "hangFor" | "delete"; readonly n: number };
  const action: fc.Arbitrary<Action> = fc.record({
    at: fc.integer({ min: 0, max: 8000 }),
    kind: fc.constantFrom("crash" as const, "hang" as const, "hangFor" as const, "delete" as const),
    n: fc.integer({ min: 0, max: 5 }),
  });
  const policy: fc.Arbitrary<ConnectionPolicy> = fc.constantFrom<ConnectionPolicy>(
    { mode: "per-request" },
    { mode: "keep-alive", poolSize: 3 },
    { mode: "multiplexed" },
  );

  it("every request ends in exactly one outcome: started = sum(outcomes) + inFlight, inFlight = 0 after drain", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 20, max: 300 }),
        fc.array(action, { maxLength: 6 }),
        policy,
        fc.boolean(),
        fc.integer({ min: 0, max: 1_000_000 }),
        (replicas, rate, actions, connections, misbehave, seed) => {
          const sim = new Simulation({ seed });
          sim.apply([deployment("api", replicas, { livenessProbe: { periodSeconds: 2, failureThreshold: 1 }, readinessProbe: { periodSeconds: 1 } }, { terminationGracePeriodSeconds: 3 }), service("api")]);
          sim.setApplication(
            { app: "api" },
            {
              concurrency: 2,
              queueLimit: 20,
              serviceTime: exponential(10),
              onSigterm: seed % 2 === 0 ? "drain" : "exit",
              ...(misbehave ? { crashAfter: exponential(4_000), hangAfter: exponential(6_000) } : {}),
            },
          );
          sim.runFor(5_000);
          const t0 = sim.now;
          sim.addClient({ name: "c", target: "api:80", rate, connections, connectTimeout: 500 });
          actions.forEach((a) =>
            sim.at(t0 + a.at, (s) => {
              const live = s.pods({ app: "api" }).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase === "Running");
              if (live.length === 0) return;
              const name = live[a.n % live.length].metadata.name;
              try {
                if (a.kind === "crash") s.crashPod(name);
                else if (a.kind === "hang") s.hangPod(name);
                else if (a.kind === "hangFor") s.hangPod(name, "default", { duration: 1_500 });
                else s.deletePod(name);
              } catch (e) {
                // A pod between containers (CrashLoopBackOff) has no process to crash or hang.
                expect(String(e)).toMatch(/not running/);
              }
            }),
          );
          for (let t = 1000; t <= 12_000; t += 1000) {
            sim.runUntil(t0 + t);
            const r = sim.results();
            expect(r.started).toBe(total(r.outcomes) + r.inFlight);
          }
          sim.drain();
          const r = sim.results();
          expect(r.inFlight).toBe(0);
          expect(r.started).toBe(total(r.outcomes));
          expect(r.latency.count).toBe(r.outcomes.completed);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("the same seed gives the same digest with crashes, hangs and restarts", () => {
    const run = (): string => {
      const sim = new Simulation({ seed: 99 });
      sim.apply([deployment("api", 3, { livenessProbe: { periodSeconds: 3, failureThreshold: 1 } }), service("api")]);
      sim.setApplication({ app: "api" }, { serviceTime: exponential(5), crashAfter: exponential(5_000), hangAfter: exponential(7_000) });
      sim.runFor(3_000);
      sim.addClient({ name: "c", target: "api:80", rate: 100 });
      sim.runFor(30_000);
      sim.drain();
      return sim.results().digest;
    };
    expect(run()).toBe(run());
  });
});

describe("a node whose pod CIDR is full (host-local IPAM)", () => {
  it("pods beyond its addresses stay Pending with FailedCreatePodSandBox, retried every 10 s, and start once addresses free up", () => {
    // One node with a /28 pod CIDR: host-local hands out .2-.14, 13 addresses.
    const sim = new Simulation({ seed: 5, nodes: 1, nodeCIDRMaskSize: 28, keepTrace: 100_000 });
    sim.apply([deployment("api", 16), service("api")]);
    sim.runFor(15_000);
    const phases = (): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const p of sim.pods({ app: "api" })) out[p.status?.phase ?? "Pending"] = (out[p.status?.phase ?? "Pending"] ?? 0) + 1;
      return out;
    };
    expect(phases()).toEqual({ Running: 13, Pending: 3 });
    const failed = sim.trace.records().filter((r: TraceRecord) => r.kind === "kubelet.FailedCreatePodSandBox");
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(String(failed[0].fields.message)).toBe(
      'Failed to create pod sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.244.0.2-10.244.0.14',
    );
    // Each waiting pod tries again 10 s after its last failure.
    const byPod = new Map<string, number[]>();
    for (const r of failed) {
      const name = String(r.fields.name);
      byPod.set(name, [...(byPod.get(name) ?? []), r.time]);
    }
    for (const times of byPod.values()) for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(10_000);
    // A client process on the full node needs an address too: refused with the reason.
    expect(() => sim.addClient({ name: "c", target: "http://api:80", rate: 1, node: "node-1" })).toThrow(
      'node: Invalid value: "node-1": no free address in its pod CIDR 10.244.0.0/28 (10.244.0.2-10.244.0.14); use a larger nodeCIDRMaskSize or another node',
    );
    // Scale down to 10: the ReplicaSet deletes the Pending pods first (they are not running),
    // so the 10 left all run.
    sim.scale("api", 10);
    sim.runFor(60_000);
    expect(phases()).toEqual({ Running: 10 });
    // Scale to 13: the new pods get the freed addresses at once.
    sim.scale("api", 13);
    sim.runFor(15_000);
    expect(phases()).toEqual({ Running: 13 });
  });
});
