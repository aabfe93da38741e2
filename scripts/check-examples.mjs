#!/usr/bin/env node
// Lists every symbol a package exports from its src/index.ts that has no TSDoc @example,
// and exits 1 if there is one. Run by `pnpm run docs` after typedoc, so CI keeps the API
// reference's promise: every public symbol is documented with an example.
//
//   node scripts/check-examples.mjs            # check all packages
//   node scripts/check-examples.mjs --list     # print the missing ones, grouped by file
import { readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const packagesDir = join(root, "packages");
const entries = readdirSync(packagesDir)
  .map((p) => join(packagesDir, p, "src", "index.ts"))
  .filter((f) => existsSync(f))
  .sort();

const program = ts.createProgram(entries, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
});
const checker = program.getTypeChecker();

const hasExample = (decl) => {
  for (const tag of ts.getJSDocTags(decl)) if (tag.tagName.text === "example") return true;
  // A variable's doc sits on its statement.
  if (ts.isVariableDeclaration(decl)) {
    const stmt = decl.parent?.parent;
    if (stmt) for (const doc of ts.getJSDocCommentsAndTags(stmt)) {
      if (ts.isJSDoc(doc) && doc.tags?.some((t) => t.tagName.text === "example")) return true;
    }
  }
  return false;
};

let total = 0;
const missing = [];
for (const entry of entries) {
  const source = program.getSourceFile(entry);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) continue;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decls = symbol.declarations ?? [];
    if (decls.length === 0) continue;
    total += 1;
    if (!decls.some(hasExample)) {
      const d = decls[0];
      const file = d.getSourceFile();
      const { line } = file.getLineAndCharacterOfPosition(d.getStart());
      missing.push(`${relative(root, file.fileName)}:${line + 1} ${exported.name}`);
    }
  }
}

if (process.argv.includes("--list")) for (const m of missing.sort()) console.log(m);
console.log(`${total - missing.length} of ${total} exported symbols have an @example`);
if (missing.length > 0) {
  console.error(`${missing.length} exported symbols have no @example (node scripts/check-examples.mjs --list)`);
  process.exit(1);
}
