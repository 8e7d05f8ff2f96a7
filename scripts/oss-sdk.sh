#!/usr/bin/env bash
# Installs Alibaba's official OSS Python SDK (alibabacloud-oss-v2, from PyPI) into a virtual
# environment outside the repository, for the contract tests that cross-check the local OSS contract
# server with it. Idempotent: a second run finds the venv and the pinned version and returns at once.
# Prints the venv's python as its last line of standard output; progress goes to standard error.
#
#   bash scripts/oss-sdk.sh            # install if needed, print the python path
#   PBR_CACHE=/elsewhere bash scripts/oss-sdk.sh
set -euo pipefail

say() { printf '[oss-sdk] %s\n' "$*" >&2; }

sdk_version="1.4.1"
cache="${PBR_CACHE:-$HOME/.cache/pulumi-bucket-replication}"
venv="$cache/oss-venv"
python="$venv/bin/python"
stamp="$venv/.alibabacloud-oss-v2-$sdk_version"

if [[ -x "$python" && -f "$stamp" ]] && "$python" -c "import alibabacloud_oss_v2" 2>/dev/null; then
  echo "$python"
  exit 0
fi

host_python="${PBR_PYTHON:-$(command -v python3 || true)}"
if [[ -z "$host_python" ]]; then
  say "python3 is not on PATH: install Python 3.8 or newer (with its venv module), or set PBR_PYTHON to one."
  exit 1
fi
if ! "$host_python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)'; then
  say "$host_python is $("$host_python" --version 2>&1); alibabacloud-oss-v2 needs Python 3.8 or newer (set PBR_PYTHON)."
  exit 1
fi

mkdir -p "$cache"
if [[ ! -x "$python" ]]; then
  say "creating a virtual environment in $venv ($("$host_python" --version 2>&1))"
  if ! "$host_python" -m venv "$venv"; then
    say "could not create the venv: install Python's venv module (Debian: apt-get install python3-venv)."
    exit 1
  fi
fi

say "installing alibabacloud-oss-v2==$sdk_version from PyPI into $venv (pip output follows)"
"$python" -m pip install --disable-pip-version-check --progress-bar off "alibabacloud-oss-v2==$sdk_version" >&2
"$python" -c "import alibabacloud_oss_v2" || { say "alibabacloud_oss_v2 does not import after the install"; exit 1; }
touch "$stamp"
say "alibabacloud-oss-v2 $sdk_version is ready"
echo "$python"
