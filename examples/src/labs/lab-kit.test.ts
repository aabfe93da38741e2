import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, fencedBlock, labSections, pct, quotedFigures } from "./lab-kit.js";

describe("lab kit", () => {
  it.each([
    ["a percentage", "shares `24.6%` and `25.4%`", ["24.6%", "25.4%"]],
    ["a count and a duration", "`208` requests, `985 ms`", ["208", "985 ms"]],
    ["a signed figure", "moved by `-12` and `+3`", ["-12", "+3"]],
    ["code that is not a figure", "`--probability` and `%0.10f` and `ndots:5`", []],
    ["a figure inside prose code", "`sim.resolve(\"api\")` gives `12` queries", ["12"]],
  ])("quotedFigures: %s", (_name, text, figures) => {
    expect(quotedFigures(text)).toEqual(figures);
  });

  it("labSections splits on level-2 headings outside fenced blocks", () => {
    const md = "# Title\n\n## Goal\n\ng\n\n## Setup\n\n```sh\n## not a heading\n```\n\n## Observations\n\no `1`\n";
    const s = labSections(md);
    expect([...s.keys()]).toEqual(["", "Goal", "Setup", "Observations"]);
    expect(s.get("Setup")).toContain("## not a heading");
    expect(fencedBlock(s.get("Setup") ?? "")).toBe("## not a heading\n");
  });

  it("pct rounds like toFixed", () => {
    expect(pct(0.2471)).toBe("24.7%");
    expect(pct(1 / 3, 2)).toBe("33.33%");
    expect(pct(0)).toBe("0.0%");
  });

  it("every lab page in examples/labs has its program and test, and the sections in order", () => {
    const pages = readdirSync(new URL("../../labs/", import.meta.url)).filter((f) => /^\d\d-.*\.md$/.test(f));
    const sources = new Set(readdirSync(new URL("./", import.meta.url)));
    expect(pages.length).toBeGreaterThanOrEqual(8);
    for (const page of pages) {
      const base = page.replace(/\.md$/, "");
      expect(sources.has(`${base}.ts`), `${base}.ts`).toBe(true);
      expect(sources.has(`${base}.test.ts`), `${base}.test.ts`).toBe(true);
    }
    expect(LAB_SECTIONS).toEqual(["Goal", "Setup", "Questions", "Observations", "What the run prints"]);
  });
});
