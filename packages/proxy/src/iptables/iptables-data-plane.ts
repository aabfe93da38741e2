import type { RandomStream } from "@kube-netsim/core";
import type { DataPlane, ProxyMode } from "../data-plane.js";
import type { ServiceFrontend } from "../service-frontend.js";
import { IptablesSelector } from "./probability.js";

/**
 * The iptables data plane: a KUBE-SVC chain of `-m statistic --mode random
 * --probability 1/(n-i)` rules over the endpoints in `IP:port` order, the last rule
 * unconditional (pkg/proxy/iptables/proxier.go writeServiceToEndpointRules).
 *
 * @remarks
 * A new connection consumes one uniform draw from the node's stream, mapped through
 * the chain's exact cumulative probabilities ({@link IptablesSelector}), which include
 * the 10-decimal rounding of kube-proxy and the kernel's 31-bit threshold. Session
 * affinity (`-m recent`) arrives with the data-plane release; until then ClientIP
 * affinity is refused when the simulation is set up rather than silently ignored.
 */
export class IptablesDataPlane implements DataPlane {
  /** @inheritDoc */
  readonly mode: ProxyMode = "iptables";

  /** @inheritDoc */
  program(frontend: ServiceFrontend): void {
    frontend.compiled = IptablesSelector.forEndpointCount(frontend.endpoints.length);
  }

  /** @inheritDoc */
  select(frontend: ServiceFrontend, _clientIP: number, random: RandomStream): number {
    return (frontend.compiled as IptablesSelector).pick(random.next());
  }
}
