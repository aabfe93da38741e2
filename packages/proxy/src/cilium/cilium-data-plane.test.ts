import { RandomSource } from "@kube-netsim/core";
import type { RandomStream } from "@kube-netsim/core";
import { describe, expect, it } from "vitest";
import type { ProxyEndpoint } from "../endpoint.js";
import { ServiceFrontend } from "../service-frontend.js";
import { CiliumDataPlane } from "./cilium-data-plane.js";
import { MaglevTable, ciliumBackendHashString } from "./maglev.js";

function frontend(plane: CiliumDataPlane, keys: readonly string[], affinityTimeout = 0): ServiceFrontend {
  const f = new ServiceFrontend("10.96.0.10:80/TCP");
  f.servicePortName = "default/api:/TCP";
  f.verdict = "forward";
  f.affinityTimeout = affinityTimeout;
  f.endpoints = keys.map((key) => ({ key }) as ProxyEndpoint);
  plane.program(f);
  return f;
}

describe("CiliumDataPlane (socket-LB, random slot)", () => {
  it("picks (u32 % count) over the backends", () => {
    const plane = new CiliumDataPlane();
    const f = frontend(plane, ["a:1", "b:1", "c:1"]);
    const fixed = (u32: number): RandomStream => ({ nextUint32: () => u32 }) as unknown as RandomStream;
    expect(plane.select(f, 1, fixed(0), 0)).toBe(0);
    expect(plane.select(f, 1, fixed(4), 0)).toBe(1);
    expect(plane.select(f, 1, fixed(0xffffffff), 0)).toBe(0xffffffff % 3);
  });

  it("keeps a client's backend while it is used within the timeout, across syncs, and forgets removed backends", () => {
    const plane = new CiliumDataPlane();
    const rng = new RandomSource(2).stream("c");
    const f = frontend(plane, ["a:1", "b:1", "c:1", "d:1"], 1000);
    const first = plane.select(f, 9, rng, 0);
    for (let t = 500; t <= 5000; t += 500) expect(plane.select(f, 9, rng, t)).toBe(first); // refreshed on every use
    const key = f.endpoints[first].key;
    // A sync that adds a backend in front keeps the pin, by address.
    f.endpoints = [{ key: "0:1" } as ProxyEndpoint, ...f.endpoints];
    plane.program(f);
    expect(f.endpoints[plane.select(f, 9, rng, 5500)].key).toBe(key);
    // Removing that backend drops the entry.
    f.endpoints = f.endpoints.filter((e) => e.key !== key);
    plane.program(f);
    expect(f.endpoints[plane.select(f, 9, rng, 6000)].key).not.toBe(key);
    // After the timeout the client is balanced again.
    const seen = new Set<number>();
    for (let k = 0; k < 30; k++) seen.add(plane.select(f, 9, rng, 10_000 + k * 2000));
    expect(seen.size).toBeGreaterThan(1);
  });
});

function externalFrontend(plane: CiliumDataPlane, n: number, affinityTimeout = 0): ServiceFrontend {
  const f = new ServiceFrontend("192.168.0.11:30080/TCP");
  f.servicePortName = "default/api:/TCP";
  f.verdict = "forward";
  f.kind = "external";
  f.externalKind = "node-port";
  f.affinityTimeout = affinityTimeout;
  f.endpoints = Array.from({ length: n }, (_, i) => ({ ip: `10.244.${i >> 8}.${i & 255}`, port: 8080, key: `10.244.${i >> 8}.${i & 255}:8080` }) as ProxyEndpoint);
  plane.program(f);
  return f;
}

/** The backend key each of `count` new connections (client i, source port from a stream of `seed`) gets. */
function picks(plane: CiliumDataPlane, f: ServiceFrontend, count: number, seed: number): string[] {
  const rng = new RandomSource(seed).stream("client");
  return Array.from({ length: count }, (_, i) => f.endpoints[plane.select(f, (0xc6336400 + i) >>> 0, rng, 0)].key);
}

