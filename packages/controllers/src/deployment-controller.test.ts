import { describe, it, expect } from "vitest";
import { Callbacks, RandomSource, Scheduler } from "@kube-netsim/core";
import { LABEL_POD_TEMPLATE_HASH, ObjectStore, compileLabelSelector } from "@kube-netsim/model";
import type { Deployment, ReplicaSet } from "@kube-netsim/model";
import { DeploymentController, desiredReplicaSet } from "./deployment-controller.js";
import { computePodTemplateHash } from "./pod-template-hash.js";
import { ReplicaSetController, isPodActive } from "./replicaset-controller.js";

function mkDeployment(o: { replicas?: number; image?: string; uid?: string } = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace: "default", ...(o.uid !== undefined ? { uid: o.uid } : {}) },
    spec: {
      ...(o.replicas !== undefined ? { replicas: o.replicas } : {}),
      selector: { matchLabels: { app: "api" } },
      template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "c", image: o.image ?? "api:1" }] } },
    },
  };
}

function setup(): { s: Scheduler; store: ObjectStore } {
  const s = new Scheduler();
  const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
  const later = new Callbacks(s);
  new DeploymentController(store, later);
  new ReplicaSetController(store, later);
  return { s, store };
}

const replicaSets = (store: ObjectStore): ReplicaSet[] => store.list("ReplicaSet", "default");
const activePods = (store: ObjectStore, rs?: ReplicaSet) =>
  store.list("Pod", "default").filter((p) => isPodActive(p) && (rs === undefined || p.metadata.ownerReferences?.some((o) => o.uid === rs.metadata.uid)));

describe("desiredReplicaSet (pkg/controller/deployment/sync.go getNewReplicaSet)", () => {
  const d = mkDeployment({ replicas: 4, uid: "d-uid" });
  const hash = computePodTemplateHash(d.spec.template);
  const rs = desiredReplicaSet(d);

  it("is named <deployment>-<pod-template-hash of the template>", () => {
    expect(rs.metadata.name).toBe(`api-${hash}`);
    expect(rs.metadata.name).toMatch(/^api-[456789bcdf]{1,10}$/);
    expect(rs.metadata.namespace).toBe("default");
  });

  it("adds pod-template-hash to the selector, the ReplicaSet labels and the template labels", () => {
    expect(rs.spec.selector.matchLabels).toEqual({ app: "api", [LABEL_POD_TEMPLATE_HASH]: hash });
    expect(rs.metadata.labels).toEqual({ app: "api", [LABEL_POD_TEMPLATE_HASH]: hash });
    expect(rs.spec.template.metadata?.labels).toEqual({ app: "api", [LABEL_POD_TEMPLATE_HASH]: hash });
    // The selector selects the template's pods, and no pod of another template.
    const sel = compileLabelSelector(rs.spec.selector);
    expect(sel.matches(rs.spec.template.metadata?.labels)).toBe(true);
    expect(sel.matches({ app: "api", [LABEL_POD_TEMPLATE_HASH]: "other" })).toBe(false);
  });

  it("keeps the template spec, copies replicas and points its controller ownerReference at the Deployment", () => {
    expect(rs.spec.template.spec).toEqual(d.spec.template.spec);
    expect(rs.spec.replicas).toBe(4);
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: "d-uid", controller: true }]);
  });

  it("defaults replicas to 1", () => {
    expect(desiredReplicaSet(mkDeployment()).spec.replicas).toBe(1);
  });

  it("hashes the Deployment's template (without the hash label) so a new template gives a new name", () => {
    expect(desiredReplicaSet(mkDeployment({ image: "api:2" })).metadata.name).not.toBe(rs.metadata.name);
    expect(desiredReplicaSet(mkDeployment({ replicas: 9 })).metadata.name).toBe(rs.metadata.name);
  });

  it("does not modify the Deployment", () => {
    expect(d.spec.template.metadata?.labels).toEqual({ app: "api" });
    expect(d.spec.selector.matchLabels).toEqual({ app: "api" });
  });
});

