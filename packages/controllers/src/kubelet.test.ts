import { describe, it, expect } from "vitest";
import { Callbacks, RandomSource, Scheduler, constant, exponential } from "@kube-netsim/core";
import type { Distribution, SimTime } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Container, Node, Pod } from "@kube-netsim/model";
import { Kubelets, preStopSeconds, readinessAfterStart } from "./kubelet.js";
import type { ContainerRuntime } from "./kubelet.js";

interface RuntimeCall {
  readonly op: "start" | "stop" | "sigterm";
  readonly pod: string;
  readonly ip: string;
  readonly now: SimTime;
}

class FakeRuntime implements ContainerRuntime {
  readonly calls: RuntimeCall[] = [];
  startPod(pod: Pod, podIP: string, now: SimTime): void {
    this.calls.push({ op: "start", pod: pod.metadata.name, ip: podIP, now });
  }
  stopPod(pod: Pod, podIP: string, now: SimTime): void {
    this.calls.push({ op: "stop", pod: pod.metadata.name, ip: podIP, now });
  }
  /** The application exits at once on SIGTERM unless `holdOnSigterm` is set. */
  holdOnSigterm = false;
  readonly exits: (() => void)[] = [];
  terminatePod(pod: Pod, podIP: string, now: SimTime, exited: () => void): void {
    this.calls.push({ op: "sigterm", pod: pod.metadata.name, ip: podIP, now });
    if (this.holdOnSigterm) this.exits.push(exited);
    else exited();
  }
}

function mkNode(name: string, podCIDR?: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    spec: podCIDR !== undefined ? { podCIDR } : {},
    status: { addresses: [{ type: "InternalIP", address: "192.168.0.11" }] },
  };
}

function mkPod(name: string, nodeName?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "c" }], ...(nodeName !== undefined ? { nodeName } : {}) },
    status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: 0 }] },
  };
}

interface Setup {
  readonly s: Scheduler;
  readonly store: ObjectStore;
  readonly runtime: FakeRuntime;
  readonly kubelets: Kubelets;
}

function setup(o: { startDelay?: Distribution; readinessDelay?: Distribution; seed?: number } = {}): Setup {
  const s = new Scheduler();
  const rng = new RandomSource(o.seed ?? 1);
  const store = new ObjectStore(s, { random: rng.stream("apiserver") });
  const runtime = new FakeRuntime();
  const kubelets = new Kubelets(store, new Callbacks(s), runtime, {
    random: rng.fork("kubelet"),
    ...(o.startDelay !== undefined ? { startDelay: o.startDelay } : {}),
    ...(o.readinessDelay !== undefined ? { readinessDelay: o.readinessDelay } : {}),
  });
  return { s, store, runtime, kubelets };
}

const ready = (p: Pod | undefined): string | undefined => p?.status?.conditions?.find((c) => c.type === "Ready")?.status;

