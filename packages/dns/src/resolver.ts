/**
 * The stub resolver in a pod (`getaddrinfo`): the search-list walk driven by `ndots`, A
 * and AAAA sent in parallel for every candidate name, timeouts and retries, and the
 * point at which the walk stops.
 *
 * Upstream: glibc resolv/res_query.c (`__res_context_search`), resolv/res_send.c
 * (`send_dg`: both queries on one socket, `timeout` per attempt, `attempts` tries);
 * musl src/network/lookup_name.c (`name_from_dns_search`, `name_from_dns`) and
 * res_msend.c (retry every `timeout / attempts`, give up after `timeout`).
 *
 * @packageDocumentation
 */
import { responseKind } from "./message.js";
import type { DnsRecord, DnsResponse, ResponseKind } from "./message.js";
import type { ResolvConf } from "./resolv-conf.js";

/**
 * Which C library's resolver: `glibc` (Debian, Ubuntu, RHEL images; Go's own resolver
 * walks the list the same way) or `musl` (Alpine).
 *
 * @example
 * ```ts
 * const conf = { ...podResolvConf({ namespace: "default" }), ndots: 2 };
 * candidateNames("db.example.com", conf, "musl");  // ["db.example.com."]: enough dots, no search walk
 * candidateNames("db.example.com", conf, "glibc"); // ["db.example.com.", "db.example.com.default.svc.cluster.local.", ...]
 * ```
 */
export type ResolverFlavor = "glibc" | "musl";

/**
 * One reply to one query, with how long it took to arrive (ms); `response` undefined when it never came.
 *
 * @example
 * ```ts
 * const answered: Exchange = { response: dns.query("api.default.svc.cluster.local.", "A", 0).response, latency: 0.3 };
 * const lost: Exchange = { response: undefined, latency: 0 }; // the resolver waits `timeout` seconds
 * ```
 */
export interface Exchange {
  /** The reply, or `undefined` when the query was lost (no reply within the timeout). */
  readonly response: DnsResponse | undefined;
  /** Time from send to reply, ms (ignored for lost queries). */
  readonly latency: number;
}

/**
 * Sends one query to the nameserver and returns the exchange. Called once per query sent,
 * retransmissions included: `attempt` is 0 for the first send of a candidate name's
 * queries and counts up for resends, which go out on the same socket (so through the
 * same conntrack entry) as the first.
 *
 * @example
 * ```ts
 * // every query is lost: glibc waits timeout (5 s) x attempts (2)
 * const blackhole: Transport = (qname, qtype, attempt) => ({ response: undefined, latency: 0 });
 * resolveName("api", podResolvConf({ namespace: "default" }), blackhole).latency; // 10000 ms
 * ```
 */
export type Transport = (qname: string, qtype: "A" | "AAAA", attempt: number) => Exchange;

/**
 * Options of {@link resolveName}.
 *
 * @example
 * ```ts
 * const options: ResolveOptions = { flavor: "musl", families: "A" }; // Alpine, AF_INET
 * resolveName("api", conf, transport, options);
 * ```
 */
export interface ResolveOptions {
  /** Resolver flavor. Default `glibc`. */
  readonly flavor?: ResolverFlavor;
  /** `A+AAAA` (getaddrinfo with AF_UNSPEC, the default) or `A` only (AF_INET). */
  readonly families?: "A+AAAA" | "A";
}

/**
 * One query the resolver sent, and how it ended.
 *
 * @example
 * ```ts
 * const r = resolveName("api", podResolvConf({ namespace: "default" }), transport); // transport: CoreDNS knowing Service api
 * r.queries[0]; // { qname: "api.default.svc.cluster.local.", qtype: "A", result: "answer" }
 * r.queries[1]; // { qname: "api.default.svc.cluster.local.", qtype: "AAAA", result: "NODATA" }
 * ```
 */
export interface SentQuery {
  /** The name asked, fully qualified. */
  readonly qname: string;
  /** The type asked. */
  readonly qtype: "A" | "AAAA";
  /** How the reply read, or `timeout` when none came. */
  readonly result: ResponseKind | "timeout";
}

/**
 * How a name resolution ended.
 *
 * @example
 * ```ts
 * resolveName("api", conf, transport).outcome;  // "ok"
 * resolveName("nope", conf, transport).outcome; // "NXDOMAIN": every candidate name failed
 * ```
 */
export type ResolveOutcome = "ok" | "NXDOMAIN" | "NODATA" | "SERVFAIL" | "timeout";

