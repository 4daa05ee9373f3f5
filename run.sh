#!/usr/bin/env bash
# Sets up this machine (Debian 12) if needed, builds Paydesk (Release) and runs it.
#   ./run.sh              serve https://127.0.0.1:8443 with the data directory ./var
#   ./run.sh --headless   the same; never opens a window
# Other options go to paydesk-server, e.g. ./run.sh --listen 0.0.0.0:8443 --db postgresql://…
# Environment: PAYDESK_DATA_DIR (default ./var). Ctrl-C stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")"

server_args=()
for arg in "$@"; do
  case "$arg" in
    --headless) ;; # the server never opens a window; kept so scripts can always pass it
    *) server_args+=("$arg") ;;
  esac
done

./scripts/install-deps.sh
echo "==> building (Release)"
cmake --preset release >/dev/null
cmake --build --preset release

data_dir="${PAYDESK_DATA_DIR:-var}"
server=build/release/bin/paydesk-server

# First run: data directory, local CA + server certificate, keys, database schema, and (while
# the database has no staff user) a demo merchant, admin, cashier and API key in first-run.txt.
"$server" init --data-dir "$data_dir" --first-run-file "$data_dir/first-run.txt" "${server_args[@]}"

"$server" serve --data-dir "$data_dir" "${server_args[@]}" &
server_pid=$!

stop() {
  trap - INT TERM
  echo
  echo "==> stopping"
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  exit 0
}
trap stop INT TERM

listen="127.0.0.1:8443"
for ((i = 0; i < ${#server_args[@]}; i++)); do
  [ "${server_args[$i]}" = "--listen" ] && listen="${server_args[$((i + 1))]:-$listen}"
done
url="https://${listen/0.0.0.0/127.0.0.1}"
ca="$data_dir/tls/ca.pem"

# Wait (at most 30 s) until the server answers its health check.
for _ in $(seq 1 300); do
  if curl -sf --cacert "$ca" "$url/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then wait "$server_pid"; exit 1; fi
  sleep 0.1
done

cat <<MSG

  Paydesk server is running at $url
    health:   curl --cacert $ca $url/healthz
    metrics:  curl --cacert $ca $url/metrics
    CA file:  $ca  (import it in clients that should trust this server)
    config:   $data_dir/paydesk.ini
    API:      $url/openapi.json
MSG
if [ -f "$data_dir/first-run.txt" ]; then
  cat <<MSG
    demo credentials (admin, cashier, API key): $data_dir/first-run.txt  (mode 0600)
MSG
fi
cat <<MSG
  Press Ctrl-C to stop.

MSG
wait "$server_pid"
