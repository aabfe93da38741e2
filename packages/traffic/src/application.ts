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
}

/**
 * Checks an application model and returns it with defaults filled.
 * @throws RangeError naming the field and value.
 */
export function resolveApplicationModel(
  model: ApplicationModel,
  path: string = "application",
): { concurrency: number; serviceTime: Distribution; queueLimit: number; onSigterm: "exit" | "drain" } {
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
  return { concurrency, serviceTime: model.serviceTime, queueLimit, onSigterm };
}
