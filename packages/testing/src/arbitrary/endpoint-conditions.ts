import fc from "fast-check";
import type { EndpointConditions } from "@kube-netsim/model";

/**
 * Options of {@link endpointConditions}.
 *
 * @example
 * ```ts
 * endpointConditions({ nilFreq: 0 }); // always a conditions object (each key still possibly absent)
 * ```
 */
export interface EndpointConditionsConstraints {
  /**
   * How often the whole `conditions` object is absent (nil): about 1 in `nilFreq`
   * values (fast-check's `option` frequency; measured 0.166 at 6). Default 6. Set `0`
   * to always produce an object.
   */
  readonly nilFreq?: number;
}

/**
 * `endpoints[].conditions` of an EndpointSlice with any mix of `ready`, `serving` and
 * `terminating`, each possibly absent, or no `conditions` object at all (`undefined`).
 *
 * @remarks
 * A nil condition has a meaning upstream: kube-proxy reads nil `ready` and nil
 * `serving` as true and nil `terminating` as false (spec 1.1; see
 * {@link effectiveConditions}). Shrinks towards
 * `undefined` (no conditions), then towards fewer keys and `false` values.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(endpointConditions(), (c) => typeof effectiveConditions(c).ready === "boolean"));
 * ```
 */
export function endpointConditions(constraints: EndpointConditionsConstraints = {}): fc.Arbitrary<EndpointConditions | undefined> {
  const record = fc.record({ ready: fc.boolean(), serving: fc.boolean(), terminating: fc.boolean() }, { requiredKeys: [] });
  const freq = constraints.nilFreq ?? 6;
  if (!Number.isInteger(freq) || freq < 0) throw new RangeError(`nilFreq: Invalid value: ${freq}: must be an integer >= 0`);
  if (freq === 0) return record;
  return fc.option(record, { nil: undefined, freq });
}

/**
 * Endpoint conditions as kube-proxy reads them: every nil filled in.
 *
 * @example
 * ```ts
 * const c: EffectiveConditions = effectiveConditions({ ready: false, terminating: true });
 * // { ready: false, serving: true, terminating: true }: a nil serving reads as true
 * ```
 */
export interface EffectiveConditions {
  /** `ready`, nil read as true. */
  readonly ready: boolean;
  /** `serving`, nil read as true. */
  readonly serving: boolean;
  /** `terminating`, nil read as false. */
  readonly terminating: boolean;
}

/**
 * Fills in nil endpoint conditions as kube-proxy does (pkg/proxy/endpointslicecache.go
 * `newEndpointSliceInfo`: ready is true when nil, likewise serving; terminating is
 * false when nil). Note that the API's doc comment
 * (staging/src/k8s.io/api/discovery/v1/types.go) says a nil `serving` should defer to
 * `ready`; kube-proxy reads it as true, and so does this function.
 *
 * @example
 * ```ts
 * effectiveConditions(undefined) // { ready: true, serving: true, terminating: false }
 * ```
 */
export function effectiveConditions(conditions: EndpointConditions | undefined): EffectiveConditions {
  return {
    ready: conditions?.ready ?? true,
    serving: conditions?.serving ?? true,
    terminating: conditions?.terminating ?? false,
  };
}
