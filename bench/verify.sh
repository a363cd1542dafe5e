#!/usr/bin/env bash
# Signature verification throughput: custody (criterion) and python cryptography /
# securesystemslib, measured in one run on the same machine, with the ratio.
#
#   bench/verify.sh            # needs the interop venv (scripts/test creates it)
set -euo pipefail
cd "$(dirname "$0")/.."
py="${CUSTODY_INTEROP_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/custody/interop-venv/bin/python}"
[ -x "$py" ] || { echo "no python peers at $py: run scripts/test once, or set CUSTODY_INTEROP_PYTHON" >&2; exit 2; }

ours=$(mktemp); peer=$(mktemp); trap 'rm -f "$ours" "$peer"' EXIT
cargo bench -q -p custody-crypto --bench verify -- --output-format bencher 2>/dev/null | grep '^test ' >"$ours"
"$py" bench/verify_peer.py >"$peer"

printf '%-20s %14s %14s %14s %9s %9s\n' case "custody ns" "cryptography" "sslib ns" "vs crypto" "vs sslib"
while read -r _ name _ _ ns _; do
  case=${name#verify/}
  ns=${ns//,/}
  c=$(awk -v k="$case" '$1==k && $2=="cryptography" {print $3}' "$peer")
  s=$(awk -v k="$case" '$1==k && $2=="securesystemslib" {print $3}' "$peer")
  printf '%-20s %14s %14s %14s %8.2fx %8.2fx\n' "$case" "$ns" "$c" "$s" \
    "$(awk -v a="$c" -v b="$ns" 'BEGIN{print a/b}')" "$(awk -v a="$s" -v b="$ns" 'BEGIN{print a/b}')"
done <"$ours"
echo "(ratio > 1: custody is faster; machine: $(nproc) cores, $(date -u +%F))"