/**
 * The result of {@link resolveName}.
 *
 * @example
 * ```ts
 * const r: ResolveResult = resolveName("api", podResolvConf({ namespace: "default" }), transport);
 * r.outcome;      // "ok"
 * r.addresses;    // ["10.96.0.20"]
 * r.answeredName; // "api.default.svc.cluster.local."
 * r.ttl;          // 30 on a cache miss (kubeadm's `ttl 30`)
 * ```
 */
export interface ResolveResult {
  /** The name the application asked for. */
  readonly name: string;
  /** `ok` with addresses, or why there are none (EAI_NONAME for NXDOMAIN, EAI_NODATA, EAI_AGAIN for SERVFAIL and timeouts). */
  readonly outcome: ResolveOutcome;
  /** The addresses (A first, then AAAA), in the order the server sent them. */
  readonly addresses: readonly string[];
  /** The candidate name that answered (fully qualified), when one did. */
  readonly answeredName?: string;
  /** Smallest TTL among the answer records (s), for clients that cache; 0 when none. */
  readonly ttl: number;
  /** Every query sent, in order (A before AAAA of a pair; retransmissions included). */
  readonly queries: readonly SentQuery[];
  /** Total time, ms: per candidate name the slower of the two replies, or the timeouts waited. */
  readonly latency: number;
}

/**
 * The names a resolver tries for `name`, in order, before the first answer stops it.
 *
 * @remarks
 * glibc: a name with a trailing dot is tried only as is. A name with at least `ndots`
 * dots is tried as is first, then with each search domain; one with fewer dots is tried
 * with each search domain first, then as is. musl: a trailing dot or at least `ndots`
 * dots means the name as is only; otherwise the search domains, then as is.
 *
 * @example
 * ```ts
 * const conf = podResolvConf({ namespace: "default" });
 * candidateNames("api", conf);
 * // ["api.default.svc.cluster.local.", "api.svc.cluster.local.", "api.cluster.local.", "api."]
 * ```
 */
export function candidateNames(name: string, conf: ResolvConf, flavor: ResolverFlavor = "glibc"): string[] {
  if (typeof name !== "string" || name === "" || name === "." || name.includes("..") || name.startsWith(".")) {
    throw new RangeError(`name: Invalid value: ${JSON.stringify(name)}: must be a host name`);
  }
  const n = name.toLowerCase();
  if (n.endsWith(".")) return [n];
  const dots = n.split(".").length - 1;
  const searched = conf.searches.map((s) => `${n}.${s.toLowerCase()}.`);
  if (dots >= conf.ndots) return flavor === "musl" ? [`${n}.`] : [`${n}.`, ...searched];
  return [...searched, `${n}.`];
}

interface StepResult {
  kind: ResponseKind | "timeout";
  answer: DnsRecord[];
  latency: number;
}

/**
 * Resolves `name` as `getaddrinfo` in a pod does, sending every query through `transport`.
 *
 * @remarks
 * For every candidate name ({@link candidateNames}) an A and an AAAA query go out
 * together; the pair costs the slower reply. A reply with any answer record (even a
 * CNAME without addresses) ends the walk. NXDOMAIN continues it. NODATA continues it in
 * glibc and ends it in musl. SERVFAIL continues in glibc (reported at the end if
 * nothing answered) and ends it in musl. A lost query costs `timeout` seconds per
 * attempt (glibc: `attempts` attempts, the pair resent each time; musl: the unanswered
 * query resent every `timeout / attempts`, `timeout` in total) and ends the walk.
 *
 * So from a ClusterFirst pod (3 search domains + k node domains, ndots 5) `api` costs
 * 2 queries when the Service exists in the pod's namespace, and 2 × (3 + k + 1) when it
 * exists nowhere.
 *
 * @example
 * ```ts
 * const conf = podResolvConf({ namespace: "default" });
 * const r = resolveName("api", conf, (q, t) => ({ response: coredns.serve(q, t), latency: 0.3 }));
 * r.outcome;        // "ok"
 * r.queries.length; // 2
 * ```
 */
