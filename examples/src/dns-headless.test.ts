import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./dns-headless.js";

describe("DNS headless example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../dns-headless.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  // Rows "+5 s" .. "+60 s": [completed, failed] per client (per-request, JVM, once).
  const rows = lines.filter((l) => /^ {2}\+\d+ s/.test(l)).map((l) => [...l.matchAll(/(\d+) \/ (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]));

  it("the client that resolved once fails on every request after the deletion", () => {
    expect(rows).toHaveLength(12);
    for (const r of rows) expect(r[2][0]).toBe(0);
  });

  it("the per-request and JVM clients recover within 30 s and fail on nothing in the last 30 s", () => {
    for (const r of rows.slice(6)) expect([r[0][1], r[1][1]]).toEqual([0, 0]);
    // Before that the per-request client fails on about half its requests (one pod of two), within 35-65 %.
    for (const r of rows.slice(0, 4)) expect(r[0][1] / (r[0][0] + r[0][1])).toBeGreaterThan(0.35);
    for (const r of rows.slice(0, 4)) expect(r[0][1] / (r[0][0] + r[0][1])).toBeLessThan(0.65);
  });
});
