import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./service-clusterip.js";

describe("ClusterIP example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../service-clusterip.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("the KUBE-SVC chain has probabilities 1/3, 1/2, then the rest", () => {
    const chain = lines.filter((l) => l.includes("-A KUBE-SVC-"));
    expect(chain).toHaveLength(3);
    expect(chain[0]).toContain("--probability 0.3333333334");
    expect(chain[1]).toContain("--probability 0.5000000000");
    expect(chain[2]).not.toContain("--probability");
  });

  it("each pod gets a third of the requests within 1 percentage point, and nothing fails", () => {
    const shares = lines.filter((l) => /^\s+10\.244\./.test(l)).map((l) => Number(/([\d.]+)%$/.exec(l)?.[1]));
    expect(shares).toHaveLength(3);
    for (const s of shares) expect(Math.abs(s - 100 / 3)).toBeLessThan(1);
    expect(lines[lines.length - 1]).toMatch(/"refused":0,"reset":0,"timedOut":0,"dropped":0/);
  });
});
