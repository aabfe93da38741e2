import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./service-nodeport.js";

describe("NodePort example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../service-nodeport.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("Cluster: the node without a pod still answers and the pod sees that node's IP", () => {
    const row = lines[lines.indexOf("externalTrafficPolicy: Local (nodePort 30080)") - 2];
    expect(row).toMatch(/^ {2}10\.0\.0\.12:30080\s+no\s+[1-9]\d*\s+0\s+10\.0\.0\.12$/);
  });

  it("Local: the node without a pod drops everything (timeouts), the others keep the client IP", () => {
    const local = lines.slice(lines.indexOf("externalTrafficPolicy: Local (nodePort 30080)"));
    expect(local[4]).toMatch(/^ {2}10\.0\.0\.12:30080\s+no\s+0\s+[1-9]\d*\s+-$/);
    expect(local[2]).toMatch(/203\.0\.113\.7$/);
    expect(local[3]).toMatch(/203\.0\.113\.7$/);
    expect(local[5]).toMatch(/"refused":0,"reset":0,"timedOut":[1-9]/);
  });
});
