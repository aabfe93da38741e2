#!/usr/bin/env node
/**
 * The `kube-netsim` executable: runs {@link runCli} on the process arguments and sets
 * the exit status.
 * @module
 */
import { runCli } from "./cli.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  interactive: process.stderr.isTTY === true,
});
