import type { RandomStream, SimTime } from "@kube-netsim/core";
import { AffinityTables } from "../affinity.js";
import type { RecentList } from "../affinity.js";
import type { DataPlane, ProxyMode } from "../data-plane.js";
import type { ServiceFrontend } from "../service-frontend.js";

interface NftChain {
  readonly n: number;
  /** One affinity set per endpoint, or null without session affinity. */
  readonly sets: readonly RecentList[] | null;
}

const chainsWithoutAffinity = new Map<number, NftChain>();

/**
 * The nftables data plane: one rule per Service chain, `numgen random mod N vmap
 * { 0 : goto endpoint-A, ... }` over the endpoints in `IP:port` order
 * (pkg/proxy/nftables/proxier.go writeServiceToEndpointRules).
 *
 * @remarks
 * The kernel's numgen computes `reciprocal_scale(get_random_u32(), N)`, i.e.
 * floor(r x N / 2^32) for a 32-bit random r (linux net/netfilter/nft_numgen.c): with one
 * 32-bit uniform draw u = r / 2^32 from the node's stream, the index is floor(u x N).
 *
 * With `sessionAffinity: ClientIP`, each endpoint has a dynamic set with a timeout;
 * before the numgen rule, one `ip saddr @affinity-X goto endpoint-X` rule per endpoint
 * (first match in endpoint order), and every new connection through an endpoint
 * refreshes the client's element (sliding timeout). Unlike xt_recent there is no
 * 100-entry limit.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1, kubeProxy: { mode: "nftables" } });
 * sim.apply([deployment, service]);
 * sim.settle();
 * sim.kubeProxy("node-1").ruleset(); // table ip kube-proxy { ... numgen random mod 3 vmap { 0 : goto endpoint-..., ... } }
 * ```
 */
export class NftablesDataPlane implements DataPlane {
  /** @inheritDoc */
  readonly mode: ProxyMode = "nftables";
  private readonly affinity = new AffinityTables(Infinity);

  /** @inheritDoc */
  program(frontend: ServiceFrontend): void {
    const sets =
      frontend.affinityTimeout > 0
        ? this.affinity.listsFor(
            frontend.servicePortName,
            frontend.endpoints.map((e) => e.key),
          )
        : null;
    if (sets === null) this.affinity.drop(frontend.servicePortName);
    const n = frontend.endpoints.length;
    if (sets === null) {
      // Without affinity a chain is its endpoint count alone (numgen random mod n): shared.
      let shared = chainsWithoutAffinity.get(n);
      if (shared === undefined) {
        shared = Object.freeze({ n, sets: null });
        chainsWithoutAffinity.set(n, shared);
      }
      frontend.compiled = shared;
      return;
    }
    const chain: NftChain = { n, sets };
    frontend.compiled = chain;
  }

  /** @inheritDoc */
  unprogram(frontend: ServiceFrontend): void {
    if (frontend.servicePortName !== "") this.affinity.drop(frontend.servicePortName);
  }

  /** @inheritDoc */
  select(frontend: ServiceFrontend, clientIP: number, random: RandomStream, now: SimTime): number {
    const chain = frontend.compiled as NftChain;
    const sets = chain.sets;
    if (sets === null) return Math.floor(random.next() * chain.n);
    const timeout = frontend.affinityTimeout;
    let chosen = -1;
    for (let i = 0; i < sets.length; i++) {
      if (sets[i].check(clientIP, now, timeout)) {
        chosen = i;
        break;
      }
    }
    if (chosen < 0) chosen = Math.floor(random.next() * chain.n);
    const set = sets[chosen];
    set.set(clientIP, now); // `update @affinity-X { ip saddr }`
    set.expire(now, timeout); // expired elements leave the set (bounded memory)
    return chosen;
  }
}
