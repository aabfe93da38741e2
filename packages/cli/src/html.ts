import type { TimelineBucket } from "@kube-netsim/scenario";
import { formatDuration } from "./duration.js";
import type { ScenarioRun } from "./runner.js";

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<a href="x">&</a>'); // "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const th = header.map((h, i) => `<th${numeric[i] ? ' class="n"' : ""}>${escapeHtml(h)}</th>`).join("");
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ""}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

/** Colours of the outcomes (ColorBrewer Dark2), the same in every chart. */
const OUTCOME_COLOURS: Readonly<Record<string, string>> = { completed: "#1b9e77", refused: "#d95f02", reset: "#7570b3", timedOut: "#e7298a", dropped: "#a6761d" };
const SERIES_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
const OUTCOME_ORDER = ["completed", "refused", "reset", "timedOut", "dropped"];

/** The outcomes present in the buckets, known ones first (a later release may add more). */
function outcomeKinds(buckets: readonly TimelineBucket[]): string[] {
  const extra = [...new Set(buckets.flatMap((b) => Object.keys(b.outcomes)))].filter((k) => !OUTCOME_ORDER.includes(k)).sort();
  return [...OUTCOME_ORDER, ...extra];
}

const PAD = { l: 56, r: 16, t: 12, b: 30 };

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** Axes, horizontal grid lines and time labels of a chart over the buckets. */
function frame(width: number, height: number, yMax: number, yUnit: string, buckets: readonly TimelineBucket[]): string {
  const w = width - PAD.l - PAD.r;
  const h = height - PAD.t - PAD.b;
  let out = "";
  for (let i = 0; i <= 4; i++) {
    const y = PAD.t + h - (i / 4) * h;
    out += `<line x1="${PAD.l}" y1="${y.toFixed(1)}" x2="${PAD.l + w}" y2="${y.toFixed(1)}" stroke="${i === 0 ? "#999" : "#eee"}"/>`;
    out += `<text x="${PAD.l - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${num((yMax * i) / 4)}${i === 4 && yUnit !== "" ? ` ${yUnit}` : ""}</text>`;
  }
  const n = buckets.length;
  const step = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < n; i += step) {
    const x = PAD.l + ((i + 0.5) / n) * w;
    out += `<text x="${x.toFixed(1)}" y="${height - 10}" text-anchor="middle">${num(buckets[i].start / 1000)} s</text>`;
  }
  return out;
}

