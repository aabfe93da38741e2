import { RandomSource, Scheduler } from "@kube-netsim/core";
import { describe, expect, it } from "vitest";
import type { Pod, Service } from "./types.js";
import { ObjectStore, StoreError } from "./store.js";
import { ValidationError } from "./validation.js";
import type { WatchEvent } from "./store.js";

const pod = (name: string, labels: Record<string, string> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels },
  spec: { containers: [{ name: "c" }] },
});

function setup(): { s: Scheduler; store: ObjectStore } {
  const s = new Scheduler();
  return { s, store: new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") }) };
}

describe("ObjectStore", () => {
  it("creates objects with defaults: namespace, uid, resourceVersion, creationTimestamp, generation", () => {
    const { s, store } = setup();
    s.runUntil(1234);
    const p = store.create(pod("a"));
    expect(p.metadata.namespace).toBe("default");
    expect(p.metadata.uid).toBe("00000000-0000-4000-8000-000000000001");
    expect(p.metadata.resourceVersion).toBe("1");
    expect(p.metadata.creationTimestamp).toBe(1234);
    expect(p.metadata.generation).toBe(1);
    expect(Object.isFrozen(p)).toBe(true);
    expect(store.get("Pod", "default", "a")).toBe(p);
    expect(() => store.create(pod("a"))).toThrow(StoreError);
  });

  it("refuses invalid objects with every error and writes nothing", () => {
    const { store } = setup();
    const bad = { apiVersion: "v1", kind: "Service", metadata: { name: "API" }, spec: { ports: [{ port: 70000 }] } } as unknown as Service;
    let err: unknown;
    try {
      store.create(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const msgs = (err as ValidationError).errors.map((e) => e.field);
    expect(msgs).toContain("metadata.name");
    expect(msgs).toContain("spec.ports[0].port");
    expect(store.count("Service")).toBe(0);
    expect(store.resourceVersion).toBe(0);
  });

  it("names objects from generateName with the apiserver's alphabet", () => {
    const { store } = setup();
    const p = store.create({ ...pod(""), metadata: { name: "", generateName: "api-7c9f9d5b6f-" } });
    expect(p.metadata.name).toMatch(/^api-7c9f9d5b6f-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it("allocates ClusterIPs from 10.96.0.0/12, never .1, honours requested ones and refuses taken ones", () => {
    const { store } = setup();
    const svc = (name: string, clusterIP?: string): Service => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) },
    });
    const a = store.create(svc("a"));
    expect(a.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(a.spec.clusterIP).not.toBe("10.96.0.1");
    expect(store.clusterIPs.bandOffset).toBe(256);
    const b = store.create(svc("b", "10.96.0.10"));
    expect(b.spec.clusterIP).toBe("10.96.0.10");
    expect(() => store.create(svc("c", "10.96.0.10"))).toThrow(/provided IP is already allocated/);
    expect(() => store.create(svc("d", "10.96.0.1"))).toThrow(/already allocated/);
    expect(() => store.create(svc("e", "192.168.0.1"))).toThrow(/not in the valid range/);
    const headless = store.create(svc("h", "None"));
    expect(headless.spec.clusterIP).toBe("None");
  });

  it("delivers watch events after the delay, in write order, with old objects", () => {
    const { s, store } = setup();
    const seen: [number, string, string][] = [];
    let n = 0;
    // A decreasing delay would reorder events; watches never do.
    store.watch("Pod", (e: WatchEvent<"Pod">) => seen.push([s.now, e.type, e.object.metadata.name]), { delay: () => 10 - 3 * n++ });
    store.create(pod("a"));
    store.mutate("Pod", "default", "a", (d) => {
      d.metadata.labels = { x: "y" };
    });
    store.delete("Pod", "default", "a");
    expect(seen).toEqual([]);
    s.runUntil(100);
    expect(seen).toEqual([
      [10, "ADDED", "a"],
      [10, "MODIFIED", "a"],
      [10, "DELETED", "a"],
    ]);
  });

  it("lists existing objects to a new watch, and stops delivering after stop()", () => {
    const { s, store } = setup();
    store.create(pod("a"));
    const seen: string[] = [];
    const w = store.watch("Pod", (e) => seen.push(`${e.type}:${e.object.metadata.name}`));
    s.runUntil(1);
    store.create(pod("b"));
    w.stop();
    s.runUntil(2);
    expect(seen).toEqual(["ADDED:a"]);
  });

  it("bumps generation only when spec changes, and checks resourceVersion on update", () => {
    const { store } = setup();
    const p = store.create(pod("a"));
    const l = store.mutate("Pod", "default", "a", (d) => {
      d.metadata.labels = { a: "b" };
    });
    expect(l?.metadata.generation).toBe(1);
    const sp = store.mutate("Pod", "default", "a", (d) => {
      d.spec.hostname = "h";
    });
    expect(sp?.metadata.generation).toBe(2);
    expect(() => store.update(p)).toThrow(/the object has been modified/);
    expect(store.mutate("Pod", "default", "missing", () => {})).toBeUndefined();
  });
});

describe("ObjectStore.pendingWatchEvents", () => {
  it("counts writes not yet delivered to each running watcher, and drops to 0 once delivered", () => {
    const { s, store } = setup();
    const seen: string[] = [];
    store.watch("Pod", (e) => seen.push(e.object.metadata.name), { delay: 100, initialList: false });
    const stopped = store.watch("Pod", () => undefined, { delay: 1000, initialList: false });
    stopped.stop();
    expect(store.pendingWatchEvents).toBe(0);
    store.create(pod("a"));
    store.create(pod("b"));
    expect(store.pendingWatchEvents).toBe(2); // the stopped watcher does not count
    s.runUntil(99);
    expect(store.pendingWatchEvents).toBe(2);
    s.runUntil(100);
    expect(seen).toEqual(["a", "b"]);
    expect(store.pendingWatchEvents).toBe(0);
  });
});
