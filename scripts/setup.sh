#!/usr/bin/env bash
# Builds, once, the tools the demo and the tests run on: the Pulumi CLI, its Node.js language host,
# the dynamic-provider launcher, MinIO and mc. Everything is built from Go modules and cached outside
# the repository, under $PBR_CACHE (default ~/.cache/pulumi-bucket-replication). A second run only
# checks the cache. Prints the bin folder on its last line.
# A Pulumi CLI already on PATH at the pinned version or newer is used instead of building one: it is
# linked into the bin folder, with the pulumi-language-nodejs installed beside it (built when absent).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "$here/toolchain.env"

cache="${PBR_CACHE:-$HOME/.cache/pulumi-bucket-replication}"
bin="$cache/bin"
mkdir -p "$bin" "$cache/build"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
# The checksum database does not know every Pulumi release the module proxy serves.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi"

step() { printf '[setup] %s\n' "$*" >&2; }

command -v go >/dev/null || { echo "[setup] Go is required (see README prerequisites): 'go' is not on PATH." >&2; exit 1; }

# build_once NAME VERSION COMMAND...: runs COMMAND unless NAME was already built at VERSION.
build_once() {
  local name="$1" version="$2"; shift 2
  local stamp="$cache/build/$name.version"
  if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    step "$name $version: cached"
    return
  fi
  step "$name $version: building from Go modules (first time only, several minutes)..."
  # A link to an installed tool (see use_installed_pulumi) is replaced, never written through.
  if [[ -L "$bin/$name" ]]; then rm -f "$bin/$name"; fi
  local started=$SECONDS
  # go build is silent for minutes at a time: say every half minute that it is still at work.
  ( trap 'kill $! 2>/dev/null; exit 0' TERM; begun=$(date +%s)
    while true; do sleep 30 & wait $!; step "$name: still building ($(( $(date +%s) - begun )) s)"; done ) >&2 &
  local ticker=$!
  local status=0
  "$@" || status=$?
  kill "$ticker" 2>/dev/null || true; wait "$ticker" 2>/dev/null || true
  if (( status != 0 )); then step "$name $version: build failed (exit $status)"; exit "$status"; fi
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

build_minio() { GOBIN="$bin" go install -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"; }
build_mc() { GOBIN="$bin" go install -ldflags "-s -w" "github.com/minio/mc@$MC_VERSION"; }

# The engine starts dynamic providers as the plugin 'pulumi-resource-pulumi-nodejs'; the real one is
# a script of @pulumi/pulumi, resolved from the program's folder. One Node process: the script is
# required in place, with the arguments where it expects them (process.argv[2] on).
# Replaced by a rename, and only when it changed: running tests may be starting the current one.
write_dynamic_provider_launcher() {
  local launcher="$bin/pulumi-resource-pulumi-nodejs"
  cat > "$launcher.new.$$" <<'SH'
#!/bin/sh
exec node -e 'const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] }); process.argv.splice(1, 0, entry); require(entry);' -- "$@"
SH
  chmod +x "$launcher.new.$$"
  if cmp -s "$launcher.new.$$" "$launcher"; then rm -f "$launcher.new.$$"; else mv -f "$launcher.new.$$" "$launcher"; fi
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
}

if ! use_installed_pulumi; then
  build_once pulumi-language-nodejs "$PULUMI_LANGUAGE_NODEJS_VERSION" build_language_host
  build_once pulumi "$PULUMI_VERSION" build_pulumi_cli
fi
build_once minio "$MINIO_VERSION" build_minio
build_once mc "$MC_VERSION" build_mc
write_dynamic_provider_launcher
step "tools ready in $bin"
echo "$bin"
