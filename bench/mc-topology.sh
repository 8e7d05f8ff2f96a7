#!/usr/bin/env bash
# The API floor for bench/run.ts: the leader-follower topology of examples/leader-follower made with
# MinIO's own client, then removed. Usage: mc-topology.sh up|down ZONES_JSON NAME
# (mc and the zones as scripts/setup.sh and scripts/zones.sh provide them).
set -euo pipefail
action="$1" zones="$2" name="$3"
read -r endpoint_a endpoint_b access secret < <(python3 -c '
import json, sys
z = json.load(open(sys.argv[1]))
print(z["zones"]["local-a"]["endpoint"], z["zones"]["local-b"]["endpoint"], z["accessKey"], z["secretKey"])' "$zones")
export MC_CONFIG_DIR="${TMPDIR:-/tmp}/pbr-bench-mc"
export MC_HOST_bench_a="${endpoint_a/\/\//\/\/$access:$secret@}" MC_HOST_bench_b="${endpoint_b/\/\//\/\/$access:$secret@}"
source_bucket="$name-src" destination_bucket="$name-dst" user="$name-repl" user_secret="bench-secret-$name"
policy_file="$MC_CONFIG_DIR/$name-policy.json"
mkdir -p "$MC_CONFIG_DIR"
case "$action" in
  up)
    cat > "$policy_file" <<JSON
{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion","s3:GetObjectVersionTagging"],"Resource":["arn:aws:s3:::$source_bucket/*"]},
 {"Effect":"Allow","Action":["s3:GetBucketVersioning","s3:GetReplicationConfiguration","s3:ListBucket","s3:GetBucketLocation"],"Resource":["arn:aws:s3:::$destination_bucket"]},
 {"Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject","s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags","s3:GetObject","s3:GetObjectVersion"],"Resource":["arn:aws:s3:::$destination_bucket/*"]}]}
JSON
    mc -q mb bench_a/"$source_bucket" >/dev/null & mc -q mb bench_b/"$destination_bucket" >/dev/null & wait
    mc -q version enable bench_a/"$source_bucket" >/dev/null & mc -q version enable bench_b/"$destination_bucket" >/dev/null & wait
    for zone in bench_a bench_b; do
      ( mc -q admin policy create "$zone" "$user" "$policy_file" && mc -q admin user add "$zone" "$user" "$user_secret" \
        && mc -q admin policy attach "$zone" "$user" --user "$user" ) >/dev/null &
    done
    wait
    mc -q replicate add bench_a/"$source_bucket" --remote-bucket "${endpoint_b/\/\//\/\/$user:$user_secret@}/$destination_bucket" \
      --priority 1 --replicate "delete-marker,existing-objects" >/dev/null
    ;;
  down)
    mc -q replicate rm --all --force bench_a/"$source_bucket" >/dev/null 2>&1 || true
    mc -q rb --force bench_a/"$source_bucket" >/dev/null 2>&1 || true
    mc -q rb --force bench_b/"$destination_bucket" >/dev/null 2>&1 || true
    for zone in bench_a bench_b; do
      mc -q admin user rm "$zone" "$user" >/dev/null 2>&1 || true
      mc -q admin policy rm "$zone" "$user" >/dev/null 2>&1 || true
    done
    ;;
esac
