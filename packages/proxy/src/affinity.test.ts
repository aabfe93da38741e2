import { describe, expect, it } from "vitest";
import { AffinityTables, RecentList } from "./affinity.js";

const T = 10_800_000; // 10800 s, the default ClientIP timeout

describe("RecentList (xt_recent / nftables affinity set)", () => {
  it("matches an address set within the timeout, not after (sliding on set)", () => {
    const l = new RecentList(100);
    l.set(1, 0);
    expect(l.check(1, T, T)).toBe(true); // exactly T later: still within
    expect(l.check(1, T + 1, T)).toBe(false);
    l.set(1, T); // a new connection refreshes it
    expect(l.check(1, 2 * T, T)).toBe(true);
    expect(l.check(2, 0, T)).toBe(false);
  });

  it("holds at most ip_list_tot (100) addresses, evicting the least recently set", () => {
    const l = new RecentList(100);
    for (let ip = 1; ip <= 100; ip++) l.set(ip, ip);
    l.set(1, 200); // refresh: 1 moves to the LRU tail
    l.set(101, 201); // full: evicts the LRU head, which is now 2
    expect(l.size).toBe(100);
    expect(l.check(2, 201, T)).toBe(false);
    expect(l.check(1, 201, T)).toBe(true);
    expect(l.check(101, 201, T)).toBe(true);
  });

  it("rcheck does not refresh the LRU position; reap drops only a stale LRU head", () => {
    const l = new RecentList(3);
    l.set(1, 0);
    l.set(2, 10);
    l.set(3, 20);
    expect(l.check(1, 30, T)).toBe(true); // checked, not moved
    l.set(4, 40); // evicts 1, the LRU head
    expect(l.check(1, 40, T)).toBe(false);
    const r = new RecentList(10);
    r.set(5, 0);
    r.set(6, 100);
    r.reap(150, 100); // head (5, set at 0) is older than 150 - 100: dropped
    expect(r.size).toBe(1);
    r.reap(150, 100); // head (6, set at 100) is not older: kept
    expect(r.size).toBe(1);
  });

  it("without a limit (nftables) it keeps every address, and expiry bounds memory", () => {
    const l = new RecentList(Infinity);
    for (let ip = 0; ip < 5000; ip++) l.set(ip, 0);
    expect(l.size).toBe(5000);
    l.expire(T + 1, T); // every element expired
    expect(l.size).toBe(0);
  });
});

describe("AffinityTables", () => {
  it("keeps an endpoint's list across syncs and deletes it with the endpoint", () => {
    const t = new AffinityTables(100);
    const [a] = t.listsFor("default/api:/TCP", ["10.0.0.1:80", "10.0.0.2:80"]);
    a.set(7, 0);
    const again = t.listsFor("default/api:/TCP", ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]);
    expect(again[0]).toBe(a);
    expect(again[0].check(7, 1, T)).toBe(true);
    t.listsFor("default/api:/TCP", ["10.0.0.2:80"]); // 10.0.0.1 removed
    const back = t.listsFor("default/api:/TCP", ["10.0.0.1:80", "10.0.0.2:80"]);
    expect(back[0]).not.toBe(a);
    expect(back[0].check(7, 1, T)).toBe(false);
  });
});