describe("CiliumDataPlane algorithm: maglev (--bpf-lb-algorithm=maglev)", () => {
  it.each([
    ["random", "random"],
    ["maglev", "maglev"],
    ["default", undefined],
  ] as const)("accepts %s", (_name, algorithm) => {
    expect(new CiliumDataPlane({ algorithm }).algorithm).toBe(algorithm ?? "random");
  });

  it.each([["hash"], ["Maglev"], [""]])("rejects %j with the field path", (algorithm) => {
    expect(() => new CiliumDataPlane({ algorithm: algorithm as "maglev" })).toThrow(
      `cilium.algorithm: Unsupported value: "${algorithm}": supported values: "maglev", "random"`,
    );
  });

  it("looks an external connection up in the Maglev table: hash of (client IP, ephemeral source port, frontend port, TCP)", () => {
    const plane = new CiliumDataPlane({ algorithm: "maglev" });
    const f = externalFrontend(plane, 5);
    const table = new MaglevTable();
    table.build(f.endpoints.map((e, i) => ({ name: ciliumBackendHashString(e.ip, e.port, "TCP"), id: i + 1 })));
    for (const u32 of [0, 1, 28231, 28232, 0xffffffff]) {
      const fixed = { nextUint32: () => u32 } as unknown as RandomStream;
      const sport = 32768 + (u32 % 28232);
      expect(sport).toBeGreaterThanOrEqual(32768);
      expect(sport).toBeLessThanOrEqual(60999);
      expect(plane.select(f, 0x0a000105, fixed, 0)).toBe(table.lookup(0x0a000105, sport, 30080, 6) - 1);
    }
  });

  it("spreads external connections about 1/N per backend (N = 5, 20,000 connections, seed 7: each share within 0.2 +- 0.02)", () => {
    const plane = new CiliumDataPlane({ algorithm: "maglev" });
    const f = externalFrontend(plane, 5);
    const counts = new Map<string, number>();
    for (const k of picks(plane, f, 20_000, 7)) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect(counts.size).toBe(5);
    for (const c of counts.values()) expect(Math.abs(c / 20_000 - 0.2)).toBeLessThan(0.02);
  });

  it("keeps the table while the backend set is the same, and rebuilds it when it changes", () => {
    const plane = new CiliumDataPlane({ algorithm: "maglev" });
    const f = externalFrontend(plane, 4);
    const table = (f.compiled as { maglev: MaglevTable }).maglev;
    const before = table.entries();
    plane.program(f); // a sync that changes nothing
    expect((f.compiled as { maglev: MaglevTable }).maglev).toBe(table);
    expect(table.entries()).toEqual(before);
    f.endpoints = f.endpoints.slice(1);
    plane.program(f);
    expect(table.backendCount).toBe(3);
    expect(table.entries()).not.toEqual(before);
  });

  it("removing one of N = 10 backends moves only about 1/N of the connections (its own, plus < 1% of the others)", () => {
    const plane = new CiliumDataPlane({ algorithm: "maglev" });
    const f = externalFrontend(plane, 10);
    const n = 20_000;
    const before = picks(plane, f, n, 3);
    const removed = f.endpoints[4].key;
    f.endpoints = f.endpoints.filter((e) => e.key !== removed);
    plane.program(f);
    const after = picks(plane, f, n, 3); // the same tuples
    let moved = 0;
    let movedOthers = 0;
    for (let i = 0; i < n; i++) {
      if (before[i] !== after[i]) moved++;
      if (before[i] !== removed && before[i] !== after[i]) movedOthers++;
    }
    expect(Math.abs(moved / n - 0.1)).toBeLessThan(0.02);
    expect(movedOthers / n).toBeLessThan(0.01);
    // The random slot, for contrast, moves most connections.
    const random = new CiliumDataPlane();
    const g = externalFrontend(random, 10);
    const rb = picks(random, g, n, 3);
    g.endpoints = g.endpoints.filter((e) => e.key !== removed);
    random.program(g);
    const ra = picks(random, g, n, 3);
    expect(rb.filter((k, i) => k !== ra[i]).length / n).toBeGreaterThan(0.5);
  });

  it("leaves ClusterIP and local-origin frontends on the random slot", () => {
    for (const kind of ["cluster-ip", "local-origin"] as const) {
      const maglev = new CiliumDataPlane({ algorithm: "maglev" });
      const random = new CiliumDataPlane();
      const a = externalFrontend(maglev, 6);
      const b = externalFrontend(random, 6);
      a.kind = kind;
      b.kind = kind;
      maglev.program(a);
      random.program(b);
      expect((a.compiled as { maglev: MaglevTable | null }).maglev).toBeNull();
      expect(picks(maglev, a, 500, 11)).toEqual(picks(random, b, 500, 11));
    }
  });

  it("with ClientIP affinity hashes with source port 0: a client gets the same backend on every node and keeps it", () => {
    const plane = new CiliumDataPlane({ algorithm: "maglev" });
    const f = externalFrontend(plane, 8, 10_800_000);
    const otherPlane = new CiliumDataPlane({ algorithm: "maglev" }); // another node
    const other = externalFrontend(otherPlane, 8, 10_800_000);
    const rng = new RandomSource(5).stream("c");
    for (let client = 1; client <= 50; client++) {
      const first = plane.select(f, client, rng, 0);
      expect(first).toBe((f.compiled as { maglev: MaglevTable }).maglev.lookup(client, 0, 30080, 6) - 1);
      expect(otherPlane.select(other, client, rng, 0)).toBe(first);
      expect(plane.select(f, client, rng, 1000)).toBe(first);
    }
  });
});
