import { describe, it, expect } from "vitest";
import { Callbacks, RandomSource, Scheduler } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Pod, PodPhase, ReplicaSet } from "@kube-netsim/model";
import { BURST_REPLICAS, ReplicaSetController, isPodActive, podFromTemplate, rankPodsForDeletion, replicaSetDiff } from "./replicaset-controller.js";

// ---------------------------------------------------------------------------
// Builders

interface PodOptions {
  readonly node?: string;
  readonly phase?: PodPhase;
  readonly ready?: boolean;
  /** lastTransitionTime of Ready=True; omitted = no time recorded. */
  readonly readyAt?: number;
  readonly created?: number;
  readonly uid?: string;
  readonly deletionTimestamp?: number;
  readonly noStatus?: boolean;
}

function mkPod(name: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
      ...(o.created !== undefined ? { creationTimestamp: o.created } : {}),
      ...(o.deletionTimestamp !== undefined ? { deletionTimestamp: o.deletionTimestamp } : {}),
    },
    spec: { containers: [{ name: "c" }], ...(o.node !== undefined ? { nodeName: o.node } : {}) },
    ...(o.noStatus
      ? {}
      : {
          status: {
            phase: o.phase ?? "Running",
            conditions: [
              {
                type: "Ready" as const,
                status: o.ready ? ("True" as const) : ("False" as const),
                ...(o.readyAt !== undefined ? { lastTransitionTime: o.readyAt } : {}),
              },
            ],
          },
        }),
  };
}

const names = (pods: readonly Pod[]): string[] => pods.map((p) => p.metadata.name);

function mkRS(replicas?: number): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default", uid: "rs-uid" },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    },
  };
}

function setup(): { s: Scheduler; store: ObjectStore; later: Callbacks } {
  const s = new Scheduler();
  const store = new ObjectStore(s, { random: new RandomSource(1).stream("apiserver") });
  return { s, store, later: new Callbacks(s) };
}

// ---------------------------------------------------------------------------

describe("isPodActive (pkg/controller/controller_utils.go IsPodActive)", () => {
  it.each([
    ["Pending", mkPod("p", { phase: "Pending" }), true],
    ["Running", mkPod("p", { phase: "Running" }), true],
    ["Unknown", mkPod("p", { phase: "Unknown" }), true],
    ["no status yet", mkPod("p", { noStatus: true }), true],
    ["Succeeded (terminal)", mkPod("p", { phase: "Succeeded" }), false],
    ["Failed (terminal)", mkPod("p", { phase: "Failed" }), false],
    ["being deleted", mkPod("p", { deletionTimestamp: 5 }), false],
    ["being deleted at time 0 (a set timestamp, even zero)", mkPod("p", { deletionTimestamp: 0 }), false],
  ])("%s -> %s", (_name, pod, want) => {
    expect(isPodActive(pod)).toBe(want);
  });
});

