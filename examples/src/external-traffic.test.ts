import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./external-traffic.js";

describe("external traffic example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../external-traffic.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("Cluster: the node without a pod forwards everything it takes; Local: it takes nothing and the client IP is kept", () => {
    const node3 = lines.filter((l) => l.startsWith("  node-3"));
    expect(node3[0]).toMatch(/no\s+(\d+)\s+0\s+\1\s/);
    expect(node3[1]).toMatch(/no\s+0\s+0\s+0\s+503/);
    expect(lines).toContain("  source IP the pods saw: 203.0.113.7 x5985");
  });

  it("Local: scaling down drops connections for 16-24 s of health checks at about 100 requests/s", () => {
    const m = /: (\d+) requests timed out/.exec(lines[lines.length - 1]);
    const lost = Number(m?.[1]);
    expect(lost).toBeGreaterThan(1600);
    expect(lost).toBeLessThan(2400);
  });
});
