import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Callbacks, RandomSource, Scheduler, constant } from "@kube-netsim/core";
import type { Distribution, SimTime } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Container, Node, Pod, PodSpec } from "@kube-netsim/model";
import { Kubelets, readinessAfterStart } from "./kubelet.js";
import type { ContainerRuntime } from "./kubelet.js";
import type { KubeletEvent } from "./pod-lifecycle.js";
import { goSeconds } from "./pod-lifecycle.js";
import type { ProbeAnswer, ProbeKind } from "./prober.js";
import { resolveProbe } from "./prober.js";

/** A runtime whose application's health the test sets: `answer` from a given time on. */
class HealthRuntime implements ContainerRuntime {
  readonly log: string[] = [];
  readonly probes: { kind: ProbeKind; at: SimTime }[] = [];
  /** What probes get, as a function of time. */
  health: (now: SimTime) => ProbeAnswer = () => "success";
  /** The process ignores SIGTERM (SIGKILL ends it). */
  holdOnSigterm = false;
  startPod(pod: Pod, _ip: string, now: SimTime): void {
    this.log.push(`${now} start ${pod.metadata.name}`);
  }
  stopPod(pod: Pod, _ip: string, now: SimTime): void {
    this.log.push(`${now} stop ${pod.metadata.name}`);
  }
  terminatePod(pod: Pod, _ip: string, now: SimTime, exited: () => void): void {
    this.log.push(`${now} sigterm ${pod.metadata.name}`);
    exited();
  }
  startContainer(pod: Pod, _ip: string, now: SimTime): void {
    this.log.push(`${now} restart ${pod.metadata.name}`);
  }
  killContainer(pod: Pod, _ip: string, now: SimTime): void {
    this.log.push(`${now} kill ${pod.metadata.name}`);
  }
  terminateContainer(pod: Pod, _ip: string, now: SimTime, exited: () => void): void {
    this.log.push(`${now} sigterm-container ${pod.metadata.name}`);
    if (!this.holdOnSigterm) exited();
  }
  probe(_pod: Pod, _ip: string, kind: ProbeKind, now: SimTime): ProbeAnswer {
    this.probes.push({ kind, at: now });
    return this.health(now);
  }
}

const node: Node = {
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: "n1" },
  spec: { podCIDR: "10.244.1.0/24" },
  status: { addresses: [{ type: "InternalIP", address: "192.168.0.11" }] },
};

function mkPod(container: Partial<Container>, spec: Partial<PodSpec> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { nodeName: "n1", containers: [{ name: "app", ...container }], ...spec },
    status: { phase: "Pending" },
  };
}

function setup(pod: Pod, o: { restartDelay?: Distribution; readinessDelay?: Distribution } = {}) {
  const s = new Scheduler();
  const rng = new RandomSource(7);
  const store = new ObjectStore(s, { random: rng.stream("apiserver") });
  const runtime = new HealthRuntime();
  const events: KubeletEvent[] = [];
  const kubelets = new Kubelets(store, new Callbacks(s), runtime, {
    random: rng.fork("kubelet"),
    startDelay: constant(0),
    ...(o.readinessDelay ? { readinessDelay: o.readinessDelay } : {}),
    ...(o.restartDelay ? { restartDelay: o.restartDelay } : {}),
    onEvent: (e) => events.push(e),
  });
  store.create(node);
  store.create(pod);
  // Ready transitions and restarts, as the API server sees them.
  const readyAt: [SimTime, string][] = [];
  const restarts: SimTime[] = [];
  let lastReady: string | undefined;
  let lastRestarts = 0;
  store.watch("Pod", (e) => {
    const r = e.object.status?.conditions?.find((c) => c.type === "Ready")?.status;
    if (r !== undefined && r !== lastReady) readyAt.push([s.now, r]);
    lastReady = r;
    const n = e.object.status?.containerStatuses?.[0]?.restartCount ?? 0;
    if (n > lastRestarts) restarts.push(s.now);
    lastRestarts = n;
  });
  const get = (): Pod | undefined => store.get("Pod", "default", "p");
  return { s, store, runtime, kubelets, events, readyAt, restarts, get };
}

