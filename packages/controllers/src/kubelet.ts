import type { Callbacks, Distribution, RandomSource, SimTime } from "@kube-netsim/core";
import { formatIPv4, parseCidr, parseIPv4 } from "@kube-netsim/model";
import type { Container, Node, ObjectStore, Pod } from "@kube-netsim/model";
import { PodLifecycle, containerStatusesOf, withReadyCondition } from "./pod-lifecycle.js";
import type { KubeletEvent } from "./pod-lifecycle.js";
import { resolveProbe } from "./prober.js";
import type { ProbeAnswer, ProbeKind } from "./prober.js";

/**
 * What the kubelet drives on a node: the pod's application. The simulation facade
 * connects this to the traffic layer, so a started pod listens on its ports and a
 * stopped one does not.
 *
 * @example
 * ```ts
 * // Containers that start at once and exit as soon as they get SIGTERM:
 * const runtime: ContainerRuntime = {
 *   startPod(pod, podIP) { console.log(`${pod.metadata.name} listens on ${podIP}`); },
 *   stopPod() {},
 *   terminatePod(_pod, _podIP, _now, exited) { exited(); },
 * };
 * new Kubelets(store, new Callbacks(scheduler), runtime, { random: random.fork("kubelet") });
 * ```
 */
export interface ContainerRuntime {
  /** The pod's containers started with IP `podIP`: its application now accepts connections. */
  startPod(pod: Pod, podIP: string, now: SimTime): void;
  /**
   * SIGKILL (or an abrupt stop): the pod's application is gone at once; close its
   * listener and reset whatever it was serving.
   */
  stopPod(pod: Pod, podIP: string, now: SimTime): void;
  /**
   * SIGTERM: the application reacts as its model says (exit at once, or stop accepting
   * and finish what it holds) and calls `exited` once it has stopped. The kubelet sends
   * SIGKILL ({@link ContainerRuntime.stopPod}) if the grace period ends first.
   */
  terminatePod(pod: Pod, podIP: string, now: SimTime, exited: () => void): void;
  /**
   * A container restart: the application starts again in the pod's sandbox (same IP).
   * Optional: without it restarts only change the pod's status.
   */
  startContainer?(pod: Pod, podIP: string, now: SimTime): void;
  /**
   * SIGKILL to the container after a liveness or startup failure (or the end of its
   * SIGTERM): the application is gone, held requests are reset; the sandbox and IP stay.
   */
  killContainer?(pod: Pod, podIP: string, now: SimTime): void;
  /** SIGTERM to the container (a liveness or startup kill); calls `exited` once it stopped. */
  terminateContainer?(pod: Pod, podIP: string, now: SimTime, exited: () => void): void;
  /**
   * One probe of the pod's application (after the kubelet's own warm-up): `success`,
   * `refused` (fails at once) or `no-answer` (fails when `timeoutSeconds` ends). Without
   * this method every probe of a warmed-up container succeeds.
   */
  probe?(pod: Pod, podIP: string, kind: ProbeKind, now: SimTime): ProbeAnswer;
}

/**
 * Timings of the kubelets.
 *
 * @example
 * ```ts
 * const options: KubeletOptions = {
 *   random: random.fork("kubelet"),   // random: the simulation's RandomSource
 *   startDelay: constant(2_000),      // image pull, sandbox, container start
 *   readinessDelay: constant(500),    // application warm-up
 *   onEvent: (e) => console.log(e.at, e.reason, e.message),
 * };
 * new Kubelets(store, new Callbacks(scheduler), runtime, options);
 * ```
 */
