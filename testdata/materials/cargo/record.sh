#!/usr/bin/env bash
# Re-record the cargo-audit golden files (cargo-audit.json, expected.txt) of
# every fixture directory next to this script.
#
# Usage: record.sh /path/to/cargo-audit [/path/to/rustsec-advisory-db]
#
# The database defaults to $RUSTSEC_DB, else to
# <repo>/../shared/data/rustsec-advisory-db (the layout of /work/main and
# /work/shared/data). Nothing is fetched: the database is opened as-is
# (--no-fetch) and the yanked-crate check, the only part of cargo-audit that
# would go to crates.io, is switched off. Running it twice gives the same files.
set -euo pipefail

die() { echo "record.sh: error: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 /path/to/cargo-audit [/path/to/rustsec-advisory-db]"
AUDIT=$1
[ -f "$AUDIT" ] || die "cargo-audit binary not found: $AUDIT"
[ -x "$AUDIT" ] || die "cargo-audit binary is not executable: $AUDIT"
AUDIT=$(cd "$(dirname "$AUDIT")" && pwd)/$(basename "$AUDIT")

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DB=${2:-${RUSTSEC_DB:-$REPO/../shared/data/rustsec-advisory-db}}
[ -d "$DB/crates" ] || die "RustSec advisory database not found (no crates/ dir): $DB"
DB=$(cd "$DB" && pwd)
command -v python3 >/dev/null || die "python3 is needed to normalise the JSON"

# A throw-away CARGO_HOME whose audit.toml is the whole configuration:
# cargo-audit reads $CARGO_HOME/audit.toml when the working directory has no
# ./.cargo/audit.toml, so no user-level config can leak into the recording.
CFG_HOME=$(mktemp -d)
trap 'rm -rf "$CFG_HOME"' EXIT
cat >"$CFG_HOME/audit.toml" <<'EOF'
[database]
fetch = false
stale = false

[yanked]
enabled = false
update_index = false
EOF

# Cut the network off where the kernel lets us, so that an accidental fetch
# fails loudly instead of changing the answers.
NONET=()
if unshare -n true 2>/dev/null; then NONET=(unshare -n)
elif unshare -rn true 2>/dev/null; then NONET=(unshare -rn)
fi

echo "cargo-audit: $("$AUDIT" --version 2>&1 || "$AUDIT" audit --version)"
echo "database:    $DB"
echo "network:     ${NONET[*]:-not isolated (unshare unavailable)}"

count=0
for dir in "$HERE"/*/; do
    dir=${dir%/}
    case=$(basename "$dir")
    [ -f "$dir/Cargo.lock" ] || continue
    [ ! -e "$dir/.cargo/audit.toml" ] || die "$case: has its own .cargo/audit.toml, which would override the recording config"

    raw="$CFG_HOME/$case.json"
    set +e
    (cd "$dir" && CARGO_HOME="$CFG_HOME" CARGO_TERM_COLOR=never ${NONET[@]+"${NONET[@]}"} "$AUDIT" audit \
        --no-fetch --no-yanked --db "$DB" --json --file Cargo.lock) >"$raw" 2>"$CFG_HOME/$case.err"
    rc=$?
    set -e
    # 0 = nothing found, 1 = vulnerabilities found; anything else is an error.
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        cat "$CFG_HOME/$case.err" >&2
        die "$case: cargo-audit exited with $rc"
    fi

    python3 - "$raw" "$dir" "$rc" <<'PY'
import json, sys
raw, out, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(raw) as f:
    report = json.load(f)
with open(out + "/cargo-audit.json", "w") as f:
    f.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
lines = []  # a list, not a set: a duplicate line in the output would stay visible
for v in report["vulnerabilities"]["list"]:
    lines.append("vulnerability %s %s %s" % (v["advisory"]["id"], v["package"]["name"], v["package"]["version"]))
for kind, warnings in report.get("warnings", {}).items():
    for w in warnings:
        adv = w.get("advisory") or {}
        lines.append("%s %s %s %s" % (w["kind"], adv.get("id", "-"), w["package"]["name"], w["package"]["version"]))
with open(out + "/expected.txt", "w") as f:
    f.write("".join(l + "\n" for l in sorted(lines)))
found = report["vulnerabilities"]["found"]
if found != (rc == 1):
    sys.exit("exit code %d disagrees with vulnerabilities.found=%s" % (rc, found))
PY
    echo "  $case: exit $rc, $(wc -l <"$dir/expected.txt") finding(s)"
    count=$((count + 1))
done
[ "$count" -gt 0 ] || die "no fixture with a Cargo.lock under $HERE"
echo "recorded $count fixture(s)"
