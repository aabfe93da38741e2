import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./compare-modes.js";

describe("compare-modes example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));
  const row = (mode: string): string[] => (lines.find((l) => l.trimStart().startsWith(`${mode} `)) ?? "").trim().split(/\s+/);

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../compare-modes.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("states what the table shows: rr waits less than random choice, sh overloads one pod, mh refuses while draining", () => {
    const mean = (mode: string): number => Number(row(mode)[7]);
    expect(mean("ipvs:rr")).toBeLessThan(mean("iptables") * 0.8);
    expect(mean("ipvs:sh")).toBeGreaterThan(1000);
    expect(Number(row("ipvs:mh")[3])).toBeGreaterThan(1000); // refused
    expect(Number(row("iptables")[3])).toBe(0);
    expect(row("iptables").slice(1)).toEqual(row("nftables").slice(1));
  });
});
