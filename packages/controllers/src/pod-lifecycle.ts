import type { Callbacks, Distribution, RandomStream, SimTime } from "@kube-netsim/core";
import type { ContainerState, ContainerStatus, ObjectStore, Pod, PodCondition, PodStatus } from "@kube-netsim/model";
import { ContainerBackOff } from "./container-backoff.js";
import { ProbeCounter, RESULT_FAILURE, RESULT_SUCCESS, podProbes } from "./prober.js";
import type { ProbeAnswer, ProbeKind, ResolvedProbe } from "./prober.js";

/**
 * Something the kubelet did to a pod's container, as the kubelet's Events say it
 * (`reason`: `Unhealthy`, `Killing`, `BackOff`, `Started`), plus kube-netsim's `Exited`
 * for a container whose process ended on its own.
 *
 * @example
 * ```ts
 * // Passed to KubeletOptions.onEvent, e.g. after kubelets.containerExited("default", "web-0") at 3 s:
 * const e: KubeletEvent = { at: 3000, namespace: "default", pod: "web-0", reason: "Exited", message: "Container exited with code 1" };
 * if (e.reason === "BackOff") console.log(`${e.pod}: CrashLoopBackOff: ${e.message}`);
 * ```
 */
export interface KubeletEvent {
  /** Virtual time (ms). */
  readonly at: SimTime;
  readonly namespace: string;
  readonly pod: string;
  /**
   * `Unhealthy` (a probe failed), `Killing` (a liveness or startup failure kills the
   * container), `BackOff` (a restart waits: CrashLoopBackOff), `Started` (a container
   * restarted), `Exited` (its process ended), `FailedCreatePodSandBox` (the pod's sandbox
   * could not be created: no free address in the node's pod CIDR; retried).
   */
  readonly reason: "Unhealthy" | "Killing" | "BackOff" | "Started" | "Exited" | "FailedCreatePodSandBox";
  /** Human-readable detail, e.g. `Liveness probe failed: no answer within 1s`. */
  readonly message: string;
}

/**
 * The runtime side the lifecycle drives (see ContainerRuntime in kubelet.ts).
 *
 * @example
 * ```ts
 * const runtime: LifecycleRuntime = {
 *   killContainer(pod, podIP) { console.log(`SIGKILL ${pod.metadata.name} (${podIP})`); },
 *   probe: (_pod, _podIP, kind) => (kind === "liveness" ? "no-answer" : "success"), // a hung process
 * };
 * new PodLifecycle(store, new Callbacks(scheduler), runtime, {});
 * ```
 */
export interface LifecycleRuntime {
  startContainer?(pod: Pod, podIP: string, now: SimTime): void;
  killContainer?(pod: Pod, podIP: string, now: SimTime): void;
  terminateContainer?(pod: Pod, podIP: string, now: SimTime, exited: () => void): void;
  probe?(pod: Pod, podIP: string, kind: ProbeKind, now: SimTime): ProbeAnswer;
}

/**
 * Options of {@link PodLifecycle}.
 *
 * @example
 * ```ts
 * const options: PodLifecycleOptions = { restartDelay: constant(1_000), warmUp: constant(500), onEvent: (e) => events.push(e) };
 * new PodLifecycle(store, new Callbacks(scheduler), runtime, options);
 * ```
 */
export interface PodLifecycleOptions {
  /** From a restart decision to the container running again (PLEG relist, create, start). Default 0. */
  readonly restartDelay?: Distribution;
  /** Warm-up of each new container instance (the kubelet's `readinessDelay`). Default 0. */
  readonly warmUp?: Distribution;
  /** Receives the kubelet's container events. */
  readonly onEvent?: (e: KubeletEvent) => void;
  /**
   * Whether the kubelet of a node can reach the API server now. While it cannot (a
   * network partition), status writes are not sent: the state stays in the kubelet (its
   * status manager's cache) until {@link PodLifecycle.postStatus}. Default: always.
   */
  readonly connected?: (nodeName: string) => boolean;
}

const KIND_NAME: Readonly<Record<ProbeKind, string>> = { startup: "Startup", readiness: "Readiness", liveness: "Liveness" };

