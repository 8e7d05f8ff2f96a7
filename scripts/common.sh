# Shared by demo.sh and test.sh: dependencies, build, tools and the offline Pulumi environment.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Node 20 is supported on purpose (see README); the AWS SDK says so on every run otherwise.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
say() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }

ensure_node_modules() {
  # npm ci only when the lock file changed since the last install, so that a second run is quick.
  if [[ ! -f "$root/node_modules/.package-lock.json" || "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]]; then
    say "installing npm dependencies (npm ci)"
    (cd "$root" && npm ci --no-audit --no-fund)
  fi
  say "compiling the package (tsc)"
  (cd "$root" && npm run --silent build)
}

ensure_tools() {
  PBR_BIN="$(bash "$root/scripts/setup.sh")"
  export PBR_BIN PATH="$PBR_BIN:$PATH"
}

# Pulumi offline: a file backend and an isolated PULUMI_HOME under $1, no update checks, no plugin downloads.
pulumi_offline_env() {
  local state="$1"
  mkdir -p "$state/backend" "$state/home"
  export PULUMI_HOME="$state/home" PULUMI_BACKEND_URL="file://$state/backend" \
    PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}" PULUMI_SKIP_UPDATE_CHECK=true \
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_CONFIRMATIONS=true
}
