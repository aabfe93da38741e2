import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli.js";

// explain prints, per externally accessible Service, what each node does with connections from outside.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await runCli(args, { stdout: (s) => void (stdout += s), stderr: () => undefined });
  return { code, stdout };
}

const section = (out: string): string => out.slice(out.indexOf("External addresses"), out.indexOf("\niptables rules on"));

describe("explain: external addresses", () => {
  it("externalTrafficPolicy Local: node-3 has no api pod, drops, answers 503 on healthCheckNodePort, and the load balancer skips it", async () => {
    const r = await cli("explain", join(ROOT, "examples/scenarios/external-lb.yaml"), "--at", "10s");
    expect(r.code).toBe(0);
    expect(section(r.stdout)).toBe(
      [
        "External addresses (NodePorts, load balancers, externalIPs: each node's verdict for connections from outside)",
        "  default/api  LoadBalancer  ingress 192.0.2.1  externalTrafficPolicy Local  healthCheckNodePort 32307",
        "    node    address              kind           verdict  endpoints        health check   load balancer",
        "    node-1  10.0.0.10:30080/TCP  node-port      forward  10.244.0.2:8080  200 (1 local)  healthy",
        "    node-1  192.0.2.1:80/TCP     load-balancer  forward  10.244.0.2:8080  200 (1 local)  healthy",
        "    node-2  10.0.0.11:30080/TCP  node-port      forward  10.244.1.2:8080  200 (1 local)  healthy",
        "    node-2  192.0.2.1:80/TCP     load-balancer  forward  10.244.1.2:8080  200 (1 local)  healthy",
        "    node-3  10.0.0.12:30080/TCP  node-port      drop     -                503 (0 local)  unhealthy",
        "    node-3  192.0.2.1:80/TCP     load-balancer  drop     -                503 (0 local)  unhealthy",
        "",
      ].join("\n"),
    );
  });

  it.each([
    [
      "no ready endpoint anywhere: every node rejects and answers 503; the load balancer finds no node healthy",
      "health-check-fails.yaml",
      "5s",
      ["    node-1  192.0.2.1:80/TCP     load-balancer  reject   -          503 (0 local)  unhealthy\n", "    node-2  192.0.2.1:80/TCP     load-balancer  reject   -          503 (0 local)  unhealthy\n"],
    ],
    [
      "externalTrafficPolicy Cluster: every node forwards to the one pod on node-2 (no health check column)",
      "nodeport-cluster.yaml",
      "5s",
      ["    node-1  10.0.0.10:30080/TCP  node-port  forward  10.244.1.2:8080  -             -\n", "    node-2  10.0.0.11:30080/TCP  node-port  forward  10.244.1.2:8080  -             -\n"],
    ],
  ])("%s", async (_name, file, at, lines) => {
    const r = await cli("explain", join(ROOT, "packages/cli/test-fixtures/diagnose", file), "--at", at);
    expect(r.code).toBe(0);
    for (const l of lines) expect(section(r.stdout)).toContain(l);
  });

  it("no section when no Service is externally accessible (the flagship)", async () => {
    const r = await cli("explain", join(ROOT, "examples/scenarios/flagship.yaml"), "--at", "1s");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("External addresses");
  });
});
