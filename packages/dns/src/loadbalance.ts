/**
 * CoreDNS's `loadbalance` plugin (policy `round_robin`, the default): every NOERROR
 * response has its A/AAAA (and MX) records shuffled.
 *
 * Upstream: coredns/coredns plugin/loadbalance/loadbalance.go (roundRobin,
 * roundRobinShuffle). Despite the name it is not a rotation: each position `j` swaps with
 * `j + id % (l - j)` where `id` is a fresh random 16-bit DNS message id (`dns.Id()`), a
 * Fisher-Yates shuffle; two records swap when the id is even. Here `id` is drawn from a
 * seeded stream.
 *
 * @packageDocumentation
 */
import type { RandomStream } from "@kube-netsim/core";
import type { DnsRecord, DnsResponse } from "./message.js";

/**
 * Shuffles `records` in place as `roundRobinShuffle` does (one 16-bit id per position).
 *
 * @example
 * ```ts
 * const rs = [a1, a2, a3];
 * shuffleRecords(rs, random.stream("coredns/loadbalance"));
 * ```
 */
export function shuffleRecords<T>(records: T[], random: RandomStream): void {
  const l = records.length;
  if (l < 2) return;
  if (l === 2) {
    if ((random.nextUint32() & 0xffff) % 2 === 0) {
      const t = records[0];
      records[0] = records[1];
      records[1] = t;
    }
    return;
  }
  for (let j = 0; j < l; j++) {
    const p = j + ((random.nextUint32() & 0xffff) % (l - j));
    if (p === j) continue;
    const t = records[j];
    records[j] = records[p];
    records[p] = t;
  }
}

function section(rrs: readonly DnsRecord[], random: RandomStream): DnsRecord[] {
  if (rrs.length <= 1) return [...rrs];
  const first = rrs[0].type;
  if ((first === "A" || first === "AAAA") && rrs.every((r) => r.type === first)) {
    const out = [...rrs];
    shuffleRecords(out, random);
    return out;
  }
  const cname: DnsRecord[] = [];
  const address: DnsRecord[] = [];
  const rest: DnsRecord[] = [];
  for (const r of rrs) {
    if (r.type === "CNAME") cname.push(r);
    else if (r.type === "A" || r.type === "AAAA") address.push(r);
    else rest.push(r);
  }
  shuffleRecords(address, random);
  return [...cname, ...rest, ...address];
}

/**
 * The `loadbalance` plugin applied to one response: unchanged unless NOERROR; otherwise
 * the answer, authority and additional sections each shuffled (CNAMEs first, then other
 * records in order, then the shuffled addresses).
 *
 * @example
 * ```ts
 * const shuffled = loadBalance(response, random.stream("coredns/loadbalance"));
 * ```
 */
export function loadBalance(response: DnsResponse, random: RandomStream): DnsResponse {
  if (response.rcode !== "NOERROR") return response;
  return { ...response, answer: section(response.answer, random), authority: section(response.authority, random), extra: section(response.extra, random) };
}
