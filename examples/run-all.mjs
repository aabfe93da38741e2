#!/usr/bin/env node
// Runs every example program and lab (after `pnpm build`): each `examples/src/**/<name>.ts`
// that has a `<name>.test.ts` beside it is an example (shared `*-kit.ts` modules are not); its build output
// `examples/dist/**/<name>.js` runs in order, one after another, output straight through.
// `pnpm examples` builds and then runs this. Stops at the first failure with its status.
//
//   node examples/run-all.mjs            # every example and lab
//   node examples/run-all.mjs labs       # those whose path contains "labs"
import { readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

const here = new URL(".", import.meta.url).pathname;
const src = join(here, "src");
const filter = process.argv[2] ?? "";

function programs(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...programs(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith("-kit.ts") && existsSync(path.replace(/\.ts$/, ".test.ts"))) out.push(path);
  }
  return out;
}

// The flagship first (the README's first command), then the others, then the labs.
const all = programs(src)
  .map((p) => relative(src, p).replace(/\.ts$/, ".js"))
  .filter((p) => p.includes(filter))
  .sort((a, b) => (a === "flagship.js" ? -1 : b === "flagship.js" ? 1 : a.includes("/") === b.includes("/") ? (a < b ? -1 : 1) : a.includes("/") ? 1 : -1));
for (const p of all) {
  const js = join(here, "dist", p);
  if (!existsSync(js)) {
    console.error(`examples/dist/${p} is missing: run pnpm build first`);
    process.exit(1);
  }
  console.log(`\n=== examples/dist/${p}`);
  const r = spawnSync(process.execPath, [js], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`examples/dist/${p} failed (status ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}
console.log(`\n${all.length} examples ran`);
