import type { Callbacks } from "@kube-netsim/core";
import { LABEL_POD_TEMPLATE_HASH } from "@kube-netsim/model";
import type { Deployment, ObjectStore, ReplicaSet } from "@kube-netsim/model";
import { computePodTemplateHash } from "./pod-template-hash.js";

/**
 * The ReplicaSet a Deployment wants for its current template: named
 * `<deployment>-<pod-template-hash>`, with the hash added to its selector, labels and
 * template labels (pkg/controller/deployment/sync.go getNewReplicaSet).
 */
export function desiredReplicaSet(d: Deployment): ReplicaSet {
  const hash = computePodTemplateHash(d.spec.template);
  const templateLabels = { ...(d.spec.template.metadata?.labels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: templateLabels,
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name, uid: d.metadata.uid ?? "", controller: true }],
    },
    spec: {
      replicas: d.spec.replicas ?? 1,
      minReadySeconds: d.spec.minReadySeconds,
      selector: {
        ...d.spec.selector,
        matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash },
      },
      template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels: templateLabels } },
    },
  };
}

/** Options of the {@link DeploymentController}. */
export interface DeploymentControllerOptions {
  /** Delay (ms) of the controller's watches. Default 0. */
  readonly watchDelay?: number;
}

/**
 * The Deployment controller, for creation and scaling: it keeps one ReplicaSet per
 * Deployment for the current pod template, sized to `spec.replicas` (default 1).
 *
 * @remarks
 * Scope of this release: when the template changes, the new ReplicaSet is created at
 * full size and the old ones are scaled to 0 at once (the Recreate strategy without
 * its wait). The RollingUpdate strategy with maxSurge/maxUnavailable is not modelled
 * yet; a Deployment that asks for it gets this behaviour, which is documented, not
 * hidden.
 */
export class DeploymentController {
  private readonly dirty = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    options: DeploymentControllerOptions = {},
  ) {
    const delay = options.watchDelay ?? 0;
    store.watch("Deployment", (e) => this.enqueue(`${e.object.metadata.namespace}/${e.object.metadata.name}`), { delay, name: "deployment-controller" });
    store.watch(
      "ReplicaSet",
      (e) => {
        const owner = e.object.metadata.ownerReferences?.find((o) => o.controller && o.kind === "Deployment");
        if (owner) this.enqueue(`${e.object.metadata.namespace}/${owner.name}`);
      },
      { delay, name: "deployment-controller" },
    );
  }

  private enqueue(key: string): void {
    this.dirty.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    this.later.after(0, () => {
      this.scheduled = false;
      const keys = [...this.dirty].sort();
      this.dirty.clear();
      for (const k of keys) this.sync(k);
    });
  }

  /** Reconciles one Deployment (`namespace/name`). */
  sync(key: string): void {
    const slash = key.indexOf("/");
    const ns = key.slice(0, slash);
    const d = this.store.get("Deployment", ns, key.slice(slash + 1));
    if (!d) return;
    const want = desiredReplicaSet(d);
    const owned = this.store.list("ReplicaSet", ns).filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid));
    const current = owned.find((rs) => rs.metadata.name === want.metadata.name);
    if (!current) this.store.create(want);
    else if (current.spec.replicas !== want.spec.replicas) {
      this.store.mutate("ReplicaSet", ns, current.metadata.name, (r) => {
        r.spec.replicas = want.spec.replicas;
      });
    }
    for (const old of owned) {
      if (old.metadata.name !== want.metadata.name && old.spec.replicas !== 0) {
        this.store.mutate("ReplicaSet", ns, old.metadata.name, (r) => {
          r.spec.replicas = 0;
        });
      }
    }
    const rs = this.store.get("ReplicaSet", ns, want.metadata.name);
    const replicas = rs?.status?.replicas ?? 0;
    const ready = rs?.status?.readyReplicas ?? 0;
    if (d.status?.replicas !== replicas || d.status?.readyReplicas !== ready || d.status?.observedGeneration !== d.metadata.generation) {
      this.store.mutate("Deployment", ns, d.metadata.name, (x) => {
        x.status = { observedGeneration: d.metadata.generation, replicas, readyReplicas: ready, availableReplicas: ready, updatedReplicas: replicas };
      });
    }
  }
}
