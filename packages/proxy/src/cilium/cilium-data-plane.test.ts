import { RandomSource } from "@kube-netsim/core";
import type { RandomStream } from "@kube-netsim/core";
import { describe, expect, it } from "vitest";
import type { ProxyEndpoint } from "../endpoint.js";
import { ServiceFrontend } from "../service-frontend.js";
import { CiliumDataPlane } from "./cilium-data-plane.js";

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
