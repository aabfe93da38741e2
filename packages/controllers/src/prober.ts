import type { Container, Pod, Probe } from "@kube-netsim/model";

/**
 * The three probes of a container, in the order the kubelet's prober manager adds their workers.
 *
 * @example
 * ```ts
 * const kind: ProbeKind = "liveness";
 * podProbes(pod)[kind]?.failureThreshold; // 3 unless the pod's livenessProbe sets it
 * ```
 */
export type ProbeKind = "startup" | "readiness" | "liveness";

/**
 * What one probe of the application got: an answer (`success`), an immediate failure
 * (`refused`: nothing listens yet, or the connection was reset), or nothing within
 * `timeoutSeconds` (`no-answer`: the application hangs), which the kubelet records as a
 * failure when the timeout ends.
 *
 * @example
 * ```ts
 * // ContainerRuntime.probe: what the application answers
 * const probe = (_pod: Pod, _podIP: string, _kind: ProbeKind): ProbeAnswer => (hung ? "no-answer" : warmedUp ? "success" : "refused");
 * ```
 */
export type ProbeAnswer = "success" | "refused" | "no-answer";

/**
 * A probe with the API defaults filled, in ms.
 *
 * @example
 * ```ts
 * const p: ResolvedProbe = resolveProbe({ periodSeconds: 5, failureThreshold: 2 });
 * p.period;  // 5000 (ms)
 * p.timeout; // 1000: timeoutSeconds defaults to 1
 * ```
 */
export interface ResolvedProbe {
  /** `initialDelaySeconds` in ms. */
  readonly initialDelay: number;
  /** `periodSeconds` in ms. */
  readonly period: number;
  /** `timeoutSeconds` in ms. */
  readonly timeout: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
  /** The probe's own `terminationGracePeriodSeconds` (liveness and startup), if set. */
  readonly terminationGracePeriodSeconds: number | undefined;
}

/**
 * `periodSeconds` default (pkg/apis/core/v1/defaults.go SetDefaults_Probe).
 *
 * @example
 * ```ts
 * resolveProbe({}).period === DEFAULT_PROBE_PERIOD_SECONDS * 1000; // true: 10 s between probes
 * ```
 */
export const DEFAULT_PROBE_PERIOD_SECONDS = 10;
/**
 * `timeoutSeconds` default.
 *
 * @example
 * ```ts
 * resolveProbe({ timeoutSeconds: 0 }).timeout; // 1000: 0 or absent becomes DEFAULT_PROBE_TIMEOUT_SECONDS
 * ```
 */
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 1;
/**
 * `successThreshold` default.
 *
 * @example
 * ```ts
 * resolveProbe({}).successThreshold; // 1 (DEFAULT_PROBE_SUCCESS_THRESHOLD)
 * ```
 */
export const DEFAULT_PROBE_SUCCESS_THRESHOLD = 1;
/**
 * `failureThreshold` default.
 *
 * @example
 * ```ts
 * // With the defaults, a hung container is killed after 3 failed liveness probes in a row:
 * resolveProbe({}).failureThreshold; // 3 (DEFAULT_PROBE_FAILURE_THRESHOLD)
 * ```
 */
export const DEFAULT_PROBE_FAILURE_THRESHOLD = 3;

/**
 * Fills a probe's defaults as the API server does (SetDefaults_Probe: a zero or absent
 * `periodSeconds`, `timeoutSeconds`, `successThreshold`, `failureThreshold` becomes 10, 1,
 * 1, 3) and converts seconds to ms.
 *
 * @example
 * ```ts
 * resolveProbe({ initialDelaySeconds: 5 }); // { initialDelay: 5000, period: 10000, timeout: 1000, successThreshold: 1, failureThreshold: 3, ... }
 * ```
 */
export function resolveProbe(p: Probe): ResolvedProbe {
  const or = (v: number | undefined, d: number): number => (v === undefined || v <= 0 ? d : v);
  return {
    initialDelay: Math.max(0, p.initialDelaySeconds ?? 0) * 1000,
    period: or(p.periodSeconds, DEFAULT_PROBE_PERIOD_SECONDS) * 1000,
    timeout: or(p.timeoutSeconds, DEFAULT_PROBE_TIMEOUT_SECONDS) * 1000,
    successThreshold: or(p.successThreshold, DEFAULT_PROBE_SUCCESS_THRESHOLD),
    failureThreshold: or(p.failureThreshold, DEFAULT_PROBE_FAILURE_THRESHOLD),
    terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
  };
}

/**
 * The probes of a pod, one of each kind at most: kube-netsim runs one application per pod,
 * so each kind is taken from the first container that declares it.
 *
 * @example
 * ```ts
 * // pod: container "web" with readinessProbe { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5 }
 * // and livenessProbe { tcpSocket: { port: 8080 } }
 * const { startup, readiness, liveness } = podProbes(pod);
 * startup;           // undefined
 * readiness?.period; // 5000
 * liveness?.period;  // 10000
 * ```
 */
export function podProbes(pod: Pod): { readonly startup?: ResolvedProbe; readonly readiness?: ResolvedProbe; readonly liveness?: ResolvedProbe } {
  const first = (f: (c: Container) => Probe | undefined): ResolvedProbe | undefined => {
    for (const c of pod.spec.containers ?? []) {
      const p = f(c);
      if (p !== undefined) return resolveProbe(p);
    }
    return undefined;
  };
  return { startup: first((c) => c.startupProbe), readiness: first((c) => c.readinessProbe), liveness: first((c) => c.livenessProbe) };
}

// Result values (pkg/kubelet/prober/results): 0 unknown, 1 success, 2 failure.
/** @internal */
export const RESULT_UNKNOWN = 0;
/** @internal */
export const RESULT_SUCCESS = 1;
/** @internal */
export const RESULT_FAILURE = 2;

/**
 * The counting part of the kubelet's probe worker (pkg/kubelet/prober/worker.go doProbe):
 * consecutive equal results form a run; a result takes effect once its run reaches the
 * threshold (`successThreshold` for success, `failureThreshold` for failure).
 *
 * @example
 * ```ts
 * const counter = new ProbeCounter(resolveProbe({ failureThreshold: 3 }));
 * counter.record(false); // 0: unknown, below the threshold
 * counter.record(false); // 0
 * counter.record(false); // 2: failure takes effect (third in a row)
 * counter.record(true);  // 1: success (successThreshold 1)
 * ```
 */
export class ProbeCounter {
  /** Last raw result (RESULT_*). */
  lastResult: number = RESULT_UNKNOWN;
  /** How many times in a row it came. */
  resultRun: number = 0;

  constructor(readonly probe: ResolvedProbe) {}

  /**
   * Records one probe result (`true` success). Returns the result that now takes effect
   * (RESULT_SUCCESS or RESULT_FAILURE), or RESULT_UNKNOWN while below its threshold.
   */
  record(success: boolean): number {
    const r = success ? RESULT_SUCCESS : RESULT_FAILURE;
    if (this.lastResult === r) this.resultRun++;
    else {
      this.lastResult = r;
      this.resultRun = 1;
    }
    if (r === RESULT_FAILURE && this.resultRun < this.probe.failureThreshold) return RESULT_UNKNOWN;
    if (r === RESULT_SUCCESS && this.resultRun < this.probe.successThreshold) return RESULT_UNKNOWN;
    return r;
  }
}
