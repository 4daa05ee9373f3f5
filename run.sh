#!/usr/bin/env bash
# Sets up this machine (Debian 12) if needed, builds Paydesk (Release) and runs it.
#   ./run.sh              serve https://127.0.0.1:8443 with the data directory ./var, with the
#                         channel sandbox (Alipay and WeChat Pay) on https://127.0.0.1:9443 and the
#                         demo merchant's channels configured against it
#   ./run.sh --demo       the same, then one full headless payment (create QR order → sandbox buyer
#                         pays → channel callback → merchant notified); prints its timeline and exits
#   ./run.sh --no-sandbox serve without the sandbox (channels configured by you)
#   ./run.sh --console    the same as ./run.sh, and opens the desktop console (paydesk-console)
#                         signed in to this server, with "Simulate buyer payment" from the sandbox
#   ./run.sh --headless   accepted for scripts; the server never opens a window
# Other options go to paydesk-server, e.g. ./run.sh --listen 0.0.0.0:8443 --db postgresql://…
# Environment: PAYDESK_DATA_DIR (default ./var), PAYDESK_SANDBOX_PORT (default 9443).
# Ctrl-C stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")"

server_args=()
demo=false
sandbox=true
console=false
for arg in "$@"; do
  case "$arg" in
    --headless) ;; # the server never opens a window; kept so scripts can always pass it
    --demo) demo=true ;;
    --no-sandbox) sandbox=false ;;
    --console) console=true ;;
    *) server_args+=("$arg") ;;
  esac
done
if $demo && ! $sandbox; then
  echo "run.sh: --demo needs the sandbox" >&2
  exit 64
fi

./scripts/install-deps.sh
echo "==> building (Release)"
cmake --preset release >/dev/null
cmake --build --preset release

data_dir="${PAYDESK_DATA_DIR:-var}"
bin=build/release/bin
server=$bin/paydesk-server
sandbox_dir="$data_dir/sandbox"
sandbox_port="${PAYDESK_SANDBOX_PORT:-9443}"

# First run: data directory, local CA + server certificate, keys, database schema, and (while
# the database has no staff user) a demo merchant, admin, cashier and API key in first-run.txt.
"$server" init --data-dir "$data_dir" --first-run-file "$data_dir/first-run.txt" "${server_args[@]}"
ca="$data_dir/tls/ca.pem"

pids=()
stop() {
  trap - INT TERM
  echo
  echo "==> stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  exit "${1:-0}"
}
trap stop INT TERM

