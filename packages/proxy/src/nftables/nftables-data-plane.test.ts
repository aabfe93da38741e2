import { RandomSource } from "@kube-netsim/core";
import { describe, expect, it } from "vitest";
import type { ProxyEndpoint } from "../endpoint.js";
import { IptablesDataPlane } from "../iptables/iptables-data-plane.js";
import { ServiceFrontend } from "../service-frontend.js";
import type { DataPlane } from "../data-plane.js";
import { NftablesDataPlane } from "./nftables-data-plane.js";

function frontend(plane: DataPlane, n: number, affinityTimeout = 0): ServiceFrontend {
  const f = new ServiceFrontend("10.96.0.10:80/TCP");
  f.servicePortName = "default/api:/TCP";
  f.verdict = "forward";
  f.affinityTimeout = affinityTimeout;
  f.endpoints = Array.from({ length: n }, (_, i) => ({ key: `10.244.0.${i + 2}:8080` }) as ProxyEndpoint);
  plane.program(f);
  return f;
}

describe("NftablesDataPlane: numgen random mod N", () => {
  it("is uniform over the endpoints (chi-square, df=9, alpha=0.001: 27.88; seed fixed)", () => {
    const plane = new NftablesDataPlane();
    const f = frontend(plane, 10);
    const rng = new RandomSource(11).stream("nft");
    const counts = new Array<number>(10).fill(0);
    const N = 100_000;
    for (let i = 0; i < N; i++) counts[plane.select(f, 1, rng, 0)]++;
    const chi2 = counts.reduce((a, c) => a + (c - N / 10) ** 2 / (N / 10), 0);
    expect(chi2).toBeLessThan(27.88);
  });

  it("maps a draw u to floor(u * N), the kernel's reciprocal_scale of a 32-bit random", () => {
    const plane = new NftablesDataPlane();
    const f = frontend(plane, 3);
    const fixed = (u: number) => ({ next: () => u }) as unknown as Parameters<DataPlane["select"]>[2];
    expect(plane.select(f, 1, fixed(0), 0)).toBe(0);
    expect(plane.select(f, 1, fixed(0.3333333), 0)).toBe(0);
    expect(plane.select(f, 1, fixed(1 / 3), 0)).toBe(1);
    expect(plane.select(f, 1, fixed(0.9999999997671694), 0)).toBe(2); // (2^32 - 1) / 2^32
  });
});

describe("session affinity: iptables recent lists versus nftables sets", () => {
  const T = 10_800_000;

  it("a client keeps its endpoint within the timeout, in both modes", () => {
    for (const plane of [new IptablesDataPlane(), new NftablesDataPlane()]) {
      const f = frontend(plane, 5, T);
      const rng = new RandomSource(3).stream("x");
      const first = plane.select(f, 42, rng, 0);
      for (let t = 1; t <= 100; t++) expect(plane.select(f, 42, rng, t * 60_000)).toBe(first);
    }
  });

  it("a client that stays away longer than the timeout is balanced again", () => {
    const plane = new NftablesDataPlane();
    const f = frontend(plane, 50, 1000);
    const rng = new RandomSource(4).stream("x");
    const seen = new Set<number>();
    for (let k = 0; k < 20; k++) seen.add(plane.select(f, 42, rng, k * 2000)); // 2 s apart > 1 s timeout
    expect(seen.size).toBeGreaterThan(5);
  });

  it("iptables forgets clients beyond 100 per endpoint list; nftables does not", () => {
    // One endpoint: every client lands on it, so its list must hold all of them.
    const ipt = new IptablesDataPlane();
    const nft = new NftablesDataPlane();
    const fi = frontend(ipt, 1, T);
    const fn = frontend(nft, 1, T);
    const rng = new RandomSource(5).stream("x");
    for (let ip = 1; ip <= 150; ip++) {
      ipt.select(fi, ip, rng, ip);
      nft.select(fn, ip, rng, ip);
    }
    // Add a second endpoint; a remembered client goes back to endpoint 0, a forgotten one is drawn anew.
    fi.endpoints = [...fi.endpoints, { key: "10.244.9.9:8080" } as ProxyEndpoint];
    fn.endpoints = [...fn.endpoints, { key: "10.244.9.9:8080" } as ProxyEndpoint];
    ipt.program(fi);
    nft.program(fn);
    let iptKept = 0;
    let nftKept = 0;
    for (let ip = 1; ip <= 150; ip++) {
      if (ipt.select(fi, ip, rng, 1000) === 0) iptKept++;
      if (nft.select(fn, ip, rng, 1000) === 0) nftKept++;
    }
    expect(nftKept).toBe(150);
    // The 100 most recent clients (51..150) are remembered; about half of the other 50 land on 0 by chance.
    expect(iptKept).toBeGreaterThanOrEqual(100);
    expect(iptKept).toBeLessThan(150);
  });
});
