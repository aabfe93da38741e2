import type { TimelineBucket } from "@kube-netsim/scenario";
import { formatDuration } from "./duration.js";
import type { ScenarioRun } from "./runner.js";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const th = header.map((h, i) => `<th${numeric[i] ? ' class="n"' : ""}>${escapeHtml(h)}</th>`).join("");
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ""}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

const ERROR_COLOURS: Readonly<Record<string, string>> = { refused: "#d95f02", reset: "#7570b3", timedOut: "#e7298a", dropped: "#a6761d" };

/**
 * An SVG chart of the measured buckets: requests not completed per bucket as stacked bars
 * (refused, reset, timedOut, dropped) and the p99 latency as a line.
 */
export function bucketsSvg(buckets: readonly TimelineBucket[], width: number = 800, height: number = 220): string {
  const pad = { l: 48, r: 48, t: 12, b: 28 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const n = Math.max(1, buckets.length);
  const errs = buckets.map((b) => b.outcomes.refused + b.outcomes.reset + b.outcomes.timedOut + b.outcomes.dropped);
  const maxErr = Math.max(1, ...errs);
  const p99s = buckets.map((b) => b.latency.p99).filter((x) => Number.isFinite(x));
  const maxP99 = Math.max(1, ...p99s);
  const bw = w / n;
  const x = (i: number): number => pad.l + i * bw;
  const parts: string[] = [];
  buckets.forEach((b, i) => {
    let y = pad.t + h;
    for (const k of ["refused", "reset", "timedOut", "dropped"] as const) {
      const v = b.outcomes[k];
      if (v === 0) continue;
      const bh = (v / maxErr) * h;
      y -= bh;
      parts.push(`<rect x="${x(i).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${ERROR_COLOURS[k]}"><title>${(b.start / 1000).toFixed(1)} s: ${v} ${k}</title></rect>`);
    }
  });
  const points = buckets
    .map((b, i) => (Number.isFinite(b.latency.p99) ? `${(x(i) + bw / 2).toFixed(1)},${(pad.t + h - (b.latency.p99 / maxP99) * h).toFixed(1)}` : ""))
    .filter((p) => p !== "")
    .join(" ");
  if (points !== "") parts.push(`<polyline points="${points}" fill="none" stroke="#1b9e77" stroke-width="1.5"><title>p99 latency</title></polyline>`);
  const axis = [
    `<line x1="${pad.l}" y1="${pad.t + h}" x2="${pad.l + w}" y2="${pad.t + h}" stroke="#999"/>`,
    `<text x="${pad.l - 4}" y="${pad.t + 10}" text-anchor="end">${maxErr}</text>`,
    `<text x="${pad.l - 4}" y="${pad.t + h}" text-anchor="end">0</text>`,
    `<text x="${pad.l + w + 4}" y="${pad.t + 10}">${maxP99.toFixed(1)} ms</text>`,
    `<text x="${pad.l}" y="${height - 8}">0 s</text>`,
    `<text x="${pad.l + w}" y="${height - 8}" text-anchor="end">${((buckets[buckets.length - 1]?.start ?? 0) / 1000).toFixed(1)} s</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-size="11" font-family="sans-serif" role="img" aria-label="requests not completed per bucket and p99 latency">${axis.join("")}${parts.join("")}</svg>`;
}

/**
 * A self-contained HTML report of a run (no scripts, no external assets): the summary
 * tables, a chart of errors and p99 per bucket, the timeline and expectations.
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
  body += "<h2>Endpoints</h2>\n" + htmlTable(["endpoint", "pod", "node", "requests", "share"], r.endpoints.map((e) => [e.address, e.pod, e.node, String(e.completed), `${(100 * e.share).toFixed(2)}%`]), [false, false, false, true, true]) + "\n";
  if (run.buckets.length > 0) {
    body += `<h2>Timeline</h2>\n<p>Bars: requests not completed per bucket (<span style="color:${ERROR_COLOURS.refused}">refused</span>, <span style="color:${ERROR_COLOURS.reset}">reset</span>, <span style="color:${ERROR_COLOURS.timedOut}">timedOut</span>, <span style="color:${ERROR_COLOURS.dropped}">dropped</span>); line: p99 latency.</p>\n`;
    body += bucketsSvg(run.buckets) + "\n";
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
  const css = "body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:.5em 0 1em}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:90%}";
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>kube-netsim ${escapeHtml(file)}</title>\n<style>${css}</style>\n</head>\n<body>\n${body}</body>\n</html>\n`;
}