describe("Kubelets: pod start", () => {
  it("gives a bound pod IP .2 of its node's podCIDR after startDelay, phase Running, then Ready=True after readinessDelay", () => {
    const { s, store, runtime, kubelets } = setup({ startDelay: constant(1000), readinessDelay: constant(500) });
    store.create(mkNode("n1", "10.244.1.0/24"));
    store.create(mkPod("p", "n1"));

    s.runUntil(999);
    expect(store.get("Pod", "default", "p")?.status?.podIP).toBeUndefined();
    expect(runtime.calls).toEqual([]);

    s.runUntil(1000);
    const running = store.get("Pod", "default", "p");
    expect(running?.status).toEqual({
      phase: "Running",
      podIP: "10.244.1.2",
      podIPs: [{ ip: "10.244.1.2" }],
      hostIP: "192.168.0.11",
      startTime: 1000,
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: 0 },
        { type: "Ready", status: "False", lastTransitionTime: 1000 },
      ],
      containerStatuses: [{ name: "c", ready: false, started: true, restartCount: 0, state: { running: { startedAt: 1000 } } }],
    });
    expect(runtime.calls).toEqual([{ op: "start", pod: "p", ip: "10.244.1.2", now: 1000 }]);
    expect(kubelets.podIP("default/p")).toBe("10.244.1.2");

    s.runUntil(1499);
    expect(ready(store.get("Pod", "default", "p"))).toBe("False");
    s.runUntil(1500);
    const r = store.get("Pod", "default", "p");
    expect(r?.status?.conditions?.find((c) => c.type === "Ready")).toEqual({ type: "Ready", status: "True", lastTransitionTime: 1500 });
    expect(r?.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0 });
    expect(r?.status?.phase).toBe("Running");
  });

  it("ignores a pod until it is bound, then starts it startDelay after the binding", () => {
    const { s, store, runtime } = setup({ startDelay: constant(300) });
    store.create(mkNode("n1", "10.244.1.0/24"));
    store.create(mkPod("p"));
    s.runUntil(1000);
    expect(runtime.calls).toEqual([]);
    store.mutate("Pod", "default", "p", (d) => {
      d.spec.nodeName = "n1";
    });
    s.run();
    expect(runtime.calls).toEqual([{ op: "start", pod: "p", ip: "10.244.1.2", now: 1300 }]);
    expect(store.get("Pod", "default", "p")?.status?.startTime).toBe(1300);
  });

  it("draws each pod's delays from its own stream: adding a pod does not move another's start", () => {
    const startOf = (withOther: boolean): number | undefined => {
      const { s, store } = setup({ startDelay: exponential(1000), readinessDelay: exponential(200), seed: 7 });
      store.create(mkNode("n1", "10.244.1.0/24"));
      if (withOther) store.create(mkPod("other", "n1"));
      store.create(mkPod("p", "n1"));
      s.run();
      return store.get("Pod", "default", "p")?.status?.startTime;
    };
    const alone = startOf(false);
    expect(alone).toBeGreaterThan(0);
    expect(startOf(true)).toBe(alone);
  });
});

describe("Kubelets: host-local IPAM (containernetworking/plugins host-local allocator)", () => {
  it("hands out .2, .3, ... round-robin from the last one, skips addresses in use, reuses a freed one only after wrapping", () => {
    const { s, store, runtime, kubelets } = setup();
    // /28: .0 network, .1 gateway (bridge), .15 broadcast: .2 .. .14 are allocatable (13).
    store.create(mkNode("n1", "10.244.2.0/28"));
    for (const name of ["p1", "p2", "p3"]) store.create(mkPod(name, "n1"));
    s.run();
    expect(["p1", "p2", "p3"].map((n) => store.get("Pod", "default", n)?.status?.podIP)).toEqual(["10.244.2.2", "10.244.2.3", "10.244.2.4"]);

    // Free .2: the next pod still gets .5 (round-robin from the last reserved address).
    store.mutate("Pod", "default", "p1", (d) => {
      d.metadata.deletionTimestamp = s.now;
    });
    s.run();
    store.create(mkPod("p4", "n1"));
    s.run();
    expect(store.get("Pod", "default", "p4")?.status?.podIP).toBe("10.244.2.5");

    const reserved: string[] = [];
    for (let i = 0; i < 9; i++) reserved.push(kubelets.reserveIP("n1"));
    expect(reserved).toEqual(["10.244.2.6", "10.244.2.7", "10.244.2.8", "10.244.2.9", "10.244.2.10", "10.244.2.11", "10.244.2.12", "10.244.2.13", "10.244.2.14"]);
    // Past .14 the range wraps to the start: .2, freed above, is taken again; .15 (broadcast) never is.
    expect(kubelets.reserveIP("n1")).toBe("10.244.2.2");
    // .3 and .4 are still in use, and so is everything else: the range is full.
    expect(() => kubelets.reserveIP("n1")).toThrow(/no free address in its pod CIDR 10\.244\.2\.0\/28 \(10\.244\.2\.2-10\.244\.2\.14\)/);
    expect(runtime.calls.filter((c) => c.op === "start").map((c) => c.ip)).toEqual(["10.244.2.2", "10.244.2.3", "10.244.2.4", "10.244.2.5"]);
  });

  it("after wrapping, skips the addresses still in use", () => {
    const { s, store, kubelets } = setup();
    // /29: .2 .. .6 allocatable.
    store.create(mkNode("n1", "10.244.3.0/29"));
    for (const name of ["a", "b", "c", "d", "e"]) store.create(mkPod(name, "n1"));
    s.run();
    // Free .4 (c): it is the only free address, found after wrapping past .2 and .3.
    store.mutate("Pod", "default", "c", (d) => {
      d.metadata.deletionTimestamp = s.now;
    });
    s.run();
    expect(kubelets.reserveIP("n1")).toBe("10.244.3.4");
  });

  it("keeps one allocator per node", () => {
    const { s, store } = setup();
    store.create(mkNode("n1", "10.244.1.0/24"));
    store.create(mkNode("n2", "10.244.2.0/24"));
    store.create(mkPod("a", "n1"));
    store.create(mkPod("b", "n2"));
    store.create(mkPod("c", "n1"));
    s.run();
    expect(["a", "b", "c"].map((n) => store.get("Pod", "default", n)?.status?.podIP)).toEqual(["10.244.1.2", "10.244.2.2", "10.244.1.3"]);
  });

  it("refuses a node without spec.podCIDR with an error naming the field", () => {
    const { s, store, kubelets } = setup();
    store.create(mkNode("bare"));
    expect(() => kubelets.reserveIP("bare")).toThrow(/spec\.podCIDR: Required value/);
    store.create(mkPod("p", "bare"));
    expect(() => s.run()).toThrow(/Node "bare": spec\.podCIDR/);
  });

  it("refuses an unknown node", () => {
    const { kubelets } = setup();
    expect(() => kubelets.reserveIP("nope")).toThrow(/Not found: "nope"/);
  });
});

