import { describe, it, expect } from "vitest";
import { IpvsVirtualServer } from "./virtual-server.js";

const order = (vs: IpvsVirtualServer): string[] => vs.destinations().map((d) => d.address);

describe("IpvsVirtualServer (net/netfilter/ipvs/ip_vs_ctl.c)", () => {
  it("defaults to rr (kube-proxy DefaultScheduler) at 0.0.0.0:0", () => {
    const vs = new IpvsVirtualServer();
    expect(vs.scheduler.name).toBe("rr");
    expect(vs.address).toBe("0.0.0.0:0");
    expect(vs.size).toBe(0);
    expect(vs.destinations()).toEqual([]);
  });

  it("parses its own address (dh hashes it)", () => {
    const vs = new IpvsVirtualServer({ address: "10.96.0.10:53", scheduler: "dh" });
    expect(vs.ip).toBe(0x0a60000a);
    expect(vs.port).toBe(53);
  });

  it("inserts every new real server at the HEAD of the list (list_add_rcu in __ip_vs_update_dest)", () => {
    const vs = new IpvsVirtualServer({ address: "10.96.0.10:80" });
    for (const ip of ["10.244.1.2", "10.244.1.10", "10.244.2.3"]) vs.addDestination(`${ip}:8080`, 1);
    expect(order(vs)).toEqual(["10.244.2.3:8080", "10.244.1.10:8080", "10.244.1.2:8080"]);
  });

  it("an edit keeps the list position; a delete closes the gap", () => {
    const vs = new IpvsVirtualServer();
    for (const ip of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) vs.addDestination(`${ip}:80`, 1);
    vs.editDestination("10.0.0.2:80", 7);
    expect(order(vs)).toEqual(["10.0.0.3:80", "10.0.0.2:80", "10.0.0.1:80"]);
    expect(vs.getDestination("10.0.0.2:80")!.weight).toBe(7);
    vs.deleteDestination("10.0.0.2:80");
    expect(order(vs)).toEqual(["10.0.0.3:80", "10.0.0.1:80"]);
    expect(vs.size).toBe(2);
  });

  it("destinations() is a frozen snapshot, reused until the list changes", () => {
    const vs = new IpvsVirtualServer();
    vs.addDestination("10.0.0.1:80", 1);
    const a = vs.destinations();
    expect(Object.isFrozen(a)).toBe(true);
    expect(vs.destinations()).toBe(a);
    vs.editDestination("10.0.0.1:80", 2); // no list change
    expect(vs.destinations()).toBe(a);
    vs.addDestination("10.0.0.2:80", 1);
    expect(vs.destinations()).not.toBe(a);
    expect(a).toHaveLength(1);
  });

  it("identifies real servers by normalised address: EEXIST on a duplicate, ENOENT on a missing one", () => {
    const vs = new IpvsVirtualServer();
    vs.addDestination("10.0.0.1:80", 1);
    expect(() => vs.addDestination("010.000.000.001:80", 1)).toThrow("already exists");
    expect(() => vs.addDestination("10.0.0.1:80", 1)).toThrow("EEXIST");
    expect(() => vs.editDestination("10.0.0.9:80", 1)).toThrow("ENOENT");
    expect(() => vs.deleteDestination("10.0.0.9:80")).toThrow("ENOENT");
    expect(vs.getDestination("10.0.0.1:81")).toBeUndefined();
    expect(vs.getDestination("010.0.0.1:80")!.address).toBe("10.0.0.1:80");
  });

  it("rejects negative and fractional weights (ERANGE) without changing anything", () => {
    const vs = new IpvsVirtualServer();
    expect(() => vs.addDestination("10.0.0.1:80", -1)).toThrow(RangeError);
    expect(vs.size).toBe(0);
    vs.addDestination("10.0.0.1:80", 1);
    expect(() => vs.editDestination("10.0.0.1:80", 0.5)).toThrow(RangeError);
    expect(vs.getDestination("10.0.0.1:80")!.weight).toBe(1);
  });

  it("rejects an unknown scheduler with the supported list", () => {
    expect(() => new IpvsVirtualServer({ scheduler: "lblcr" as never })).toThrow("supported: rr, wrr, lc, wlc, sed, nq, sh, dh, mh");
  });

  it("keeps last_weight = the latest non-zero weight (set on add, on edit only when not 0)", () => {
    const vs = new IpvsVirtualServer();
    const d = vs.addDestination("10.0.0.1:80", 3);
    expect([d.weight, d.lastWeight]).toEqual([3, 3]);
    vs.editDestination("10.0.0.1:80", 0);
    expect([d.weight, d.lastWeight]).toEqual([0, 3]);
    vs.editDestination("10.0.0.1:80", 5);
    expect([d.weight, d.lastWeight]).toEqual([5, 5]);
    const z = vs.addDestination("10.0.0.2:80", 0);
    expect([z.weight, z.lastWeight]).toEqual([0, 0]);
  });

  it("revives a deleted real server that still has connections (dest trash) with its counters, at the list head", () => {
    const vs = new IpvsVirtualServer({ scheduler: "lc" });
    const a = vs.addDestination("10.0.0.1:80", 1);
    vs.addDestination("10.0.0.2:80", 1);
    a.activeConns = 4;
    a.inactConns = 2;
    vs.editDestination("10.0.0.1:80", 0); // kube-proxy graceful delete: weight 0 first
    const removed = vs.deleteDestination("10.0.0.1:80");
    expect(removed).toBe(a);
    const back = vs.addDestination("10.0.0.1:80", 1); // MoveRSOutofGracefulDeleteList re-adds
    expect(back).toBe(a);
    expect([back.activeConns, back.inactConns, back.weight, back.lastWeight]).toEqual([4, 2, 1, 1]);
    expect(order(vs)).toEqual(["10.0.0.1:80", "10.0.0.2:80"]);
    // lc sees the old load: the idle .2 wins although .1 is first in the list
    expect(vs.schedule(1, 1)!.address).toBe("10.0.0.2:80");
  });

  it("forgets a deleted real server without connections: re-adding creates a fresh one", () => {
    const vs = new IpvsVirtualServer();
    const a = vs.addDestination("10.0.0.1:80", 1);
    vs.deleteDestination("10.0.0.1:80");
    const b = vs.addDestination("10.0.0.1:80", 2);
    expect(b).not.toBe(a);
    expect(b.weight).toBe(2);
  });

  it("kube-proxy programs weight 1 by default; rr then rotates newest-first", () => {
    const vs = new IpvsVirtualServer({ address: "10.96.0.1:443" });
    vs.addDestination("192.168.0.10:6443");
    vs.addDestination("192.168.0.11:6443");
    vs.addDestination("192.168.0.12:6443");
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push(vs.schedule(0x0a000001, 50000 + i)!.address);
    expect(got).toEqual(["192.168.0.12:6443", "192.168.0.11:6443", "192.168.0.10:6443", "192.168.0.12:6443"]);
  });

  it("treats clientIP as unsigned 32-bit (negative ints and >2^32 are wrapped)", () => {
    const vs = new IpvsVirtualServer({ scheduler: "sh" });
    for (let i = 1; i <= 5; i++) vs.addDestination(`10.0.0.${i}:80`, 1);
    expect(vs.schedule(-1, 0)).toBe(vs.schedule(0xffffffff, 0));
    expect(vs.schedule(2 ** 32 + 5, 0)).toBe(vs.schedule(5, 0));
  });

  it("supports IPv6 real servers (folded address key)", () => {
    const vs = new IpvsVirtualServer({ address: "[fd00:10:96::a]:80", scheduler: "mh" });
    vs.addDestination("[fd00:10:244::5]:8080", 1);
    vs.addDestination("[FD00:10:244::6]:8080", 1);
    expect(order(vs)).toEqual(["[fd00:10:244::6]:8080", "[fd00:10:244::5]:8080"]);
    expect(vs.schedule(0x12345678, 0)).not.toBeNull();
  });
});