interface Worker {
  readonly kind: ProbeKind;
  readonly counter: ProbeCounter;
  readonly state: PodState;
  /** Stopped for good (pod gone, or liveness/startup once the pod is deleting). */
  stopped: boolean;
  /** After a liveness/startup failure: no probing until a new container runs. */
  onHold: boolean;
  /** The container instance a late (timed-out) failure belongs to; -1 when no probe is waiting for its timeout. */
  lateInstance: number;
  readonly tick: () => void;
  readonly late: () => void;
}

interface PodState {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly ip: string;
  readonly pod: Pod;
  readonly rng: RandomStream;
  readonly restartPolicy: "Always" | "OnFailure" | "Never";
  readonly readinessProbe: boolean;
  readonly startupProbe: boolean;
  readonly workers: Worker[];
  /** Container instance number (0 first, +1 per restart). */
  instance: number;
  running: boolean;
  instanceStart: SimTime;
  warmUntil: SimTime;
  restartCount: number;
  started: boolean;
  ready: boolean;
  killing: boolean;
  deleting: boolean;
  gone: boolean;
  lastExit: { readonly exitCode: number; readonly reason: string; readonly startedAt: SimTime; readonly finishedAt: SimTime } | undefined;
}

/**
 * The pod's conditions with the Ready condition replaced.
 *
 * @example
 * ```ts
 * withReadyCondition([{ type: "PodScheduled", status: "True", lastTransitionTime: 0 }, { type: "Ready", status: "False", lastTransitionTime: 0 }], "True", 2_500);
 * // [{ type: "PodScheduled", status: "True", lastTransitionTime: 0 }, { type: "Ready", status: "True", lastTransitionTime: 2500 }]
 * ```
 */
export function withReadyCondition(conditions: readonly PodCondition[] | undefined, status: "True" | "False", now: SimTime): PodCondition[] {
  const out: PodCondition[] = [];
  for (const c of conditions ?? []) if (c.type !== "Ready") out.push(c);
  out.push({ type: "Ready", status, lastTransitionTime: now });
  return out;
}

/**
 * `status.containerStatuses` of a pod whose containers all share one state (kube-netsim
 * runs one application per pod: its containers start, crash and restart together).
 *
 * @example
 * ```ts
 * // pod: one container "web"
 * containerStatusesOf(pod, { ready: true, started: true, restartCount: 0, state: { running: { startedAt: 2_000 } } });
 * // [{ name: "web", ready: true, started: true, restartCount: 0, state: { running: { startedAt: 2000 } } }]
 * ```
 */
export function containerStatusesOf(pod: Pod, s: { ready: boolean; started: boolean; restartCount: number; state: ContainerState; lastState?: ContainerState }): ContainerStatus[] {
  return (pod.spec.containers ?? []).map((c) => ({
    name: c.name,
    ready: s.ready,
    started: s.started,
    restartCount: s.restartCount,
    state: s.state,
    ...(s.lastState ? { lastState: s.lastState } : {}),
  }));
}

/**
 * Go's time.Duration String for whole seconds (`10s`, `1m20s`, `5m0s`), as in the kubelet's back-off message.
 *
 * @example
 * ```ts
 * goSeconds(20_000);  // "20s"
 * goSeconds(300_000); // "5m0s"
 * ```
 */
