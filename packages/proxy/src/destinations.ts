/**
 * Destination ids of endpoint lists, shared between nodes.
 *
 * @packageDocumentation
 * @internal
 */
import type { Interner } from "@kube-netsim/core";
import type { ProxyEndpoint } from "./endpoint.js";

/** The destinations of a frontend with no endpoint (never written: it has no element). */
export const NO_DESTINATIONS: Int32Array = new Int32Array(0);

// Endpoint lists are frozen and, for every node without a local endpoint of the Service,
// the very same array (see endpointslice-cache.ts): their ids are computed once per list.
const idsByList = new WeakMap<readonly ProxyEndpoint[], { readonly interner: Interner; readonly ids: Int32Array }>();

/**
 * The interned ids of `endpoints`' `IP:port` keys, in order. The array is shared by every
 * caller that passes the same (frozen) list and interner: callers must not write to it.
 */
export function destinationIds(endpoints: readonly ProxyEndpoint[], interner: Interner): Int32Array {
  if (endpoints.length === 0) return NO_DESTINATIONS;
  const hit = idsByList.get(endpoints);
  if (hit !== undefined && hit.interner === interner) return hit.ids;
  const ids = new Int32Array(endpoints.length);
  for (let i = 0; i < endpoints.length; i++) ids[i] = interner.id(endpoints[i].key);
  if (Object.isFrozen(endpoints)) idsByList.set(endpoints, { interner, ids });
  return ids;
}
