#!/usr/bin/env bash
# moto in server mode: an independent implementation of the S3 and IAM APIs (PyPI: moto[server]), the
# stand-in for AWS in the AWS contract tests. moto stores buckets, roles and replication documents and
# answers like AWS does, but it never copies objects between buckets.
#
#   bash scripts/moto.sh install          # make the venv if needed; prints the moto_server path
#   bash scripts/moto.sh start [DIR]      # start moto_server on 127.0.0.1, a free port; prints its URL
#   bash scripts/moto.sh stop [DIR]       # stop the server started with the same DIR
#   bash scripts/moto.sh status [DIR]     # exit 0 and print the URL when that server answers
#
# The venv lives outside the repository, in ${PBR_CACHE:-~/.cache/pulumi-bucket-replication}/moto-venv,
# and is made once (a second run checks a stamp and returns at once). DIR (default moto-server/ in
# that cache, or $PBR_MOTO_DIR) holds the server's pid, port and log; each DIR is a server of its own,
# so that test files can run their own. Results go to standard output (last line), progress to
# standard error as [moto] lines. Any failure exits non-zero with what to do: tests never skip.
set -euo pipefail

say() { printf '[moto] %s\n' "$*" >&2; }

moto_version="5.2.5"
cache="${PBR_CACHE:-$HOME/.cache/pulumi-bucket-replication}"
venv="$cache/moto-venv"
python="$venv/bin/python"
server="$venv/bin/moto_server"
stamp="$venv/.moto-server-$moto_version"

# shellcheck source=python-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/python-venv.sh"

install_moto() {
  python_venv moto-venv "moto[server]==$moto_version" 3.9 "$stamp"
  [[ -x "$server" ]] || { say "moto_server is missing from $venv/bin after the install"; exit 1; }
  say "moto $moto_version is ready"
}

state_dir() { echo "${1:-${PBR_MOTO_DIR:-$cache/moto-server}}"; }

# answers URL: whether a moto server answers there (its model dump answers as soon as it serves).
answers() { curl -fsS -o /dev/null --max-time 2 "$1/moto-api/data.json" 2>/dev/null; }

running_url() {
  local dir="$1"
  [[ -f "$dir/pid" && -f "$dir/port" ]] || return 1
  kill -0 "$(cat "$dir/pid")" 2>/dev/null || return 1
  local url="http://127.0.0.1:$(cat "$dir/port")"
  answers "$url" || return 1
  echo "$url"
}

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
  local dir; dir="$(state_dir "${1:-}")"
  mkdir -p "$dir"
  if url="$(running_url "$dir")"; then
    say "already running at $url (state in $dir)"
    echo "$url"
    return
  fi
  install_moto
  local attempt
  for attempt in 1 2 3; do
    local port; port="$(free_port)"
    say "starting moto_server on 127.0.0.1:$port (log: $dir/server.log)"
    # The server outlives this script ('stop' ends it by its pid) but stays in the caller's process
    # group, so that a test run that is interrupted as a group takes its servers with it.
    "$server" -H 127.0.0.1 -p "$port" > "$dir/server.log" 2>&1 < /dev/null &
    local pid=$!
    echo "$pid" > "$dir/pid"; echo "$port" > "$dir/port"
    local url="http://127.0.0.1:$port" waited=0
    while (( waited < 60 )); do
      if answers "$url"; then say "moto answers at $url"; echo "$url"; return; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5; waited=$((waited + 1))
    done
    kill "$pid" 2>/dev/null || true
    say "moto_server did not answer on port $port (attempt $attempt of 3); last lines of its log:"
    tail -n 5 "$dir/server.log" >&2 || true
  done
  rm -f "$dir/pid" "$dir/port"
  say "moto_server would not start; see $dir/server.log"
  exit 1
}

stop_server() {
  local dir; dir="$(state_dir "${1:-}")"
  if [[ -f "$dir/pid" ]]; then
    local pid; pid="$(cat "$dir/pid")"
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
      say "stopped moto_server (pid $pid)"
    fi
    rm -f "$dir/pid" "$dir/port"
  fi
}

case "${1:-}" in
  install) install_moto; echo "$server" ;;
  start) start_server "${2:-}" ;;
  stop) stop_server "${2:-}" ;;
  status) running_url "$(state_dir "${2:-}")" ;;
  *) say "usage: bash scripts/moto.sh install|start [DIR]|stop [DIR]|status [DIR]"; exit 2 ;;
esac
