import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalIP, formatIPv6, ipv4MappedOctets, parseIPv4, parseIPv4Octets, parseIPv6Groups } from "./ip.js";
import type { IPParseMode } from "./ip.js";

describe("parseIPv4Octets: strict (net.ParseIP) vs sloppy (utilnet.ParseIPSloppy)", () => {
  const cases: readonly { name: string; ip: string; strict: number[] | undefined; sloppy: number[] | undefined }[] = [
    { name: "plain", ip: "10.96.0.1", strict: [10, 96, 0, 1], sloppy: [10, 96, 0, 1] },
    { name: "all zeros", ip: "0.0.0.0", strict: [0, 0, 0, 0], sloppy: [0, 0, 0, 0] },
    { name: "all 255", ip: "255.255.255.255", strict: [255, 255, 255, 255], sloppy: [255, 255, 255, 255] },
    { name: "leading zeros are decimal, not octal", ip: "010.001.002.003", strict: undefined, sloppy: [10, 1, 2, 3] },
    { name: "double zero octet", ip: "10.00.0.1", strict: undefined, sloppy: [10, 0, 0, 1] },
    { name: "many leading zeros", ip: "0000000010.0.0.1", strict: undefined, sloppy: [10, 0, 0, 1] },
    { name: "octet 256", ip: "256.0.0.1", strict: undefined, sloppy: undefined },
    { name: "zero-padded 256", ip: "0256.0.0.1", strict: undefined, sloppy: undefined },
    { name: "three parts", ip: "10.0.1", strict: undefined, sloppy: undefined },
    { name: "five parts", ip: "10.0.0.1.2", strict: undefined, sloppy: undefined },
    { name: "empty octet", ip: "10..0.1", strict: undefined, sloppy: undefined },
    { name: "sign", ip: "+1.0.0.1", strict: undefined, sloppy: undefined },
    { name: "hex", ip: "0x0a.0.0.1", strict: undefined, sloppy: undefined },
    { name: "trailing space", ip: "10.0.0.1 ", strict: undefined, sloppy: undefined },
    { name: "empty", ip: "", strict: undefined, sloppy: undefined },
  ];
  it.each(cases)("$name: $ip", ({ ip, strict, sloppy }) => {
    expect(parseIPv4Octets(ip)).toEqual(strict);
    expect(parseIPv4Octets(ip, "strict")).toEqual(strict);
    expect(parseIPv4Octets(ip, "sloppy")).toEqual(sloppy);
  });

  it("parseIPv4 is the strict octets as an unsigned 32-bit integer, -1 when invalid", () => {
    expect(parseIPv4("10.96.0.1")).toBe(174063617);
    expect(parseIPv4("255.255.255.255")).toBe(4294967295);
    expect(parseIPv4("010.96.0.1")).toBe(-1);
  });
});

describe("parseIPv6Groups (net.ParseIP, no zone)", () => {
  const cases: readonly { name: string; ip: string; mode?: IPParseMode; want: number[] | undefined }[] = [
    { name: "full form", ip: "fd00:0:0:0:0:0:0:1", want: [0xfd00, 0, 0, 0, 0, 0, 0, 1] },
    { name: "upper case", ip: "FD00:ABCD::1", want: [0xfd00, 0xabcd, 0, 0, 0, 0, 0, 1] },
    { name: ":: alone", ip: "::", want: [0, 0, 0, 0, 0, 0, 0, 0] },
    { name: ":: at start", ip: "::1", want: [0, 0, 0, 0, 0, 0, 0, 1] },
    { name: ":: at end", ip: "fe80::", want: [0xfe80, 0, 0, 0, 0, 0, 0, 0] },
    { name: ":: for exactly one group", ip: "1:2:3::5:6:7:8", want: [1, 2, 3, 0, 5, 6, 7, 8] },
    { name: ":: with 8 explicit groups", ip: "1:2:3:4::5:6:7:8", want: undefined },
    { name: "two ::", ip: "1::2::3", want: undefined },
    { name: ":::", ip: "1:::2", want: undefined },
    { name: "7 groups without ::", ip: "1:2:3:4:5:6:7", want: undefined },
    { name: "9 groups", ip: "1:2:3:4:5:6:7:8:9", want: undefined },
    { name: "5 hex digits", ip: "12345::1", want: undefined },
    { name: "4 digits with leading zeros", ip: "0000:00::0001", want: [0, 0, 0, 0, 0, 0, 0, 1] },
    { name: "leading single colon", ip: ":1::2", want: undefined },
    { name: "trailing single colon", ip: "1::2:", want: undefined },
    { name: "zone", ip: "fe80::1%eth0", want: undefined },
    { name: "IPv4-mapped", ip: "::ffff:10.0.0.1", want: [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001] },
    { name: "dotted tail after ::", ip: "::10.0.0.1", want: [0, 0, 0, 0, 0, 0, 0x0a00, 0x0001] },
    { name: "dotted tail, full form", ip: "1:2:3:4:5:6:192.168.1.2", want: [1, 2, 3, 4, 5, 6, 0xc0a8, 0x0102] },
    { name: "dotted tail makes 9 groups", ip: "1:2:3:4:5:6:7:10.0.0.1", want: undefined },
    { name: "dotted quad not last", ip: "10.0.0.1::1", want: undefined },
    { name: "plain dotted quad is not IPv6", ip: "10.0.0.1", want: undefined },
    { name: "tail leading zero, strict", ip: "::ffff:10.0.0.01", want: undefined },
    { name: "tail leading zero, sloppy", ip: "::ffff:10.0.0.01", mode: "sloppy", want: [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001] },
    { name: "tail 256, sloppy", ip: "::ffff:10.0.0.256", mode: "sloppy", want: undefined },
    { name: "hex groups are the same in sloppy mode", ip: "12345::1", mode: "sloppy", want: undefined },
    { name: "empty", ip: "", want: undefined },
  ];
  it.each(cases)("$name: $ip", ({ ip, mode, want }) => {
    expect(parseIPv6Groups(ip, mode)).toEqual(want);
  });

  it("strict and sloppy agree on every address without a dotted tail", () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), (gs, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const text = hi - lo >= 1 ? `${gs.slice(0, lo).join(":")}::${gs.slice(hi).join(":")}` : gs.join(":");
        expect(parseIPv6Groups(text, "sloppy")).toEqual(parseIPv6Groups(text, "strict"));
      }),
    );
  });
});

