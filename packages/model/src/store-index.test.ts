import { RandomSource, Scheduler } from "@kube-netsim/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OwnerReference, Pod, Service } from "./types.js";
import { ObjectStore } from "./store.js";

function setup(): ObjectStore {
  return new ObjectStore(new Scheduler(), { random: new RandomSource(1).stream("apiserver") });
}

const pod = (name: string, namespace: string, labels: Record<string, string>, owners: readonly OwnerReference[] = []): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels, ...(owners.length > 0 ? { ownerReferences: owners } : {}) },
  spec: { containers: [{ name: "c" }] },
});

const service = (name: string, namespace: string, selector: Record<string, string>): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace },
  spec: { selector, ports: [{ port: 80 }] },
});

const names = (xs: readonly { metadata: { name: string } }[]): string[] => xs.map((x) => x.metadata.name);

describe("ObjectStore indexes (listByLabel, listOwnedBy, listServiceCandidates)", () => {
  it.each([
    ["one label", { app: "api" }, "app", "api", ["a", "c"]],
    ["other value", { app: "web" }, "app", "web", ["b"]],
    ["absent key", { app: "api" }, "tier", "x", []],
  ] as const)("listByLabel: %s", (_name, _unused, key, value, want) => {
    const store = setup();
    store.create(pod("a", "default", { app: "api" }));
    store.create(pod("b", "default", { app: "web" }));
    store.create(pod("c", "default", { app: "api", tier: "y" }));
    store.create(pod("d", "other", { app: "api" }));
    expect(names(store.listByLabel("Pod", "default", key, value))).toEqual(want);
  });

  it("listByLabel follows label changes and deletes, in creation order", () => {
    const store = setup();
    store.create(pod("a", "default", { app: "web" }));
    store.create(pod("b", "default", { app: "api" }));
    store.mutate("Pod", "default", "a", (d) => {
      d.metadata.labels = { app: "api" };
    });
    // "a" gained the label after "b" was created: creation order still puts it first.
    expect(names(store.listByLabel("Pod", "default", "app", "api"))).toEqual(["a", "b"]);
    expect(store.listByLabel("Pod", "default", "app", "web")).toEqual([]);
    store.delete("Pod", "default", "a");
    expect(names(store.listByLabel("Pod", "default", "app", "api"))).toEqual(["b"]);
  });

  it("listOwnedBy finds every object with an ownerReference to the UID, controller or not", () => {
    const store = setup();
    const ref = (uid: string, controller: boolean): OwnerReference => ({ apiVersion: "apps/v1", kind: "ReplicaSet", name: `rs-${uid}`, uid, controller });
    store.create(pod("a", "default", {}, [ref("u1", true)]));
    store.create(pod("b", "default", {}, [ref("u2", true), ref("u1", false)]));
    store.create(pod("c", "default", {}, [ref("u2", true)]));
    expect(names(store.listOwnedBy("Pod", "default", "u1"))).toEqual(["a", "b"]);
    expect(names(store.listOwnedBy("Pod", "default", "u2"))).toEqual(["b", "c"]);
    expect(store.listOwnedBy("Pod", "other", "u2")).toEqual([]);
  });

  it("listServiceCandidates: Services with a selector entry among the labels, empty selectors never", () => {
    const store = setup();
    store.create(service("api", "default", { app: "api" }));
    store.create(service("all-web", "default", { tier: "web" }));
    store.create(service("none", "default", {}));
    store.create(service("api-other-ns", "other", { app: "api" }));
    expect(names(store.listServiceCandidates("default", [{ app: "api", tier: "web" }]))).toEqual(["api", "all-web"]);
    expect(names(store.listServiceCandidates("default", [{ app: "x" }, { tier: "web" }]))).toEqual(["all-web"]);
    expect(store.listServiceCandidates("default", [undefined, {}])).toEqual([]);
  });

  it("property: after any writes, every index lookup equals the filtered list() (seed 9)", () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant("create" as const), name: fc.integer({ min: 0, max: 7 }), ns: fc.constantFrom("default", "b"), app: fc.integer({ min: 0, max: 2 }), owner: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ t: fc.constant("relabel" as const), name: fc.integer({ min: 0, max: 7 }), ns: fc.constantFrom("default", "b"), app: fc.integer({ min: 0, max: 2 }), owner: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ t: fc.constant("delete" as const), name: fc.integer({ min: 0, max: 7 }), ns: fc.constantFrom("default", "b"), app: fc.constant(0), owner: fc.constant(0) }),
      fc.record({ t: fc.constant("service" as const), name: fc.integer({ min: 0, max: 3 }), ns: fc.constantFrom("default", "b"), app: fc.integer({ min: 0, max: 2 }), owner: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const store = setup();
        const ownerRef = (o: number): OwnerReference[] => (o === 0 ? [] : [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `rs${o}`, uid: `uid-${o}`, controller: true }]);
        for (const o of ops) {
          const name = `p${o.name}`;
          const exists = store.get("Pod", o.ns, name) !== undefined;
          if (o.t === "create" && !exists) store.create(pod(name, o.ns, { app: `a${o.app}` }, ownerRef(o.owner)));
          if (o.t === "relabel" && exists) {
            store.mutate("Pod", o.ns, name, (d) => {
              d.metadata.labels = { app: `a${o.app}` };
              d.metadata.ownerReferences = ownerRef(o.owner);
            });
          }
          if (o.t === "delete") store.delete("Pod", o.ns, name);
          if (o.t === "service") {
            const svcName = `s${o.name}`;
            if (store.get("Service", o.ns, svcName)) store.delete("Service", o.ns, svcName);
            else store.create(service(svcName, o.ns, { app: `a${o.app}` }));
          }
        }
        for (const ns of ["default", "b"]) {
          for (let a = 0; a <= 2; a++) {
            const want = store.list("Pod", ns).filter((p) => p.metadata.labels?.app === `a${a}`);
            expect(store.listByLabel("Pod", ns, "app", `a${a}`)).toEqual(want);
            const svcs = store.list("Service", ns).filter((s) => s.spec.selector?.app === `a${a}`);
            expect(store.listServiceCandidates(ns, [{ app: `a${a}` }])).toEqual(svcs);
          }
          for (let o = 1; o <= 2; o++) {
            const want = store.list("Pod", ns).filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === `uid-${o}`));
            expect(store.listOwnedBy("Pod", ns, `uid-${o}`)).toEqual(want);
          }
        }
      }),
      { seed: 9, numRuns: 200 },
    );
  });
});