export interface KubeletOptions {
  /** Delay (ms) of the kubelet's pod watch: a number, or a draw per event. Default 0. */
  readonly watchDelay?: number | (() => number);
  /** From binding to containers running (image pull, sandbox, start). Default 0. */
  readonly startDelay?: Distribution;
  /**
   * From containers running to the application answering its readiness probe (warm-up).
   * Without a `readinessProbe` the pod is Ready then; with one, at the first probe after
   * that ({@link readinessAfterStart}). Default 0.
   */
  readonly readinessDelay?: Distribution;
  /** From a restart decision (immediate, or the end of a CrashLoopBackOff wait) to the container running again. Default 0. */
  readonly restartDelay?: Distribution;
  /**
   * Period (ms) of the status manager's `syncBatch`, which sends the pod statuses the
   * kubelet could not post while cut off from the API server (pkg/kubelet/status/status_manager.go
   * syncPeriod). Default 10 000 (ticks at 10 s, 20 s, ... of the virtual clock).
   */
  readonly statusSyncPeriod?: number;
  /** Receives the kubelet's container events (probe failures, kills, back-offs, restarts, exits). */
  readonly onEvent?: (e: KubeletEvent) => void;
  /** Per-pod random streams are forked from this source (stream `kubelet/<pod>`), so adding a pod shifts no other pod's draws. */
  readonly random: RandomSource;
}

/**
 * When a started pod turns Ready, in ms after its containers started, given the time its
 * application needs before it answers (`warmUp`).
 *
 * @remarks
 * Without a readiness probe a container is ready once it runs (pkg/kubelet/prober:
 * no probe => success), here once it has warmed up. With one (the first container's that
 * has it), the kubelet's prober worker (pkg/kubelet/prober/worker.go) probes first at
 * `initialDelaySeconds`, then every `periodSeconds` (default 10); the pod turns Ready after
 * `successThreshold` (default 1) consecutive successes, and a probe succeeds once the
 * application has warmed up.
 *
 * @example
 * ```ts
 * // initialDelaySeconds 5, periodSeconds 10, warm after 12 s: probes at 5 s (fail), 15 s (ok)
 * readinessAfterStart(pod, 12_000); // 15_000
 * ```
 */
export function readinessAfterStart(pod: Pod, warmUp: number): number {
  const probe = (pod.spec.containers ?? []).find((c) => c.readinessProbe !== undefined)?.readinessProbe;
  if (probe === undefined) return warmUp;
  const { initialDelay: initial, period, successThreshold: successes } = resolveProbe(probe);
  const firstOk = warmUp <= initial ? 0 : Math.ceil((warmUp - initial) / period);
  return initial + (firstOk + successes - 1) * period;
}

const SLEEP_COMMAND = /^(?:\/usr)?(?:\/bin\/)?sleep\s+([0-9]+(?:\.[0-9]+)?)s?$/;

/**
 * How long a container's preStop hook runs, in seconds, or `undefined` when kube-netsim
 * cannot know (an `exec` hook that is not a sleep).
 *
 * @remarks
 * The `sleep` action waits `seconds` (pkg/kubelet/lifecycle/handlers.go runSleepHandler).
 * An `exec` hook runs a command in the container; the common "keep serving while
 * kube-proxy catches up" hook is a sleep, written `["sleep", "15"]`,
 * `["/bin/sleep", "15"]` or `["/bin/sh", "-c", "sleep 15"]`, and those take their
 * argument's seconds. No hook: 0.
 *
 * @example
 * ```ts
 * preStopSeconds({ name: "api", lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 15"] } } } }); // 15
 * preStopSeconds({ name: "api", lifecycle: { preStop: { exec: { command: ["/drain.sh"] } } } }); // undefined
 * ```
 */
