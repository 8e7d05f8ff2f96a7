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
#   --pair owners  ports 9150 and 9250, state in .zones/pairs/owners/: two sites with different owners,
#                  each server with a root user and password of its own (.zones/pairs/owners/<zone>/credentials),
#                  so that replication between them needs each zone's own key pair (issue 20)
# PBR_ZONES_DIR and PBR_ZONE_PORTS ("9900,9950") move the main pair, PBR_FAULT_ZONES_DIR and
# PBR_FAULT_ZONE_PORTS the fault pair, PBR_DRIFT_ZONES_DIR and PBR_DRIFT_ZONE_PORTS the drift pair,
# PBR_OWNERS_ZONES_DIR and PBR_OWNERS_ZONE_PORTS the owners pair. Zones are always local-a and local-b.
#
# Each pair describes itself in <state>/zones.json: {"zones": {"local-a": {"endpoint": ...}, ...},
# "accessKey", "secretKey"}, the root pair every zone shares. On the owners pair each zone's entry also
# holds its own "accessKey" and "secretKey" (the provider's per-zone credentials, as in the stack setting
# bucket-replication:zones), and the top-level pair is local-a's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

pair=main
if [[ "${1:-}" == "--pair" ]]; then pair="${2:?'--pair needs a name, such as fault'}"; shift 2; fi
case "$pair" in
  main) state="${PBR_ZONES_DIR:-$root/.zones}"; ports="${PBR_ZONE_PORTS:-9100,9200}"; ports_variable=PBR_ZONE_PORTS ;;
  fault) state="${PBR_FAULT_ZONES_DIR:-$root/.zones/pairs/fault}"; ports="${PBR_FAULT_ZONE_PORTS:-9300,9400}"; ports_variable=PBR_FAULT_ZONE_PORTS ;;
  drift) state="${PBR_DRIFT_ZONES_DIR:-$root/.zones/pairs/drift}"; ports="${PBR_DRIFT_ZONE_PORTS:-9700,9800}"; ports_variable=PBR_DRIFT_ZONE_PORTS ;;
  owners) state="${PBR_OWNERS_ZONES_DIR:-$root/.zones/pairs/owners}"; ports="${PBR_OWNERS_ZONE_PORTS:-9150,9250}"; ports_variable=PBR_OWNERS_ZONE_PORTS ;;
  *) echo "unknown pair '$pair': use --pair main, --pair fault, --pair drift or --pair owners" >&2; exit 2 ;;
esac
IFS=, read -r port_a port_b <<< "$ports"
[[ "$port_a" =~ ^[0-9]+$ && "$port_b" =~ ^[0-9]+$ ]] || { echo "$ports_variable must be two ports, such as 9300,9400 (it is '$ports')" >&2; exit 2; }
zones=("local-a:$port_a" "local-b:$port_b")

tag="zones"; [[ "$pair" == main ]] || tag="zones:$pair"
say() { printf '[%s] %s\n' "$tag" "$*" >&2; }

pid_of() { local f="$state/$1/minio.pid"; [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }
healthy() { curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$1/minio/health/cluster"; }

random_secret() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }

# The root user every zone of the pair shares, in $state/credentials (made once).
credentials() {
  mkdir -p "$state"
  if [[ ! -f "$state/credentials" ]]; then
    ( umask 077; printf 'pbr-admin\n%s\n' "$(random_secret)" > "$state/credentials" )
  fi
  access_key="$(sed -n 1p "$state/credentials")"
  secret_key="$(sed -n 2p "$state/credentials")"
}

# zone_credentials ZONE: sets zone_access_key and zone_secret_key, the root user ZONE's server runs with.
# On the owners pair each zone has its own (user pbr-owner-<zone>, in $state/<zone>/credentials, made
# once); every other pair shares the one of credentials().
zone_credentials() {
  if [[ "$pair" != owners ]]; then zone_access_key="$access_key"; zone_secret_key="$secret_key"; return; fi
  local file="$state/$1/credentials"
  mkdir -p "$state/$1"
  if [[ ! -f "$file" ]]; then
    ( umask 077; printf 'pbr-owner-%s\n%s\n' "$1" "$(random_secret)" > "$file" )
  fi
  zone_access_key="$(sed -n 1p "$file")"
  zone_secret_key="$(sed -n 2p "$file")"
}

write_zones_file() {
  local entries=() zone port own top_access="$access_key" top_secret="$secret_key"
  for z in "${zones[@]}"; do zone="${z%%:*}"; port="${z##*:}"; own=""
    if [[ "$pair" == owners ]]; then
      zone_credentials "$zone"
      own=", \"accessKey\": \"$zone_access_key\", \"secretKey\": \"$zone_secret_key\""
      # The top-level pair (what the provider falls back to) is the first zone's owner.
      if [[ "$zone" == "${zones[0]%%:*}" ]]; then top_access="$zone_access_key"; top_secret="$zone_secret_key"; fi
    fi
    entries+=("\"$zone\": {\"endpoint\": \"http://127.0.0.1:$port\"$own}")
  done
  local IFS=,
  ( umask 077
    printf '{"zones": {%s}, "accessKey": "%s", "secretKey": "%s"}\n' "${entries[*]}" "$top_access" "$top_secret" > "$state/zones.json" )
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
    zone_credentials "$zone"
    MINIO_ROOT_USER="$zone_access_key" MINIO_ROOT_PASSWORD="$zone_secret_key" MINIO_BROWSER=off \
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
  *) echo "usage: npm run zones -- [--pair main|fault|drift|owners] up|down|status|reset" >&2; exit 2 ;;
esac