export function goSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/**
 * The part of the kubelet that runs a started pod's containers: the probe workers, the
 * Ready condition and `containerStatuses`, container exits, kills after liveness or
 * startup failures, and restarts with the CrashLoopBackOff back-off.
 *
 * @remarks
 * **Probes** (pkg/kubelet/prober/worker.go, prober_manager.go). One worker per probe kind,
 * each a single self-rearming timer: its ticks fall every `periodSeconds` from
 * `initialDelaySeconds` after the first container started (the worker outlives restarts,
 * like upstream's ticker). A tick probes unless the container does not run, the worker is
 * on hold, fewer whole seconds than `initialDelaySeconds` have passed since this
 * container instance started, or the startup gate says no (the startup probe runs until
 * it succeeds once; readiness and liveness only after). A probe succeeds when the
 * application answers (see `ContainerRuntime.probe`); an immediate failure counts at the
 * tick, a missing answer at the tick plus `timeoutSeconds`. A result takes effect after
 * `successThreshold` / `failureThreshold` equal results in a row: readiness sets the Ready
 * condition (again and again as it flips); a liveness or startup failure kills the
 * container and holds the worker until the next instance. When the startup probe
 * succeeds, and when a container restarts, the readiness probe runs at once
 * (UpdatePodStatus's manual trigger); a probe waiting for its timeout blocks its worker
 * (ticks meanwhile are skipped). Once a
 * pod is deleting, liveness and startup probes stop (success); readiness goes on.
 *
 * **Kills** (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer): preStop
 * sleep, SIGTERM, SIGKILL when the grace period (the probe's
 * `terminationGracePeriodSeconds`, else the pod's, default 30 s) ends, at least 2 s after
 * SIGTERM; the kill's end is the container's exit (code 143 after SIGTERM, 137 after SIGKILL).
 *
 * **Restarts** (pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions,
 * doBackOff; {@link ContainerBackOff}). `restartPolicy` Always restarts every exit,
 * OnFailure every non-zero one; Never leaves the pod `Failed`. The kubelet's sync checks
 * the back-off against the `finishedAt` of the latest exited container it sees: after a
 * crash that is the crash, after a liveness kill it is the instance before (the kill and
 * the start happen in one sync with the status read before the kill). While in back-off
 * the container is `waiting: CrashLoopBackOff` and the restart happens when the back-off
 * ends (a real kubelet notices on its next pod sync, up to ~10 s later); otherwise at
 * once. `restartDelay` is added to either. While the container is down the pod is not
 * Ready, so the EndpointSlice controller marks its endpoint not ready.
 *
 * @example
 * ```ts
 * // The Kubelets create one; used on its own, a runtime drives it:
 * const lifecycle = new PodLifecycle(store, new Callbacks(scheduler), runtime, { onEvent: (e) => console.log(e.reason) });
 * lifecycle.started(pod, "default/web-0", "10.244.1.2", scheduler.now, 500, 500, random.stream("kubelet/default/web-0"));
 * lifecycle.exited("default/web-0", scheduler.now, 1, "Error"); // restarts it with the CrashLoopBackOff back-off
 * ```
 */
