import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./keepalive-scaleup.js";

describe("keep-alive scale-up example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../keepalive-scaleup.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  const newPodShares = (line: string): number[] => [...line.matchAll(/\(new\)\s+([0-9.]+)%/g)].map((m) => Number(m[1]));

  it("the keep-alive pool sends nothing to the new pods; the other two give each about a quarter", () => {
    const [perRequest, keepAlive, recycled] = lines.slice(1, 4);
    expect(newPodShares(keepAlive)).toEqual([0, 0]);
    for (const s of [...newPodShares(perRequest), ...newPodShares(recycled)]) expect(s).toBeGreaterThan(15);
  });
});