describe("probe defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe)", () => {
  it.each<[string, Record<string, number>, ReturnType<typeof resolveProbe>]>([
    ["empty", {}, { initialDelay: 0, period: 10_000, timeout: 1_000, successThreshold: 1, failureThreshold: 3, terminationGracePeriodSeconds: undefined }],
    ["zeros become defaults", { periodSeconds: 0, timeoutSeconds: 0, successThreshold: 0, failureThreshold: 0 }, { initialDelay: 0, period: 10_000, timeout: 1_000, successThreshold: 1, failureThreshold: 3, terminationGracePeriodSeconds: undefined }],
    ["all set", { initialDelaySeconds: 5, periodSeconds: 3, timeoutSeconds: 2, successThreshold: 2, failureThreshold: 4, terminationGracePeriodSeconds: 7 }, { initialDelay: 5_000, period: 3_000, timeout: 2_000, successThreshold: 2, failureThreshold: 4, terminationGracePeriodSeconds: 7 }],
  ])("%s", (_name, probe, want) => {
    expect(resolveProbe(probe)).toEqual(want);
  });
});

describe("readiness probe flips the Ready condition (worker.go thresholds)", () => {
  // The app answers until 25 s, then not (refused) until 62 s, then again.
  const sick = (now: SimTime): ProbeAnswer => (now >= 25_000 && now < 62_000 ? "refused" : "success");
  it.each<[string, Record<string, number>, [SimTime, string][]]>([
    // Probes at 0, 10, 20 (ok), 30, 40, 50 (3rd failure -> False), 60 (fail), 70 (ok -> True).
    ["defaults: period 10 s, failureThreshold 3, successThreshold 1", {}, [[0, "True"], [50_000, "False"], [70_000, "True"]]],
    ["failureThreshold 1: the first failure", { failureThreshold: 1 }, [[0, "True"], [30_000, "False"], [70_000, "True"]]],
    ["successThreshold 2: two successes in a row", { successThreshold: 2 }, [[0, "False"], [10_000, "True"], [50_000, "False"], [80_000, "True"]]],
    ["period 5 s, initialDelay 2 s", { periodSeconds: 5, initialDelaySeconds: 2 }, [[0, "False"], [2_000, "True"], [37_000, "False"], [62_000, "True"]]],
  ])("%s", (_name, probe, want) => {
    const t = setup(mkPod({ readinessProbe: probe }));
    t.runtime.health = sick;
    t.s.runUntil(100_000);
    expect(t.readyAt).toEqual(want);
    expect(t.events.filter((e) => e.reason === "Unhealthy").every((e) => e.message.startsWith("Readiness probe failed"))).toBe(true);
  });

  it("no answer counts as a failure when timeoutSeconds ends", () => {
    const t = setup(mkPod({ readinessProbe: { timeoutSeconds: 2 } }));
    t.runtime.health = (now) => (now >= 25_000 ? "no-answer" : "success");
    t.s.runUntil(60_000);
    // Probes at 30, 40, 50 get no answer; the third failure lands at 50 + 2 s.
    expect(t.readyAt).toEqual([[0, "True"], [52_000, "False"]]);
    expect(t.events.find((e) => e.reason === "Unhealthy")).toEqual({ at: 32_000, namespace: "default", pod: "p", reason: "Unhealthy", message: "Readiness probe failed: no answer within 2s" });
  });

  it("a probe waiting for its timeout blocks the worker: timeoutSeconds longer than periodSeconds skips ticks", () => {
    const t = setup(mkPod({ readinessProbe: { periodSeconds: 2, timeoutSeconds: 5 } }));
    t.runtime.health = (now) => (now >= 10_000 ? "no-answer" : "success");
    t.s.runUntil(40_000);
    // Probes at 10 (fails at 15), 16 (fails at 21), 22 (fails at 27: the third failure).
    expect(t.events.filter((e) => e.reason === "Unhealthy").map((e) => e.at)).toEqual([15_000, 21_000, 27_000, 33_000, 39_000]);
    expect(t.readyAt).toEqual([[0, "True"], [27_000, "False"]]);
  });

  it("after a restart the readiness probe runs at once (UpdatePodStatus's trigger), not at the next tick", () => {
    const t = setup(mkPod({ readinessProbe: { periodSeconds: 10 } }), { restartDelay: constant(0) });
    t.s.runUntil(15_000);
    t.kubelets.containerExited("default", "p");
    t.s.runUntil(15_001);
    expect(t.runtime.probes.map((p) => p.at)).toEqual([0, 10_000, 15_000]);
    expect(t.readyAt).toEqual([[0, "True"], [15_000, "False"], [15_000, "True"]]);
  });

  it("one timer per probe: 100 s of a pod with three probes is 10 probes of each kind past the startup", () => {
    const t = setup(mkPod({ readinessProbe: {}, livenessProbe: {}, startupProbe: {} }));
    t.s.runUntil(99_999);
    const count = (k: ProbeKind): number => t.runtime.probes.filter((p) => p.kind === k).length;
    // Startup passes at 0 s and then stops probing; readiness runs at once (manual trigger) and on every tick.
    expect([count("startup"), count("readiness"), count("liveness")]).toEqual([1, 11, 10]);
  });
});

