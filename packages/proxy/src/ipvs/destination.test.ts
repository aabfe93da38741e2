import { describe, it, expect } from "vitest";
import { IpvsDestination, ipvsAddressFold, ipvsConnOverhead, ipvsDestinationKey, checkIpvsWeight } from "./destination.js";

describe("IpvsDestination (struct ip_vs_dest)", () => {
  it("parses IPv4 IP:port into the u32 key, port, weight and zero counters", () => {
    const d = new IpvsDestination("10.244.1.5:8080", 1);
    expect(d.address).toBe("10.244.1.5:8080");
    expect(d.ip).toBe(0x0af40105);
    expect(d.ip).toBe(183763205);
    expect(d.port).toBe(8080);
    expect(d.weight).toBe(1);
    expect(d.lastWeight).toBe(1);
    expect(d.activeConns).toBe(0);
    expect(d.inactConns).toBe(0);
    expect(d.overloaded).toBe(false);
  });

  it("keeps the top bit: 255.255.255.255 is 0xffffffff, not negative", () => {
    expect(new IpvsDestination("255.255.255.255:1", 0).ip).toBe(0xffffffff);
  });

  it.each([
    ["010.244.001.005:8080", "10.244.1.5:8080"],
    ["[FD00:0:0:0::1]:80", "[fd00::1]:80"],
    ["[2001:db8::1:2]:443", "[2001:db8::1:2]:443"],
  ])("normalises %s to %s", (input, canonical) => {
    expect(new IpvsDestination(input, 1).address).toBe(canonical);
    expect(ipvsDestinationKey(input)).toBe(canonical);
  });

  it("folds IPv6 like the kernel's addr_fold (XOR of the four 32-bit words)", () => {
    expect(new IpvsDestination("[fd00::1]:80", 1).ip).toBe((0xfd000000 ^ 0x00000001) >>> 0);
    // words 0x20010db8, 0, 0, 0x00010002
    expect(ipvsAddressFold("2001:db8::1:2")).toBe((0x20010db8 ^ 0x00010002) >>> 0);
    // IPv4-mapped as an IPv6 address: words 0, 0, 0x0000ffff, 0x0a000001
    expect(ipvsAddressFold("::ffff:10.0.0.1")).toBe((0x0000ffff ^ 0x0a000001) >>> 0);
    expect(ipvsAddressFold("10.0.0.1")).toBe(0x0a000001);
  });

  it.each([
    ["10.0.0.1", "no port"],
    ["10.0.0.1:65536", "port too large"],
    ["10.0.0.1:-1", "negative port"],
    ["fd00::1:80", "IPv6 without brackets"],
    ["[fd00::1]80", "missing colon after bracket"],
    ["example.com:80", "not an IP"],
    ["10.0.0.256:80", "octet > 255"],
  ])("rejects %s (%s) with a RangeError naming it", (address) => {
    expect(() => new IpvsDestination(address, 1)).toThrow(RangeError);
    expect(() => new IpvsDestination(address, 1)).toThrow(address.slice(0, 8));
  });

  it.each([
    [-1, false],
    [1.5, false],
    [2 ** 31, false],
    [Number.NaN, false],
    [0, true],
    [2 ** 31 - 1, true],
  ])("weight %s accepted: %s (ip_vs_ctl.c: weight < 0 => ERANGE; int range)", (w, ok) => {
    if (ok) expect(checkIpvsWeight(w)).toBe(w);
    else expect(() => new IpvsDestination("10.0.0.1:80", w)).toThrow(RangeError);
  });
});

describe("ipvsConnOverhead (include/net/ip_vs.h ip_vs_dest_conn_overhead)", () => {
  it.each([
    [0, 0, 0],
    [1, 0, 256],
    [0, 255, 255],
    [0, 256, 256],
    [2, 3, 515],
    [1000, 7, 256007],
    // largest value before the 32-bit int wraps
    [2 ** 23 - 1, 255, 2 ** 31 - 1],
    // (2^23 << 8) overflows the kernel's int
    [2 ** 23, 0, -(2 ** 31)],
  ])("active %i, inactive %i => %i", (active, inact, expected) => {
    const d = new IpvsDestination("10.0.0.1:80", 1);
    d.activeConns = active;
    d.inactConns = inact;
    expect(ipvsConnOverhead(d)).toBe(expected);
  });
});
