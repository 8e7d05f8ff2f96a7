#!/usr/bin/env bash
# Builds, once, the tools the demo and the tests run on: the Pulumi CLI, its Node.js language host,
# the dynamic-provider launcher, MinIO and mc; and what Pulumi programs in YAML and Python need: the YAML
# language host, the Python language host with its exec shim and a launcher that passes it the program's
# virtualenv, a virtual environment with the pulumi package ($PBR_CACHE/pulumi-python-venv), and
# pulumi-gen-python-sdk (tools/gen-python-sdk). Everything is built from Go modules (the venv from PyPI)
# and cached outside the repository, under $PBR_CACHE (default ~/.cache/pulumi-bucket-replication); go's
# and pip's output goes to log files in $PBR_CACHE/build. A second run only checks the cache. Prints the
# bin folder on its last line.
# A Pulumi CLI already on PATH at the pinned version or newer is used instead of building one: it is
# linked into the bin folder, with the pulumi-language-nodejs installed beside it (built when absent) and
# the Python and YAML language hosts installed beside it (a Pulumi installation ships them; not built).
# The Python venv is not needed by the demo or the tests: when it cannot be made (no Python 3.10, no
# PyPI), setup says so and goes on; PBR_PYTHON_VENV=skip leaves it out (a set-up that must not reach PyPI).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "$here/toolchain.env"
# shellcheck source=python-venv.sh
source "$here/python-venv.sh"

cache="${PBR_CACHE:-$HOME/.cache/pulumi-bucket-replication}"
bin="$cache/bin"
mkdir -p "$bin" "$cache/build"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
# The checksum database does not know every Pulumi release the module proxy serves.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi"

step() { printf '[setup] %s\n' "$*" >&2; }

command -v go >/dev/null || { echo "[setup] Go is required (see README prerequisites): 'go' is not on PATH." >&2; exit 1; }

# build_once NAME VERSION COMMAND...: runs COMMAND unless NAME was already built at VERSION. Its output
# goes to $cache/build/NAME.log; on failure, the end of that log is shown.
build_once() {
  local name="$1" version="$2"; shift 2
  local stamp="$cache/build/$name.version" log="$cache/build/$name.log"
  if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    step "$name $version: cached"
    return
  fi
  step "$name $version: building from Go modules (first time only, several minutes; output in $log)..."
  # A link to an installed tool (see use_installed_pulumi) is replaced, never written through.
  if [[ -L "$bin/$name" ]]; then rm -f "$bin/$name"; fi
  local started=$SECONDS
  # go build is silent for minutes at a time: say every half minute that it is still at work.
  ( trap 'kill $! 2>/dev/null; exit 0' TERM; begun=$(date +%s)
    while true; do sleep 30 & wait $!; step "$name: still building ($(( $(date +%s) - begun )) s)"; done ) >&2 &
  local ticker=$!
  local status=0
  "$@" > "$log" 2>&1 || status=$?
  kill "$ticker" 2>/dev/null || true; wait "$ticker" 2>/dev/null || true
  if (( status != 0 )); then
    tail -n 25 "$log" >&2
    step "$name $version: build failed (exit $status); the whole output is in $log"
    exit "$status"
  fi
  echo "$version" > "$stamp"
  step "$name $version: built in $((SECONDS - started)) s"
}

