import type { CiliumLbAlgorithm, IpvsSchedulerName, ProxyMode } from "@kube-netsim/proxy";
import { Simulation } from "./simulation.js";
import type { KubeProxySettings, SimulationOptions, SimulationResults } from "./simulation.js";

/**
 * One mode's results in a {@link compareModes} run.
 *
 * @example
 * ```ts
 * const rows: ModeComparisonRow[] = compareModes({ modes: ["iptables", "ipvs:lc"], simulation: { seed: 1 } }, scenario);
 * for (const { mode, results } of rows) console.log(mode, results.latency.p99); // ms, same requests in both modes
 * ```
 */
export interface ModeComparisonRow {
  /** The mode as given (`iptables`, `nftables`, `ipvs:lc`, `cilium`, `cilium:maglev`). */
  readonly mode: string;
  /** That run's results. */
  readonly results: SimulationResults;
}

/**
 * Options of {@link compareModes}.
 *
 * @example
 * ```ts
 * compareModes({ modes: ["iptables", "nftables", "ipvs:lc", "cilium"], simulation: { seed: 3, nodes: 4 } }, scenario);
 * ```
 */
export interface CompareModesOptions {
  /** Modes to run: `iptables`, `nftables`, `cilium`, `cilium:<algorithm>` (random, maglev), `ipvs` or `ipvs:<scheduler>` (rr, wrr, lc, wlc, sed, nq, sh, dh, mh). */
  readonly modes: readonly string[];
  /** Everything else a {@link Simulation} takes; the same for every mode (one seed for all). */
  readonly simulation: Omit<SimulationOptions, "kubeProxy"> & { readonly kubeProxy?: Omit<KubeProxySettings, "mode" | "ipvs" | "cilium"> };
}

/**
 * Parses `ipvs:lc` or `cilium:maglev` into kube-proxy settings. @throws RangeError naming the value.
 *
 * @example
 * ```ts
 * parseMode("ipvs:lc"); // { mode: "ipvs", ipvs: { scheduler: "lc" } }
 * parseMode("cilium");  // { mode: "cilium" }
 * parseMode("cilium:maglev"); // { mode: "cilium", cilium: { algorithm: "maglev" } }
 * ```
 */
export function parseMode(mode: string): Pick<KubeProxySettings, "mode" | "ipvs" | "cilium"> {
  const [m, sub, extra] = mode.split(":");
  const modes = ["iptables", "nftables", "ipvs", "cilium"];
  if (!modes.includes(m) || extra !== undefined || (sub !== undefined && m !== "ipvs" && m !== "cilium")) {
    throw new RangeError(
      `modes: Unsupported value: "${mode}": supported values: "iptables", "nftables", "cilium", "cilium:<algorithm>", "ipvs" or "ipvs:<scheduler>"`,
    );
  }
  if (m === "cilium") {
    if (sub === undefined) return { mode: "cilium", ipvs: undefined };
    if (sub !== "random" && sub !== "maglev") {
      throw new RangeError(`modes: Unsupported value: "${mode}": supported Cilium algorithms: random, maglev`);
    }
    return { mode: "cilium", ipvs: undefined, cilium: { algorithm: sub as CiliumLbAlgorithm } };
  }
  return { mode: m as ProxyMode, ipvs: sub ? { scheduler: sub as IpvsSchedulerName } : undefined };
}

/**
 * Runs one scenario under several kube-proxy modes with the same seed and returns the
 * results side by side.
 *
 * @remarks
 * **Details.** Each mode gets a fresh {@link Simulation} with the same options and seed;
 * `scenario` applies objects, adds clients, schedules actions and runs it. Because every
 * component draws from its own named random stream, clients send the same requests at
 * the same times in every mode (common random numbers): differences come from the data
 * plane, not from sampling.
 *
 * @example
 * ```ts
 * const rows = compareModes({ modes: ["iptables", "ipvs:rr", "ipvs:lc"], simulation: { seed: 1 } }, (sim) => {
 *   sim.apply([deployment, service]);
 *   sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
 *   sim.settle();
 *   sim.addClient({ name: "c", target: "api:80", rate: 400 });
 *   sim.runFor(60_000);
 * });
 * console.log(formatComparison(rows));
 * ```
 */
export function compareModes(options: CompareModesOptions, scenario: (sim: Simulation) => void): ModeComparisonRow[] {
  if (options.modes.length === 0) throw new RangeError(`modes: Required value: at least one mode`);
  const parsed = options.modes.map(parseMode);
  return options.modes.map((mode, i) => {
    const sim = new Simulation({ ...options.simulation, kubeProxy: { ...options.simulation.kubeProxy, ...parsed[i] } });
    scenario(sim);
    return { mode, results: sim.results() };
  });
}

/**
 * A plain-text table of a comparison: outcomes, latency quantiles and the spread of per-endpoint shares.
 *
 * @example
 * ```ts
 * const rows = compareModes({ modes: ["iptables", "ipvs:rr", "cilium"], simulation: { seed: 7 } }, (sim) => {
 *   sim.apply([deployment, service]);
 *   sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
 *   sim.settle();
 *   sim.addClient({ name: "web", target: "http://api:80", rate: 200 });
 *   sim.runFor(30_000);
 *   sim.drain();
 * });
 * console.log(formatComparison(rows));
 * ```
 */
export function formatComparison(rows: readonly ModeComparisonRow[]): string {
  const header = ["mode", "started", "completed", "refused", "reset", "timedOut", "dropped", "mean ms", "p50 ms", "p99 ms", "endpoints", "min share", "max share"];
  const body = rows.map(({ mode, results: r }) => {
    const shares = r.endpoints.map((e) => e.share);
    const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : "-");
    const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "-");
    return [
      mode,
      String(r.started),
      String(r.outcomes.completed),
      String(r.outcomes.refused),
      String(r.outcomes.reset),
      String(r.outcomes.timedOut),
      String(r.outcomes.dropped),
      ms(r.latency.mean),
      ms(r.latency.p50),
      ms(r.latency.p99),
      String(shares.length),
      pct(shares.length ? Math.min(...shares) : NaN),
      pct(shares.length ? Math.max(...shares) : NaN),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: readonly string[]): string => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join("  ");
  return [line(header), ...body.map(line)].join("\n") + "\n";
}
