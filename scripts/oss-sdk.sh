#!/usr/bin/env bash
# Installs Alibaba's official OSS Python SDK (alibabacloud-oss-v2) and RAM Python SDK
# (alibabacloud-ram20150501, with the alibabacloud-tea-openapi client it runs on), from PyPI, into a virtual
# environment outside the repository, for the contract tests that cross-check the local OSS + RAM contract
# server, and our clients' requests, with them. Idempotent: a second run finds the venv and the pinned version and returns at once.
# Prints the venv's python as its last line of standard output; progress goes to standard error.
#
#   bash scripts/oss-sdk.sh            # install if needed, print the python path
#   PBR_CACHE=/elsewhere bash scripts/oss-sdk.sh
set -euo pipefail

say() { printf '[oss-sdk] %s\n' "$*" >&2; }

sdk_version="1.4.1"
ram_version="1.3.0"
cache="${PBR_CACHE:-$HOME/.cache/pulumi-bucket-replication}"
venv="$cache/oss-venv"
python="$venv/bin/python"
stamp="$venv/.alibabacloud-oss-v2-$sdk_version-ram-$ram_version"

if [[ -x "$python" && -f "$stamp" ]] && "$python" -c "import alibabacloud_oss_v2, alibabacloud_ram20150501" 2>/dev/null; then
  echo "$python"
  exit 0
fi

# shellcheck source=python-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/python-venv.sh"
python_venv oss-venv "alibabacloud-oss-v2==$sdk_version" 3.8 "$stamp.installing" "alibabacloud-ram20150501==$ram_version"
"$python" -c "import alibabacloud_oss_v2, alibabacloud_ram20150501" || { say "alibabacloud_oss_v2 or alibabacloud_ram20150501 does not import after the install"; exit 1; }
touch "$stamp"; rm -f "$stamp.installing"
say "alibabacloud-oss-v2 $sdk_version and alibabacloud-ram20150501 $ram_version are ready"
echo "$python"
