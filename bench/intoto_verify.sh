#!/usr/bin/env bash
# `custody intoto verify` against python `in-toto-verify` on the same supply chain, in one
# run: a layout of STEPS steps, each link recording the same tree of FILES files as
# materials and products (made with custody intoto run), every step's materials matched
# against the previous step's products.
#
#   bench/intoto_verify.sh [STEPS] [FILES]      # default 20 steps, 100000 files
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-20}"; files="${2:-100000}"
py="${CUSTODY_INTEROP_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/custody/interop-venv/bin/python}"
peer="$(dirname "$py")/in-toto-verify"
[ -x "$peer" ] || { echo "no in-toto-verify next to $py: run scripts/test once, or set CUSTODY_INTEROP_PYTHON" >&2; exit 2; }
cargo build -q --release -p custody
custody="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/custody"
work="${BENCH_WORK:-$(mktemp -d)}"; [ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$work"' EXIT; mkdir -p "$work"
cd "$work"
mkdir -p tree
python3 - "$files" <<'PY'
import os, sys
n = int(sys.argv[1])
for i in range(n):
    d = os.path.join("tree", f"d{i % 100:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:06d}"), "w") as f:
        f.write(f"file {i}\n")
PY
"$custody" key generate --unencrypted --dir keys --name owner >/dev/null
"$custody" key generate --unencrypted --dir keys --name func >/dev/null
{
  echo 'expires_in_days = 7'
  echo '[keys]'; echo 'func = "keys/func.pub"'
  for i in $(seq 1 "$steps"); do
    echo '[[steps]]'; echo "name = \"step$i\""; echo 'functionaries = ["func"]'
    if [ "$i" -gt 1 ]; then echo "materials = [\"MATCH * WITH PRODUCTS FROM step$((i-1))\", \"DISALLOW *\"]"; fi
    echo 'products = ["ALLOW *"]'
  done
} > layout.toml
"$custody" intoto layout create layout.toml --signing-key keys/owner.key -o root.layout 2>/dev/null
for i in $(seq 1 "$steps"); do
  "$custody" intoto run -q -n "step$i" --signing-key keys/func.key -m tree -p tree -x
done
best() { local best=""; for _ in 1 2; do local s e t; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; exit 1; }; e=$(date +%s.%N)
  t=$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f", b-a}'); if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi; done; echo "$best"; }
t_py=$(best "$peer" --layout root.layout --verification-keys keys/owner.pub)
t_ours=$(best "$custody" intoto verify --layout root.layout --verification-keys keys/owner.pub)
echo "supply chain: $steps steps x $files artifacts per link (materials and products)"
printf '%-24s %10s\n' "in-toto-verify (python)" "${t_py}s" "custody intoto verify" "${t_ours}s"
awk -v p="$t_py" -v o="$t_ours" 'BEGIN{printf "speed-up: %.1fx\n", p/o}'
echo "$(nproc) cores, $(date -u +%F)"
