/**
 * The same scenario under every data plane, side by side: four `api` pods (M/M/1 servers,
 * 5 ms mean) behind a ClusterIP Service, 600 requests/s for a minute, one pod deleted
 * halfway. Same seed, so every mode sees the same requests at the same times.
 *
 * Run: `pnpm build && node examples/dist/compare-modes.js`. Output checked in as
 * `examples/compare-modes.out`.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import { compareModes, formatComparison } from "@kube-netsim/scenario";
import { apiDeployment, apiService } from "./flagship.js";

/** Runs the comparison and prints the table. */
export function main(print: (line: string) => void): void {
  const rows = compareModes(
    { modes: ["iptables", "nftables", "cilium", "ipvs:rr", "ipvs:lc", "ipvs:sh", "ipvs:mh"], simulation: { seed: 42 } },
    (sim) => {
      sim.apply([{ ...apiDeployment, spec: { ...apiDeployment.spec, replicas: 4 } }, apiService]);
      sim.setApplication({ app: "api" }, { concurrency: 1, serviceTime: exponential(5) });
      sim.settle();
      sim.addClient({ name: "frontend", target: "http://api:80", rate: 600 });
      sim.runFor(30_000);
      sim.deletePod(sim.pods({ app: "api" })[0].metadata.name);
      sim.runFor(30_000);
      sim.drain();
    },
  );
  print("4 api pods (utilisation 0.75 each), 600 requests/s from one client for 60 s, one pod deleted at 30 s:");
  for (const line of formatComparison(rows).trimEnd().split("\n")) print(`  ${line}`);
  print("- iptables, nftables and Cilium choose at random: every pod is an M/M/1 queue (the first two even pick");
  print("  the same pods: one uniform draw per connection, the same stream).");
  print("- ipvs:rr rotates strictly, which smooths each pod's arrivals: less waiting.");
  print("- ipvs:lc also counts each pod's TIME_WAIT connections (2 minutes of them), which dwarf the active ones,");
  print("  so it lands close to random on the mean (its median is lower).");
  print("- ipvs:sh hashes the one client's address to one pod, which cannot keep up (600 > 200 requests/s).");
  print("- ipvs:mh (kube-proxy sets mh-port) spreads by source port, but while the deleted pod's real server");
  print("  drains at weight 0 its table slots still point at it and, without mh-fallback, those connections are refused.");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
