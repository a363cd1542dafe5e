#!/usr/bin/env bash
# `custody intoto run` against python `in-toto-run` on the same tree, in one run:
# record a tree of 100,000 files / ~2 GiB (made by bench/make_tree.py) as materials and
# products with no command, the files in the page cache, best of N runs each.
#
#   bench/intoto_run.sh [TREE_DIR] [RUNS]      # default $TMPDIR/custody-bench-tree, 3 runs
set -euo pipefail
cd "$(dirname "$0")/.."
tree="${1:-${TMPDIR:-/tmp}/custody-bench-tree}"
runs="${2:-3}"
py="${CUSTODY_INTEROP_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/custody/interop-venv/bin/python}"
peer="$(dirname "$py")/in-toto-run"
[ -x "$peer" ] || { echo "no in-toto-run next to $py: run scripts/test once, or set CUSTODY_INTEROP_PYTHON" >&2; exit 2; }

cargo build -q --release -p custody
custody="${CARGO_TARGET_DIR:-target}/release/custody"
[ -d "$tree" ] || python3 bench/make_tree.py "$tree"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$custody" key generate -q 2>/dev/null --unencrypted --dir "$work" --name bench >/dev/null 2>&1 || \
  "$custody" key generate --unencrypted --dir "$work" --name bench >/dev/null
files=$(find "$tree" -type f | wc -l); bytes=$(du -sb "$tree" | cut -f1)
cat $(find "$tree" -type f) >/dev/null 2>&1 || find "$tree" -type f -exec cat {} + >/dev/null   # warm the page cache

best() { # best wall time in seconds of $runs runs of "$@"
  local best=""
  for _ in $(seq "$runs"); do
    local s e t
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f", b-a}')
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
  done
  echo "$best"
}
mkdir -p "$work/py" "$work/ours"
t_py=$(best "$peer" -n bench --signing-key "$work/bench.key" -d "$work/py" --base-path "$tree" -m . -p . -x)
t_ours=$(best "$custody" intoto run -q -n bench --signing-key "$work/bench.key" -d "$work/ours" --base-path "$tree" -m . -p . -x)
t_one=$(best env RAYON_NUM_THREADS=1 "$custody" intoto run -q -n bench --signing-key "$work/bench.key" -d "$work/ours" --base-path "$tree" -m . -p . -x)
t_floor=$(best "$py" bench/hash_tree_once.py "$tree")
cmp -s "$work/py/"*.link "$work/ours/"*.link && same="identical links" || same="LINKS DIFFER"
gib=$(awk -v b="$bytes" 'BEGIN{printf "%.2f", b/1073741824}')
echo "tree: $files files, $gib GiB (recorded twice: materials and products)"
printf '%-44s %10s\n' "in-toto-run (python)" "${t_py}s" "custody intoto run" "${t_ours}s" "custody intoto run, one thread" "${t_one}s" \
  "floor: read + SHA-256 every file once, 1 core" "${t_floor}s"
awk -v p="$t_py" -v o="$t_ours" -v one="$t_one" -v f="$t_floor" -v b="$bytes" -v n="$(nproc)" 'BEGIN{
  printf "speed-up: %.1fx on %d cores (the floor on %d cores, perfectly parallel: %.1fx)\n", p/o, n, n, p/(f/n)
  printf "custody hashes each file once (products reuse unchanged materials): %.2f GB/s on %d cores, %.2f GB/s on one core, whole run included\n", b/o/1e9, n, b/one/1e9 }'
echo "$same; $(date -u +%F)"
