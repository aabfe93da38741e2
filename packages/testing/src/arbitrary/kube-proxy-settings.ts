import fc from "fast-check";
import { IPVS_SCHEDULER_NAMES } from "@kube-netsim/proxy";
import type { IpvsSchedulerName, ProxyMode } from "@kube-netsim/proxy";
import type { KubeProxySettings } from "@kube-netsim/scenario";

/**
 * Options of {@link kubeProxySettings}.
 *
 * @example
 * ```ts
 * const constraints: KubeProxySettingsConstraints = { modes: ["iptables", "ipvs"], ipvsSchedulers: ["rr", "lc"], minSyncPeriods: [0, 1000] };
 * fc.sample(kubeProxySettings(constraints), { seed: 3, numRuns: 2 });
 * // [{ mode: "iptables", minSyncPeriod: 1000 }, { mode: "ipvs", ipvs: { scheduler: "lc" }, minSyncPeriod: 0 }]
 * ```
 */
export interface KubeProxySettingsConstraints {
  /** Modes to draw from. Default all four: `iptables`, `nftables`, `ipvs`, `cilium`. */
  readonly modes?: readonly ProxyMode[];
  /** IPVS schedulers to draw from (mode `ipvs`). Default all nine kernel schedulers. */
  readonly ipvsSchedulers?: readonly IpvsSchedulerName[];
  /** `minSyncPeriod` values (ms) to draw from. Default `[1000]` (kube-proxy's default). */
  readonly minSyncPeriods?: readonly number[];
}

/**
 * kube-proxy settings for `new Simulation({ kubeProxy })`: a data plane (and, for IPVS,
 * a scheduler) and a `minSyncPeriod`.
 *
 * @remarks
 * Shrinks towards the first mode listed (`iptables` by default) and the first scheduler
 * (`rr`).
 *
 * @example
 * ```ts
 * kubeProxySettings({ modes: ["ipvs"], ipvsSchedulers: ["lc"] }) // always { mode: "ipvs", ipvs: { scheduler: "lc" }, minSyncPeriod: 1000 }
 * ```
 */
export function kubeProxySettings(constraints: KubeProxySettingsConstraints = {}): fc.Arbitrary<KubeProxySettings> {
  const modes = constraints.modes ?? (["iptables", "nftables", "ipvs", "cilium"] as const);
  const schedulers = constraints.ipvsSchedulers ?? IPVS_SCHEDULER_NAMES;
  const periods = constraints.minSyncPeriods ?? [1000];
  if (modes.length === 0) throw new RangeError(`modes: Required value: at least one proxy mode`);
  if (schedulers.length === 0) throw new RangeError(`ipvsSchedulers: Required value: at least one IPVS scheduler`);
  if (periods.length === 0) throw new RangeError(`minSyncPeriods: Required value: at least one period`);
  return fc
    .record({ mode: fc.constantFrom(...modes), scheduler: fc.constantFrom(...schedulers), minSyncPeriod: fc.constantFrom(...periods) })
    .map(({ mode, scheduler, minSyncPeriod }): KubeProxySettings => (mode === "ipvs" ? { mode, ipvs: { scheduler }, minSyncPeriod } : { mode, minSyncPeriod }));
}
