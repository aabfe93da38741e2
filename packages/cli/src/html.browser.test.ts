import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { EXIT_OK, runCli } from "./cli.js";
import { inflateSync } from "node:zlib";
/** A decoded PNG: width, height and RGBA bytes (4 per pixel). Test helper. */
interface DecodedPng {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/**
 * Decodes an 8-bit RGB or RGBA non-interlaced PNG (what Chromium's screenshots are), with
 * the five row filters of the PNG specification (section 9).
 */
function decodePng(buf: Buffer): DecodedPng {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error("not a PNG");
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("ascii", pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const colour = data[9];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || data[12] !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${data[12]}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v = row[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = cur[x * channels];
      out[o + 1] = cur[x * channels + 1];
      out[o + 2] = cur[x * channels + 2];
      out[o + 3] = channels === 4 ? cur[x * channels + 3] : 255;
    }
    prev.set(cur);
  }
  return { width, height, rgba: out };
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";

interface RunJSON {
  results: { endpoints: unknown[] };
  timeline: { outcomes: Record<string, number>; latency: { p50: number | null; p99: number | null }; readyEndpointsByNode: Record<string, number> }[];
}

describe("the HTML report in headless Chromium", () => {
  it("renders every chart offline, with the expected bars and points, no console error and no request", async () => {
    // Installed by .ci/run (apt-get install chromium); a missing browser is a failure, not a skip.
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium), as .ci/run does`);
    const dir = mkdtempSync(join(tmpdir(), "kube-netsim-browser-"));
    const file = join(dir, "report.html");
    let stdout = "";
    const code = await runCli(["run", join(ROOT, "examples/scenarios/flagship.yaml"), "--out-html", file, "--json"], { stdout: (s) => void (stdout += s), stderr: () => undefined });
    expect(code).toBe(EXIT_OK);
    const run = JSON.parse(stdout) as RunJSON;
    const nodes = Object.keys(run.timeline[0].readyEndpointsByNode);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("request", (r) => requests.push(r.url()));
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: "load" });

      const count = (selector: string): Promise<number> => page.locator(selector).count();
      // Latency: a point per bucket with completed requests, for p50 and for p99.
      const finite = (k: "p50" | "p99"): number => run.timeline.filter((b) => b.latency[k] !== null).length;
      expect(await count('svg[data-chart="latency"] circle.point[data-series="p50"]')).toBe(finite("p50"));
      expect(await count('svg[data-chart="latency"] circle.point[data-series="p99"]')).toBe(finite("p99"));
      // Outcomes: a bar per (bucket, outcome) with a non-zero count.
      const segments = run.timeline.reduce((a, b) => a + Object.values(b.outcomes).filter((v) => v > 0).length, 0);
      expect(await count('svg[data-chart="outcomes"] rect.bar')).toBe(segments);
      expect(await count('svg[data-chart="outcomes"] rect.bar[data-outcome="timedOut"]')).toBe(run.timeline.filter((b) => b.outcomes.timedOut > 0).length);
      // Endpoint share: a bar per endpoint.
      expect(await count('svg[data-chart="endpoint-share"] rect.bar')).toBe(run.results.endpoints.length);
      // Ready endpoints: a line per node, a point per sampled bucket and node (the drain's last
      // bucket, after the measure stopped, has no sample).
      const sampled = run.timeline.reduce((a, b) => a + nodes.filter((n) => b.readyEndpointsByNode[n] !== undefined).length, 0);
      expect(sampled).toBeGreaterThanOrEqual(nodes.length * (run.timeline.length - 1));
      expect(await count('svg[data-chart="ready-endpoints"] polyline.line')).toBe(nodes.length);
      expect(await count('svg[data-chart="ready-endpoints"] circle.point')).toBe(sampled);

      // Each chart is laid out with a size, and its bars have a height.
      for (const chart of ["latency", "outcomes", "endpoint-share", "ready-endpoints"]) {
        const box = await page.locator(`svg[data-chart="${chart}"]`).boundingBox();
        expect(box?.width ?? 0, chart).toBeGreaterThan(500);
        expect(box?.height ?? 0, chart).toBeGreaterThan(50);
      }
      const barHeights = await page.$$eval('svg[data-chart="outcomes"] rect.bar', (rs) => rs.map((r) => (r as unknown as { getBBox(): { height: number } }).getBBox().height));
      expect(Math.min(...barHeights)).toBeGreaterThan(0);

      // The inline script works: hovering a bar shows its title in the read-out line.
      await page.locator('svg[data-chart="outcomes"] rect.bar[data-outcome="timedOut"]').first().hover();
      expect(await page.locator('svg[data-chart="outcomes"] + .legend + .readout').textContent()).toMatch(/^[0-9]+ s: [0-9]+ timedOut$/);

      // A screenshot that is not blank: many non-white pixels, and the outcomes' colours.
      const png = decodePng(await page.screenshot({ fullPage: true }));
      let coloured = 0;
      let green = 0;
      for (let i = 0; i < png.rgba.length; i += 4) {
        const [r, g, b] = [png.rgba[i], png.rgba[i + 1], png.rgba[i + 2]];
        if (r < 240 || g < 240 || b < 240) coloured++;
        if (Math.abs(r - 0x1b) < 8 && Math.abs(g - 0x9e) < 8 && Math.abs(b - 0x77) < 8) green++; // completed and p50 (#1b9e77)
      }
      expect(png.width).toBe(1000);
      expect(coloured / (png.width * png.height)).toBeGreaterThan(0.02);
      expect(green).toBeGreaterThan(500);

      expect(problems).toEqual([]);
      expect(requests).toEqual([url]); // the page itself, nothing else
      expect(readFileSync(file, "utf8")).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    } finally {
      await browser.close();
    }
  }, 30_000);
});