if $sandbox; then
  # The sandbox plays Alipay and WeChat Pay with its own keys (kept in $sandbox_dir) and sends
  # its notifications to this server, whose CA it trusts.
  "$bin/paydesk-sandbox" --data-dir "$sandbox_dir" --port "$sandbox_port" --trust-ca "$ca" &
  pids+=($!)
  for _ in $(seq 1 300); do
    [ -f "$sandbox_dir/sandbox.json" ] && curl -sf --cacert "$sandbox_dir/tls/ca.pem" \
      "https://127.0.0.1:$sandbox_port/control/info" >/dev/null 2>&1 && break
    kill -0 "${pids[0]}" 2>/dev/null || stop 1
    sleep 0.1
  done
  manifest="$sandbox_dir/sandbox.json"
  m() { jq -r "$1" "$manifest"; }
  # The demo merchant's channel accounts point at the sandbox: added once, kept up to date.
  channels="$("$server" channel list --data-dir "$data_dir" "${server_args[@]}")"
  if ! grep -q '^alipay-sandbox' <<<"$channels"; then
    "$server" channel add --data-dir "$data_dir" "${server_args[@]}" --type alipay --id alipay-sandbox \
      --name "Alipay (sandbox)" --app-id "$(m .alipay.app_id)" --mch-id "$(m .alipay.seller_id)" \
      --private-key-file "$(m .alipay.app_private_key_file)" \
      --platform-key-file "$(m .alipay.alipay_public_key_file)" \
      --gateway-url "$(m .alipay.gateway_url)" --gateway-ca-file "$(m .ca_file)" >/dev/null
  else
    "$server" channel set alipay-sandbox --data-dir "$data_dir" "${server_args[@]}" \
      --gateway-url "$(m .alipay.gateway_url)" --gateway-ca-file "$(m .ca_file)" >/dev/null
  fi
  if ! grep -q '^bankpay-sandbox' <<<"$channels"; then
    "$server" channel add --data-dir "$data_dir" "${server_args[@]}" --type bankpay --id bankpay-sandbox \
      --name "Bank payout (sandbox)" --mch-id "$(m .bankpay.merchant_id)" \
      --private-key-file "$(m .bankpay.merchant_private_key_file)" --merchant-serial "$(m .bankpay.merchant_key_id)" \
      --platform-key-file "$(m .bankpay.provider_public_key_file)" --platform-serial "$(m .bankpay.provider_key_id)" \
      --gateway-url "$(m .bankpay.gateway_url)" --gateway-ca-file "$(m .ca_file)" >/dev/null
  else
    "$server" channel set bankpay-sandbox --data-dir "$data_dir" "${server_args[@]}" \
      --gateway-url "$(m .bankpay.gateway_url)" --gateway-ca-file "$(m .ca_file)" >/dev/null
  fi
  if ! grep -q '^wechat-sandbox' <<<"$channels"; then
    "$server" channel add --data-dir "$data_dir" "${server_args[@]}" --type wechat --id wechat-sandbox \
      --name "WeChat Pay (sandbox)" --app-id "$(m .wechat.appid)" --mch-id "$(m .wechat.mchid)" \
      --private-key-file "$(m .wechat.merchant_private_key_file)" --merchant-serial "$(m .wechat.merchant_serial)" \
      --platform-key-file "$(m .wechat.platform_certificate_file)" --api-v3-key-file "$(m .wechat.api_v3_key_file)" \
      --gateway-url "$(m .wechat.base_url)" --gateway-ca-file "$(m .ca_file)" >/dev/null
  else
    "$server" channel set wechat-sandbox --data-dir "$data_dir" "${server_args[@]}" \
      --gateway-url "$(m .wechat.base_url)" --gateway-ca-file "$(m .ca_file)" >/dev/null
  fi
fi

"$server" serve --data-dir "$data_dir" "${server_args[@]}" &
server_pid=$!
pids+=("$server_pid")

listen="127.0.0.1:8443"
for ((i = 0; i < ${#server_args[@]}; i++)); do
  [ "${server_args[$i]}" = "--listen" ] && listen="${server_args[$((i + 1))]:-$listen}"
done
url="https://${listen/0.0.0.0/127.0.0.1}"

# Wait (at most 30 s) until the server answers its health check.
for _ in $(seq 1 300); do
  if curl -sf --cacert "$ca" "$url/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then stop 1; fi
  sleep 0.1
done

if $demo; then
  echo
  echo "==> demo: one QR payment through the sandbox"
  status=0
  for channel in alipay wechat; do
    echo
    echo "--- $channel"
    "$bin/paydesk-demo" --first-run-file "$data_dir/first-run.txt" --sandbox "$sandbox_dir/sandbox.json" \
      --channel "$channel" || status=1
  done
  stop "$status"
fi

console_args=(--server "$url" --ca-file "$ca")
$sandbox && console_args+=(--sandbox "$sandbox_dir/sandbox.json")
if $console; then
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    "$bin/paydesk-console" "${console_args[@]}" &
    pids+=("$!")
  else
    echo "run.sh: no display for the console (DISPLAY is not set); the server runs on" >&2
  fi
fi

cat <<MSG

  Paydesk server is running at $url
    health:   curl --cacert $ca $url/healthz
    metrics:  curl --cacert $ca $url/metrics
    CA file:  $ca  (import it in clients that should trust this server)
    config:   $data_dir/paydesk.ini
    API:      $url/openapi.json
    console:  $bin/paydesk-console ${console_args[*]}
MSG
if $sandbox; then
  cat <<MSG
    sandbox:  https://127.0.0.1:$sandbox_port (Alipay gateway /gateway.do, WeChat Pay /v3/…,
              buyer and faults at /control; channels alipay-sandbox, wechat-sandbox, bankpay-sandbox)
MSG
fi
if [ -f "$data_dir/first-run.txt" ]; then
  cat <<MSG
    demo credentials (admin, cashier, API key): $data_dir/first-run.txt  (mode 0600)
MSG
fi
cat <<MSG
  Press Ctrl-C to stop.

MSG
wait "$server_pid"
stop $?
