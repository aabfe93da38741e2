import { RandomSource } from "@kube-netsim/core";
import { describe, expect, it } from "vitest";
import type { ProxyEndpoint } from "../endpoint.js";
import { ServiceFrontend } from "../service-frontend.js";
import { IPVS_RS_CHECK_DELETE_INTERVAL_MS, IPVS_TCP_TIME_WAIT_MS, IpvsDataPlane } from "./ipvs-data-plane.js";

function program(plane: IpvsDataPlane, f: ServiceFrontend, keys: readonly string[], at: number): void {
  f.endpoints = keys.map((key) => ({ key }) as ProxyEndpoint);
  f.programmedAt = at;
  plane.program(f);
}

function setup(scheduler: "rr" | "lc" = "rr"): { plane: IpvsDataPlane; f: ServiceFrontend } {
  const plane = new IpvsDataPlane(scheduler);
  const f = new ServiceFrontend("10.96.0.10:80/TCP");
  f.servicePortName = "default/api:/TCP";
  f.verdict = "forward";
  return { plane, f };
}

const rng = new RandomSource(1).stream("ipvs");
const order = (plane: IpvsDataPlane): string[] => (plane.virtualServer("10.96.0.10:80/TCP")?.destinations() ?? []).map((d) => `${d.address}@${d.weight}`);

describe("IpvsDataPlane (kube-proxy's syncEndpoint and graceful termination)", () => {
  it("adds real servers with weight 1; the kernel lists them newest first, and rr walks that list", () => {
    const { plane, f } = setup();
    program(plane, f, ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"], 0);
    expect(order(plane)).toEqual(["10.0.0.3:80@1", "10.0.0.2:80@1", "10.0.0.1:80@1"]);
    const picks = [0, 1, 2, 3, 4, 5].map(() => f.endpoints[plane.select(f, 1, rng, 0)].key);
    expect(picks).toEqual(["10.0.0.3:80", "10.0.0.2:80", "10.0.0.1:80", "10.0.0.3:80", "10.0.0.2:80", "10.0.0.1:80"]);
  });

  it("an idle real server is deleted at once; one with connections drains at weight 0 until they are gone", () => {
    const { plane, f } = setup();
    program(plane, f, ["10.0.0.1:80", "10.0.0.2:80"], 0);
    const first = f.endpoints[plane.select(f, 1, rng, 0)].key; // one active connection
    const idle = first === "10.0.0.1:80" ? "10.0.0.2:80" : "10.0.0.1:80";
    program(plane, f, [], 1000); // both endpoints gone
    expect(order(plane)).toEqual([`${first}@0`]);
    // Closed: inactive (TIME_WAIT) for 2 minutes, then the minute check deletes it.
    plane.connectionClosed(f, first, 2000);
    program(plane, f, [], 2000 + IPVS_TCP_TIME_WAIT_MS - 1);
    expect(order(plane)).toEqual([`${first}@0`]);
    program(plane, f, [], 2000 + IPVS_TCP_TIME_WAIT_MS + IPVS_RS_CHECK_DELETE_INTERVAL_MS);
    expect(order(plane)).toEqual([]);
    expect(idle).not.toBe(first);
  });

  it.each(["UDP", "SCTP"])("a %s real server is deleted at once, connections or not (IsRsGracefulTerminationNeeded)", (protocol) => {
    const plane = new IpvsDataPlane("rr");
    const f = new ServiceFrontend(`10.96.0.10:53/${protocol}`);
    f.servicePortName = `default/dns:/${protocol}`;
    f.verdict = "forward";
    const list = (): string[] => (plane.virtualServer(f.address)?.destinations() ?? []).map((d) => `${d.address}@${d.weight}`);
    program(plane, f, ["10.0.0.1:53", "10.0.0.2:53"], 0);
    plane.select(f, 1, rng, 0);
    plane.select(f, 2, rng, 0); // both have a connection now
    program(plane, f, ["10.0.0.2:53"], 1000);
    expect(list()).toEqual(["10.0.0.2:53@1"]);
    program(plane, f, [], 2000); // no endpoint left: the busy one goes too
    expect(list()).toEqual([]);
  });

  it("an endpoint that comes back while draining is deleted and re-added (to the head, weight 1)", () => {
    const { plane, f } = setup();
    program(plane, f, ["10.0.0.1:80", "10.0.0.2:80"], 0);
    while (f.endpoints[plane.select(f, 1, rng, 0)].key !== "10.0.0.1:80");
    program(plane, f, ["10.0.0.2:80"], 10);
    expect(order(plane)).toEqual(["10.0.0.2:80@1", "10.0.0.1:80@0"]);
    program(plane, f, ["10.0.0.1:80", "10.0.0.2:80"], 20);
    expect(order(plane)).toEqual(["10.0.0.1:80@1", "10.0.0.2:80@1"]);
  });

  it("lc counts active connections 256 times an inactive one", () => {
    const { plane, f } = setup("lc");
    program(plane, f, ["10.0.0.1:80", "10.0.0.2:80"], 0);
    // Head of the list (10.0.0.2) wins the first tie; its connection stays open.
    expect(f.endpoints[plane.select(f, 1, rng, 0)].key).toBe("10.0.0.2:80");
    // Now 10.0.0.1 has overhead 0 < 256.
    expect(f.endpoints[plane.select(f, 1, rng, 0)].key).toBe("10.0.0.1:80");
    // Close the connection on 10.0.0.1: it is inactive (1) < 256 for 10.0.0.2.
    plane.connectionClosed(f, "10.0.0.1:80", 1);
    expect(f.endpoints[plane.select(f, 1, rng, 2)].key).toBe("10.0.0.1:80");
  });
});