export function resolveName(name: string, conf: ResolvConf, transport: Transport, options: ResolveOptions = {}): ResolveResult {
  const flavor = options.flavor ?? "glibc";
  const families: ("A" | "AAAA")[] = (options.families ?? "A+AAAA") === "A" ? ["A"] : ["A", "AAAA"];
  const queries: SentQuery[] = [];
  let latency = 0;
  let gotNodata = false;
  let gotServfail = false;
  for (const candidate of candidateNames(name, conf, flavor)) {
    const step = sendPair(candidate, families, conf, flavor, transport, queries);
    latency += step.latency;
    if (step.kind === "timeout") return result(name, "timeout", [], undefined, queries, latency);
    if (step.answer.length > 0) {
      const addresses = [...step.answer.filter((r) => r.type === "A"), ...step.answer.filter((r) => r.type === "AAAA")].map((r) => r.data);
      const ttl = step.answer.reduce((m, r) => Math.min(m, r.ttl), Infinity);
      return result(name, addresses.length > 0 ? "ok" : "NODATA", addresses, candidate, queries, latency, ttl);
    }
    if (step.kind === "NODATA") {
      if (flavor === "musl") return result(name, "NODATA", [], candidate, queries, latency);
      gotNodata = true;
    } else if (step.kind === "SERVFAIL" || step.kind === "REFUSED") {
      if (flavor === "musl") return result(name, "SERVFAIL", [], candidate, queries, latency);
      gotServfail = true;
    }
  }
  const outcome: ResolveOutcome = gotNodata ? "NODATA" : gotServfail ? "SERVFAIL" : "NXDOMAIN";
  return result(name, outcome, [], undefined, queries, latency);
}

function result(name: string, outcome: ResolveOutcome, addresses: string[], answeredName: string | undefined, queries: SentQuery[], latency: number, ttl: number = 0): ResolveResult {
  return { name, outcome, addresses, ...(answeredName !== undefined ? { answeredName } : {}), ttl: Number.isFinite(ttl) ? ttl : 0, queries, latency };
}

/** Sends the A (and AAAA) query for one candidate, with the flavor's retransmissions. */
function sendPair(qname: string, families: ("A" | "AAAA")[], conf: ResolvConf, flavor: ResolverFlavor, transport: Transport, queries: SentQuery[]): StepResult {
  const timeoutMs = conf.timeout * 1000;
  const replies: (DnsResponse | undefined)[] = families.map(() => undefined);
  let waited = 0;
  if (flavor === "glibc") {
    for (let attempt = 0; attempt < conf.attempts; attempt++) {
      let slowest = 0;
      let lost = false;
      for (let i = 0; i < families.length; i++) {
        const x = transport(qname, families[i], attempt);
        queries.push({ qname, qtype: families[i], result: x.response === undefined ? "timeout" : responseKind(x.response) });
        if (x.response === undefined) lost = true;
        else {
          replies[i] = x.response;
          if (x.latency > slowest) slowest = x.latency;
        }
      }
      if (!lost) return classify(replies as DnsResponse[], waited + slowest);
      waited += timeoutMs;
    }
    return { kind: "timeout", answer: [], latency: waited };
  }
  // musl: every unanswered query is resent each `timeout / attempts`; after `timeout`, give up.
  const retry = timeoutMs / conf.attempts;
  let slowest = 0;
  for (let attempt = 0; attempt < conf.attempts; attempt++) {
    for (let i = 0; i < families.length; i++) {
      if (replies[i] !== undefined) continue;
      const x = transport(qname, families[i], attempt);
      queries.push({ qname, qtype: families[i], result: x.response === undefined ? "timeout" : responseKind(x.response) });
      if (x.response !== undefined && x.latency < retry) {
        replies[i] = x.response;
        if (attempt * retry + x.latency > slowest) slowest = attempt * retry + x.latency;
      }
    }
    if (replies.every((r) => r !== undefined)) return classify(replies as DnsResponse[], slowest);
  }
  return { kind: "timeout", answer: [], latency: timeoutMs };
}

/** Reads a pair of replies as one step: any answer record wins, then NXDOMAIN, SERVFAIL, NODATA as the A reply says. */
function classify(replies: readonly DnsResponse[], latency: number): StepResult {
  const answer: DnsRecord[] = [];
  for (const r of replies) if (r.rcode === "NOERROR") answer.push(...r.answer);
  if (answer.length > 0) return { kind: "answer", answer, latency };
  const kinds = replies.map(responseKind);
  const kind: ResponseKind = kinds.includes("SERVFAIL") ? "SERVFAIL" : kinds.includes("REFUSED") ? "REFUSED" : kinds[0] === "NXDOMAIN" ? "NXDOMAIN" : kinds.includes("NODATA") ? "NODATA" : "NXDOMAIN";
  return { kind, answer, latency };
}
