import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./service-externalname.js";

describe("ExternalName example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../service-externalname.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("no ClusterIP, no EndpointSlice, no kube-proxy rule", () => {
    expect(lines[1]).toBe("  clusterIP: (none); EndpointSlices: 0; kube-proxy rules on node-1: 0");
  });

  it("the name resolves, through the CNAME, to the external address at the first search domain", () => {
    expect(lines.filter((l) => /^ {2}(A|AAAA) /.test(l))).toHaveLength(2);
    expect(lines.find((l) => l.startsWith("  -> "))).toMatch(/^ {2}-> ok 198\.51\.100\.20 \(answered as payments\.default\.svc\.cluster\.local\./);
  });
});
