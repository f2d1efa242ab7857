#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME (default 10m) and keeps the corpus it
# builds under the package's testdata/fuzz/, so CI's short runs start from it.
# usage: scripts/fuzz.sh [PATTERN]   (PATTERN filters "pkg FuzzName" lines)
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10m}
PAR=${PAR:-1}
cache=$(go env GOCACHE)/fuzz
targets=()
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    line="$pkg $f"
    [[ -z "${1:-}" || "$line" =~ $1 ]] && targets+=("$line")
  done
done
run() {
  local pkg=$1 f=$2 dir start
  dir=$(go list -f '{{.Dir}}' "$pkg")
  start=$(date +%s)
  if go test -run '^$' -fuzz "^${f}\$" -fuzztime "$FUZZTIME" "$pkg" >"/tmp/fuzz-$f.log" 2>&1; then
    mkdir -p "$dir/testdata/fuzz/$f"
    cp -n "$cache/$pkg/$f"/* "$dir/testdata/fuzz/$f/" 2>/dev/null || true
    echo "ok   $pkg $f $(( $(date +%s) - start ))s, corpus $(ls "$dir/testdata/fuzz/$f" | wc -l) files, $(grep -o 'execs: [0-9]*' "/tmp/fuzz-$f.log" | tail -1)"
  else
    echo "FAIL $pkg $f: see /tmp/fuzz-$f.log (the failing input is in $dir/testdata/fuzz/$f)"
    return 1
  fi
}
rc=0
printf '%s\n' "${targets[@]}" | xargs -P "$PAR" -L 1 bash -c "$(declare -f run); FUZZTIME=$FUZZTIME cache=$cache run \"\$0\" \"\$1\"" || rc=1
exit $rc
