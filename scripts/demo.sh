#!/usr/bin/env bash
# npm run demo: builds what is missing, starts the local MinIO pair, runs `pulumi up` of the
# leader-follower example on it, writes an object to the source bucket and shows it arrive in the
# destination, then the replication status and the topology diagram of the stack. The stack's state
# lives under $PBR_CACHE/demo, so running the demo again converges on the same buckets.
#   npm run demo -- status [--json]     the status command on the demo's stack
#   npm run demo -- diagram [options]   the diagram command on the demo's stack
#   npm run demo -- verify              examples/bidirectional with `verify` on: up proves both directions deliver
#   npm run demo -- destroy             removes what the demo made (both stacks)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_node_modules
ensure_tools
bash "$root/scripts/zones.sh" up

cache="${PBR_CACHE:-$HOME/.cache/pulumi-bucket-replication}"
pulumi_offline_env "$cache/demo"
example="$root/examples/leader-follower"
stack=demo
cd "$example"
pulumi stack select --create "$stack" --non-interactive >/dev/null
command_line="$root/bin/pulumi-bucket-replication"

case "${1:-}" in
  destroy)
    pulumi destroy --yes --non-interactive --skip-preview
    cd "$root/examples/bidirectional"
    if pulumi stack select demo-verify --non-interactive >/dev/null 2>&1; then
      pulumi destroy --yes --non-interactive --skip-preview
    fi
    exit 0 ;;
  status|diagram)
    exec node "$command_line" "$@" ;;
  verify)
    cd "$root/examples/bidirectional"
    pulumi stack select --create demo-verify --non-interactive >/dev/null
    pulumi config set verify true --non-interactive
    say "pulumi up of examples/bidirectional with verify on: a canary each way must arrive before it ends"
    pulumi up --yes --non-interactive --skip-preview
    echo
    echo "Seconds each rule's canary took (replicationLag): $(pulumi stack output replicationLag --json | tr -d ' \n')"
    echo "Run 'npm run demo -- verify' again: nothing changed, so nothing is verified again."
    exit 0 ;;
esac

say "pulumi up of examples/leader-follower on the local zones"
pulumi up --yes --non-interactive --skip-preview

source_bucket="$(pulumi stack output sourceBucket)"
destination_bucket="$(pulumi stack output destinationBucket)"
source_zone="$(pulumi stack output sourceZone)"
destination_zone="$(pulumi stack output destinationZone)"
mc_alias() { printf '%s' "${1//-/_}"; }
export MC_CONFIG_DIR="$cache/demo/mc"
access_key="$(node -p "require('$root/.zones/zones.json').accessKey")"
secret_key="$(node -p "require('$root/.zones/zones.json').secretKey")"
for zone in "$source_zone" "$destination_zone"; do
  endpoint="$(node -p "require('$root/.zones/zones.json').zones['$zone'].endpoint")"
  export "MC_HOST_$(mc_alias "$zone")=${endpoint/:\/\//://$access_key:$secret_key@}"
done

key="hello-$(date +%s).txt"
say "writing $key to $source_zone/$source_bucket"
echo "hello from pulumi-bucket-replication at $(date -u)" | mc pipe --quiet "$(mc_alias "$source_zone")/$source_bucket/$key" >/dev/null
for i in $(seq 1 30); do
  if mc stat --quiet "$(mc_alias "$destination_zone")/$destination_bucket/$key" >/dev/null 2>&1; then break; fi
  sleep 1
done

echo
echo "Created on the local zones:"
echo "  source       $source_zone/$source_bucket"
echo "  destination  $destination_zone/$destination_bucket"
echo "  role         $(pulumi stack output roleName)"
echo
echo "The object, read from each zone (x-amz-replication-status):"
for side in "$source_zone/$source_bucket" "$destination_zone/$destination_bucket"; do
  zone="${side%%/*}"; bucket="${side#*/}"
  status="$(mc stat --json "$(mc_alias "$zone")/$bucket/$key" 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const j=JSON.parse(s);console.log(j.replicationStatus||(j.metadata||{})["X-Amz-Replication-Status"]||"(none)")}catch{console.log("missing")}})')"
  echo "  $side/$key: $status"
done
echo
say "the replication status of the stack (npm run demo -- status)"
node "$command_line" status || true
echo
say "the stack's topology as a Mermaid diagram (npm run demo -- diagram)"
node "$command_line" diagram || true
echo
echo "Run 'npm run demo' again: the same stack converges with no changes. 'npm run demo -- verify' proves"
echo "replication on examples/bidirectional; 'npm run demo -- destroy' removes it all."
