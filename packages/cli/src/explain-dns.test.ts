import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli.js";

// explain prints what cluster DNS answers for each Service, after the EndpointSlices.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await runCli(args, { stdout: (s) => void (stdout += s), stderr: () => undefined });
  return { code, stdout };
}

describe("explain: DNS answers", () => {
  it("A records of a ClusterIP Service and of a headless one's ready pods, NXDOMAIN for a headless one without pods", async () => {
    const r = await cli("explain", join(ROOT, "packages/cli/test-fixtures/explain-dns.yaml"), "--at", "2s");
    expect(r.code).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf("DNS answers"), r.stdout.indexOf("\niptables rules on"));
    expect(r.stdout.indexOf("DNS answers")).toBeGreaterThan(r.stdout.indexOf("EndpointSlices (API server)"));
    expect(section).toBe(
      [
        "DNS answers (CoreDNS, from a pod on the first node)",
        "  name                                    answer                      ttl",
        "  api-headless.default.svc.cluster.local  A 10.244.1.2, A 10.244.0.2  30 s",
        "  api.default.svc.cluster.local           A 10.98.120.98              30 s",
        "  idle.default.svc.cluster.local          NXDOMAIN",
        "  kube-dns.kube-system.svc.cluster.local  A 10.96.0.10                30 s",
        "",
      ].join("\n"),
    );
  });

  it("--service narrows it to one Service; a scenario without DNS has no such section", async () => {
    const one = await cli("explain", join(ROOT, "packages/cli/test-fixtures/explain-dns.yaml"), "--at", "2s", "--service", "idle");
    expect(one.stdout).toContain("DNS answers (CoreDNS, from a pod on the first node)\n  name                            answer    ttl\n  idle.default.svc.cluster.local  NXDOMAIN\n");
    const none = await cli("explain", join(ROOT, "packages/cli/test-fixtures/faults.yaml"), "--at", "1s");
    expect(none.code).toBe(0);
    expect(none.stdout).not.toContain("DNS answers");
  });
});
