#!/usr/bin/env bash
# The local MinIO pair: two servers on 127.0.0.1, one per zone, as the backend's default.
#   npm run zones -- [--pair NAME] up | down | status | reset
# Data, logs and credentials live in .zones/ (gitignored). `up` is idempotent and returns only when
# every zone answers /minio/health/cluster with 200; `down` leaves no server process behind.
#
# More than one pair can run at once, so that test suites which watch every server (the fault suite)
# or change them outside Pulumi (the drift suite) have servers of their own:
#   --pair fault   ports 9300 and 9400, state in .zones/pairs/fault/
#   --pair drift   ports 9700 and 9800, state in .zones/pairs/drift/ (9500 and 9600 are the own pair of
#                  test/engine/status.engine.test.ts)
# PBR_ZONES_DIR and PBR_ZONE_PORTS ("9900,9950") move the main pair, PBR_FAULT_ZONES_DIR and
# PBR_FAULT_ZONE_PORTS the fault pair, PBR_DRIFT_ZONES_DIR and PBR_DRIFT_ZONE_PORTS the drift pair.
# Zones are always local-a and local-b.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

pair=main
if [[ "${1:-}" == "--pair" ]]; then pair="${2:?'--pair needs a name, such as fault'}"; shift 2; fi
case "$pair" in
  main) state="${PBR_ZONES_DIR:-$root/.zones}"; ports="${PBR_ZONE_PORTS:-9100,9200}"; ports_variable=PBR_ZONE_PORTS ;;
  fault) state="${PBR_FAULT_ZONES_DIR:-$root/.zones/pairs/fault}"; ports="${PBR_FAULT_ZONE_PORTS:-9300,9400}"; ports_variable=PBR_FAULT_ZONE_PORTS ;;
  drift) state="${PBR_DRIFT_ZONES_DIR:-$root/.zones/pairs/drift}"; ports="${PBR_DRIFT_ZONE_PORTS:-9700,9800}"; ports_variable=PBR_DRIFT_ZONE_PORTS ;;
  *) echo "unknown pair '$pair': use --pair main, --pair fault or --pair drift" >&2; exit 2 ;;
esac
IFS=, read -r port_a port_b <<< "$ports"
[[ "$port_a" =~ ^[0-9]+$ && "$port_b" =~ ^[0-9]+$ ]] || { echo "$ports_variable must be two ports, such as 9300,9400 (it is '$ports')" >&2; exit 2; }
zones=("local-a:$port_a" "local-b:$port_b")

tag="zones"; [[ "$pair" == main ]] || tag="zones:$pair"
say() { printf '[%s] %s\n' "$tag" "$*" >&2; }

pid_of() { local f="$state/$1/minio.pid"; [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }
healthy() { curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$1/minio/health/cluster"; }

credentials() {
  mkdir -p "$state"
  if [[ ! -f "$state/credentials" ]]; then
    umask 077
    printf 'pbr-admin\n%s\n' "$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)" > "$state/credentials"
  fi
  access_key="$(sed -n 1p "$state/credentials")"
  secret_key="$(sed -n 2p "$state/credentials")"
}

write_zones_file() {
  local entries=() zone port
  for z in "${zones[@]}"; do zone="${z%%:*}"; port="${z##*:}"
    entries+=("\"$zone\": {\"endpoint\": \"http://127.0.0.1:$port\"}")
  done
  local IFS=,
  umask 077
  printf '{"zones": {%s}, "accessKey": "%s", "secretKey": "%s"}\n' "${entries[*]}" "$access_key" "$secret_key" > "$state/zones.json"
}

up() {
  local bin; bin="$(bash "$root/scripts/setup.sh")"
  credentials
  for z in "${zones[@]}"; do
    local zone="${z%%:*}" port="${z##*:}"
    mkdir -p "$state/$zone/data"
    if pid_of "$zone" >/dev/null; then say "$zone: already running on 127.0.0.1:$port"; continue; fi
    if healthy "$port"; then
      say "$zone: port $port answers but is not ours; stop that server or free the port."; exit 1
    fi
    say "$zone: starting MinIO on 127.0.0.1:$port"
    MINIO_ROOT_USER="$access_key" MINIO_ROOT_PASSWORD="$secret_key" MINIO_BROWSER=off \
      MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off \
      setsid nohup "$bin/minio" server "$state/$zone/data" --quiet \
        --address "127.0.0.1:$port" --console-address "127.0.0.1:$((port + 1))" \
        > "$state/$zone/minio.log" 2>&1 < /dev/null &
    echo $! > "$state/$zone/minio.pid"
  done
  for z in "${zones[@]}"; do
    local zone="${z%%:*}" port="${z##*:}" waited=0
    until healthy "$port"; do
      pid_of "$zone" >/dev/null || { say "$zone: MinIO exited; its log:"; tail -20 "$state/$zone/minio.log" >&2; exit 1; }
      (( waited >= 60 )) && { say "$zone: not healthy after 60 s; see $state/$zone/minio.log"; exit 1; }
      (( waited % 5 == 0 )) && say "$zone: waiting for /minio/health/cluster ($waited s)"
      sleep 1; waited=$((waited + 1))
    done
    say "$zone: ready at http://127.0.0.1:$port"
  done
  write_zones_file
  say "zones described in $state/zones.json"
}

down() {
  for z in "${zones[@]}"; do
    local zone="${z%%:*}" pid
    if pid="$(pid_of "$zone")"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      say "$zone: stopped"
    else
      say "$zone: not running"
    fi
    rm -f "$state/$zone/minio.pid"
  done
}

status() {
  local all_up=0
  for z in "${zones[@]}"; do
    local zone="${z%%:*}" port="${z##*:}"
    if pid_of "$zone" >/dev/null && healthy "$port"; then say "$zone: up at http://127.0.0.1:$port"
    else say "$zone: down"; all_up=1; fi
  done
  return $all_up
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  status) status ;;
  # Other pairs keep their state in pairs/ below the main pair's folder: a reset leaves them alone.
  reset) down; if [[ -d "$state" ]]; then find "$state" -mindepth 1 -maxdepth 1 ! -name pairs -exec rm -rf {} +; fi; say "removed the contents of $state" ;;
  *) echo "usage: npm run zones -- [--pair main|fault|drift] up|down|status|reset" >&2; exit 2 ;;
esac
