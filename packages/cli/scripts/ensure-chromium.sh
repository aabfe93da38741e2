#!/bin/sh
# The HTML report's browser test (packages/cli/src/html.browser.test.ts) drives Debian's
# headless Chromium through playwright-core; it never downloads a browser build of its own.
# `pnpm test` runs this first so that the README's test command works on a fresh machine:
# when /usr/bin/chromium is missing and we may use apt-get (root), install it quietly.
set -eu
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the HTML report's browser test (apt-get)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "note: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get);" >&2
echo "      the HTML report's browser test will fail: install Debian's chromium package first." >&2
