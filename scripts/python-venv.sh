# Sourced by the scripts that need a Python package from PyPI (moto.sh, oss-sdk.sh): one virtual
# environment per package, outside the repository, made once and then found by its stamp.
#
#   python_venv NAME REQUIREMENT MIN_PYTHON STAMP_FILE [MORE_REQUIREMENTS...]
#                                  -> makes $PBR_CACHE/NAME with REQUIREMENT (and any more) installed
# Progress and failures go to standard error through the caller's `say`; failures exit non-zero with
# what to do, so that tests never skip.

python_venv() {
  local name="$1" requirement="$2" min_python="$3" stamp="$4"
  local cache="${PBR_CACHE:-$HOME/.cache/pulumi-bucket-replication}"
  local venv="$cache/$name" python="$cache/$name/bin/python"
  local more=("${@:5}")   # further requirements, installed by the same pip command
  if [[ -x "$python" && -f "$stamp" ]]; then return; fi
  local host_python="${PBR_PYTHON:-$(command -v python3 || true)}"
  if [[ -z "$host_python" ]]; then
    say "python3 is not on PATH: install Python $min_python or newer (with its venv module), or set PBR_PYTHON to one."
    exit 1
  fi
  if ! "$host_python" -c "import sys; sys.exit(0 if sys.version_info >= tuple(map(int, '$min_python'.split('.'))) else 1)"; then
    say "$host_python is $("$host_python" --version 2>&1); $requirement needs Python $min_python or newer (set PBR_PYTHON)."
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
  say "installing $requirement${more[*]:+ ${more[*]}} from PyPI into $venv (first time only; pip output follows)"
  if ! "$python" -m pip install --disable-pip-version-check --progress-bar off "$requirement" "${more[@]}" >&2; then
    say "pip could not install $requirement${more[*]:+ ${more[*]}}: check access to PyPI (or PIP_INDEX_URL), then run this again."
    exit 1
  fi
  touch "$stamp"
}
