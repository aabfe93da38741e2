import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./zone-loss.js";

describe("zone loss example", () => {
  const lines: string[] = [];
  const sim = main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../zone-loss.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("replacements run only in the surviving zones, and every request ended", () => {
    const ready = sim.pods({ app: "api" }).filter((p) => p.metadata.deletionTimestamp === undefined);
    expect(ready.length).toBe(6);
    expect(ready.some((p) => p.spec.nodeName === "node-2" || p.spec.nodeName === "node-5")).toBe(false);
    expect(sim.results().inFlight).toBe(0);
  });
});
