#!/usr/bin/env bash
# Do verdicts repeat? Two quick-matrix runs in a row, each into results of its own, then `wsmatrix diff` of
# every column's release (servers' and clients'). Prints each diff and its exit code; exits 0 when every diff
# did (no regression beyond what the repeats of either run saw), 1 otherwise, 2 on bad usage.
#
#   scripts/repeatability.sh [DIR] [-- MATRIX FLAGS…]
#
# The quick matrix: groups 0-10 of every column (Autobahn's compression groups 12 and 13 left out), each case
# played REPEAT times (default 5) with --rerun, so stored verdicts are never reused. DIR (default: a new
# temporary folder) gets a/ and b/, each with results/, report/ and matrix.log. Flags after -- go to both runs
# (e.g. -- --targets wslay,python-websockets to check two columns).
set -u
cd "$(dirname "$0")/.."

repeat=${REPEAT:-5}
work=''
if [ $# -gt 0 ] && [ "$1" != '--' ]; then
  work=$1
  shift
fi
if [ $# -gt 0 ]; then
  if [ "$1" != '--' ]; then
    echo "usage: scripts/repeatability.sh [DIR] [-- MATRIX FLAGS…]" >&2
    exit 2
  fi
  shift
fi
[ -n "$work" ] || work=$(mktemp -d -t wsmatrix-repeatability-XXXXXX)
mkdir -p "$work"

quick=(--exclude-cases '12.*,13.*' --repeat "$repeat" --rerun)
wsmatrix=(node apps/matrix/bin/wsmatrix.js)

# The documented command builds first; the second run finds the build up to date.
for side in a b; do
  mkdir -p "$work/$side"
  started=$(date +%s)
  npm run --silent matrix -- "${quick[@]}" --results "$work/$side/results" --report "$work/$side/report" "$@" \
    >"$work/$side/matrix.log" 2>&1
  code=$?
  echo "run $side: exit $code in $(($(date +%s) - started)) s (log: $work/$side/matrix.log)"
  if [ "$code" -ne 0 ]; then
    tail -n 5 "$work/$side/matrix.log"
    exit 1
  fi
done

failed=0
compared=0
while IFS= read -r index; do
  release=$(dirname "$index")
  if [ ! -f "$work/b/results/$release/index.json" ]; then
    echo "== $release: not in run b"
    failed=1
    continue
  fi
  out=$("${wsmatrix[@]}" diff "$work/a/results/$release" "$work/b/results/$release" 2>&1)
  code=$?
  compared=$((compared + 1))
  echo "== $release: diff exit $code"
  echo "$out" | sed 's/^/   /'
  [ "$code" -eq 0 ] || failed=1
done < <(cd "$work/a/results" && find . -name index.json -not -path './bench/*' | sed 's|^\./||' | sort)

echo "$compared columns compared; $([ "$failed" -eq 0 ] && echo 'every diff exited 0' || echo 'some diff did not exit 0')"
exit "$failed"
