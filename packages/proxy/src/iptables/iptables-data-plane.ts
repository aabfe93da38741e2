import type { RandomStream, SimTime } from "@kube-netsim/core";
import { AffinityTables } from "../affinity.js";
import type { RecentList } from "../affinity.js";
import type { DataPlane, ProxyMode } from "../data-plane.js";
import type { ServiceFrontend } from "../service-frontend.js";
import { IptablesSelector } from "./probability.js";

/**
 * xt_recent's `ip_list_tot` module parameter default: addresses per recent list (linux net/netfilter/xt_recent.c).
 *
 * @example
 * ```ts
 * new IptablesDataPlane();     // each KUBE-SEP recent list holds XT_RECENT_IP_LIST_TOT = 100 client addresses
 * new IptablesDataPlane(1000); // a node loaded with `modprobe xt_recent ip_list_tot=1000`
 * ```
 */
export const XT_RECENT_IP_LIST_TOT = 100;

interface IptablesChain {
  readonly selector: IptablesSelector;
  /** One recent list per endpoint (KUBE-SEP chain), or null without session affinity. */
  readonly lists: readonly RecentList[] | null;
}

const chainsWithoutAffinity = new WeakMap<IptablesSelector, IptablesChain>();

/**
 * The iptables data plane: a KUBE-SVC chain of `-m statistic --mode random
 * --probability 1/(n-i)` rules over the endpoints in `IP:port` order, the last rule
 * unconditional (pkg/proxy/iptables/proxier.go writeServiceToEndpointRules).
 *
 * @remarks
 * A new connection consumes one uniform draw from the node's stream, mapped through
 * the chain's exact cumulative probabilities ({@link IptablesSelector}), which include
 * the 10-decimal rounding of kube-proxy and the kernel's 31-bit threshold.
 *
 * With `sessionAffinity: ClientIP`, the chain first has one `-m recent --rcheck
 * --seconds T --reap` rule per endpoint, in endpoint order, and each KUBE-SEP chain
 * `--set`s the client address: a client seen by an endpoint within T seconds goes back
 * to it (first match in endpoint order), otherwise the statistic rules pick. Each list
 * holds at most {@link XT_RECENT_IP_LIST_TOT} addresses ({@link RecentList}).
 *
 * @example
 * ```ts
 * // The default mode of a Simulation; every node gets its own data plane.
 * const sim = new Simulation({ seed: 1, kubeProxy: { mode: "iptables" } });
 * sim.apply([deployment, service]);
 * sim.settle();
 * sim.kubeProxy("node-1").ruleset(); // -A KUBE-SVC-... -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-...
 * ```
 */
export class IptablesDataPlane implements DataPlane {
  /** @inheritDoc */
  readonly mode: ProxyMode = "iptables";
  private readonly affinity: AffinityTables;

  /** @param recentListSize - xt_recent `ip_list_tot` (default 100). */
  constructor(recentListSize: number = XT_RECENT_IP_LIST_TOT) {
    if (!Number.isInteger(recentListSize) || recentListSize < 1) {
      throw new RangeError(`ip_list_tot: Invalid value: ${recentListSize}: must be an integer >= 1`);
    }
    this.affinity = new AffinityTables(recentListSize);
  }

  /** @inheritDoc */
  program(frontend: ServiceFrontend): void {
    const lists =
      frontend.affinityTimeout > 0
        ? this.affinity.listsFor(
            frontend.servicePortName,
            frontend.endpoints.map((e) => e.key),
          )
        : null;
    if (lists === null) this.affinity.drop(frontend.servicePortName);
    const selector = IptablesSelector.forEndpointCount(frontend.endpoints.length);
    if (lists === null) {
      // Without affinity a chain is its probabilities alone: one object per endpoint count.
      let shared = chainsWithoutAffinity.get(selector);
      if (shared === undefined) {
        shared = Object.freeze({ selector, lists: null });
        chainsWithoutAffinity.set(selector, shared);
      }
      frontend.compiled = shared;
      return;
    }
    const chain: IptablesChain = { selector, lists };
    frontend.compiled = chain;
  }

  /** @inheritDoc */
  unprogram(frontend: ServiceFrontend): void {
    if (frontend.servicePortName !== "") this.affinity.drop(frontend.servicePortName);
  }

  /** @inheritDoc */
  select(frontend: ServiceFrontend, clientIP: number, random: RandomStream, now: SimTime): number {
    const chain = frontend.compiled as IptablesChain;
    const lists = chain.lists;
    if (lists === null) return chain.selector.pick(random.next());
    const timeout = frontend.affinityTimeout;
    let chosen = -1;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i];
      const hit = list.check(clientIP, now, timeout);
      list.reap(now, timeout);
      if (hit) {
        chosen = i;
        break;
      }
    }
    if (chosen < 0) chosen = chain.selector.pick(random.next());
    lists[chosen].set(clientIP, now); // the KUBE-SEP chain's `-m recent --set`
    return chosen;
  }
}