function svgOpen(chart: string, width: number, height: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${chart}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="11" font-family="sans-serif" role="img" aria-label="${escapeHtml(label)}">`;
}

function legend(items: readonly { readonly name: string; readonly colour: string }[]): string {
  return `<p class="legend">${items.map((i) => `<span><i style="background:${i.colour}"></i>${escapeHtml(i.name)}</span>`).join(" ")}</p>`;
}

/** One line per series over the buckets, a circle (`.point`) per finite value; NaN leaves a gap. */
function lineChart(chart: string, label: string, buckets: readonly TimelineBucket[], series: readonly { readonly name: string; readonly colour: string; readonly values: readonly number[] }[], yUnit: string, width: number, height: number): string {
  const w = width - PAD.l - PAD.r;
  const h = height - PAD.t - PAD.b;
  const n = Math.max(1, buckets.length);
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)))));
  const x = (i: number): number => PAD.l + ((i + 0.5) / n) * w;
  const y = (v: number): number => PAD.t + h - (v / yMax) * h;
  let body = "";
  for (const s of series) {
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 1) body += `<polyline class="line" data-series="${escapeHtml(s.name)}" points="${run.join(" ")}" fill="none" stroke="${s.colour}" stroke-width="1.5"/>`;
      run = [];
    };
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return flush();
      run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    flush();
    s.values.forEach((v, i) => {
      if (Number.isFinite(v)) body += `<circle class="point" data-series="${escapeHtml(s.name)}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${s.colour}"><title>${num(buckets[i].start / 1000)} s: ${escapeHtml(s.name)} ${num(v)}${yUnit === "" ? "" : ` ${yUnit}`}</title></circle>`;
    });
  }
  return svgOpen(chart, width, height, label) + frame(width, height, yMax, yUnit, buckets) + body + "</svg>" + legend(series);
}

/**
 * Latency of the requests completed in each bucket: p50 and p99 lines (ms).
 *
 * @example
 * ```ts
 * const svg = latencySvg(run.buckets); // run: a ScenarioRun of a scenario with `measure:`
 * svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="latency"'); // true
 * ```
 */
export function latencySvg(buckets: readonly TimelineBucket[], width: number = 860, height: number = 220): string {
  return lineChart(
    "latency",
    "p50 and p99 latency per bucket",
    buckets,
    [
      { name: "p50", colour: "#1b9e77", values: buckets.map((b) => b.latency.p50) },
      { name: "p99", colour: "#d95f02", values: buckets.map((b) => b.latency.p99) },
    ],
    "ms",
    width,
    height,
  );
}

/**
 * Requests ended per bucket, stacked by outcome: one `.bar` rect per outcome with a non-zero count.
 *
 * @example
 * ```ts
 * const svg = outcomesSvg(run.buckets, 600, 180); // width and height in px
 * svg.match(/<rect class="bar" data-outcome="timedOut"/g)?.length; // buckets with timed-out requests
 * ```
 */
export function outcomesSvg(buckets: readonly TimelineBucket[], width: number = 860, height: number = 220): string {
  const kinds = outcomeKinds(buckets);
  const w = width - PAD.l - PAD.r;
  const h = height - PAD.t - PAD.b;
  const n = Math.max(1, buckets.length);
  const totals = buckets.map((b) => kinds.reduce((a, k) => a + ((b.outcomes as Record<string, number>)[k] ?? 0), 0));
  const yMax = niceMax(Math.max(0, ...totals));
  const bw = w / n;
  let body = "";
  buckets.forEach((b, i) => {
    let y = PAD.t + h;
    kinds.forEach((k, j) => {
      const v = (b.outcomes as Record<string, number>)[k] ?? 0;
      if (v === 0) return;
      const bh = (v / yMax) * h;
      y -= bh;
      body += `<rect class="bar" data-outcome="${k}" x="${(PAD.l + i * bw + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${Math.max(0.5, bh).toFixed(1)}" fill="${OUTCOME_COLOURS[k] ?? SERIES_COLOURS[(5 + j) % SERIES_COLOURS.length]}"><title>${num(b.start / 1000)} s: ${v} ${k}</title></rect>`;
    });
  });
  return svgOpen("outcomes", width, height, "requests per bucket by outcome") + frame(width, height, yMax, "", buckets) + body + "</svg>" + legend(kinds.map((k, j) => ({ name: k, colour: OUTCOME_COLOURS[k] ?? SERIES_COLOURS[(5 + j) % SERIES_COLOURS.length] })));
}

/**
 * Ready endpoints each node's kube-proxy had programmed at the end of each bucket: one line per node.
 *
 * @example
 * ```ts
 * const svg = readyEndpointsSvg(run.buckets, run.sim.nodeNames); // one line per node: node-1, node-2, node-3
 * ```
 */
export function readyEndpointsSvg(buckets: readonly TimelineBucket[], nodes: readonly string[], width: number = 860, height: number = 200): string {
  return lineChart(
    "ready-endpoints",
    "ready endpoints programmed per node",
    buckets,
    nodes.map((node, i) => ({ name: node, colour: SERIES_COLOURS[i % SERIES_COLOURS.length], values: buckets.map((b) => b.readyEndpointsByNode[node] ?? NaN) })),
    "",
    width,
    height,
  );
}

/**
 * Share of the completed requests per endpoint: one horizontal `.bar` per endpoint.
 *
 * @example
 * ```ts
 * const svg = endpointSharesSvg(run.results.endpoints); // one bar per endpoint, e.g. "10.244.2.2:8080 api-566cffdb74-8jtlh (node-3)"
 * ```
 */
export function endpointSharesSvg(endpoints: readonly { readonly address: string; readonly pod: string; readonly node: string; readonly completed: number; readonly share: number }[], width: number = 860): string {
  const rowH = 20;
  const left = 260;
  const height = PAD.t + Math.max(1, endpoints.length) * rowH + 24;
  const w = width - left - 80;
  const max = Math.max(0.0001, ...endpoints.map((e) => e.share));
  let body = `<line x1="${left}" y1="${PAD.t}" x2="${left}" y2="${height - 24}" stroke="#999"/>`;
  endpoints.forEach((e, i) => {
    const y = PAD.t + i * rowH;
    const bw = (e.share / max) * w;
    body += `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(`${e.address} ${e.pod} (${e.node})`)}</text>`;
    body += `<rect class="bar" data-endpoint="${escapeHtml(e.address)}" x="${left}" y="${y + 3}" width="${Math.max(0.5, bw).toFixed(1)}" height="${rowH - 6}" fill="#7570b3"><title>${escapeHtml(e.address)}: ${e.completed} requests, ${(100 * e.share).toFixed(2)}%</title></rect>`;
    body += `<text x="${(left + bw + 4).toFixed(1)}" y="${y + 14}">${(100 * e.share).toFixed(2)}%</text>`;
  });
  return svgOpen("endpoint-share", width, height, "share of completed requests per endpoint") + body + "</svg>";
}

/** Shows the `<title>` of the bar or point under the pointer in the chart's read-out line (no network, no eval). */
const SCRIPT = `document.querySelectorAll("svg.chart").forEach(function (svg) {
  var out = svg.parentElement.querySelector(".readout");
  svg.addEventListener("mouseover", function (e) {
    var t = e.target.querySelector && e.target.querySelector("title");
    if (out && t) out.textContent = t.textContent;
  });
});`;

/**
 * A self-contained HTML report of a run that works offline (inline CSS, SVG and a few
 * lines of JS; a Content-Security-Policy that forbids every fetch): the summary tables,
 * the share per endpoint, and with `measure:` charts of latency (p50/p99), outcomes
 * (stacked) and ready endpoints per node over time, the timeline and expectations.
 *
 * @example
 * ```ts
 * const run = runScenario(loadScenarioFile("examples/scenarios/flagship.yaml"));
 * writeFileSync("flagship.html", runHtml("flagship.yaml", run)); // what `kube-netsim run --out-html flagship.html` writes
 * ```
 */
export function runHtml(file: string, run: ScenarioRun): string {
  const r = run.results;
  const o = r.outcomes;
  const l = r.latency;
  const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "-");
  const nodes = run.sim.nodeNames;
  let body = `<h1>kube-netsim run ${escapeHtml(file)}</h1>\n<p>seed ${escapeHtml(String(run.seed))}, kube-proxy ${escapeHtml(run.mode)}, nodes ${escapeHtml(nodes.join(", "))}; traffic from t=${escapeHtml(formatDuration(run.trafficStart))} for ${escapeHtml(formatDuration(r.time - run.trafficStart))} including the drain; digest <code>${r.digest}</code></p>\n`;
  body += "<h2>Outcomes</h2>\n" + htmlTable(["started", "completed", "refused", "reset", "timedOut", "dropped", "in flight"], [[r.started, o.completed, o.refused, o.reset, o.timedOut, o.dropped, r.inFlight].map(String)], Array(7).fill(true)) + "\n";
  body += "<h2>Latency of completed requests (ms)</h2>\n" + htmlTable(["mean", "p50", "p90", "p99", "p99.9", "max"], [[l.mean, l.p50, l.p90, l.p99, l.p999, l.max].map(ms)], Array(6).fill(true)) + "\n";
  if (r.endpoints.length > 0) body += `<h2>Share per endpoint</h2>\n<figure>${endpointSharesSvg(r.endpoints)}<p class="readout"></p></figure>\n`;
  body += "<h2>Endpoints</h2>\n" + htmlTable(["endpoint", "pod", "node", "requests", "share"], r.endpoints.map((e) => [e.address, e.pod, e.node, String(e.completed), `${(100 * e.share).toFixed(2)}%`]), [false, false, false, true, true]) + "\n";
  if (run.buckets.length > 0) {
    body += `<h2>Latency over time</h2>\n<figure>${latencySvg(run.buckets)}<p class="readout"></p></figure>\n`;
    body += `<h2>Outcomes over time</h2>\n<figure>${outcomesSvg(run.buckets)}<p class="readout"></p></figure>\n`;
    body += `<h2>Ready endpoints per node</h2>\n<p>Endpoints each node's kube-proxy had programmed as ready at the end of each bucket.</p>\n<figure>${readyEndpointsSvg(run.buckets, nodes)}<p class="readout"></p></figure>\n`;
    body += "<h2>Timeline</h2>\n";
    body += htmlTable(
      ["t (s)", "ok", "refused", "reset", "timedOut", "dropped", "p50 ms", "p99 ms", `endpoints (${nodes.join("/")})`, "pods"],
      run.buckets.map((b) => [
        (b.start / 1000).toFixed(1),
        ...(["completed", "refused", "reset", "timedOut", "dropped"] as const).map((k) => String(b.outcomes[k])),
        ms(b.latency.p50),
        ms(b.latency.p99),
        nodes.map((n) => String(b.endpointsByNode[n] ?? "-")).join("/"),
        Object.entries(b.pods)
          .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))
          .map(([k, v]) => `${k} ${v}`)
          .join(", "),
      ]),
      [true, true, true, true, true, true, true, true, false, false],
    ) + "\n";
  }
  if (run.warnings.length > 0) body += "<h2>Warnings</h2>\n<ul>" + run.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("") + "</ul>\n";
  if (run.expectations.length > 0) {
    body += "<h2>Expectations</h2>\n" + htmlTable(["", "metric", "min", "max", "value"], run.expectations.map((e) => [e.ok ? "ok" : "FAIL", e.metric, e.min === undefined ? "" : String(e.min), e.max === undefined ? "" : String(e.max), Number.isFinite(e.value) ? String(+e.value.toFixed(4)) : "-"]), [false, false, true, true, true]) + "\n";
  }
  const css =
    "body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:.5em 0 1em}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:90%}figure{margin:0 0 1em}.legend span{margin-right:1em}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}.readout{min-height:1.2em;color:#555;font-size:90%}";
  // The policy forbids every fetch: the page works offline and cannot call out.
  const csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="${csp}">\n<title>kube-netsim ${escapeHtml(file)}</title>\n<style>${css}</style>\n</head>\n<body>\n${body}<script>${SCRIPT}</script>\n</body>\n</html>\n`;
}