describe("rankPodsForDeletion (pkg/controller/controller_utils.go ActivePodsWithRanks.Less)", () => {
  // Each case: [name, pods in the expected deletion order, now?]. The first pod of each
  // case is made to lose every LATER rule, so the rule under test must be the one deciding.
  const cases: [string, Pod[], number?][] = [
    [
      "1. unassigned before assigned (even when the unassigned one is Running, ready and older)",
      [mkPod("z-unassigned", { phase: "Running", ready: true, readyAt: 1, created: 0 }), mkPod("a-assigned", { node: "n1", phase: "Pending", created: 9 })],
    ],
    [
      "2. Pending before Unknown (even when the Pending one is ready)",
      [mkPod("z-pending", { node: "n1", phase: "Pending", ready: true, readyAt: 1, created: 0 }), mkPod("a-unknown", { node: "n1", phase: "Unknown", created: 9 })],
    ],
    [
      "2. Unknown before Running",
      [mkPod("z-unknown", { node: "n1", phase: "Unknown", ready: true, readyAt: 1, created: 0 }), mkPod("a-running", { node: "n1", phase: "Running", created: 9 })],
    ],
    [
      "2. Pending before Running",
      [mkPod("z-pending", { node: "n1", phase: "Pending", created: 0 }), mkPod("a-running", { node: "n1", phase: "Running", created: 9 })],
    ],
    [
      "3. not ready before ready (even when the not-ready one is older)",
      [mkPod("z-notready", { node: "n1", created: 0 }), mkPod("a-ready", { node: "n1", ready: true, readyAt: 50, created: 9 })],
    ],
    [
      "6. both ready: ready more recently before ready longer (even when older)",
      [mkPod("z-recent", { node: "n1", ready: true, readyAt: 100, created: 0 }), mkPod("a-long", { node: "n1", ready: true, readyAt: 10, created: 9 })],
    ],
    [
      "6. both ready: no ready time recorded (zero time) before any ready time",
      [mkPod("z-zero", { node: "n1", ready: true, created: 0 }), mkPod("a-timed", { node: "n1", ready: true, readyAt: 100, created: 9 })],
    ],
    [
      "6 does not apply to not-ready pods: their old Ready=False times are ignored, newer first",
      [mkPod("z-new", { node: "n1", readyAt: 1, created: 9 }), mkPod("a-old", { node: "n1", readyAt: 100, created: 0 })],
    ],
    [
      "8. newer before older (same ready time)",
      [mkPod("z-newer", { node: "n1", ready: true, readyAt: 10, created: 5 }), mkPod("a-older", { node: "n1", ready: true, readyAt: 10, created: 1 })],
    ],
    [
      "8. no creationTimestamp (zero time) before any creation time",
      [mkPod("z-nocreation", { node: "n1" }), mkPod("a-created", { node: "n1", created: 1 })],
    ],
    ["tiebreak: by name when nothing else differs", [mkPod("a", { node: "n1", created: 3 }), mkPod("b", { node: "n1", created: 3 })]],
    // LogarithmicScaleDown (GA, locked on since 1.31): with `now`, times compare by
    // int64(log2(age in ns)); within one bucket the smaller UID goes first.
    [
      "log scale: ready ages 50 s and 60 s share bucket 35 -> smaller UID first, although it was ready longer",
      [
        mkPod("z-uid1", { node: "n1", ready: true, readyAt: 40_000, uid: "uid-1", created: 0 }),
        mkPod("a-uid2", { node: "n1", ready: true, readyAt: 50_000, uid: "uid-2", created: 9 }),
      ],
      100_000,
    ],
    [
      "log scale: ready ages 1 s (bucket 29) and 100 s (bucket 36) -> the younger first, whatever the UID",
      [
        mkPod("z-young", { node: "n1", ready: true, readyAt: 99_000, uid: "uid-9", created: 0 }),
        mkPod("a-old", { node: "n1", ready: true, readyAt: 0, uid: "uid-1", created: 9 }),
      ],
      100_000,
    ],
    [
      "log scale: creation ages 10 s and 15 s share bucket 33 -> smaller UID first, although it is older",
      [mkPod("z-uid1", { node: "n1", created: 85_000, uid: "uid-1" }), mkPod("a-uid2", { node: "n1", created: 90_000, uid: "uid-2" })],
      100_000,
    ],
    [
      "log scale: creation ages 1 s and 4 s are in buckets 29 and 31 -> newer first",
      [mkPod("z-newer", { node: "n1", created: 99_000, uid: "uid-9" }), mkPod("a-older", { node: "n1", created: 96_000, uid: "uid-1" })],
      100_000,
    ],
    [
      "log scale: a pod created at `now` (age 0 -> rank -1) before one 1 ms old",
      [mkPod("z-now", { node: "n1", created: 100_000, uid: "uid-9" }), mkPod("a-1ms", { node: "n1", created: 99_999, uid: "uid-1" })],
      100_000,
    ],
  ];

  it.each(cases)("%s", (_name, expected, now) => {
    expect(names(rankPodsForDeletion(expected, now))).toEqual(names(expected));
    expect(names(rankPodsForDeletion([...expected].reverse(), now))).toEqual(names(expected));
  });

  it("without `now`, times in one log2 bucket are compared exactly (upstream's zero Now)", () => {
    const pods = [mkPod("uid1", { node: "n1", created: 85_000, uid: "uid-1" }), mkPod("uid2", { node: "n1", created: 90_000, uid: "uid-2" })];
    expect(names(rankPodsForDeletion(pods))).toEqual(["uid2", "uid1"]);
  });

  it("applies the rules in order over a mixed set", () => {
    const pods = [
      mkPod("ready-old", { node: "n1", ready: true, readyAt: 10, created: 1 }),
      mkPod("unassigned", { phase: "Pending", created: 1 }),
      mkPod("ready-new", { node: "n1", ready: true, readyAt: 90, created: 1 }),
      mkPod("pending", { node: "n1", phase: "Pending", created: 1 }),
      mkPod("notready", { node: "n1", created: 1 }),
      mkPod("unknown", { node: "n1", phase: "Unknown", created: 1 }),
    ];
    expect(names(rankPodsForDeletion(pods))).toEqual(["unassigned", "pending", "unknown", "notready", "ready-new", "ready-old"]);
  });

  it("does not modify its input", () => {
    const pods = [mkPod("b", { node: "n1" }), mkPod("a")];
    rankPodsForDeletion(pods);
    expect(names(pods)).toEqual(["b", "a"]);
  });
});

