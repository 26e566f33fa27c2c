#!/usr/bin/env bash
# Installs the Debian 12 packages dlc needs to build and test, skipping those
# already present (so it is fast and offline-safe on a provisioned machine).
#   tools/deps.sh            build + test dependencies
set -euo pipefail

pkgs=(
  gcc make cmake                        # build
  protobuf-c-compiler libprotobuf-c-dev # ONNX / GraphDef schemas
  llvm-14-tools                         # lit, FileCheck, not
  clang libclang-rt-14-dev              # sanitizer and fuzzing builds
  valgrind                              # generated code runs clean under memcheck
  dataset-fashion-mnist                 # the README example's data
  python3 python3-venv                  # test tooling (venv under the cache dir)
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# python3 may come from elsewhere (pyenv); only the venv module matters
if [[ " ${missing[*]} " == *" python3 "* ]] && command -v python3 >/dev/null; then
  missing=("${missing[@]/python3}")
fi
if [[ " ${missing[*]} " == *" python3-venv "* ]] && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
read -r -a missing <<< "${missing[*]}"

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "deps: all present" >&2
fi
