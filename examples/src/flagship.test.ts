import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./flagship.js";

// Docs that cannot drift (STYLE 13): the flagship's output is checked in, and its
// claims are asserted here.
const golden = fileURLToPath(new URL("../flagship.out", import.meta.url));

function run(): string[] {
  const lines: string[] = [];
  main((l) => lines.push(l));
  return lines;
}

describe("flagship example", () => {
  const lines = run();

  it("prints exactly the checked-in output (same seed => same story)", () => {
    expect(lines.join("\n") + "\n").toBe(readFileSync(golden, "utf8"));
  });

  it("spreads requests over the three pods within 2 points of a third each", () => {
    const shares = lines.filter((l) => /^\s+10\.244\.\d+\.\d+:8080 /.test(l)).map((l) => Number(/([0-9.]+)%$/.exec(l)?.[1]));
    expect(shares).toHaveLength(3);
    for (const s of shares) expect(Math.abs(s - 100 / 3)).toBeLessThan(2);
  });

  it("reports latency near M/M/1 theory (mean within 10% of 10 ms at this run length)", () => {
    const m = /latency: mean ([0-9.]+) ms \(M\/M\/1 theory ([0-9.]+) ms\)/.exec(lines.join("\n"));
    expect(m).not.toBeNull();
    expect(Number(m?.[2])).toBe(10);
    expect(Math.abs(Number(m?.[1]) - 10) / 10).toBeLessThan(0.1);
  });

  it("keeps the Service working after a pod is deleted, and loses no request", () => {
    const text = lines.join("\n");
    const after = Number(/(\d+) requests completed after the deletion/.exec(text)?.[1]);
    expect(after).toBeGreaterThan(15_000);
    const m = /started (\d+), outcomes (\{.*\}), in flight (\d+)/.exec(text);
    const outcomes = JSON.parse(m?.[2] ?? "{}") as Record<string, number>;
    const sum = Object.values(outcomes).reduce((a, b) => a + b, 0);
    expect(sum).toBe(Number(m?.[1]));
    expect(Number(m?.[3])).toBe(0);
    expect(outcomes.completed / sum).toBeGreaterThan(0.99);
  });
});
