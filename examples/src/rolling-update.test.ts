import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./rolling-update.js";

describe("rolling-update example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));
  const errors = (label: string): number => {
    const cols = (lines.find((l) => l.includes(label)) ?? "").trim().split(/\s+/);
    return cols.slice(-3).reduce((a, x) => a + Number(x), 0);
  };

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../rolling-update.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("loses requests without a preStop hook and none with a preStop sleep and a draining application", () => {
    expect(errors("exit on SIGTERM, no preStop")).toBeGreaterThan(0);
    expect(errors("drain on SIGTERM, preStop sleep 5 s")).toBe(0);
    expect(errors("drain, preStop 5 s, maxUnavailable 0")).toBe(0);
  });
});
