#!/usr/bin/env bash
# Sets up this machine (Debian 12) if needed, builds Paydesk with its tests and runs the whole
# suite (SQLite and PostgreSQL backends) under AddressSanitizer + UndefinedBehaviorSanitizer.
#   ./test.sh                 everything
#   ./test.sh -R tst_http     only matching tests (arguments go to ctest)
# Environment: PAYDESK_TEST_PRESET=dev for a faster build without sanitizers.
set -euo pipefail
cd "$(dirname "$0")"

./scripts/install-deps.sh
preset="${PAYDESK_TEST_PRESET:-sanitize}"
echo "==> building ($preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"

# Sanitizer settings: fail on the first UB report; leaks are checked with the suppressions
# for Qt's and OpenSSL's process-lifetime allocations.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export QT_QPA_PLATFORM=offscreen

echo "==> testing"
ctest --preset "$preset" --parallel 2 "$@"