describe("formatIPv6 (Go net.IP.String)", () => {
  const cases: readonly { name: string; groups: number[]; want: string }[] = [
    { name: "all zeros", groups: [0, 0, 0, 0, 0, 0, 0, 0], want: "::" },
    { name: "loopback", groups: [0, 0, 0, 0, 0, 0, 0, 1], want: "::1" },
    { name: "trailing run", groups: [0xfe80, 0, 0, 0, 0, 0, 0, 0], want: "fe80::" },
    { name: "longest zero run wins", groups: [0xfd00, 0, 0, 1, 0, 0, 0, 1], want: "fd00:0:0:1::1" },
    { name: "first run on ties", groups: [0xfd00, 0, 0, 1, 0, 0, 1, 1], want: "fd00::1:0:0:1:1" },
    { name: "single zero group is not compressed", groups: [0xfd00, 1, 2, 3, 4, 5, 0, 7], want: "fd00:1:2:3:4:5:0:7" },
    { name: "lower-case hex without leading zeros", groups: [0x2001, 0xdb8, 0xabcd, 0x12, 0, 0, 0, 0x0a], want: "2001:db8:abcd:12::a" },
    { name: "IPv4-mapped prints as IPv4", groups: [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001], want: "10.0.0.1" },
    { name: "IPv4-compatible (::a.b.c.d) prints as IPv6", groups: [0, 0, 0, 0, 0, 0, 0x0a00, 0x0001], want: "::a00:1" },
    { name: "ffff not in group 5 is not mapped", groups: [0, 0, 0, 0, 0xffff, 0, 0x0a00, 0x0001], want: "::ffff:0:a00:1" },
  ];
  it.each(cases)("$name => $want", ({ groups, want }) => {
    expect(formatIPv6(groups)).toBe(want);
  });

  it("ipv4MappedOctets recovers the 4 bytes of ::ffff:a.b.c.d only", () => {
    expect(ipv4MappedOctets([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0102])).toEqual([192, 168, 1, 2]);
    expect(ipv4MappedOctets([0, 0, 0, 0, 0, 0, 0xc0a8, 0x0102])).toBeUndefined();
  });

  it("formatting then parsing gives the same groups back", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), (groups) => {
        const text = formatIPv6(groups);
        const mapped = ipv4MappedOctets(groups);
        if (mapped !== undefined) expect(parseIPv4Octets(text)).toEqual(mapped);
        else expect(parseIPv6Groups(text)).toEqual(groups);
      }),
    );
  });
});

describe("canonicalIP (utilnet.ParseIPSloppy(addr).String())", () => {
  const cases: readonly { name: string; address: string; want: string }[] = [
    { name: "IPv4 unchanged", address: "10.244.1.5", want: "10.244.1.5" },
    { name: "IPv4 leading zeros read as decimal", address: "010.000.000.007", want: "10.0.0.7" },
    { name: "IPv6 lower-cased and compressed", address: "FD00:0:0:0::1", want: "fd00::1" },
    { name: "IPv4-mapped prints as IPv4", address: "::ffff:10.0.0.1", want: "10.0.0.1" },
    { name: "IPv4-mapped with sloppy tail", address: "::FFFF:010.0.0.01", want: "10.0.0.1" },
    { name: "unparsable returned unchanged", address: "not-an-ip", want: "not-an-ip" },
    { name: "out-of-range IPv4 returned unchanged", address: "256.1.1.1", want: "256.1.1.1" },
    { name: "two :: returned unchanged", address: "1::2::3", want: "1::2::3" },
  ];
  it.each(cases)("$name: $address => $want", ({ address, want }) => {
    expect(canonicalIP(address)).toBe(want);
  });
});
