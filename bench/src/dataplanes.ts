/**
 * Cost per new connection of each data plane at 10, 1,000 and 10,000 endpoints, through
 * the public API of @kube-netsim/proxy: `program` once (a sync), then `select` for every
 * new connection (IPVS also counts each connection's close).
 *
 * Usage: node bench/dist/dataplanes.js [--connections N] [--modes iptables,ipvs:mh,...]
 * Last line: dataplanes <mode>@<n>=<ns per connection> ...
 */
import { RandomSource } from "@kube-netsim/core";
import { CiliumDataPlane, IptablesDataPlane, IpvsDataPlane, NftablesDataPlane, ServiceFrontend } from "@kube-netsim/proxy";
import type { DataPlane, IpvsSchedulerName, ProxyEndpoint } from "@kube-netsim/proxy";

const args = process.argv.slice(2);
const ci = args.indexOf("--connections");
const CONNECTIONS = ci >= 0 ? Number(args[ci + 1]) : 300_000;
const mi = args.indexOf("--modes");
const ONLY = mi >= 0 ? new Set(args[mi + 1].split(",")) : undefined;

function frontend(plane: DataPlane, n: number, external: boolean): ServiceFrontend {
  const f = new ServiceFrontend("10.96.0.10:80/TCP");
  if (external) f.kind = "external"; // cilium:maglev hashes only North-South frontends
  f.servicePortName = "default/api:/TCP";
  f.verdict = "forward";
  f.endpoints = Array.from({ length: n }, (_, i) => ({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8080, key: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080` }) as ProxyEndpoint);
  f.programmedAt = 0;
  plane.program(f);
  return f;
}

function measure(make: () => DataPlane, n: number, external = false): { programMs: number; nsPerConnection: number } {
  const plane = make();
  const t0 = performance.now();
  const f = frontend(plane, n, external);
  const programMs = performance.now() - t0;
  const rng = new RandomSource(1).stream("bench");
  const closes = plane.connectionClosed !== undefined;
  let sink = 0;
  const t1 = performance.now();
  for (let i = 0; i < CONNECTIONS; i++) {
    const now = i * 0.01; // 100,000 connections per second of virtual time
    const k = plane.select(f, (i * 2654435761) >>> 0, rng, now);
    sink += k;
    if (closes) plane.connectionClosed?.(f, f.endpoints[k].key, now);
  }
  const ns = ((performance.now() - t1) * 1e6) / CONNECTIONS;
  if (sink < 0) console.log(sink);
  return { programMs, nsPerConnection: ns };
}

const modes: [string, () => DataPlane][] = [
  ["iptables", () => new IptablesDataPlane()],
  ["nftables", () => new NftablesDataPlane()],
  ["cilium", () => new CiliumDataPlane()],
  ["cilium:maglev", () => new CiliumDataPlane({ algorithm: "maglev" })],
  ...(["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh", "mh"] as IpvsSchedulerName[]).map((s): [string, () => DataPlane] => [`ipvs:${s}`, () => new IpvsDataPlane(s)]),
];
const last: string[] = [];
console.log(`${"mode".padEnd(10)} ${"endpoints".padStart(9)} ${"program ms".padStart(10)} ${"ns/connection".padStart(13)}`);
for (const [name, make] of modes) {
  if (ONLY !== undefined && !ONLY.has(name)) continue;
  for (const n of [10, 1000, 10_000]) {
    const r = measure(make, n, name === "cilium:maglev");
    console.log(`${name.padEnd(10)} ${String(n).padStart(9)} ${r.programMs.toFixed(2).padStart(10)} ${r.nsPerConnection.toFixed(1).padStart(13)}`);
    last.push(`${name}@${n}=${r.nsPerConnection.toFixed(0)}`);
  }
}
console.log(`dataplanes ${last.join(" ")}`);