describe("replicaSetDiff (pkg/controller/replicaset/replica_set.go manageReplicas)", () => {
  const three = [mkPod("p-ready", { node: "n1", ready: true, readyAt: 5, created: 1 }), mkPod("p-unassigned", { phase: "Pending", created: 1 }), mkPod("p-notready", { node: "n1", created: 1 })];
  it.each([
    ["want 3 have 1 -> create 2", mkRS(3), three.slice(0, 1), 2, []],
    ["want 1 have 3 -> delete the 2 lowest-ranked", mkRS(1), three, 0, ["p-unassigned", "p-notready"]],
    ["want 3 have 3 -> nothing", mkRS(3), three, 0, []],
    ["want 0 have 3 -> delete all, in rank order", mkRS(0), three, 0, ["p-unassigned", "p-notready", "p-ready"]],
    ["replicas absent defaults to 1: have 0 -> create 1", mkRS(undefined), [], 1, []],
    ["replicas absent defaults to 1: have 3 -> delete 2", mkRS(undefined), three, 0, ["p-unassigned", "p-notready"]],
  ])("%s", (_name, rs, pods, create, del) => {
    const d = replicaSetDiff(rs, pods);
    expect(d.create).toBe(create);
    expect(names(d.delete)).toEqual(del);
  });

  it("creates and deletes at most BurstReplicas (500) pods per sync", () => {
    expect(BURST_REPLICAS).toBe(500);
    expect(replicaSetDiff(mkRS(10_000), []).create).toBe(500);
    expect(replicaSetDiff(mkRS(700), three).create).toBe(500);
    expect(replicaSetDiff(mkRS(503), three).create).toBe(500);
    expect(replicaSetDiff(mkRS(502), three).create).toBe(499);
    const many = Array.from({ length: 1_200 }, (_, i) => mkPod(`p-${String(i).padStart(4, "0")}`, { node: "n1", ready: true, readyAt: 5, created: i }));
    const d = replicaSetDiff(mkRS(100), many, 10_000);
    expect(d.delete).toHaveLength(500);
    // The 500 lowest-ranked: the youngest (ready for the shortest time ranks lower; here all
    // became ready at 5 ms, so the newer creationTimestamp goes first).
    expect(names(d.delete)).toEqual(names(rankPodsForDeletion(many, 10_000).slice(0, 500)));
  });
});

describe("podFromTemplate", () => {
  it("builds a Pending pod with generateName <rs>-, the template's labels and spec, and a controller ownerReference", () => {
    const p = podFromTemplate(mkRS(2));
    expect(p.metadata.name).toBe("");
    expect(p.metadata.generateName).toBe("web-");
    expect(p.metadata.labels).toEqual({ app: "web" });
    expect(p.spec).toEqual({ containers: [{ name: "c", image: "nginx" }] });
    expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs-uid", controller: true }]);
    expect(p.status?.phase).toBe("Pending");
  });
});