describe("Kubelets: pod deletion", () => {
  it("on deletionTimestamp stops the containers (runtime.stopPod) and deletes the pod object", () => {
    const { s, store, runtime, kubelets } = setup({ startDelay: constant(100) });
    store.create(mkNode("n1", "10.244.1.0/24"));
    store.create(mkPod("p", "n1"));
    s.run();
    s.runUntil(5000);
    store.mutate("Pod", "default", "p", (d) => {
      d.metadata.deletionTimestamp = 5000;
    });
    s.run();
    expect(runtime.calls).toEqual([
      { op: "start", pod: "p", ip: "10.244.1.2", now: 100 },
      { op: "sigterm", pod: "p", ip: "10.244.1.2", now: 5000 },
      { op: "stop", pod: "p", ip: "10.244.1.2", now: 5000 },
    ]);
    expect(store.get("Pod", "default", "p")).toBeUndefined();
    expect(kubelets.podIP("default/p")).toBeUndefined();
  });

  it("runs the preStop sleep first, then SIGTERM; SIGKILL when the grace period ends (at least 2 s after SIGTERM)", () => {
    const { s, store, runtime } = setup({ startDelay: constant(0) });
    runtime.holdOnSigterm = true; // the application never exits by itself
    store.create(mkNode("n1", "10.244.1.0/24"));
    const base = mkPod("p", "n1");
    store.create({
      ...base,
      spec: { ...base.spec, terminationGracePeriodSeconds: 30, containers: [{ name: "c", lifecycle: { preStop: { sleep: { seconds: 5 } } } }] },
    });
    s.runUntil(1000);
    store.mutate("Pod", "default", "p", (d) => {
      d.metadata.deletionTimestamp = 1000;
    });
    s.runUntil(5999);
    expect(runtime.calls.map((c) => c.op)).toEqual(["start"]); // the hook is still sleeping; the pod still serves
    s.runUntil(6000);
    expect(runtime.calls.at(-1)).toEqual({ op: "sigterm", pod: "p", ip: "10.244.1.2", now: 6000 });
    s.runUntil(30_999);
    expect(store.get("Pod", "default", "p")?.metadata.deletionTimestamp).toBe(1000);
    s.runUntil(31_000); // 30 s after the deletion: SIGKILL
    expect(runtime.calls.at(-1)).toEqual({ op: "stop", pod: "p", ip: "10.244.1.2", now: 31_000 });
    expect(store.get("Pod", "default", "p")).toBeUndefined();
  });

  it("a preStop hook longer than the grace period still leaves 2 s between SIGTERM and SIGKILL", () => {
    const { s, store, runtime } = setup({ startDelay: constant(0) });
    runtime.holdOnSigterm = true;
    store.create(mkNode("n1", "10.244.1.0/24"));
    const base = mkPod("p", "n1");
    store.create({
      ...base,
      spec: { ...base.spec, terminationGracePeriodSeconds: 10, containers: [{ name: "c", lifecycle: { preStop: { sleep: { seconds: 60 } } } }] },
    });
    s.runUntil(1000);
    store.mutate("Pod", "default", "p", (d) => {
      d.metadata.deletionTimestamp = 1000;
    });
    s.run();
    const ops = runtime.calls.filter((c) => c.op !== "start").map((c) => [c.op, c.now]);
    expect(ops).toEqual([
      ["sigterm", 11_000],
      ["stop", 13_000],
    ]);
  });

  it("an application that exits on SIGTERM ends the pod before the grace period", () => {
    const { s, store, runtime } = setup({ startDelay: constant(0) });
    runtime.holdOnSigterm = true;
    store.create(mkNode("n1", "10.244.1.0/24"));
    store.create(mkPod("p", "n1"));
    s.runUntil(1000);
    store.mutate("Pod", "default", "p", (d) => {
      d.metadata.deletionTimestamp = 1000;
    });
    s.runUntil(4000);
    expect(runtime.exits).toHaveLength(1);
    runtime.exits[0](); // it finished draining at 4 s
    expect(runtime.calls.at(-1)).toEqual({ op: "stop", pod: "p", ip: "10.244.1.2", now: 4000 });
    expect(store.get("Pod", "default", "p")).toBeUndefined();
  });

  it("deletes a pod marked for deletion before it started, without ever starting it", () => {
    const { s, store, runtime } = setup({ startDelay: constant(1000) });
    store.create(mkNode("n1", "10.244.1.0/24"));
    store.create(mkPod("p", "n1"));
    s.runUntil(500);
    store.mutate("Pod", "default", "p", (d) => {
      d.metadata.deletionTimestamp = 500;
    });
    s.run();
    expect(store.get("Pod", "default", "p")).toBeUndefined();
    expect(runtime.calls).toEqual([]);
    // Its address was never taken: the next pod gets .2.
    store.create(mkPod("q", "n1"));
    s.run();
    expect(store.get("Pod", "default", "q")?.status?.podIP).toBe("10.244.1.2");
  });

  it("stops the containers of a pod deleted outright (no graceful deletion) and frees its address", () => {
    const { s, store, runtime, kubelets } = setup();
    store.create(mkNode("n1", "10.244.3.0/30")); // a single allocatable address: .2
    store.create(mkPod("p", "n1"));
    s.run();
    expect(() => kubelets.reserveIP("n1")).toThrow(/no free address/);
    store.delete("Pod", "default", "p");
    s.run();
    expect(runtime.calls.map((c) => `${c.op} ${c.pod} ${c.ip}`)).toEqual(["start p 10.244.3.2", "stop p 10.244.3.2"]);
    expect(kubelets.reserveIP("n1")).toBe("10.244.3.2");
  });

  it("does not let a deleted pod's pending readiness make a new pod of the same name Ready early", () => {
    const { s, store } = setup({ startDelay: constant(0), readinessDelay: constant(1000) });
    store.create(mkNode("n1", "10.244.1.0/24"));
    store.create(mkPod("p", "n1"));
    s.runUntil(10);
    store.delete("Pod", "default", "p");
    store.create(mkPod("p", "n1"));
    s.runUntil(1000);
    const again = store.get("Pod", "default", "p");
    expect(again?.status?.podIP).toBe("10.244.1.3");
    expect(ready(again)).toBe("False");
    s.runUntil(1010);
    expect(ready(store.get("Pod", "default", "p"))).toBe("True");
  });
});

