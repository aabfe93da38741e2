import fc from "fast-check";
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from "@kube-netsim/model";
import type { Endpoint, EndpointSlice } from "@kube-netsim/model";
import { endpointConditions } from "./endpoint-conditions.js";

/**
 * Options of {@link endpoint} and {@link endpointSlice}.
 *
 * @example
 * ```ts
 * const constraints: EndpointSliceConstraints = { service: "web", nodes: ["node-1", "node-2"], zones: ["zone-a", "zone-b"], maxEndpoints: 5, port: 9376 };
 * fc.assert(fc.property(endpointSlice(constraints), (s) => s.endpoints.every((e) => e.zone === undefined || e.nodeName !== undefined)));
 * ```
 */
export interface EndpointSliceConstraints {
  /** The Service the slice belongs to (label `kubernetes.io/service-name`). Default `api`. */
  readonly service?: string;
  /** Namespace. Default `default`. */
  readonly namespace?: string;
  /** Node names an endpoint may report (`nodeName`); an endpoint may also have none. Default `["node-1", "node-2", "node-3"]`. */
  readonly nodes?: readonly string[];
  /** Zone of each node, by index into `nodes` (`zone` of the endpoint). Default none. */
  readonly zones?: readonly string[];
  /** Most endpoints in one slice. Default 10 (upstream allows 1000, `--max-endpoints-per-slice` defaults to 100). */
  readonly maxEndpoints?: number;
  /** The slice's port (named `http`, TCP). Default 8080. */
  readonly port?: number;
  /** The slice's name. Default `<service>-<5 letters>` as the controller's generateName gives. */
  readonly name?: string;
}

const NODES = ["node-1", "node-2", "node-3"] as const;

/**
 * One `endpoints[]` entry of an IPv4 EndpointSlice: one address `10.244.<c>.<d>`, any
 * {@link endpointConditions} (nil included), and maybe a `nodeName` and `zone`.
 *
 * @remarks
 * The third octet is 0..2 and the last 2..254, so the `IP:port` string order is not the
 * numeric order (kube-proxy sorts endpoints as strings). Shrinks towards `10.244.0.2` on no
 * node with nil conditions.
 *
 * @example
 * ```ts
 * fc.sample(endpoint(), 1) // [{ addresses: ["10.244.1.37"], nodeName: "node-2", conditions: { ready: false } }]
 * ```
 */
export function endpoint(constraints: EndpointSliceConstraints = {}): fc.Arbitrary<Endpoint> {
  const nodes = constraints.nodes ?? NODES;
  const zones = constraints.zones;
  return fc
    .record({
      ip: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 2, max: 254 })).map(([c, d]) => `10.244.${c}.${d}`),
      node: fc.option(fc.nat({ max: nodes.length - 1 }), { nil: undefined, freq: 8 }),
      conditions: endpointConditions(),
    })
    .map(({ ip, node, conditions }): Endpoint => ({
      addresses: [ip],
      ...(node !== undefined ? { nodeName: nodes[node] } : {}),
      ...(node !== undefined && zones?.[node] !== undefined ? { zone: zones[node] } : {}),
      ...(conditions !== undefined ? { conditions } : {}),
    }));
}

/**
 * A valid IPv4 EndpointSlice of a Service: 0 to `maxEndpoints` {@link endpoint}s with
 * distinct addresses, one TCP port named `http`, the `kubernetes.io/service-name` and
 * managed-by labels.
 *
 * @remarks
 * Every value passes the model's validation (`validateObject`, after
 * pkg/apis/discovery/validation). Shrinks towards an empty slice (the controller's
 * placeholder), then towards fewer endpoints with nil conditions.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(endpointSlice({ service: "api" }), (s) => s.endpoints.length <= 10));
 * ```
 */
export function endpointSlice(constraints: EndpointSliceConstraints = {}): fc.Arbitrary<EndpointSlice> {
  const service = constraints.service ?? "api";
  const namespace = constraints.namespace ?? "default";
  const port = constraints.port ?? 8080;
  const endpoints = fc.uniqueArray(endpoint(constraints), { minLength: 0, maxLength: constraints.maxEndpoints ?? 10, selector: (e) => e.addresses[0] });
  const name = constraints.name !== undefined ? fc.constant(constraints.name) : fc.stringMatching(/^[a-z0-9]{5}$/).map((s) => `${service}-${s}`);
  return fc.record({ name, endpoints }).map(
    ({ name: n, endpoints: eps }): EndpointSlice => ({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: n, namespace, labels: { [LABEL_SERVICE_NAME]: service, [LABEL_MANAGED_BY]: "kube-netsim-testing" } },
      addressType: "IPv4",
      endpoints: eps,
      ports: [{ name: "http", protocol: "TCP", port }],
    }),
  );
}