export class PodLifecycle {
  private readonly pods = new Map<string, PodState>();
  private readonly backOff = new ContainerBackOff();

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    private readonly runtime: LifecycleRuntime,
    private readonly options: PodLifecycleOptions,
  ) {}

  /** Whether the pod is modelled as having a readiness probe. */
  static hasReadinessProbe(pod: Pod): boolean {
    return (pod.spec.containers ?? []).some((c) => c.readinessProbe !== undefined);
  }

  /** Whether the pod has a startup probe (its containers start with `started: false`). */
  static hasStartupProbe(pod: Pod): boolean {
    return (pod.spec.containers ?? []).some((c) => c.startupProbe !== undefined);
  }

  /**
   * The pod's first containers started at `now` with IP `ip`; `readyDelay` is when a pod
   * without probes turns Ready; `firstProbe` is the result of the readiness probe the
   * kubelet took at the start (when one was due at once), already in the pod's status.
   */
  started(pod: Pod, key: string, ip: string, now: SimTime, warmUp: number, readyDelay: number, rng: RandomStream, firstProbe?: boolean): void {
    const probes = podProbes(pod);
    const rp = pod.spec.restartPolicy;
    const st: PodState = {
      key,
      namespace: pod.metadata.namespace ?? "default",
      name: pod.metadata.name,
      ip,
      pod,
      rng,
      restartPolicy: rp === "Never" || rp === "OnFailure" ? rp : "Always",
      readinessProbe: probes.readiness !== undefined,
      startupProbe: probes.startup !== undefined,
      workers: [],
      instance: 0,
      running: true,
      instanceStart: now,
      warmUntil: now + warmUp,
      restartCount: 0,
      started: probes.startup === undefined,
      ready: readyDelay === 0 && probes.startup === undefined && firstProbe !== false,
      killing: false,
      deleting: false,
      gone: false,
      lastExit: undefined,
    };
    this.pods.set(key, st);
    // Workers in the prober manager's order: startup, readiness, liveness.
    for (const kind of ["startup", "readiness", "liveness"] as const) {
      const probe = probes[kind];
      if (probe === undefined) continue;
      const w = this.worker(st, kind, probe);
      if (kind === "readiness" && firstProbe !== undefined) {
        // Its first tick was at the start (initialDelaySeconds 0): the result is in the pod's first status.
        if (!firstProbe) this.emit(st, now, "Unhealthy", "Readiness probe failed: connection refused");
        w.counter.record(firstProbe);
        this.later.after(probe.initialDelay + probe.period, w.tick);
      } else this.later.after(probe.initialDelay, w.tick);
    }
    if (st.readinessProbe || st.startupProbe || st.ready) return;
    // No readiness probe: Ready once the application has warmed up.
    const instance = st.instance;
    this.later.after(readyDelay, (t) => {
      if (st.gone || st.deleting || st.instance !== instance || !st.running) return;
      this.setReady(st, true, t);
    });
  }

  /** The pod got a deletionTimestamp: no more restarts; liveness and startup probes stop. */
  deleting(key: string): void {
    const st = this.pods.get(key);
    if (!st) return;
    st.deleting = true;
    for (const w of st.workers) if (w.kind !== "readiness") w.stopped = true;
  }

  /** The pod's containers and sandbox are gone. */
  forget(key: string): void {
    const st = this.pods.get(key);
    if (!st) return;
    st.gone = true;
    for (const w of st.workers) w.stopped = true;
    this.pods.delete(key);
    this.backOff.delete(key);
  }

  /**
   * Posts the pod's status as the kubelet sees it now (its Ready condition and
   * `containerStatuses`), as the status manager does when it can reach the API server
   * again after a partition (pkg/kubelet/status/status_manager.go syncBatch:
   * needsReconcile, when the API's status differs from the kubelet's cache).
   * @returns false when the kubelet does not run that pod.
   */
  postStatus(key: string, now: SimTime): boolean {
    const st = this.pods.get(key);
    if (!st || st.gone) return false;
    this.writeStatus(st, now, {});
    return true;
  }

  /** Whether the pod's containers run now (false between an exit and the restart, or when the kubelet does not run the pod). */
  running(key: string): boolean {
    return this.pods.get(key)?.running ?? false;
  }

  /** Restart count of a started pod (undefined when the kubelet does not run it). */
  restartCount(key: string): number | undefined {
    return this.pods.get(key)?.restartCount;
  }

  /**
   * The pod's application process ended on its own (a crash: `exitCode` non-zero).
   * The runtime has already stopped the application.
   * @returns false when the pod is not running here (nothing to do).
   */
  exited(key: string, now: SimTime, exitCode: number, reason: string): boolean {
    const st = this.pods.get(key);
    if (!st || !st.running || st.gone) return false;
    this.emit(st, now, "Exited", `Container exited with code ${exitCode}`);
    this.containerDown(st, now, exitCode, reason, now);
    return true;
  }

  // ---- probe workers ----

  private worker(st: PodState, kind: ProbeKind, probe: ResolvedProbe): Worker {
    const w: Worker = {
      kind,
      counter: new ProbeCounter(probe),
      state: st,
      stopped: false,
      onHold: false,
      lateInstance: -1,
      tick: () => {
        if (w.stopped) return;
        this.later.after(probe.period, w.tick);
        this.probeOnce(w, this.store.now);
      },
      late: () => {
        const instance = w.lateInstance;
        w.lateInstance = -1;
        if (w.stopped || instance !== st.instance || !st.running) return;
        this.result(w, false, this.store.now, `no answer within ${goSeconds(probe.timeout)}`);
      },
    };
    st.workers.push(w);
    return w;
  }

  private probeOnce(w: Worker, now: SimTime): void {
    const st = w.state;
    // A probe still waiting for its timeout blocks the worker (upstream's doProbe is synchronous).
    if (!st.running || w.onHold || w.lateInstance >= 0) return;
    // int32(time.Since(startedAt).Seconds()) < InitialDelaySeconds (a hair of slack for float sums).
    if (Math.floor((now - st.instanceStart) / 1000 + 1e-9) < w.counter.probe.initialDelay / 1000) return;
    if (w.kind === "startup" ? st.started : !st.started) return;
    let answer: ProbeAnswer = now < st.warmUntil ? "refused" : "success";
    if (answer === "success" && this.runtime.probe !== undefined) answer = this.runtime.probe(st.pod, st.ip, w.kind, now);
    if (answer === "no-answer") {
      w.lateInstance = st.instance;
      this.later.after(w.counter.probe.timeout, w.late);
      return;
    }
    this.result(w, answer === "success", now, "connection refused");
  }

  private result(w: Worker, success: boolean, now: SimTime, why: string): void {
    const st = w.state;
    if (!success) this.emit(st, now, "Unhealthy", `${KIND_NAME[w.kind]} probe failed: ${why}`);
    const r = w.counter.record(success);
    if (r === RESULT_SUCCESS) {
      if (w.kind === "readiness") this.setReady(st, true, now);
      else if (w.kind === "startup" && !st.started) {
        st.started = true;
        this.writeStatus(st, now, {});
        // UpdatePodStatus triggers the readiness worker at once (prober_manager.go).
        const rw = st.workers.find((x) => x.kind === "readiness");
        if (rw) this.probeOnce(rw, now);
        else this.setReady(st, true, now);
      }
    } else if (r === RESULT_FAILURE) {
      if (w.kind === "readiness") this.setReady(st, false, now);
      else {
        // The container fails a liveness/startup check: hold the worker until the next container.
        w.onHold = true;
        w.counter.resultRun = 0;
        this.kill(st, w, now);
      }
    }
  }

  // ---- kills, exits, restarts ----

  private kill(st: PodState, w: Worker, now: SimTime): void {
    if (st.killing || st.deleting) return;
    st.killing = true;
    const reason = w.kind === "liveness" ? "liveness" : "startup";
    const will = st.restartPolicy === "Never" ? "" : ", will be restarted";
    this.emit(st, now, "Killing", `Container ${st.pod.spec.containers[0]?.name ?? ""} failed ${reason} probe${will}`);
    const pod = st.pod;
    const graceS = w.counter.probe.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const graceMs = Math.max(0, graceS) * 1000;
    const preStopMs = Math.max(0, ...(pod.spec.containers ?? []).map((c) => (c.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000));
    const sigtermAt = now + Math.min(preStopMs, graceMs);
    const sigkillAt = Math.max(now + graceMs, sigtermAt + 2000);
    const instance = st.instance;
    let done = false;
    const finish = (code: number): void => {
      if (done || st.gone || st.instance !== instance || !st.running) return;
      done = true;
      const t = this.store.now;
      this.runtime.killContainer?.(pod, st.ip, t);
      // One sync kills and restarts: it checks the back-off against the exit before this one.
      this.containerDown(st, t, code, "Error", st.lastExit?.finishedAt);
    };
    this.later.at(sigtermAt, (t) => {
      if (done || st.gone || st.instance !== instance) return;
      if (this.runtime.terminateContainer) this.runtime.terminateContainer(pod, st.ip, t, () => finish(143));
      else finish(143);
    });
    this.later.at(sigkillAt, () => finish(137));
  }

  /** The running container stopped at `now`; `backOffFrom` is the exit the restart sync checks the back-off against. */
  private containerDown(st: PodState, now: SimTime, exitCode: number, reason: string, backOffFrom: SimTime | undefined): void {
    st.running = false;
    st.killing = false;
    st.instance++;
    st.lastExit = { exitCode, reason, startedAt: st.instanceStart, finishedAt: now };
    const terminated: ContainerState = { terminated: { exitCode, reason, startedAt: st.instanceStart, finishedAt: now } };
    const restart = !st.deleting && (st.restartPolicy === "Always" || (st.restartPolicy === "OnFailure" && exitCode !== 0));
    if (!restart) {
      // Never (or a pod that is going away): the container stays terminated; a pod all of whose
      // containers ended is Failed (or Succeeded when they all exited 0).
      st.ready = false;
      this.writeStatus(st, now, { state: terminated, phase: st.deleting ? undefined : exitCode === 0 ? "Succeeded" : "Failed" });
      return;
    }
    const syncAt = backOffFrom !== undefined && this.backOff.isInBackOffSince(st.key, backOffFrom, now) ? this.backOff.backOffEnds(st.key, backOffFrom) : now;
    const delay = this.options.restartDelay?.sample(st.rng) ?? 0;
    st.ready = false;
    if (syncAt > now) {
      const wait = syncAt - now;
      const message = `back-off ${goSeconds(this.backOff.get(st.key))} restarting failed container=${st.pod.spec.containers[0]?.name ?? ""} pod=${st.name}_${st.namespace}`;
      this.emit(st, now, "BackOff", `Back-off restarting failed container (${goSeconds(wait)} left)`);
      this.writeStatus(st, now, { state: { waiting: { reason: "CrashLoopBackOff", message } }, lastState: terminated });
    } else if (delay > 0) {
      this.writeStatus(st, now, { state: terminated });
    }
    const instance = st.instance;
    this.later.at(syncAt, (t) => {
      if (st.gone || st.deleting || st.instance !== instance) return;
      this.backOff.next(st.key, backOffFrom ?? t, t);
      if (delay > 0) this.later.after(delay, (t2) => this.restart(st, instance, t2));
      else this.restart(st, instance, t);
    });
  }

  private restart(st: PodState, instance: number, now: SimTime): void {
    if (st.gone || st.deleting || st.instance !== instance) return;
    const pod = this.store.get("Pod", st.namespace, st.name);
    if (!pod || pod.metadata.deletionTimestamp !== undefined) return;
    st.running = true;
    st.instanceStart = now;
    st.restartCount++;
    st.started = !st.startupProbe;
    const warmUp = this.options.warmUp?.sample(st.rng) ?? 0;
    st.warmUntil = now + warmUp;
    for (const w of st.workers) w.onHold = false;
    const readyNow = !st.readinessProbe && !st.startupProbe && warmUp === 0;
    st.ready = readyNow;
    this.runtime.startContainer?.(st.pod, st.ip, now);
    this.emit(st, now, "Started", `Started container (restart ${st.restartCount})`);
    const lastState: ContainerState | undefined = st.lastExit ? { terminated: { ...st.lastExit } } : undefined;
    this.writeStatus(st, now, { state: { running: { startedAt: now } }, lastState });
    // A running container that is not ready: UpdatePodStatus triggers its readiness probe at once
    // (skipped while initialDelaySeconds has not passed).
    const rw = st.workers.find((x) => x.kind === "readiness");
    if (rw && st.started) this.probeOnce(rw, now);
    if (!st.readinessProbe && !st.startupProbe && !readyNow) {
      this.later.after(warmUp, (t) => {
        if (st.gone || st.deleting || st.instance !== instance || !st.running) return;
        this.setReady(st, true, t);
      });
    }
  }

  // ---- status writes ----

  private setReady(st: PodState, ready: boolean, now: SimTime): void {
    if (st.gone) return;
    if (ready && !st.running) return;
    if (st.ready === ready) return;
    st.ready = ready;
    this.writeStatus(st, now, {});
  }

  private writeStatus(st: PodState, now: SimTime, o: { state?: ContainerState; lastState?: ContainerState; phase?: PodStatus["phase"] }): void {
    const cur = this.store.get("Pod", st.namespace, st.name);
    if (!cur || st.gone) return;
    // Cut off from the API server: the status stays in the kubelet until postStatus.
    if (this.options.connected !== undefined && cur.spec.nodeName !== undefined && !this.options.connected(cur.spec.nodeName)) return;
    const prev = cur.status?.containerStatuses?.[0];
    const state = o.state ?? prev?.state ?? { running: { startedAt: st.instanceStart } };
    const lastState = o.lastState ?? prev?.lastState;
    const readyNow = st.ready && st.running;
    const condReady = cur.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    this.store.update({
      ...cur,
      status: {
        ...cur.status,
        ...(o.phase ? { phase: o.phase } : {}),
        conditions: condReady === readyNow ? cur.status?.conditions : withReadyCondition(cur.status?.conditions, readyNow ? "True" : "False", now),
        containerStatuses: containerStatusesOf(cur, { ready: readyNow, started: st.started && st.running, restartCount: st.restartCount, state, lastState }),
      },
    });
  }

  private emit(st: PodState, at: SimTime, reason: KubeletEvent["reason"], message: string): void {
    this.options.onEvent?.({ at, namespace: st.namespace, pod: st.name, reason, message });
  }
}