describe("readinessAfterStart (readiness probe timing, pkg/kubelet/prober/worker.go)", () => {
  const withProbe = (probe: Record<string, number> | undefined): Pod => ({
    ...mkPod("p", "n1"),
    spec: { containers: [{ name: "c", ...(probe ? { readinessProbe: probe } : {}) }] },
  });
  it.each<{ name: string; probe: Record<string, number> | undefined; warm: number; want: number }>([
    { name: "no probe: ready when warm", probe: undefined, warm: 1234, want: 1234 },
    { name: "defaults: first probe at 0 s, then every 10 s", probe: {}, warm: 12_000, want: 20_000 },
    { name: "warm before the first probe: ready at initialDelaySeconds", probe: { initialDelaySeconds: 5 }, warm: 0, want: 5_000 },
    { name: "initialDelay 5, period 10, warm at 12 s: probes at 5 (fail) and 15 (ok)", probe: { initialDelaySeconds: 5, periodSeconds: 10 }, warm: 12_000, want: 15_000 },
    { name: "warm exactly at a probe", probe: { initialDelaySeconds: 5, periodSeconds: 10 }, warm: 15_000, want: 15_000 },
    { name: "successThreshold 3 needs two more periods", probe: { initialDelaySeconds: 5, periodSeconds: 10, successThreshold: 3 }, warm: 12_000, want: 35_000 },
  ])("$name", ({ probe, warm, want }) => {
    expect(readinessAfterStart(withProbe(probe), warm)).toBe(want);
  });
});

