import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./service-no-endpoints.js";

describe("selector matches no pods example", () => {
  const lines: string[] = [];
  main((l) => lines.push(l));

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../service-no-endpoints.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("walks Service, selector, 0 matching pods, a placeholder slice, the REJECT rule", () => {
    expect(lines[2]).toBe("3. Pods matching the selector: 0.");
    expect(lines[3]).toMatch(/a placeholder: api-\w+ with 0 endpoints\.$/);
    expect(lines[5]).toMatch(/"default\/api has no endpoints" .* -j REJECT --reject-with icmp-port-unreachable$/);
  });

  it("the client sees every request refused, none timed out; after the fix none is refused", () => {
    const m = /"completed":0,"refused":(\d+),"reset":0,"timedOut":0,"dropped":0/.exec(lines[6]);
    expect(Number(m?.[1])).toBeGreaterThan(900);
    expect(lines[lines.length - 1]).toMatch(/completed [1-9]\d*, refused 0 more\.$/);
  });
});
