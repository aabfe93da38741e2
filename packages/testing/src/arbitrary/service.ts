import fc from "fast-check";
import type { Service, ServiceType, StringMap, TrafficPolicy } from "@kube-netsim/model";

/**
 * Options of {@link service} and {@link servicePolicy}.
 *
 * @example
 * ```ts
 * const constraints: ServiceConstraints = { name: "web", port: 8080, targetPort: 9376, types: ["ClusterIP", "NodePort"], sessionAffinities: ["ClientIP"] };
 * fc.assert(fc.property(service(constraints), (s) => s.spec.sessionAffinity === "ClientIP"));
 * ```
 */
export interface ServiceConstraints {
  /** `metadata.name`. Default `api`. */
  readonly name?: string;
  /** Namespace. Default `default`. */
  readonly namespace?: string;
  /** `spec.selector`. Default `{ app: <name> }`. */
  readonly selector?: StringMap;
  /** `spec.ports[0].port`. Default 80. */
  readonly port?: number;
  /** `spec.ports[0].targetPort`: a number or a container port name. Default `"http"`. */
  readonly targetPort?: number | string;
  /**
   * Service types to draw from. Default `["ClusterIP"]`: the type whose traffic the
   * simulation carries today. `NodePort` and `LoadBalancer` also draw an
   * `externalTrafficPolicy` (validated and programmed, but clients only call ClusterIPs).
   */
  readonly types?: readonly Exclude<ServiceType, "ExternalName">[];
  /** `internalTrafficPolicy` values to draw from. Default both, `Cluster` first. */
  readonly internalTrafficPolicies?: readonly TrafficPolicy[];
  /** `sessionAffinity` values to draw from. Default both, `None` first. */
  readonly sessionAffinities?: readonly ("None" | "ClientIP")[];
  /** Also draw `spec.trafficDistribution` (validated, not yet used by kube-proxy's model). Default false. */
  readonly trafficDistribution?: boolean;
}

/**
 * The traffic policies of a Service, as one value that reads well in a counter-example.
 *
 * @example
 * ```ts
 * const policy: ServicePolicy = { type: "NodePort", internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Local", sessionAffinity: "ClientIP", timeoutSeconds: 10800 };
 * serviceManifest(policy, { name: "web" }).spec.sessionAffinityConfig; // { clientIP: { timeoutSeconds: 10800 } }
 * ```
 */
export interface ServicePolicy {
  /** `spec.type`. */
  readonly type: Exclude<ServiceType, "ExternalName">;
  /** `spec.internalTrafficPolicy`. */
  readonly internalTrafficPolicy: TrafficPolicy;
  /** `spec.externalTrafficPolicy` (NodePort and LoadBalancer only). */
  readonly externalTrafficPolicy?: TrafficPolicy;
  /** `spec.sessionAffinity`. */
  readonly sessionAffinity: "None" | "ClientIP";
  /** `spec.sessionAffinityConfig.clientIP.timeoutSeconds` (ClientIP only; 1..86400 as the API server allows). */
  readonly timeoutSeconds?: number;
  /** `spec.trafficDistribution`. */
  readonly trafficDistribution?: "PreferClose" | "PreferSameZone" | "PreferSameNode";
}

/**
 * The policies of a Service: type, `internalTrafficPolicy`, `externalTrafficPolicy` where
 * allowed, `sessionAffinity` with its timeout, and optionally `trafficDistribution`.
 *
 * @remarks
 * Only valid combinations: `externalTrafficPolicy` only for externally accessible types
 * and `sessionAffinityConfig` only with `ClientIP` (pkg/apis/core/validation
 * `validateServiceExternalTrafficPolicy`, `ValidateService`). Shrinks towards
 * `{ type: "ClusterIP", internalTrafficPolicy: "Cluster", sessionAffinity: "None" }`.
 *
 * @example
 * ```ts
 * fc.sample(servicePolicy(), 1) // [{ type: "ClusterIP", internalTrafficPolicy: "Local", sessionAffinity: "ClientIP", timeoutSeconds: 10 }]
 * ```
 */
export function servicePolicy(constraints: ServiceConstraints = {}): fc.Arbitrary<ServicePolicy> {
  const types = constraints.types ?? ["ClusterIP"];
  return fc
    .record({
      type: fc.constantFrom(...types),
      internalTrafficPolicy: fc.constantFrom<TrafficPolicy>(...(constraints.internalTrafficPolicies ?? ["Cluster", "Local"])),
      externalTrafficPolicy: fc.constantFrom<TrafficPolicy>("Cluster", "Local"),
      sessionAffinity: fc.constantFrom<"None" | "ClientIP">(...(constraints.sessionAffinities ?? ["None", "ClientIP"])),
      timeoutSeconds: fc.oneof(fc.constantFrom(10800, 10, 1), fc.integer({ min: 1, max: 86400 })),
      trafficDistribution: constraints.trafficDistribution === true ? fc.option(fc.constantFrom<"PreferClose" | "PreferSameZone" | "PreferSameNode">("PreferClose", "PreferSameZone", "PreferSameNode"), { nil: undefined }) : fc.constant(undefined),
    })
    .map((r): ServicePolicy => ({
      type: r.type,
      internalTrafficPolicy: r.internalTrafficPolicy,
      ...(r.type !== "ClusterIP" ? { externalTrafficPolicy: r.externalTrafficPolicy } : {}),
      sessionAffinity: r.sessionAffinity,
      ...(r.sessionAffinity === "ClientIP" ? { timeoutSeconds: r.timeoutSeconds } : {}),
      ...(r.trafficDistribution !== undefined ? { trafficDistribution: r.trafficDistribution } : {}),
    }));
}

/**
 * Builds the Service manifest of a {@link ServicePolicy}: one TCP port named `http`.
 *
 * @example
 * ```ts
 * serviceManifest({ type: "ClusterIP", internalTrafficPolicy: "Cluster", sessionAffinity: "None" }, { name: "api" })
 * ```
 */
export function serviceManifest(policy: ServicePolicy, constraints: ServiceConstraints = {}): Service {
  const name = constraints.name ?? "api";
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: constraints.namespace ?? "default" },
    spec: {
      ...(policy.type !== "ClusterIP" ? { type: policy.type } : {}),
      selector: constraints.selector ?? { app: name },
      ports: [{ name: "http", protocol: "TCP", port: constraints.port ?? 80, targetPort: constraints.targetPort ?? "http" }],
      internalTrafficPolicy: policy.internalTrafficPolicy,
      ...(policy.externalTrafficPolicy !== undefined ? { externalTrafficPolicy: policy.externalTrafficPolicy } : {}),
      sessionAffinity: policy.sessionAffinity,
      ...(policy.sessionAffinity === "ClientIP" ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: policy.timeoutSeconds ?? 10800 } } } : {}),
      ...(policy.trafficDistribution !== undefined ? { trafficDistribution: policy.trafficDistribution } : {}),
    },
  };
}

/**
 * A valid Service manifest with generated policies ({@link servicePolicy}).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(service({ name: "api" }), (s) => validateObject(s).length === 0));
 * ```
 */
export function service(constraints: ServiceConstraints = {}): fc.Arbitrary<Service> {
  return servicePolicy(constraints).map((p) => serviceManifest(p, constraints));
}
