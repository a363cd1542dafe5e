#!/usr/bin/env bash
# `custody secrets scan` side by side with detect-secrets and trufflehog3 (PyPI), secretlint
# (npm), ripsecrets (crates.io) and a ripgrep pass over the rules' keywords (the I/O and
# matching limit), in one run:
#   1. the whole local cargo registry source cache (hundreds of crates): custody, ripgrep,
#      ripsecrets;
#   2. a SUBSET_MB slice of it for the slow peers (detect-secrets, secretlint, trufflehog3),
#      with custody on the same slice;
#   3. a generated git history of COMMITS commits (bench/make_history.py): custody --git,
#      trufflehog3 over the history (given HISTORY_TIMEOUT seconds), and
#      `git cat-file --batch-all-objects | rg` as the floor.
# Peers are installed once into ~/.cache/custody/bench-secrets (never in CI).
#
#   bench/secrets_scan.sh [SUBSET_MB] [COMMITS]        # default 20 MB, 100000 commits
set -euo pipefail
cd "$(dirname "$0")/.."
subset_mb="${1:-20}"
commits="${2:-100000}"
timeout_s="${HISTORY_TIMEOUT:-600}"
tools="${XDG_CACHE_HOME:-$HOME/.cache}/custody/bench-secrets"
mkdir -p "$tools"
[ -x "$tools/venv/bin/trufflehog3" ] || {
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q detect-secrets trufflehog3
}
[ -x "$tools/npm/node_modules/.bin/secretlint" ] || {
  mkdir -p "$tools/npm"
  (cd "$tools/npm" && npm init -y >/dev/null && npm install --silent secretlint @secretlint/secretlint-rule-preset-recommend)
}
[ -x "$tools/cargo/bin/ripsecrets" ] || cargo install -q ripsecrets --root "$tools/cargo"
command -v rg >/dev/null || { echo "ripgrep missing: apt-get install ripgrep" >&2; exit 2; }
cargo build -q --release -p custody
custody="$(realpath "${CARGO_TARGET_DIR:-target}/release/custody")"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# The rules' keywords, for ripgrep.
python3 - crates/custody-secrets/rules/builtin.toml > "$work/keywords.txt" <<'PY'
import sys, tomllib
rules = tomllib.load(open(sys.argv[1], "rb"))["rules"]
print("\n".join(sorted({k for r in rules for k in r.get("keywords", [])})))
PY

# Corpus: a copy of the registry sources without ignore files, so every tool reads the
# same files.
src=$(ls -d "$HOME"/.cargo/registry/src/*/ | head -1)
mkdir -p "$work/all" "$work/subset"
cp -r "$src"/. "$work/all/"
find "$work/all" -name .gitignore -delete
subset_bytes=$(( subset_mb * 1000 * 1000 ))
total=0
for d in "$work"/all/*/; do
  [ "$total" -ge "$subset_bytes" ] && break
  cp -r "$d" "$work/subset/"
  total=$(( total + $(du -sb "$d" | cut -f1) ))
done
cat > "$work/secretlintrc.json" <<'JSON'
{"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}
JSON

secs() { # wall seconds of "$@", output discarded, exit status ignored (findings are not errors)
  local s e
  s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
  awk -v n=$(( e - s )) 'BEGIN { printf "%.2f", n / 1e9 }'
}
mb() { du -sb "$1" | awk '{ printf "%.1f", $1 / 1e6 }'; }
row() { # row CORPUS MB TOOL SECONDS CUSTODY_SECONDS
  awk -v c="$1" -v m="$2" -v t="$3" -v s="$4" -v cs="$5" 'BEGIN {
    printf "| %s | %s | %.2f s | %.1f MB/s | %.1fx |\n", c, t, s, m / s, s / cs }'
}

# Warm the page cache for everyone.
cat $(find "$work/all" -type f) >/dev/null 2>&1 || true
all_mb=$(mb "$work/all"); sub_mb=$(mb "$work/subset")
echo "| Corpus | Tool | Time | Throughput | custody faster by |"
echo "|---|---|---:|---:|---:|"
c_all=$(secs "$custody" secrets scan "$work/all" --format json -o /dev/null)
row "registry sources, $all_mb MB" "$all_mb" "custody" "$c_all" "$c_all"
row "registry sources, $all_mb MB" "$all_mb" "ripgrep keyword pass (floor)" "$(secs rg -c -i -F --hidden -f "$work/keywords.txt" "$work/all")" "$c_all"
row "registry sources, $all_mb MB" "$all_mb" "ripsecrets" "$(secs "$tools/cargo/bin/ripsecrets" "$work/all")" "$c_all"
c_sub=$(secs "$custody" secrets scan "$work/subset" --format json -o /dev/null)
row "slice, $sub_mb MB" "$sub_mb" "custody" "$c_sub" "$c_sub"
row "slice, $sub_mb MB" "$sub_mb" "trufflehog3 (2 processes)" "$(secs "$tools/venv/bin/trufflehog3" --no-history -z -f JSON -o "$work/th.json" "$work/subset")" "$c_sub"
# detect-secrets only scans paths under its working directory.
row "slice, $sub_mb MB" "$sub_mb" "detect-secrets" "$(secs sh -c "cd '$work/subset' && '$tools/venv/bin/detect-secrets' scan --all-files .")" "$c_sub"
row "slice, $sub_mb MB" "$sub_mb" "secretlint" "$(secs "$tools/npm/node_modules/.bin/secretlint" --secretlintrc "$work/secretlintrc.json" "$work/subset/**/*")" "$c_sub"

# History.
python3 bench/make_history.py "$work/history" "$commits" >/dev/null
hist_mb=$(git -C "$work/history" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' | awk '$1 == "blob" { s += $2 } END { printf "%.1f", s / 1e6 }')
c_hist=$(secs "$custody" secrets scan --git "$work/history" --format json -o /dev/null)
found=$("$custody" secrets scan --git "$work/history" --format json 2>/dev/null | grep -c '"fingerprint"' || true)
row "history, $commits commits, $hist_mb MB of blobs" "$hist_mb" "custody --git ($found findings)" "$c_hist" "$c_hist"
floor=$(secs sh -c "git -C '$work/history' cat-file --batch-all-objects --batch | rg -c -i -F -f '$work/keywords.txt'")
row "history, $commits commits, $hist_mb MB of blobs" "$hist_mb" "git cat-file --batch-all-objects + ripgrep (floor)" "$floor" "$c_hist"
th=$(secs timeout "$timeout_s" "$tools/venv/bin/trufflehog3" --no-current --depth "$commits" -z -f JSON -o "$work/th-history.json" "$work/history")
if awk -v t="$th" -v l="$timeout_s" 'BEGIN { exit !(t >= l - 1) }'; then
  echo "| history, $commits commits | trufflehog3 | did not finish in $timeout_s s | | more than $(awk -v l="$timeout_s" -v c="$c_hist" 'BEGIN { printf "%.0f", l / c }')x |"
else
  row "history, $commits commits, $hist_mb MB of blobs" "$hist_mb" "trufflehog3" "$th" "$c_hist"
fi
echo
echo "machine: $(nproc) cores; $(date -u +%F); custody $("$custody" --version)"