describe("preStopSeconds (pkg/kubelet/lifecycle/handlers.go: sleep action, exec hooks)", () => {
  it.each<{ name: string; preStop: Record<string, unknown> | undefined; want: number | undefined }>([
    { name: "no hook", preStop: undefined, want: 0 },
    { name: "sleep action", preStop: { sleep: { seconds: 15 } }, want: 15 },
    { name: "exec sleep", preStop: { exec: { command: ["sleep", "15"] } }, want: 15 },
    { name: "exec /bin/sleep", preStop: { exec: { command: ["/bin/sleep", "5"] } }, want: 5 },
    { name: "exec sh -c sleep", preStop: { exec: { command: ["/bin/sh", "-c", "sleep 10"] } }, want: 10 },
    { name: "exec bash -c sleep with s suffix", preStop: { exec: { command: ["bash", "-c", " sleep 2.5s "] } }, want: 2.5 },
    { name: "exec of a script: unknown", preStop: { exec: { command: ["/drain.sh"] } }, want: undefined },
    { name: "exec sh -c with more than a sleep: unknown", preStop: { exec: { command: ["sh", "-c", "sleep 5 && nginx -s quit"] } }, want: undefined },
  ])("$name", ({ preStop, want }) => {
    expect(preStopSeconds({ name: "c", ...(preStop ? { lifecycle: { preStop } } : {}) } as Container)).toBe(want);
  });
});

