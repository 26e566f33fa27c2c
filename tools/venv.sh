#!/usr/bin/env bash
# Create/refresh a pinned Python venv for dlc's test tooling and print its python.
#
#   tools/venv.sh test      -> onnx, onnxruntime, numpy   (test/requirements-test.txt)
#   tools/venv.sh fixtures  -> the above + torch, torchvision (CPU)
#                              (test/requirements-fixtures.txt)
#   tools/venv.sh tf        -> the test venv + tensorflow-cpu, keras (test/requirements-tf.txt)
#
# The venv lives at ${DLC_CACHE_DIR:-$HOME/.cache/dlc}/venv-<kind>. pip only runs
# when the requirements (or the base interpreter) changed since the last
# successful install, tracked by a stamp file holding a hash of them, so repeated
# calls are cheap. Progress goes to stderr; the last stdout line is the venv's
# python, for PY=$(tools/venv.sh test). Base interpreter: $DLC_PYTHON or python3.
set -euo pipefail

kind=${1:-}
case "$kind" in
  test|fixtures|tf) ;;
  *) echo "usage: $0 test|fixtures|tf" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
req="$root/test/requirements-$kind.txt"
cache=${DLC_CACHE_DIR:-$HOME/.cache/dlc}
venv="$cache/venv-$kind"
base=${DLC_PYTHON:-python3}
py="$venv/bin/python"

mkdir -p "$cache"
# Serialise concurrent callers (e.g. parallel ctest jobs) on the same venv.
exec 9>"$venv.lock"
flock 9

# The fixtures and tf files include the test one (-r), so hash both for them, plus the
# base interpreter's version (a venv is tied to it).
reqs=("$root/test/requirements-test.txt")
[[ $kind == test ]] || reqs+=("$req")
hash=$( { cat "${reqs[@]}"; "$base" -VV; } | sha256sum | cut -d' ' -f1)
stamp="$venv/.dlc-stamp"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]] && "$py" -c '' 2>/dev/null; then
  echo "$py"
  exit 0
fi

if ! "$py" -c '' 2>/dev/null; then
  echo "venv.sh: creating $venv" >&2
  rm -rf "$venv"
  "$base" -m venv "$venv" >&2
fi
echo "venv.sh: installing $req" >&2
rm -f "$stamp"
"$py" -m pip install --disable-pip-version-check --no-input -q -r "$req" >&2
echo "$hash" > "$stamp"
echo "$py"