export function preStopSeconds(container: Container): number | undefined {
  const hook = container.lifecycle?.preStop;
  if (hook === undefined) return 0;
  if (hook.sleep !== undefined) return Math.max(0, hook.sleep.seconds);
  const command = hook.exec?.command;
  if (command === undefined) return 0;
  const shell = command.length === 3 && /^(?:\/usr)?(?:\/bin\/)?(?:ba)?sh$/.test(command[0]) && command[1] === "-c";
  const text = shell ? command[2].trim() : command.join(" ").trim();
  const m = SLEEP_COMMAND.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * `terminationGracePeriodSeconds` default (pkg/apis/core/v1/defaults.go).
 *
 * @example
 * ```ts
 * const grace = pod.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS; // 30
 * ```
 */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/**
 * The kubelet gives a container at least this long after SIGTERM (pkg/kubelet/kuberuntime minimumGracePeriodInSeconds).
 *
 * @example
 * ```ts
 * // terminationGracePeriodSeconds 10 with a 9 s preStop sleep: SIGTERM at 9 s, SIGKILL at 11 s, not 10 s
 * const sigkillAfterSigterm = Math.max(10 - 9, MINIMUM_GRACE_PERIOD_SECONDS); // 2 (seconds)
 * ```
 */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

/** The status manager's `syncBatch` period, ms (pkg/kubelet/status/status_manager.go syncPeriod = 10 s). */
const DEFAULT_STATUS_SYNC_PERIOD = 10_000;

const withReady = withReadyCondition;

interface NodeIPAM {
  readonly base: number;
  readonly size: number;
  readonly used: Set<number>;
  last: number;
}

/**
 * The kubelets of all nodes, as one controller with per-node state.
 *
 * @remarks
 * For each pod bound to a node: after `startDelay` the pod gets an IP from the node's
 * pod CIDR (host-local IPAM order: .2 upwards, round-robin from the last address handed
 * out, so a freed address is reused only once the range wraps), phase Running and its
 * containers start; after `readinessDelay` its Ready condition turns True.
 * When a pod gets a `deletionTimestamp`, the kubelet terminates it gracefully
 * (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer): it runs the preStop
 * hook (the longest `lifecycle.preStop.sleep` of its containers; the application keeps
 * serving meanwhile), sends SIGTERM, and sends SIGKILL if the application has not exited
 * when `terminationGracePeriodSeconds` (default 30 s, counted from the deletion and
 * including the hook) runs out, with at least 2 s after SIGTERM
 * (minimumGracePeriodInSeconds). Once the containers have stopped, the pod is marked not
 * ready and its object is deleted. Started pods' probes, container exits, kills and
 * restarts (CrashLoopBackOff) are run by {@link PodLifecycle}.
 *
 * @example
 * ```ts
 * const kubelets = new Kubelets(store, new Callbacks(scheduler), runtime, {
 *   random: random.fork("kubelet"), startDelay: constant(2_000), readinessDelay: constant(500),
 * });
 * // node-1 has spec.podCIDR "10.244.1.0/24"; pod default/web-0 is bound to it (spec.nodeName "node-1")
 * scheduler.runUntil(3_000);
 * kubelets.podIP("default/web-0"); // "10.244.1.2": Running since 2 s, Ready since 2.5 s
 * kubelets.containerExited("default", "web-0"); // a crash: not Ready, restarted (restartPolicy Always)
 * ```
 */
export class Kubelets {
  private readonly ipam = new Map<string, NodeIPAM>();
  private readonly started = new Map<string, string>();
  private readonly starting = new Set<string>();
  private readonly terminating = new Set<string>();
  private readonly lifecycle: PodLifecycle;
  // Node failures: the node of each pod the kubelet handles, the nodes whose kubelet is
  // stopped, and a per-node epoch that timers compare so a stopped kubelet's timers do nothing.
  private readonly nodeOf = new Map<string, string>();
  private readonly stoppedNodes = new Set<string>();
  private readonly epochs = new Map<string, number>();
  // Network partitions: the nodes whose kubelet cannot reach the API server, the pods it
  // knew when the partition began, and the start statuses it could not post meanwhile.
  private readonly partitioned = new Map<string, Map<string, Pod>>();
  private readonly unposted = new Map<string, Pod>();
  private readonly heals = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    private readonly runtime: ContainerRuntime,
    private readonly options: KubeletOptions,
  ) {
    if (options.statusSyncPeriod !== undefined && !(options.statusSyncPeriod > 0 && Number.isFinite(options.statusSyncPeriod))) {
      throw new RangeError(`statusSyncPeriod: Invalid value: ${options.statusSyncPeriod}: must be a finite number of ms > 0`);
    }
    this.lifecycle = new PodLifecycle(store, later, runtime, {
      restartDelay: options.restartDelay,
      warmUp: options.readinessDelay,
      onEvent: options.onEvent,
      connected: (nodeName) => !this.partitioned.has(nodeName),
    });
    store.watch("Pod", (e) => (e.type === "DELETED" ? this.forget(e.object) : this.observe(e.object)), {
      delay: options.watchDelay ?? 0,
      name: "kubelet",
    });
  }

  /**
   * Takes an address from a node's pod CIDR for something that is not a managed pod
   * (a simulated client process with its own network namespace).
   */
  reserveIP(nodeName: string): string {
    const node = this.store.get("Node", undefined, nodeName);
    if (!node) throw new RangeError(`node: Not found: "${nodeName}"`);
    const ip = this.allocateIP(node);
    if (ip === undefined) {
      throw new RangeError(`node: Invalid value: "${nodeName}": no free address in its pod CIDR ${node.spec?.podCIDR ?? ""} (${ipamExhausted(node)}); use a larger nodeCIDRMaskSize or another node`);
    }
    return ip;
  }

  /**
   * The application of a running pod exited on its own (a crash, `exitCode` 1 by default):
   * the pod turns not ready and the kubelet restarts the container as its
   * `restartPolicy` and the back-off say. The runtime has already stopped the application.
   * @returns false when no such pod runs.
   */
  containerExited(namespace: string, name: string, exitCode: number = 1): boolean {
    return this.lifecycle.exited(`${namespace}/${name}`, this.store.now, exitCode, "Error");
  }

  /** Whether a pod's containers run now, by `namespace/name` (false while it waits for a restart). */
  containerRunning(key: string): boolean {
    return this.lifecycle.running(key);
  }

  /** Restarts of a running pod's containers, by `namespace/name` (undefined when not running). */
  restartCount(key: string): number | undefined {
    return this.lifecycle.restartCount(key);
  }

  /**
   * The node's kubelet stops, with the node (a crash, power loss or cut-off): it writes
   * nothing more, its pending work is dropped, and its pods' containers are gone (their
   * IPs go back to the node's range; the runtime is not called: the caller cuts the pods
   * off). Their objects stay in the API as they are until {@link Kubelets.startNode}.
   * @returns the pods (`namespace/name`) that were running, with their IPs.
   */
  stopNode(nodeName: string): Map<string, string> {
    const running = new Map<string, string>();
    if (this.stoppedNodes.has(nodeName)) return running;
    this.stoppedNodes.add(nodeName);
    this.partitioned.delete(nodeName); // a partitioned node that crashes is a crashed node
    this.epochs.set(nodeName, this.epochOf(nodeName) + 1);
    for (const [key, node] of [...this.nodeOf]) {
      if (node !== nodeName) continue;
      const ip = this.started.get(key);
      if (ip !== undefined) {
        running.set(key, ip);
        this.releaseIP(nodeName, ip);
      }
      this.started.delete(key);
      this.starting.delete(key);
      this.terminating.delete(key);
      this.nodeOf.delete(key);
      this.unposted.delete(key);
      this.lifecycle.forget(key); // probes, restarts and readiness timers stop
    }
    return running;
  }

  /**
   * The node's kubelet starts again (the node rebooted): it syncs every pod bound to the
   * node as a fresh kubelet does. Pods marked for deletion meanwhile are deleted at once
   * (their containers are already gone); the others start again (new sandbox, new IP).
   */
  startNode(nodeName: string): void {
    if (!this.stoppedNodes.delete(nodeName)) return;
    for (const pod of this.store.list("Pod")) if (pod.spec.nodeName === nodeName) this.observe(pod);
  }

  /**
   * The node's kubelet loses the API server (a network partition; the node and its pods
   * keep running): it sees no pod change and writes nothing (no pod status, no deletion of
   * a pod whose containers finished) until {@link Kubelets.healPartition}. Its pods'
   * containers, probes and restarts go on as before.
   */
  partitionNode(nodeName: string): void {
    if (this.stoppedNodes.has(nodeName) || this.partitioned.has(nodeName)) return;
    const known = new Map<string, Pod>();
    for (const pod of this.store.list("Pod")) if (pod.spec.nodeName === nodeName) known.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
    this.partitioned.set(nodeName, known);
  }

  /**
   * The partition heals: the kubelet lists its pods again and acts on what changed
   * meanwhile. At the status manager's next `syncBatch` tick ({@link KubeletOptions.statusSyncPeriod},
   * 10 s) it posts the status of the pods it runs (pkg/kubelet/status/status_manager.go:
   * syncBatch retries what failed and reconciles the API's status with its cache, so a
   * Ready condition the node lifecycle controller set to False is set back). At once: a
   * pod deleted from the API meanwhile is killed (pkg/kubelet/kubelet_pods.go
   * HandlePodCleanups: not in the API any more); a pod marked for
   * deletion meanwhile (taint eviction) is terminated gracefully, its grace period counted
   * from now, when the kubelet first sees the deletion (pkg/kubelet/pod_workers.go
   * calculateEffectiveGracePeriod uses `deletionGracePeriodSeconds`, not the time since);
   * a pod whose containers had finished meanwhile is deleted; a pod bound to the node
   * meanwhile starts.
   */
  healPartition(nodeName: string): void {
    const known = this.partitioned.get(nodeName);
    if (known === undefined) return;
    this.partitioned.delete(nodeName);
    const now = this.store.now;
    for (const [key, pod] of known) {
      if (this.nodeOf.get(key) === nodeName && !this.store.get("Pod", pod.metadata.namespace, pod.metadata.name)) this.forget(pod);
    }
    // The pod workers act at once on what the kubelet missed (deletions, new pods) ...
    for (const pod of this.store.list("Pod")) if (pod.spec.nodeName === nodeName) this.observe(pod, true);
    // ... the status manager posts what it could not send at its next syncBatch tick.
    const period = this.options.statusSyncPeriod ?? DEFAULT_STATUS_SYNC_PERIOD;
    const heal = (this.heals.get(nodeName) ?? 0) + 1;
    this.heals.set(nodeName, heal);
    const epoch = this.epochOf(nodeName);
    this.later.at((Math.floor(now / period) + 1) * period, (t) => {
      // Not if the node crashed or was cut off again meanwhile.
      if (this.heals.get(nodeName) !== heal || this.epochOf(nodeName) !== epoch || this.partitioned.has(nodeName)) return;
      this.postStatuses(nodeName, t);
    });
  }

  private postStatuses(nodeName: string, now: SimTime): void {
    for (const [key, node] of [...this.nodeOf]) {
      if (node !== nodeName || this.started.get(key) === undefined) continue;
      const slash = key.indexOf("/");
      const cur = this.store.get("Pod", key.slice(0, slash), key.slice(slash + 1));
      if (cur === undefined) continue;
      const start = this.unposted.get(key);
      if (start !== undefined) {
        this.unposted.delete(key);
        this.store.update({ ...cur, status: { ...cur.status, ...start.status } });
      }
      // A pod being terminated posts its own status as it ends.
      if (cur.metadata.deletionTimestamp === undefined) this.lifecycle.postStatus(key, now);
    }
  }

  /** Whether the kubelet of a node is cut off from the API server ({@link Kubelets.partitionNode}). */
  isNodePartitioned(nodeName: string): boolean {
    return this.partitioned.has(nodeName);
  }

  /** Whether the kubelet of a node is stopped ({@link Kubelets.stopNode}). */
  isNodeStopped(nodeName: string): boolean {
    return this.stoppedNodes.has(nodeName);
  }

  private epochOf(nodeName: string): number {
    return this.epochs.get(nodeName) ?? 0;
  }

  /** IP of a running pod, by `namespace/name`. */
  podIP(key: string): string | undefined {
    return this.started.get(key);
  }

  private observe(pod: Pod, seenLate: boolean = false, retry: boolean = false): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (!pod.spec.nodeName) return;
    const nodeName = pod.spec.nodeName;
    // A stopped kubelet sees nothing; a partitioned one lists its pods when it heals.
    if (this.stoppedNodes.has(nodeName) || this.partitioned.has(nodeName)) return;
    this.nodeOf.set(key, nodeName);
    const epoch = this.epochOf(nodeName);
    if (pod.metadata.deletionTimestamp !== undefined) {
      this.lifecycle.deleting(key);
      this.terminate(pod, key, seenLate ? this.store.now : undefined);
      return;
    }
    if (this.started.has(key) || this.starting.has(key)) return;
    this.starting.add(key);
    const rng = this.options.random.stream(`kubelet/${key}`);
    // A retry after a failed sandbox comes back after the pod worker's back-off instead.
    const startDelay = retry ? SANDBOX_RETRY_MS : (this.options.startDelay?.sample(rng) ?? 0);
    const warmUp = this.options.readinessDelay?.sample(rng) ?? 0;
    const readyDelay = readinessAfterStart(pod, warmUp);
    this.later.after(startDelay, (now) => {
      if (this.epochOf(nodeName) !== epoch) return; // the node failed meanwhile
      this.starting.delete(key);
      const cur = this.store.get("Pod", pod.metadata.namespace, pod.metadata.name);
      if (!cur || cur.metadata.deletionTimestamp !== undefined || !cur.spec.nodeName) return;
      const node = this.store.get("Node", undefined, cur.spec.nodeName);
      if (!node) return;
      const ip = this.allocateIP(node);
      if (ip === undefined) {
        // host-local IPAM has no free address: the CNI ADD fails, so does the sandbox
        // (kuberuntime_sandbox.go createPodSandbox, event FailedCreatePodSandBox); the pod stays
        // Pending and its pod worker tries again after its back-off (pod_workers.go
        // workerBackOffPeriod, 10 s) until an address is free.
        this.options.onEvent?.({
          at: now,
          namespace: cur.metadata.namespace ?? "default",
          pod: cur.metadata.name,
          reason: "FailedCreatePodSandBox",
          message: `Failed to create pod sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: no IP addresses available in range set: ${ipamExhausted(node)}`,
        });
        this.observe(cur, false, true);
        return;
      }
      this.started.set(key, ip);
      const hostIP = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
      // With no readiness delay (no readiness probe), the container is ready as soon as it
      // runs, and the kubelet's status manager sends both in one status update
      // (pkg/kubelet/prober/prober_manager.go: no probe => ready; pkg/kubelet/status/status_manager.go).
      // The containers start first, so that a readiness probe due at once (initialDelaySeconds 0,
      // no warm-up) asks the application itself.
      this.runtime.startPod(cur, ip, now);
      let readyNow = readyDelay === 0 && !PodLifecycle.hasStartupProbe(cur);
      let firstProbe: boolean | undefined;
      if (readyNow && PodLifecycle.hasReadinessProbe(cur)) {
        firstProbe = this.runtime.probe === undefined || this.runtime.probe(cur, ip, "readiness", now) === "success";
        readyNow = firstProbe;
      }
      // Status writes are plain spreads: immer stays for users' recipes (ObjectStore.mutate).
      const status: Pod = {
        ...cur,
        status: {
          ...cur.status,
          phase: "Running",
          podIP: ip,
          podIPs: [{ ip }],
          hostIP,
          startTime: now,
          conditions: withReady(cur.status?.conditions, readyNow ? "True" : "False", now),
          containerStatuses: containerStatusesOf(cur, { ready: readyNow, started: !PodLifecycle.hasStartupProbe(cur), restartCount: 0, state: { running: { startedAt: now } } }),
        },
      };
      // Cut off from the API server: the containers run, the status waits for the heal.
      const running = this.partitioned.has(nodeName) ? (this.unposted.set(key, status), undefined) : this.store.update(status);
      // Probes, readiness after warm-up, exits and restarts from here on.
      this.lifecycle.started(running ?? cur, key, ip, now, warmUp, readyDelay, rng, firstProbe);
    });
  }

  private terminate(pod: Pod, key: string, graceFrom?: SimTime): void {
    if (!this.store.get("Pod", pod.metadata.namespace, pod.metadata.name)) return; // already gone
    if (this.terminating.has(key)) return;
    this.starting.delete(key);
    const ip = this.started.get(key);
    if (ip === undefined) {
      this.store.delete("Pod", pod.metadata.namespace, pod.metadata.name);
      return;
    }
    this.terminating.add(key);
    const nodeName = pod.spec.nodeName as string;
    const epoch = this.epochOf(nodeName);
    const now = this.store.now;
    const deletedAt = graceFrom ?? pod.metadata.deletionTimestamp ?? now;
    const graceMs = Math.max(0, pod.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS) * 1000;
    const preStopMs = Math.max(0, ...(pod.spec.containers ?? []).map((c) => (preStopSeconds(c) ?? 0) * 1000));
    let done = false;
    const finish = (): void => {
      if (done || this.epochOf(nodeName) !== epoch) return; // done, or the node failed meanwhile
      done = true;
      this.lifecycle.forget(key);
      this.terminating.delete(key);
      this.started.delete(key);
      // The containers are gone (or are killed now): the sandbox and its IP go with them.
      this.runtime.stopPod(pod, ip, this.store.now);
      this.releaseIP(pod.spec.nodeName as string, ip);
      this.unposted.delete(key);
      const cur = this.store.get("Pod", pod.metadata.namespace, pod.metadata.name);
      // Cut off from the API server, the kubelet cannot delete the object: it does when it heals.
      if (cur && !this.partitioned.has(nodeName)) {
        const t = this.store.now;
        this.store.update({ ...cur, status: { ...cur.status, conditions: withReady(cur.status?.conditions, "False", t) } });
        this.store.delete("Pod", pod.metadata.namespace, pod.metadata.name);
      }
    };
    // The preStop hook runs first; SIGTERM follows when it ends, or when the grace period does.
    const sigtermAt = Math.max(now, Math.min(deletedAt + preStopMs, deletedAt + graceMs));
    // SIGKILL at the end of the grace period, but never sooner than 2 s after SIGTERM.
    const sigkillAt = Math.max(deletedAt + graceMs, sigtermAt + MINIMUM_GRACE_PERIOD_SECONDS * 1000);
    this.later.at(sigtermAt, (t) => {
      if (done || this.epochOf(nodeName) !== epoch) return;
      this.runtime.terminatePod(pod, ip, t, finish);
    });
    this.later.at(sigkillAt, () => finish()); // SIGKILL: whatever is left is reset
  }

  private forget(pod: Pod): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    // A pod deleted from the API while its kubelet is cut off runs on until the heal.
    if (pod.spec.nodeName !== undefined && this.partitioned.has(pod.spec.nodeName)) return;
    this.unposted.delete(key);
    this.nodeOf.delete(key);
    const ip = this.started.get(key);
    this.terminating.delete(key);
    this.lifecycle.forget(key);
    if (ip !== undefined) {
      this.started.delete(key);
      this.runtime.stopPod(pod, ip, this.store.now);
      this.releaseIP(pod.spec.nodeName as string, ip);
    }
  }

  // Host-local IPAM (containernetworking/plugins plugins/ipam/host-local/backend/allocator):
  // offsets .2 .. broadcast-1 (.1 is the bridge gateway), handed out in order after the
  // last one reserved, wrapping around and skipping addresses in use.
  private allocateIP(node: Node): string | undefined {
    let st = this.ipam.get(node.metadata.name);
    if (!st) {
      const cidr = node.spec?.podCIDR;
      if (!cidr) throw new Error(`Node "${node.metadata.name}": spec.podCIDR: Required value: the kubelet needs a pod CIDR to give pods IPs`);
      const c = parseCidr(cidr);
      st = { base: c.base, size: c.size, used: new Set(), last: 1 };
      this.ipam.set(node.metadata.name, st);
    }
    const first = 2;
    const span = st.size - 3; // .2 .. size-2
    for (let k = 1; k <= span; k++) {
      const off = first + ((st.last - first + k) % span + span) % span;
      if (!st.used.has(off)) {
        st.used.add(off);
        st.last = off;
        return formatIPv4(st.base + off);
      }
    }
    return undefined;
  }

  private releaseIP(nodeName: string, ip: string): void {
    const st = this.ipam.get(nodeName);
    if (st) st.used.delete(parseIPv4(ip) - st.base);
  }
}

/** pod_workers.go workerBackOffPeriod: a pod whose sync failed is tried again after 10 s. */
const SANDBOX_RETRY_MS = 10_000;

/** host-local's range set of a node's pod CIDR as its error prints it (`10.244.0.2-10.244.0.254`). */
function ipamExhausted(node: Node): string {
  const c = parseCidr(node.spec?.podCIDR ?? "0.0.0.0/32");
  return `${formatIPv4(c.base + 2)}-${formatIPv4(c.base + c.size - 2)}`;
}
