import type { Distribution } from "@kube-netsim/core";

/**
 * A pod's application as a queue: up to `concurrency` requests in service at once,
 * the rest waiting first-in first-out.
 *
 * @example
 * ```ts
 * const api: ApplicationModel = { concurrency: 1, serviceTime: exponential(5) }; // an M/M/1 server, 5 ms mean
 * ```
 */
export interface ApplicationModel {
  /** Requests served in parallel (worker threads, event-loop slots). Default 1. */
  readonly concurrency?: number;
  /** Time to serve one request, in ms. */
  readonly serviceTime: Distribution;
  /** Most requests that may wait (not counting those in service); beyond it requests are `dropped`. Default unlimited. */
  readonly queueLimit?: number;
  /**
   * What the process does on SIGTERM: `exit` at once (default; what a process without a
   * signal handler does: everything it holds is reset), or `drain`: stop accepting
   * connections, close idle keep-alive connections, finish the requests it holds, then
   * exit (Go's `http.Server.Shutdown`). SIGKILL at the end of the grace period cuts a
   * drain short.
   */
  readonly onSigterm?: "exit" | "drain";
  /**
   * Time from each process start (the pod's first start and every restart) until the
   * application opens its port: before it, connections are refused and probes fail at
   * once. Default: listening at once.
   */
  readonly warmUp?: Distribution;
  /**
   * Time from each process start until the process hangs (a deadlock, a stuck event loop):
   * it keeps its connections but answers nothing, so held and new requests end
   * `timedOut` after their client's timeout and probes get no answer (a liveness probe then
   * kills it; a restart starts healthy again). Default: never.
   */
  readonly hangAfter?: Distribution;
  /**
   * Time from each process start until the process exits on its own (a crash, exit code 1):
   * requests it holds are reset, its port refuses connections, and the kubelet restarts it
   * with the CrashLoopBackOff back-off. Default: never.
   */
  readonly crashAfter?: Distribution;
}

/**
 * An {@link ApplicationModel} with its defaults filled (see {@link resolveApplicationModel}).
 *
 * @example
 * ```ts
 * const m: ResolvedApplicationModel = resolveApplicationModel({ serviceTime: exponential(5), concurrency: 8 }, "app");
 * m.queueLimit; // Infinity
 * m.onSigterm;  // "exit"
 * m.warmUp;     // undefined: listening at once
 * ```
 */
export interface ResolvedApplicationModel {
  readonly concurrency: number;
  readonly serviceTime: Distribution;
  readonly queueLimit: number;
  readonly onSigterm: "exit" | "drain";
  readonly warmUp: Distribution | undefined;
  readonly hangAfter: Distribution | undefined;
  readonly crashAfter: Distribution | undefined;
}

/**
 * Checks an application model and returns it with defaults filled.
 * @throws RangeError naming the field and value.
 *
 * @example
 * ```ts
 * resolveApplicationModel({ serviceTime: exponential(5) }, "app");
 * // { concurrency: 1, serviceTime, queueLimit: Infinity, onSigterm: "exit", warmUp: undefined, ... }
 * resolveApplicationModel({ serviceTime: exponential(5), concurrency: 0 }, "app");
 * // throws RangeError "app.concurrency: Invalid value: 0: must be an integer >= 1"
 * ```
 */
export function resolveApplicationModel(
  model: ApplicationModel,
  path: string = "application",
): ResolvedApplicationModel {
  const concurrency = model.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`${path}.concurrency: Invalid value: ${String(concurrency)}: must be an integer >= 1`);
  }
  const queueLimit = model.queueLimit ?? Infinity;
  if (!(queueLimit === Infinity || (Number.isInteger(queueLimit) && queueLimit >= 0))) {
    throw new RangeError(`${path}.queueLimit: Invalid value: ${String(queueLimit)}: must be an integer >= 0`);
  }
  if (!model.serviceTime || typeof model.serviceTime.sample !== "function") {
    throw new RangeError(`${path}.serviceTime: Required value: a Distribution (e.g. exponential(5))`);
  }
  const onSigterm = model.onSigterm ?? "exit";
  if (onSigterm !== "exit" && onSigterm !== "drain") {
    throw new RangeError(`${path}.onSigterm: Unsupported value: "${String(onSigterm)}": supported values: "drain", "exit"`);
  }
  const optional = (k: "warmUp" | "hangAfter" | "crashAfter"): Distribution | undefined => {
    const d = model[k];
    if (d === undefined) return undefined;
    if (d === null || typeof d !== "object" || typeof d.sample !== "function") {
      throw new RangeError(`${path}.${k}: Invalid value: ${JSON.stringify(d) ?? String(d)}: must be a Distribution (e.g. constant(30000))`);
    }
    return d;
  };
  return { concurrency, serviceTime: model.serviceTime, queueLimit, onSigterm, warmUp: optional("warmUp"), hangAfter: optional("hangAfter"), crashAfter: optional("crashAfter") };
}
