import { describe, it, expect } from "vitest";
import type { Endpoint } from "@kube-netsim/model";
import {
  canonicalIP,
  compareEndpointKeys,
  joinHostPort,
  makeProxyEndpoint,
  proxyEndpointConditions,
  type ProxyEndpoint,
} from "./endpoint.js";

describe("proxyEndpointConditions (nil semantics of pkg/proxy/endpointslicecache.go)", () => {
  it.each<[string, Endpoint["conditions"], { ready: boolean; serving: boolean; terminating: boolean }]>([
    ["no conditions at all", undefined, { ready: true, serving: true, terminating: false }],
    ["empty conditions", {}, { ready: true, serving: true, terminating: false }],
    ["ready only false", { ready: false }, { ready: false, serving: true, terminating: false }],
    ["serving only false", { serving: false }, { ready: true, serving: false, terminating: false }],
    ["terminating only true", { terminating: true }, { ready: true, serving: true, terminating: true }],
    ["controller: serving-terminating", { ready: false, serving: true, terminating: true }, { ready: false, serving: true, terminating: true }],
    ["controller: not ready", { ready: false, serving: false, terminating: false }, { ready: false, serving: false, terminating: false }],
    // publishNotReadyAddresses: the controller writes ready=true even while terminating; kube-proxy takes it as is.
    ["ready and terminating", { ready: true, serving: true, terminating: true }, { ready: true, serving: true, terminating: true }],
  ])("%s", (_name, conditions, expected) => {
    expect(proxyEndpointConditions(conditions)).toEqual(expected);
  });
});

describe("joinHostPort / canonicalIP", () => {
  it("joins like net.JoinHostPort", () => {
    expect(joinHostPort("10.0.0.1", 80)).toBe("10.0.0.1:80");
    expect(joinHostPort("fd00::1", 8080)).toBe("[fd00::1]:8080");
  });

  it.each([
    ["10.244.1.5", "10.244.1.5"],
    ["010.001.002.003", "10.1.2.3"], // ParseIPSloppy: leading zeros are decimal
    ["FD00:0:0:0:0:0:0:1", "fd00::1"],
    ["fd00:0:0:1:0:0:0:1", "fd00:0:0:1::1"], // longest zero run wins
    ["fd00:0:0:1:0:0:1:1", "fd00::1:0:0:1:1"], // first run on ties
    ["fd00:1:2:3:4:5:0:7", "fd00:1:2:3:4:5:0:7"], // single zero group is not compressed
    ["::", "::"],
    ["::ffff:10.0.0.1", "10.0.0.1"], // IPv4-mapped prints as IPv4
    ["::10.0.0.1", "::a00:1"],
    ["not-an-ip", "not-an-ip"],
    ["256.1.1.1", "256.1.1.1"],
  ])("canonicalIP(%s) = %s", (input, out) => {
    expect(canonicalIP(input)).toBe(out);
  });
});

describe("makeProxyEndpoint", () => {
  it("builds the merged fields once", () => {
    const ep = makeProxyEndpoint(
      {
        addresses: ["10.244.1.5", "10.244.9.9"],
        nodeName: "node-a",
        zone: "zone-a",
        conditions: { ready: true },
        hints: { forZones: [{ name: "zone-a" }, { name: "zone-b" }], forNodes: [{ name: "node-a" }] },
      },
      8080,
      "node-a",
    ) as ProxyEndpoint;
    expect(ep.ip).toBe("10.244.1.5"); // only addresses[0]
    expect(ep.port).toBe(8080);
    expect(ep.key).toBe("10.244.1.5:8080");
    expect([ep.ready, ep.serving, ep.terminating, ep.isLocal]).toEqual([true, true, false, true]);
    expect(ep.nodeName).toBe("node-a");
    expect(ep.zone).toBe("zone-a");
    expect([...(ep.zoneHints ?? [])]).toEqual(["zone-a", "zone-b"]);
    expect([...(ep.nodeHints ?? [])]).toEqual(["node-a"]);
  });

  it("node hints are dropped when PreferSameTrafficDistribution is off; empty hint lists are absent", () => {
    const e: Endpoint = { addresses: ["10.0.0.1"], hints: { forZones: [], forNodes: [{ name: "n" }] } };
    const off = makeProxyEndpoint(e, 80, "n", { preferSameTrafficDistribution: false }) as ProxyEndpoint;
    expect(off.nodeHints).toBeUndefined();
    expect(off.zoneHints).toBeUndefined();
    const on = makeProxyEndpoint(e, 80, "n") as ProxyEndpoint;
    expect(on.nodeHints?.has("n")).toBe(true);
  });

  it("isLocal needs the endpoint's nodeName to equal a non-empty own node name", () => {
    expect(makeProxyEndpoint({ addresses: ["10.0.0.1"], nodeName: "b" }, 80, "a")?.isLocal).toBe(false);
    expect(makeProxyEndpoint({ addresses: ["10.0.0.1"] }, 80, "a")?.isLocal).toBe(false);
    expect(makeProxyEndpoint({ addresses: ["10.0.0.1"], nodeName: "" }, 80, "")?.isLocal).toBe(false);
  });

  it("an endpoint without addresses is ignored", () => {
    expect(makeProxyEndpoint({ addresses: [] }, 80, "a")).toBeNull();
  });

  it("IPv6 keys are bracketed", () => {
    expect(makeProxyEndpoint({ addresses: ["FD00::0:5"] }, 443, "a")?.key).toBe("[fd00::5]:443");
  });
});

describe("compareEndpointKeys", () => {
  it("is a plain string order: 10.0.0.10:80 sorts before 10.0.0.9:80", () => {
    const mk = (ip: string, port: number): ProxyEndpoint => makeProxyEndpoint({ addresses: [ip] }, port, "n") as ProxyEndpoint;
    const sorted = [mk("10.0.0.9", 80), mk("10.0.0.10", 80), mk("10.0.0.1", 8080), mk("10.0.0.1", 80)]
      .sort(compareEndpointKeys)
      .map((e) => e.key);
    expect(sorted).toEqual(["10.0.0.10:80", "10.0.0.1:80", "10.0.0.1:8080", "10.0.0.9:80"]);
  });
});
