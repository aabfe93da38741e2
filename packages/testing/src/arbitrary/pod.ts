import fc from "fast-check";
import type { Pod, PodCondition, PodPhase, StringMap } from "@kube-netsim/model";

/**
 * Options of {@link pod}.
 *
 * @example
 * ```ts
 * const constraints: PodConstraints = { labels: { app: "web" }, nodes: ["node-1", "node-2"], containerPort: 9376, namespace: "shop" };
 * fc.assert(fc.property(pod(constraints), (p) => p.metadata.labels?.app === "web"));
 * ```
 */
export interface PodConstraints {
  /** Labels every pod carries. Default `{ app: "api" }`. */
  readonly labels?: StringMap;
  /** Nodes a pod may be bound to (`spec.nodeName`); a pod may also be unscheduled. Default `["node-1", "node-2", "node-3"]`. */
  readonly nodes?: readonly string[];
  /** The container's port (`containerPort`, named `http`). Default 8080. */
  readonly containerPort?: number;
  /** Namespace. Default `default`. */
  readonly namespace?: string;
}

/** The Ready condition of a generated pod: `undefined` means the pod has no Ready condition. */
type ReadyStatus = PodCondition["status"] | undefined;

/**
 * A Pod in any state that matters to Service networking: any `status.phase`, a `Ready`
 * condition that is `True`, `False`, `Unknown` or absent, bound to a node or not, with or
 * without a pod IP, and terminating (`metadata.deletionTimestamp` set) or not.
 *
 * @remarks
 * The EndpointSlice controller turns these into endpoint conditions
 * (pkg/controller/util/endpoint/controller_utils.go `ShouldPodBeInEndpoints`,
 * staging/src/k8s.io/endpointslice/utils.go `podToEndpoint`): `ready` = Ready and not
 * terminating, `serving` = Ready, `terminating` = deletionTimestamp set. Every value passes
 * the model's validation. Names are `pod-<n>`, IPs `10.244.<node>.<n>`, so two pods of one
 * array may share a name (use `fc.uniqueArray(pod(), { selector: (p) => p.metadata.name })`).
 * Shrinks towards a Running, Ready, unterminated pod `pod-0` on the first node.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(pod(), (p) => validateObject(p).length === 0));
 * ```
 */
export function pod(constraints: PodConstraints = {}): fc.Arbitrary<Pod> {
  const labels = constraints.labels ?? { app: "api" };
  const nodes = constraints.nodes ?? ["node-1", "node-2", "node-3"];
  const containerPort = constraints.containerPort ?? 8080;
  const namespace = constraints.namespace ?? "default";
  return fc
    .record({
      index: fc.nat({ max: 250 }),
      phase: fc.constantFrom<PodPhase>("Running", "Pending", "Succeeded", "Failed", "Unknown"),
      ready: fc.constantFrom<ReadyStatus>("True", "False", "Unknown", undefined),
      /** Index into `nodes`; `nodes.length` means unscheduled. */
      node: fc.nat({ max: nodes.length }),
      hasIP: fc.boolean().map((b) => !b),
      terminating: fc.boolean(),
      /** Virtual time (ms) of the last Ready transition and of the deletion. */
      since: fc.nat({ max: 60_000 }),
    })
    .map(({ index, phase, ready, node, hasIP, terminating, since }): Pod => {
      const nodeName = node < nodes.length ? nodes[node] : undefined;
      const ip = nodeName !== undefined && hasIP ? `10.244.${node}.${(index % 250) + 2}` : undefined;
      const conditions: PodCondition[] = [];
      if (nodeName !== undefined) conditions.push({ type: "PodScheduled", status: "True" });
      if (ready !== undefined) conditions.push({ type: "Ready", status: ready, lastTransitionTime: since });
      return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: `pod-${index}`,
          namespace,
          labels,
          ...(terminating ? { deletionTimestamp: since } : {}),
        },
        spec: {
          containers: [{ name: "app", image: "example/app:1.0", ports: [{ name: "http", containerPort }] }],
          ...(nodeName !== undefined ? { nodeName } : {}),
        },
        status: {
          phase,
          ...(conditions.length > 0 ? { conditions } : {}),
          ...(ip !== undefined ? { podIP: ip, podIPs: [{ ip }] } : {}),
        },
      };
    });
}