describe("the prober agrees with the closed form readinessAfterStart (property)", () => {
  it("first Ready time for any probe timing and warm-up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 60_000 }),
        (initialDelaySeconds, periodSeconds, successThreshold, warm) => {
          const pod = mkPod({ readinessProbe: { initialDelaySeconds, periodSeconds, successThreshold } });
          const t = setup(pod);
          t.runtime.health = (now) => (now >= warm ? "success" : "refused");
          t.s.runUntil(200_000);
          const firstTrue = t.readyAt.find((r) => r[1] === "True")?.[0];
          expect(firstTrue).toBe(readinessAfterStart(pod, warm));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("startup probe gates the others", () => {
  it("readiness and liveness wait for the startup probe; readiness runs at once when it passes", () => {
    const t = setup(mkPod({ startupProbe: { periodSeconds: 5, failureThreshold: 30 }, readinessProbe: { periodSeconds: 10 }, livenessProbe: {} }));
    t.runtime.health = (now) => (now >= 12_000 ? "success" : "refused");
    t.s.runUntil(30_000);
    expect(t.runtime.probes.filter((p) => p.at < 15_000).map((p) => p.kind)).toEqual(["startup", "startup", "startup"]);
    // Startup ok at 15 s: the readiness probe runs at 15 s (triggered), Ready at once.
    expect(t.readyAt).toEqual([[0, "False"], [15_000, "True"]]);
    expect(t.get()?.status?.containerStatuses?.[0]).toMatchObject({ started: true, ready: true, restartCount: 0 });
  });

  it("a startup probe that keeps failing kills and restarts the container", () => {
    const t = setup(mkPod({ startupProbe: { periodSeconds: 10, failureThreshold: 3 } }, { terminationGracePeriodSeconds: 5 }));
    t.runtime.health = () => "refused";
    t.s.runUntil(21_000);
    expect(t.events.map((e) => `${e.at} ${e.reason}`)).toEqual(["0 Unhealthy", "10000 Unhealthy", "20000 Unhealthy", "20000 Killing", "20000 Started"]);
    expect(t.events.find((e) => e.reason === "Killing")?.message).toBe("Container app failed startup probe, will be restarted");
    expect(t.restarts).toEqual([20_000]);
  });
});

describe("liveness probe failure kills the container like a normal kill, then restarts it", () => {
  it("defaults: three failures 10 s apart; SIGTERM at once (no preStop); the exit restarts it at once the first time", () => {
    const t = setup(mkPod({ livenessProbe: {} }));
    t.runtime.health = (now) => (now >= 15_000 ? "no-answer" : "success");
    t.s.runUntil(45_000);
    // No answer at 20, 30, 40 s: each failure lands 1 s later; the third (41 s) kills.
    expect(t.events.filter((e) => e.reason === "Unhealthy").map((e) => e.at)).toEqual([21_000, 31_000, 41_000]);
    expect(t.runtime.log).toEqual(["0 start p", "41000 sigterm-container p", "41000 kill p", "41000 restart p"]);
    const cs = t.get()?.status?.containerStatuses?.[0];
    expect(cs).toMatchObject({ restartCount: 1, state: { running: { startedAt: 41_000 } }, lastState: { terminated: { exitCode: 143, reason: "Error", startedAt: 0, finishedAt: 41_000 } } });
  });

  it("preStop and the grace period: SIGTERM after the preStop sleep, SIGKILL when the probe's grace period ends", () => {
    const t = setup(mkPod({ livenessProbe: { failureThreshold: 1, terminationGracePeriodSeconds: 8 }, lifecycle: { preStop: { sleep: { seconds: 5 } } } }, { terminationGracePeriodSeconds: 60 }));
    t.runtime.health = (now) => (now >= 5_000 ? "refused" : "success");
    t.runtime.holdOnSigterm = true;
    t.s.runUntil(20_000);
    // Fails at the 10 s probe; preStop sleeps 5 s; SIGKILL at max(10 + 8, 15 + 2) s.
    expect(t.runtime.log).toEqual(["0 start p", "15000 sigterm-container p", "18000 kill p", "18000 restart p"]);
    expect(t.get()?.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(137);
  });

  it("a container killed by liveness again and again goes into CrashLoopBackOff (the back-off counts from the exit before)", () => {
    const t = setup(mkPod({ livenessProbe: { failureThreshold: 1, periodSeconds: 10 } }, { terminationGracePeriodSeconds: 0 }));
    t.runtime.health = () => "refused";
    t.s.runUntil(200_000);
    // Kills at 0 (restart at once: no exited container yet), 10 (the previous exit, 0, is 10 s back:
    // back-off 10 s over), 20 (previous exit 10 s back < 20 s back-off: wait until 10 + 20 = 30),
    // 40 (the next tick; previous exit 20 s back < 40 s: wait until 20 + 40 = 60).
    expect(t.restarts.slice(0, 4)).toEqual([0, 10_000, 30_000, 60_000]);
    expect(t.events.some((e) => e.reason === "BackOff")).toBe(true);
  });
});

describe("crashes and CrashLoopBackOff", () => {
  it("a process that exits 2 s after every start: restarts wait 0, 10, 20, 40, 80, 160, 300, 300 s after each exit", () => {
    const t = setup(mkPod({}), { restartDelay: constant(0) });
    const exits: SimTime[] = [];
    const crashSoon = (at: SimTime): void => {
      t.s.scheduleAt(at + 2_000, t.s.register({ handleEvent: () => {
        exits.push(t.s.now);
        t.kubelets.containerExited("default", "p");
      } }));
    };
    crashSoon(0);
    const origStart = t.runtime.startContainer.bind(t.runtime);
    t.runtime.startContainer = (pod, ip, now) => {
      origStart(pod, ip, now);
      crashSoon(now);
    };
    t.s.runUntil(1_500_000);
    const waits = t.restarts.slice(0, 8).map((r, i) => r - exits[i]);
    expect(waits).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it("during the back-off the container is waiting with reason CrashLoopBackOff and the pod is not Ready", () => {
    const t = setup(mkPod({}), { restartDelay: constant(0) });
    t.s.runUntil(1_000);
    expect(t.kubelets.containerExited("default", "p")).toBe(true); // first crash: restarted at once
    t.s.runUntil(2_000);
    t.kubelets.containerExited("default", "p"); // second: back-off 10 s
    const cs = t.get()?.status?.containerStatuses?.[0];
    expect(cs?.state?.waiting).toEqual({ reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container=app pod=p_default" });
    expect(cs?.lastState?.terminated).toEqual({ exitCode: 1, reason: "Error", startedAt: 1_000, finishedAt: 2_000 });
    // The first restart is immediate (restartDelay 0): the pod is never seen not ready then.
    t.s.runUntil(2_001);
    expect(t.readyAt).toEqual([[0, "True"], [2_000, "False"]]);
    t.s.runUntil(12_000);
    expect(t.readyAt.at(-1)).toEqual([12_000, "True"]);
    expect(t.get()?.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 2, ready: true, state: { running: { startedAt: 12_000 } } });
  });

  it("restartDelay is added after the back-off decision", () => {
    const t = setup(mkPod({}), { restartDelay: constant(1_000) });
    t.s.runUntil(1_000);
    t.kubelets.containerExited("default", "p");
    t.s.runUntil(5_000);
    expect(t.restarts).toEqual([2_000]);
    t.kubelets.containerExited("default", "p"); // at 5 s; back-off 10 s from the exit, then 1 s
    t.s.runUntil(20_000);
    expect(t.restarts).toEqual([2_000, 16_000]);
  });

  it.each<[string, "Never" | "OnFailure", string]>([
    ["Never: the pod is Failed", "Never", "Failed"],
    ["OnFailure: a crash (exit 1) is restarted", "OnFailure", "Running"],
  ])("restartPolicy %s", (_name, policy, phase) => {
    const t = setup(mkPod({}, { restartPolicy: policy }), { restartDelay: constant(0) });
    t.s.runUntil(1_000);
    t.kubelets.containerExited("default", "p");
    t.s.runUntil(2_000);
    expect(t.get()?.status?.phase).toBe(phase);
  });

  it("a pod deleted during its back-off is not restarted and goes away", () => {
    const t = setup(mkPod({}), { restartDelay: constant(0) });
    t.s.runUntil(1_000);
    t.kubelets.containerExited("default", "p");
    t.s.runUntil(1_500);
    t.kubelets.containerExited("default", "p");
    t.store.mutate("Pod", "default", "p", (p) => {
      p.metadata.deletionTimestamp = 1_500;
    });
    t.s.runUntil(60_000);
    expect(t.get()).toBeUndefined();
    expect(t.restarts).toEqual([1_000]);
  });

  it("containerExited on a pod that does not run here is refused", () => {
    const t = setup(mkPod({}));
    expect(t.kubelets.containerExited("default", "nope")).toBe(false);
  });
});

describe("goSeconds (Go time.Duration String)", () => {
  it.each<[number, string]>([
    [10_000, "10s"],
    [80_000, "1m20s"],
    [160_000, "2m40s"],
    [300_000, "5m0s"],
    [3_600_000, "1h0m0s"],
  ])("%d ms", (ms, want) => {
    expect(goSeconds(ms)).toBe(want);
  });
});
