#!/usr/bin/env bash
# The model zoo (docs/zoo.md): generates it once into the cache, then runs
# dlc-run over every model at the default optimization level with the zoo's
# tolerance. Ends with one line "zoo: N passed, M failed"; a model dlc cannot
# compile yet counts as failed, with its first diagnostic shown.
#
#   tools/zoo.sh [--generate-only] [name...]
#
# Generation needs the fixtures venv (torch, torchvision: several GB, created
# on first use by tools/venv.sh) and is skipped for models whose files are
# complete and current (test/models/gen_zoo.py keeps a stamp).
#   DLC_BUILD_DIR     build directory holding bin/dlc-run (default: build)
#   DLC_CACHE_DIR     cache; the zoo lives in its zoo/ (default: ~/.cache/dlc)
#   DLC_ZOO_TIMEOUT   seconds one model's dlc-run may take (default 900)
#   DLC_ZOO_LEVELS    optimization levels to run each model at (default "-O2";
#                     "-O0 -O1 -O2 -O3" for all)
set -uo pipefail
cd "$(dirname "$0")/.."

generate_only=0
names=()
for a in "$@"; do
  case "$a" in
    --generate-only) generate_only=1 ;;
    -*) echo "usage: $0 [--generate-only] [name...]" >&2; exit 2 ;;
    *) names+=("$a") ;;
  esac
done

py=$(tools/venv.sh fixtures) || exit 1
"$py" test/models/gen_zoo.py "${names[@]}" || { echo "zoo: generation failed" >&2; exit 1; }
[ "$generate_only" = 1 ] && exit 0

zoo=${DLC_CACHE_DIR:-$HOME/.cache/dlc}/zoo
run=${DLC_BUILD_DIR:-build}/bin/dlc-run
if [ ! -x "$run" ]; then
  echo "zoo: $run not found (build first, or set DLC_BUILD_DIR)" >&2
  exit 1
fi
# all models, in the generator's order, unless some were named
if [ ${#names[@]} -eq 0 ]; then
  mapfile -t names < <("$py" -c 'import json, sys; [print(m["name"]) for m in json.load(open(sys.argv[1]))["models"]]' "$zoo/zoo.json")
fi

passed=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for name in "${names[@]}"; do
 for level in ${DLC_ZOO_LEVELS:--O2}; do
  start=$(date +%s.%N)
  timeout "${DLC_ZOO_TIMEOUT:-900}" "$run" "$zoo/$name" --rtol=1e-3 --atol=1e-4 "$level" >"$out" 2>&1
  rc=$?
  secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf '%-20s %s PASS %6s s  %s\n' "$name" "$level" "$secs" "$(grep -m1 '^PASS' "$out" | cut -d' ' -f2-)"
  else
    failed=$((failed + 1))
    # the first diagnostic, else the first failing output, else whatever came
    why=$(grep -m1 -E 'error:' "$out" || grep -m1 '^FAIL' "$out" || head -1 "$out")
    [ "$rc" -eq 124 ] && why="timed out after ${DLC_ZOO_TIMEOUT:-900} s"
    printf '%-20s %s FAIL %6s s  %s\n' "$name" "$level" "$secs" "${why:-dlc-run exited with $rc}"
  fi
 done
done
echo "zoo: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
