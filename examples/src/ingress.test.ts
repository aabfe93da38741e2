import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./ingress.js";

describe("Service versus Ingress example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../ingress.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("keep-alive through the Service loads 2 of 3 pods; through the Ingress each pod gets a third within 1 point", () => {
    const rows = lines.filter((l) => /^ {2}api-/.test(l)).map((l) => [...l.matchAll(/([\d.]+)%/g)].map((m) => Number(m[1])));
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r[0] === 0)).toHaveLength(1);
    for (const r of rows) expect(Math.abs(r[1] - 100 / 3)).toBeLessThan(1);
  });

  it("routes by host and path: Prefix /api, / for /apiary, 503 without endpoints, 404 for an unknown host", () => {
    const row = (name: string): string => lines.find((l) => l.startsWith(`  ${name} `)) ?? "";
    expect(row("api")).toMatch(/shop: shop\.example\.com\/api \(Prefix\)\s+\d+ x 200$/);
    expect(row("apiary")).toMatch(/shop: shop\.example\.com\/ \(Prefix\)\s+\d+ x 200$/);
    expect(row("reports")).toMatch(/\d+ x 503$/);
    expect(row("other-host")).toMatch(/\(no rule\)\s+\d+ x 404$/);
  });
});
