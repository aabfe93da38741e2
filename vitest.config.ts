import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const pkg = (name: string): string => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@kube-netsim/core": pkg("core"),
      "@kube-netsim/model": pkg("model"),
      "@kube-netsim/dns": pkg("dns"),
      "@kube-netsim/controllers": pkg("controllers"),
      "@kube-netsim/proxy": pkg("proxy"),
      "@kube-netsim/traffic": pkg("traffic"),
      "@kube-netsim/scenario": pkg("scenario"),
      "@kube-netsim/cli": pkg("cli"),
      "@kube-netsim/testing": pkg("testing"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "examples/src/**/*.test.ts"],
    testTimeout: 60_000,
    setupFiles: ["./vitest.setup.ts"],
    // The JSON report lets .ci/run print the plain "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: "node_modules/.vitest-results.json" },
  },
});
