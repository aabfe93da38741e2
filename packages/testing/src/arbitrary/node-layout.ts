import fc from "fast-check";
import type { NodeSpec } from "@kube-netsim/scenario";

/**
 * Options of {@link nodeLayout}.
 *
 * @example
 * ```ts
 * nodeLayout({ minNodes: 3, maxNodes: 6, maxZones: 2 }); // node-1..node-3 to node-6, in zone-a and/or zone-b
 * ```
 */
export interface NodeLayoutConstraints {
  /** Fewest nodes. Default 1. */
  readonly minNodes?: number;
  /** Most nodes. Default 4. */
  readonly maxNodes?: number;
  /** Most distinct zones (`zone-a`, `zone-b`, ...; at most 6). Default 3. */
  readonly maxZones?: number;
}

const ZONE_NAMES = ["zone-a", "zone-b", "zone-c", "zone-d", "zone-e", "zone-f"] as const;

/**
 * A cluster's nodes and zones, as {@link NodeSpec}s for `new Simulation({ nodes })`:
 * nodes `node-1`...`node-n`, each in one of up to `maxZones` zones
 * (`topology.kubernetes.io/zone`), possibly all in one zone or unevenly spread.
 *
 * @remarks
 * Shrinks towards one node in `zone-a`.
 *
 * @example
 * ```ts
 * fc.sample(nodeLayout(), 1) // [[{ name: "node-1", zone: "zone-a" }, { name: "node-2", zone: "zone-c" }]]
 * ```
 */
export function nodeLayout(constraints: NodeLayoutConstraints = {}): fc.Arbitrary<NodeSpec[]> {
  const minNodes = constraints.minNodes ?? 1;
  const maxNodes = constraints.maxNodes ?? 4;
  const maxZones = Math.min(constraints.maxZones ?? 3, ZONE_NAMES.length);
  if (!(Number.isInteger(minNodes) && minNodes >= 1)) throw new RangeError(`minNodes: Invalid value: ${minNodes}: must be an integer >= 1`);
  if (!(Number.isInteger(maxNodes) && maxNodes >= minNodes && maxNodes <= 250)) throw new RangeError(`maxNodes: Invalid value: ${maxNodes}: must be an integer between minNodes (${minNodes}) and 250`);
  if (!(Number.isInteger(maxZones) && maxZones >= 1)) throw new RangeError(`maxZones: Invalid value: ${maxZones}: must be an integer >= 1`);
  return fc
    .array(fc.nat({ max: maxZones - 1 }), { minLength: minNodes, maxLength: maxNodes })
    .map((zones) => zones.map((z, i): NodeSpec => ({ name: `node-${i + 1}`, zone: ZONE_NAMES[z] })));
}