# go_build_in_wrapper DIR OUTPUT PACKAGE PACKAGE_OR_MODULE@VERSION... : builds PACKAGE inside a throwaway main
# module, because Pulumi's modules carry replace directives that 'go install pkg@version' refuses.
go_build_in_wrapper() {
  local dir="$1" output="$2" package="$3"; shift 3
  mkdir -p "$dir"
  printf '%s\n' 'module local/pulumibuild' '' 'go 1.25' '' \
    'replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e' > "$dir/go.mod"
  echo 'package pulumibuild' > "$dir/doc.go"
  (cd "$dir" && go get "$@" \
    && go build -o "$output" -tags osusergo,grpcnotrace \
         -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" "$package")
}

build_pulumi_cli() {
  go_build_in_wrapper "$cache/build/pulumi-cli-$PULUMI_VERSION" "$bin/pulumi" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
}

build_language_host() {
  go_build_in_wrapper "$cache/build/language-nodejs-$PULUMI_LANGUAGE_NODEJS_VERSION" "$bin/pulumi-language-nodejs" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@v$PULUMI_LANGUAGE_NODEJS_VERSION"
}

# Pulumi YAML's module has no replace directives, so 'go install' builds it with the versions it pins.
build_yaml_host() {
  GOBIN="$bin" go install -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$PULUMI_YAML_VERSION" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$PULUMI_YAML_VERSION"
}

# The Python host binary is pulumi-language-python-host; pulumi-language-python is the launcher below.
build_python_host() {
  go_build_in_wrapper "$cache/build/language-python-$PULUMI_LANGUAGE_PYTHON_VERSION" "$bin/pulumi-language-python-host" \
    github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python \
    "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python@v$PULUMI_LANGUAGE_PYTHON_VERSION"
}

# tools/gen-python-sdk is built in a throwaway copy under the cache (go writes its go.sum there, not in
# the repository; one copy per run, as test runs may set up at the same time), against pkg/v3 and sdk/v3
# at the CLI's version. Its version is that and a hash of its source.
gen_tool="$here/../tools/gen-python-sdk"
gen_tool_version() { (cd "$gen_tool" && sha256sum -- go.mod ./*.go | sha256sum | cut -c1-12); }
build_gen_python_sdk() {
  local dir status=0
  dir="$(mktemp -d "$cache/build/gen-python-sdk.XXXXXX")"
  cp "$gen_tool"/go.mod "$gen_tool"/*.go "$dir/"
  (cd "$dir" && go get "github.com/pulumi/pulumi/pkg/v3/codegen/python@v$PULUMI_VERSION" \
       "github.com/pulumi/pulumi/pkg/v3/codegen/schema@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
     && GOBIN="$bin" go install -ldflags "-s -w" .) || status=$?
  rm -rf "$dir"
  return "$status"
}

build_minio() { GOBIN="$bin" go install -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"; }
build_mc() { GOBIN="$bin" go install -ldflags "-s -w" "github.com/minio/mc@$MC_VERSION"; }

# install_if_changed NEW TARGET: makes NEW (a file beside TARGET) executable and renames it over TARGET,
# unless TARGET already has that content: running tests may be starting the current one. A rename
# replaces a link to an installed tool (see link_installed) instead of writing through it.
install_if_changed() {
  chmod +x "$1"
  if [[ ! -L "$2" ]] && cmp -s "$1" "$2"; then rm -f "$1"; else mv -f "$1" "$2"; fi
}

# The engine starts dynamic providers as the plugin 'pulumi-resource-pulumi-nodejs'; the real one is
# a script of @pulumi/pulumi, resolved from the program's folder. One Node process: the script is
# required in place, with the arguments where it expects them (process.argv[2] on).
write_dynamic_provider_launcher() {
  local launcher="$bin/pulumi-resource-pulumi-nodejs"
  cat > "$launcher.new.$$" <<'SH'
#!/bin/sh
exec node -e 'const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] }); process.argv.splice(1, 0, entry); require(entry);' -- "$@"
SH
  install_if_changed "$launcher.new.$$" "$launcher"
}

# The 3.68 Python host runs a program as 'python pulumi-language-python-exec ARGS...', the script beside
# its own executable; the script is part of the module's source, so it comes from the module cache.
install_python_exec_shim() {
  local shim="$bin/pulumi-language-python-exec" stamp="$cache/build/pulumi-language-python-exec.version"
  local module="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_LANGUAGE_PYTHON_VERSION" dir
  if [[ -f "$shim" && ! -L "$shim" && "$(cat "$stamp" 2>/dev/null)" == "$PULUMI_LANGUAGE_PYTHON_VERSION" ]]; then
    step "pulumi-language-python-exec $PULUMI_LANGUAGE_PYTHON_VERSION: cached"
    return
  fi
  dir="$(go mod download -json "$module" 2>> "$cache/build/pulumi-language-python-exec.log" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ ! -f "$dir/python/cmd/pulumi-language-python-exec" ]]; then
    step "pulumi-language-python-exec: 'go mod download $module' gave no python/cmd/pulumi-language-python-exec (see $cache/build/pulumi-language-python-exec.log): Python programs cannot run"
    return
  fi
  cp "$dir/python/cmd/pulumi-language-python-exec" "$shim.new.$$"
  install_if_changed "$shim.new.$$" "$shim"
  echo "$PULUMI_LANGUAGE_PYTHON_VERSION" > "$stamp"
  step "pulumi-language-python-exec $PULUMI_LANGUAGE_PYTHON_VERSION: copied from $dir"
}

# The CLI no longer passes a project's runtime options to its language host as flags (they travel in
# its requests now), and the 3.68 Python host reads its virtualenv only from the -virtualenv flag. This
# launcher, pulumi-language-python, reads runtime.options.virtualenv from the project's Pulumi.yaml (in
# the folder the CLI starts it in, or above) with the PyYAML of $PBR_CACHE/pulumi-python-venv (without
# that venv the option goes unread) and starts the host with -root and -virtualenv, as the CLI used to.
# Without the option the host runs python3 from PATH (or PULUMI_PYTHON_CMD), as it always has.
write_python_launcher() {
  local launcher="$bin/pulumi-language-python"
  cat > "$launcher.new.$$" <<'SH'
#!/bin/sh
# Written by scripts/setup.sh: starts pulumi-language-python-host (3.68) with the project's virtualenv.
here="$(dirname "$(readlink -f "$0")")"
root="$PWD"
while [ ! -f "$root/Pulumi.yaml" ] && [ ! -f "$root/Pulumi.yml" ] && [ "$root" != / ]; do root="$(dirname "$root")"; done
venv="$("$here/../pulumi-python-venv/bin/python" - "$root" 2>/dev/null <<'PY'
import os, sys, yaml
for name in ("Pulumi.yaml", "Pulumi.yml"):
    path = os.path.join(sys.argv[1], name)
    if os.path.isfile(path):
        with open(path) as f:
            runtime = (yaml.safe_load(f) or {}).get("runtime")
        options = runtime.get("options") if isinstance(runtime, dict) else None
        print((options or {}).get("virtualenv") or "")
        break
PY
)"
if [ -n "$venv" ]; then exec "$here/pulumi-language-python-host" -root "$root" -virtualenv "$venv" "$@"; fi
exec "$here/pulumi-language-python-host" "$@"
SH
  install_if_changed "$launcher.new.$$" "$launcher"
}

# python_sdk_venv: $PBR_CACHE/pulumi-python-venv with PULUMI_PYTHON_PACKAGES (scripts/python-venv.sh),
# pip's output in $cache/build/pulumi-python-venv.log. A failure is reported, not fatal.
python_sdk_venv() {
  local venv="$cache/pulumi-python-venv" log="$cache/build/pulumi-python-venv.log" stamp packages
  if [[ "${PBR_PYTHON_VENV:-}" == skip ]]; then step "pulumi-python-venv: skipped (PBR_PYTHON_VENV=skip)"; return; fi
  stamp="$venv/.packages-$(printf '%s' "$PULUMI_PYTHON_PACKAGES" | sha256sum | cut -c1-12)"
  if [[ -x "$venv/bin/python" && -f "$stamp" ]]; then step "pulumi-python-venv ($PULUMI_PYTHON_PACKAGES): cached"; return; fi
  read -r -a packages <<< "$PULUMI_PYTHON_PACKAGES"
  local started=$SECONDS
  # python_venv speaks through its caller's say (to the screen, fd 3); everything else goes to the log.
  if ( say() { local line="$*"; printf '[setup] %s\n' "${line/pip output follows/pip output in $log}" >&3; }
       python_venv pulumi-python-venv "${packages[0]}" 3.10 "$stamp" "${packages[@]:1}" ) 3>&2 > "$log" 2>&1; then
    step "pulumi-python-venv: ready in $((SECONDS - started)) s ($venv)"
  else
    step "pulumi-python-venv: not made (see $log); Python programs need it (or their own virtualenv)"
  fi
}

# on_path_outside_bin NAME: the first executable NAME on PATH that is not this cache's own copy.
on_path_outside_bin() {
  local dir own candidate
  own="$(cd "$bin" && pwd -P)"
  local IFS=:
  for dir in $PATH; do
    [[ -n "$dir" && -d "$dir" ]] || continue
    [[ "$(cd "$dir" && pwd -P)" == "$own" ]] && continue
    candidate="$dir/$1"
    [[ -f "$candidate" && -x "$candidate" ]] || continue
    # A link into the cache (a user's ~/bin/pulumi -> the cache) is the cache's own copy too.
    [[ "$(dirname "$(readlink -f "$candidate")")" == "$own" ]] && continue
    echo "$candidate"; return 0
  done
  return 1
}

# at_least HAVE WANT: whether version HAVE (x.y.z, a leading v allowed) is WANT or newer.
at_least() {
  local have="${1#v}" want="${2#v}"
  have="${have%%[-+]*}"
  [[ "$have" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  [[ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" == "$want" ]]
}

# link_installed NAME PATH: puts an installed tool into the bin folder in place of a build of our own.
link_installed() {
  ln -sfn "$2" "$bin/$1"
  echo "installed:$2" > "$cache/build/$1.version"   # not a version: the next build_once builds again
}

# use_installed_pulumi: links a Pulumi CLI found on PATH (and its language host) when it is recent
# enough; returns 1 when there is none or it is older than the pinned version, so that one is built.
use_installed_pulumi() {
  local installed version host
  installed="$(on_path_outside_bin pulumi)" || { step "no Pulumi CLI on PATH: using a build of $PULUMI_VERSION"; return 1; }
  version="$("$installed" version 2>/dev/null | head -1 | tr -d '[:space:]')" || version=""
  if ! at_least "$version" "$PULUMI_VERSION"; then
    step "pulumi at $installed is ${version:-of unknown version}, older than the pinned $PULUMI_VERSION: using a build of $PULUMI_VERSION"
    return 1
  fi
  link_installed pulumi "$installed"
  step "pulumi $version: using the one installed at $installed"
  host="$(dirname "$installed")/pulumi-language-nodejs"
  if [[ -f "$host" && -x "$host" ]]; then
    link_installed pulumi-language-nodejs "$host"
    step "pulumi-language-nodejs: using the one installed at $host"
  else
    step "no pulumi-language-nodejs beside $installed"
    build_once pulumi-language-nodejs "$PULUMI_LANGUAGE_NODEJS_VERSION" build_language_host
  fi
  # The installed CLI's own Python and YAML hosts (newer than the ones built here, and the ones it expects):
  # linked, so that the bin folder on PATH does not put older hosts in front of them.
  local name
  for name in pulumi-language-python pulumi-language-python-exec pulumi-language-yaml; do
    host="$(dirname "$installed")/$name"
    if [[ -f "$host" && -x "$host" ]]; then
      link_installed "$name" "$host"
      step "$name: using the one installed at $host"
    else
      step "no $name beside $installed (a Pulumi installation ships it; none is built for an installed CLI)"
    fi
  done
}

if ! use_installed_pulumi; then
  build_once pulumi-language-nodejs "$PULUMI_LANGUAGE_NODEJS_VERSION" build_language_host
  build_once pulumi "$PULUMI_VERSION" build_pulumi_cli
  build_once pulumi-language-yaml "$PULUMI_YAML_VERSION" build_yaml_host
  build_once pulumi-language-python-host "$PULUMI_LANGUAGE_PYTHON_VERSION" build_python_host
  install_python_exec_shim
  write_python_launcher
fi
build_once pulumi-gen-python-sdk "$PULUMI_VERSION-$(gen_tool_version)" build_gen_python_sdk
python_sdk_venv
build_once minio "$MINIO_VERSION" build_minio
build_once mc "$MC_VERSION" build_mc
write_dynamic_provider_launcher
step "tools ready in $bin"
echo "$bin"