describe("ReplicaSetController", () => {
  const podsOf = (store: ObjectStore): Pod[] => store.list("Pod", "default");

  it("starts 1,200 replicas in bursts of 500, one sync per round of its own watch events (5 ms apart)", () => {
    const { s, store, later } = setup();
    new ReplicaSetController(store, later, { watchDelay: 5 });
    const createdAt: number[] = [];
    store.watch("Pod", (e) => {
      if (e.type === "ADDED") createdAt.push(e.object.metadata.creationTimestamp ?? -1);
    });
    store.create(mkRS(1_200));
    s.run();
    const perInstant = new Map<number, number>();
    for (const t of createdAt) perInstant.set(t, (perInstant.get(t) ?? 0) + 1);
    expect([...perInstant]).toEqual([
      [5, 500],
      [10, 500],
      [15, 200],
    ]);
    expect(podsOf(store)).toHaveLength(1_200);
  });

  it("creates spec.replicas pods named <rs>-xxxxx with ownerReferences, then deletes the lowest-ranked on scale-down", () => {
    const { s, store, later } = setup();
    new ReplicaSetController(store, later);
    const rs = store.create(mkRS(3)); // the store assigns its own uid
    s.run();

    const pods = podsOf(store);
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: rs.metadata.uid, controller: true }]);
      expect(p.metadata.labels).toEqual({ app: "web" });
    }
    expect(new Set(pods.map((p) => p.metadata.name)).size).toBe(3);
    expect(store.get("ReplicaSet", "default", "web")?.status).toEqual({ replicas: 3, readyReplicas: 0, availableReplicas: 0 });

    // One pod becomes bound, Running and ready: it must survive the scale-down.
    s.runUntil(1000);
    const keeper = pods[1].metadata.name;
    store.mutate("Pod", "default", keeper, (d) => {
      d.spec.nodeName = "n1";
      d.status = { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: 1000 }] };
    });
    s.run();
    expect(store.get("ReplicaSet", "default", "web")?.status).toEqual({ replicas: 3, readyReplicas: 1, availableReplicas: 1 });

    s.runUntil(2000);
    store.mutate("ReplicaSet", "default", "web", (d) => {
      d.spec.replicas = 1;
    });
    s.run();
    const after = podsOf(store);
    expect(after).toHaveLength(3); // graceful: marked, not removed (the kubelet removes them)
    const doomed = after.filter((p) => p.metadata.deletionTimestamp !== undefined);
    expect(doomed).toHaveLength(2);
    for (const p of doomed) expect(p.metadata.deletionTimestamp).toBe(2000);
    expect(after.find((p) => p.metadata.deletionTimestamp === undefined)?.metadata.name).toBe(keeper);
    expect(store.get("ReplicaSet", "default", "web")?.status).toEqual({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });
  });

  it("replaces a pod that is deleted, and does not replace pods still terminating twice", () => {
    const { s, store, later } = setup();
    new ReplicaSetController(store, later);
    store.create(mkRS(2)); // the store assigns its own uid
    s.run();
    const [first] = podsOf(store);
    store.delete("Pod", "default", first.metadata.name);
    s.run();
    const pods = podsOf(store);
    expect(pods).toHaveLength(2);
    expect(pods.map((p) => p.metadata.name)).not.toContain(first.metadata.name);
    // A pod marked for deletion no longer counts: one replacement, no more.
    store.mutate("Pod", "default", pods[0].metadata.name, (d) => {
      d.metadata.deletionTimestamp = 7;
    });
    s.run();
    expect(podsOf(store)).toHaveLength(3);
    expect(podsOf(store).filter(isPodActive)).toHaveLength(2);
  });

  it("ignores pods it does not own, even when they match the selector", () => {
    const { s, store, later } = setup();
    new ReplicaSetController(store, later);
    store.create({ ...mkPod("stray", { node: "n1" }), metadata: { name: "stray", labels: { app: "web" } } });
    store.create(mkRS(2)); // the store assigns its own uid
    s.run();
    const owned = podsOf(store).filter((p) => p.metadata.ownerReferences !== undefined);
    expect(owned).toHaveLength(2);
    expect(store.get("Pod", "default", "stray")?.metadata.deletionTimestamp).toBeUndefined();
  });

  it("waits for its watch delay before acting", () => {
    const { s, store, later } = setup();
    new ReplicaSetController(store, later, { watchDelay: 250 });
    store.create(mkRS(1)); // the store assigns its own uid
    s.runUntil(249);
    expect(podsOf(store)).toHaveLength(0);
    s.runUntil(250);
    expect(podsOf(store)).toHaveLength(1);
    expect(podsOf(store)[0].metadata.creationTimestamp).toBe(250);
  });
});