describe("Kubelets: a network partition (partitionNode / healPartition)", () => {
  function partitioned(): Setup {
    const x = setup({ startDelay: constant(1000) });
    x.store.create(mkNode("n1", "10.244.1.0/24"));
    for (const name of ["keep", "evict", "gone", "crash"]) x.store.create(mkPod(name, "n1"));
    x.s.runUntil(2000);
    x.kubelets.partitionNode("n1");
    return x;
  }

  it.each<[string, (x: Setup) => void, Record<string, string | undefined>, RuntimeCall["op"][]]>([
    ["nothing changes: no write, no runtime call", () => {}, { keep: "True", evict: "True", gone: "True", crash: "True" }, []],
    [
      "a deletion mark is not seen: the pod runs on, its object stays",
      (x) => x.store.mutate("Pod", "default", "evict", (d) => void (d.metadata.deletionTimestamp = x.s.now)),
      { keep: "True", evict: "True", gone: "True", crash: "True" },
      [],
    ],
    ["a pod removed from the API is not stopped", (x) => void x.store.delete("Pod", "default", "gone"), { keep: "True", evict: "True", gone: undefined, crash: "True" }, []],
    ["a crash is not posted (the status waits in the kubelet)", (x) => void x.kubelets.containerExited("default", "crash"), { keep: "True", evict: "True", gone: "True", crash: "True" }, []],
    ["a pod bound meanwhile does not start", (x) => void x.store.create(mkPod("late", "n1")), { keep: "True", evict: "True", gone: "True", crash: "True", late: undefined }, []],
  ])("while partitioned, %s", (_name, act, want, ops) => {
    const x = partitioned();
    const before = x.runtime.calls.length;
    const rv = x.store.resourceVersion;
    act(x);
    const written = x.store.resourceVersion;
    x.s.runUntil(60_000);
    expect(x.store.resourceVersion).toBe(written); // the kubelet wrote nothing
    expect(written - rv).toBeLessThanOrEqual(1); // only the test's own change
    expect(Object.fromEntries(Object.keys(want).map((n) => [n, ready(x.store.get("Pod", "default", n))]))).toEqual(want);
    expect(x.runtime.calls.slice(before).map((c) => c.op)).toEqual(ops);
    expect(x.kubelets.isNodePartitioned("n1")).toBe(true);
  });

  it("on the heal: kills a pod removed from the API at once, terminates an evicted one with its grace period from now, starts a pod bound meanwhile; posts Ready back at the next 10 s status sync", () => {
    const x = partitioned();
    x.s.runUntil(10_000);
    // What the control plane did meanwhile: MarkPodsNotReady, a taint eviction, a force delete, a new pod.
    for (const n of ["keep", "evict", "gone"]) x.store.mutate("Pod", "default", n, (d) => void (d.status!.conditions = d.status!.conditions!.map((c) => (c.type === "Ready" ? { ...c, status: "False" } : c))));
    x.s.runUntil(20_000);
    x.store.mutate("Pod", "default", "evict", (d) => void (d.metadata.deletionTimestamp = 20_000));
    x.store.delete("Pod", "default", "gone");
    x.store.create(mkPod("late", "n1"));
    x.s.runUntil(100_000);
    const before = x.runtime.calls.length;
    x.kubelets.healPartition("n1");
    x.s.runUntil(100_000);
    expect(x.runtime.calls.slice(before).map((c) => [c.op, c.pod, c.now])).toEqual([
      ["stop", "gone", 100_000],
      ["sigterm", "evict", 100_000],
      ["stop", "evict", 100_000],
    ]);
    expect(x.store.get("Pod", "default", "evict")).toBeUndefined();
    x.s.runUntil(101_000);
    expect(x.store.get("Pod", "default", "late")?.status?.phase).toBe("Running");
    expect(x.kubelets.isNodePartitioned("n1")).toBe(false);
    // The status manager's syncBatch: the heal at 100 s is on a tick; the next one is 110 s.
    x.s.runUntil(109_999);
    expect(ready(x.store.get("Pod", "default", "keep"))).toBe("False");
    x.s.runUntil(110_000);
    expect(ready(x.store.get("Pod", "default", "keep"))).toBe("True");
    expect(x.store.get("Pod", "default", "keep")?.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime).toBe(110_000);
  });

  it("a start that happened during the partition is posted at the status sync after the heal (podIP, Running)", () => {
    const x = setup({ startDelay: constant(1000) });
    x.store.create(mkNode("n1", "10.244.1.0/24"));
    x.store.create(mkPod("p", "n1"));
    x.s.runUntil(500);
    x.kubelets.partitionNode("n1");
    x.s.runUntil(5000);
    expect(x.runtime.calls.map((c) => [c.op, c.ip])).toEqual([["start", "10.244.1.2"]]);
    expect(x.store.get("Pod", "default", "p")?.status?.podIP).toBeUndefined();
    x.s.runUntil(12_345);
    x.kubelets.healPartition("n1");
    x.s.runUntil(19_999);
    expect(x.store.get("Pod", "default", "p")?.status?.podIP).toBeUndefined();
    x.s.runUntil(20_000);
    const p = x.store.get("Pod", "default", "p");
    expect([p?.status?.phase, p?.status?.podIP, p?.status?.startTime, ready(p)]).toEqual(["Running", "10.244.1.2", 1000, "True"]);
  });
});

describe("Kubelets options", () => {
  it("statusSyncPeriod must be a finite number of ms > 0", () => {
    const s = new Scheduler();
    const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
    expect(() => new Kubelets(store, new Callbacks(s), new FakeRuntime(), { random: new RandomSource(1), statusSyncPeriod: 0 })).toThrow("statusSyncPeriod: Invalid value: 0: must be a finite number of ms > 0");
  });
});