describe("DeploymentController with ReplicaSetController", () => {
  it("creates one ReplicaSet with replicas = spec.replicas, and its pods", () => {
    const { s, store } = setup();
    const d = store.create(mkDeployment({ replicas: 3 }));
    s.run();
    const rss = replicaSets(store);
    expect(rss).toHaveLength(1);
    expect(rss[0].metadata.name).toBe(`api-${computePodTemplateHash(d.spec.template)}`);
    expect(rss[0].spec.replicas).toBe(3);
    expect(rss[0].metadata.ownerReferences?.[0].uid).toBe(d.metadata.uid);
    const pods = activePods(store);
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name.startsWith(`${rss[0].metadata.name}-`)).toBe(true);
      expect(p.metadata.labels?.[LABEL_POD_TEMPLATE_HASH]).toBe(computePodTemplateHash(d.spec.template));
    }
    expect(store.get("Deployment", "default", "api")?.status).toEqual({ observedGeneration: 1, replicas: 3, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 3 });
  });

  it("defaults spec.replicas to 1", () => {
    const { s, store } = setup();
    store.create(mkDeployment());
    s.run();
    expect(replicaSets(store).map((r) => r.spec.replicas)).toEqual([1]);
    expect(activePods(store)).toHaveLength(1);
  });

  it("scales the ReplicaSet when the Deployment is scaled, up and down", () => {
    const { s, store } = setup();
    store.create(mkDeployment({ replicas: 2 }));
    s.run();
    store.mutate("Deployment", "default", "api", (x) => {
      x.spec.replicas = 5;
    });
    s.run();
    expect(replicaSets(store).map((r) => r.spec.replicas)).toEqual([5]);
    expect(activePods(store)).toHaveLength(5);
    store.mutate("Deployment", "default", "api", (x) => {
      x.spec.replicas = 1;
    });
    s.run();
    expect(replicaSets(store).map((r) => r.spec.replicas)).toEqual([1]);
    expect(activePods(store)).toHaveLength(1);
    expect(store.get("Deployment", "default", "api")?.status?.observedGeneration).toBe(3);
  });

  it("on a template change creates a new ReplicaSet at full size and scales the old one to 0 at once (current non-rolling behaviour)", () => {
    // Documented scope: no RollingUpdate (maxSurge/maxUnavailable) yet; the switch is immediate.
    const { s, store } = setup();
    store.create(mkDeployment({ replicas: 3 }));
    s.run();
    const [oldRS] = replicaSets(store);
    store.mutate("Deployment", "default", "api", (x) => {
      x.spec.template = { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "c", image: "api:2" }] } };
    });
    s.run();
    const rss = replicaSets(store);
    expect(rss).toHaveLength(2);
    const newRS = rss.find((r) => r.metadata.name !== oldRS.metadata.name) as ReplicaSet;
    expect(newRS.metadata.name).toBe(desiredReplicaSet(store.get("Deployment", "default", "api") as Deployment).metadata.name);
    expect(newRS.spec.replicas).toBe(3);
    expect(store.get("ReplicaSet", "default", oldRS.metadata.name)?.spec.replicas).toBe(0);
    expect(activePods(store, oldRS)).toHaveLength(0);
    expect(activePods(store, newRS)).toHaveLength(3);
    for (const p of activePods(store, newRS)) expect(p.spec.containers[0].image).toBe("api:2");
  });

  it("reuses the old ReplicaSet when the template is changed back (rollback)", () => {
    const { s, store } = setup();
    store.create(mkDeployment({ replicas: 2 }));
    s.run();
    const [first] = replicaSets(store);
    const setImage = (image: string): void => {
      store.mutate("Deployment", "default", "api", (x) => {
        x.spec.template = { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "c", image }] } };
      });
      s.run();
    };
    setImage("api:2");
    setImage("api:1");
    const rss = replicaSets(store);
    expect(rss).toHaveLength(2);
    expect(store.get("ReplicaSet", "default", first.metadata.name)?.spec.replicas).toBe(2);
    expect(rss.filter((r) => r.metadata.name !== first.metadata.name).map((r) => r.spec.replicas)).toEqual([0]);
    expect(activePods(store, first)).toHaveLength(2);
  });

  it("reports readiness from the current ReplicaSet", () => {
    const { s, store } = setup();
    store.create(mkDeployment({ replicas: 2 }));
    s.run();
    const [pod] = activePods(store);
    store.mutate("Pod", "default", pod.metadata.name, (p) => {
      p.spec.nodeName = "n1";
      p.status = { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: 0 }] };
    });
    s.run();
    expect(store.get("Deployment", "default", "api")?.status).toEqual({ observedGeneration: 1, replicas: 2, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 2 });
  });
});
