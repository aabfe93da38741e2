/**
 * Shared pieces of the course labs (`examples/labs/*.md`): what a lab's run prints, the
 * figures its Observations quote, and a reader of the lab's Markdown page, so that a test
 * can check that the page quotes exactly what the run computes.
 *
 * A lab page has the sections `## Goal`, `## Setup`, `## Questions`, `## Observations`
 * and `## What the run prints` (one fenced `text` block, the program's output verbatim).
 * In Observations, every figure the run computes is written as inline code starting with
 * a digit or a sign (`` `24.7%` ``, `` `0.3333333333` ``, `` `-12` ``); the lab's test
 * checks that these are exactly the lab's {@link LabOutput.quotes}.
 */
import { readFileSync } from "node:fs";

/** What a lab prints and the figures its Markdown page quotes. */
export interface LabOutput {
  /** The lines the lab's program prints. */
  readonly lines: readonly string[];
  /** Every figure the page's Observations quote, formatted as the page writes them. */
  readonly quotes: readonly string[];
}

/** A lab page split into its `## ` sections (heading text to body). */
export function labSections(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  let heading = "";
  let body: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    if (!fenced && line.startsWith("## ")) {
      sections.set(heading, body.join("\n"));
      heading = line.slice(3).trim();
      body = [];
    } else body.push(line);
  }
  sections.set(heading, body.join("\n"));
  return sections;
}

/** The headings every lab page has, in order. */
export const LAB_SECTIONS = ["Goal", "Setup", "Questions", "Observations", "What the run prints"] as const;

/** Inline code spans of `text` that are figures (start with a digit, or a sign then a digit). */
export function quotedFigures(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]).filter((s) => /^[-+~]?[0-9]/.test(s));
}

/** The body of the first fenced block in `text`, with a trailing newline. */
export function fencedBlock(text: string): string {
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(text);
  return m ? m[1] : "";
}

/** What a test compares for one lab page. */
export interface LabPageCheck {
  /** Section headings found, in order. */
  readonly headings: readonly string[];
  /** The output block the page shows. */
  readonly printedOnPage: string;
  /** What the run printed, one newline after each line. */
  readonly printedByRun: string;
  /** Figures quoted in Observations, each once, sorted. */
  readonly quotedOnPage: readonly string[];
  /** Figures the run computed for the page, each once, sorted. */
  readonly quotedByRun: readonly string[];
}

/** Reads the lab page `examples/labs/<file>` and pairs it with a run's output. */
export function checkLabPage(file: string, out: LabOutput): LabPageCheck {
  const markdown = readFileSync(new URL(`../../labs/${file}`, import.meta.url), "utf8");
  const sections = labSections(markdown);
  const sort = (xs: readonly string[]): string[] => [...xs].sort();
  return {
    headings: [...sections.keys()].filter((h) => h !== ""),
    printedOnPage: fencedBlock(sections.get("What the run prints") ?? ""),
    printedByRun: out.lines.map((l) => `${l}\n`).join(""),
    quotedOnPage: sort([...new Set(quotedFigures(sections.get("Observations") ?? ""))]),
    quotedByRun: sort([...new Set(out.quotes)]),
  };
}

/** `x` as a percentage with `digits` decimals: `pct(0.2471) === "24.7%"`. */
export function pct(x: number, digits: number = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/** Runs a lab's program when its file is the script node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && new URL(url).pathname === process.argv[1];
}
