#!/usr/bin/env bash
# Screenshots of the console's main screens (sign-in, collect with QR, paid, orders, dashboard,
# withdrawals, alerts, reconciliation with its PDF report, reports) in English and Chinese, taken on
# a virtual X display (xvfb-run) against a real server and sandbox with seeded business. Usage:
#   scripts/console-screenshots.sh [OUT_DIR] [light|dark]     (default: docs/screenshots, light)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
theme="${2:-light}"
./scripts/install-deps.sh
[ -f build/dev/build.ninja ] || cmake --preset dev >/dev/null
cmake --build build/dev -j2 --target paydesk-console-tour
mkdir -p "$out"
xvfb-run -a -s "-screen 0 1600x1000x24" \
  env QT_QPA_PLATFORM=xcb PAYDESK_TEST_DB=sqlite build/dev/bin/paydesk-console-tour --out "$out" --theme "$theme"
