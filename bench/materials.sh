#!/usr/bin/env bash
# Materials (issue #6), in one run on a generated monorepo (bench/make_monorepo.py: 50
# lockfiles, 20,000 packages; Cargo, npm and pip; names from the advisory databases):
#   1. `custody db build` of all advisory data in ../shared/data (RustSec, PyPA, Go);
#   2. SBOM generation: custody vs cdxgen (npm @cyclonedx/cdxgen, run once: it takes
#      minutes);
#   3. the vulnerability scan of the whole monorepo from the compiled database;
#   4. custody vs cargo-audit on Cargo inputs: one Cargo.lock, and every Cargo.lock of the
#      monorepo (cargo-audit takes one lockfile per run), with the IDs compared first.
# cdxgen is installed once into ~/.cache/custody/bench-materials; cargo-audit is not built
# here (10-20 minutes): set CARGO_AUDIT to a binary (`cargo install cargo-audit --root DIR`
# once), or its rows are skipped.
#
#   bench/materials.sh [LOCKFILES] [COMPONENTS]        # default 50 20000
set -euo pipefail
cd "$(dirname "$0")/.."
lockfiles="${1:-50}"
components="${2:-20000}"
data="${SHARED_DATA:-../shared/data}"
tools="${XDG_CACHE_HOME:-$HOME/.cache}/custody/bench-materials"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$tools/npm"
[ -x "$tools/npm/node_modules/.bin/cdxgen" ] || {
  (cd "$tools/npm" && npm init -y >/dev/null && npm install --silent @cyclonedx/cdxgen)
}
cdxgen="$tools/npm/node_modules/.bin/cdxgen"
cargo build --release -q -p custody
custody="$PWD/target/release/custody"
python3 bench/make_monorepo.py "$work/mono" "$lockfiles" "$components" "$data"
sources=("$data/rustsec-advisory-db" "$data/pypa-advisory-database" "$data/golang-vulndb")

echo "== 1. database build (all advisory data)"
hyperfine -N -w 1 -r 5 "$custody db build ${sources[*]} -o $work/all.db"
"$custody" db info "$work/all.db" | sed -n '1,8p'

echo "== 2. SBOM of the monorepo: custody vs cdxgen"
hyperfine -N -w 2 -r 10 "$custody sbom generate $work/mono -o $work/custody.cdx.json"
start=$(date +%s.%N)
"$cdxgen" -r --no-install-deps -o "$work/cdxgen.cdx.json" "$work/mono" >"$work/cdxgen.log" 2>&1
end=$(date +%s.%N)
echo "cdxgen $("$cdxgen" --version 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'): $(python3 -c "print(f'{$end - $start:.1f}')") s (one run)"
python3 - "$work/custody.cdx.json" "$work/cdxgen.cdx.json" <<'EOF'
import json, sys
for path in sys.argv[1:]:
    doc = json.load(open(path))
    print(f"  {path.rsplit('/', 1)[-1]}: {len(doc.get('components', []))} components")
EOF

echo "== 3. vulnerability scan of every lockfile (compiled database)"
hyperfine -N -w 2 -r 10 -i \
  "$custody scan vulns $work/mono --db $work/all.db --format json -o $work/scan.json"
python3 -c "import json; d = json.load(open('$work/scan.json')); print(f\"  {d['components']} components, {len(d['findings'])} findings\")"

if [ -z "${CARGO_AUDIT:-}" ] || [ ! -x "$CARGO_AUDIT" ]; then
  echo "== 4. skipped: set CARGO_AUDIT to a cargo-audit binary"
  exit 0
fi
echo "== 4. custody vs cargo-audit on Cargo inputs"
# cargo-audit offline: no fetch, no stale check, no yanked check (it goes to the network).
export CARGO_HOME="$work/cargo-home"
mkdir -p "$CARGO_HOME"
printf '[database]\nfetch = false\nstale = false\n[yanked]\nenabled = false\nupdate_index = false\n' >"$CARGO_HOME/audit.toml"
one="$(find "$work/mono" -name Cargo.lock | sort | head -1)"
"$CARGO_AUDIT" audit --no-fetch --no-yanked --db "$data/rustsec-advisory-db" --file "$one" --json >"$work/ca.json" || true
"$custody" scan vulns "$one" --db "$work/all.db" --format json --fail-on never >"$work/cu.json"
python3 - "$work/ca.json" "$work/cu.json" <<'EOF'
import json, sys
ca = json.load(open(sys.argv[1]))
ids = {(v["advisory"]["id"], v["package"]["name"], v["package"]["version"]) for v in ca["vulnerabilities"]["list"]}
for kind in ca["warnings"].values():
    ids |= {(w["advisory"]["id"], w["package"]["name"], w["package"]["version"]) for w in kind if w.get("advisory")}
cu = json.load(open(sys.argv[2]))
ours = {(i, f["package"], f["version"]) for f in cu["findings"] for i in f["ids"] if i.startswith("RUSTSEC-")}
print(f"  one Cargo.lock: cargo-audit {len(ids)} RUSTSEC findings, custody {len(ours)}; identical: {ids == ours}")
if ids != ours:
    sys.exit("custody and cargo-audit disagree")
EOF
hyperfine -N -w 2 -r 10 -i \
  "$custody scan vulns $one --db $work/all.db --fail-on never -o $work/x" \
  "$CARGO_AUDIT audit --no-fetch --no-yanked --db $data/rustsec-advisory-db --file $one"
all=$(find "$work/mono" -name Cargo.lock | sort)
printf '%s\n' "$all" >"$work/cargo-locks"
hyperfine -w 1 -r 5 -i -S bash \
  "$custody scan vulns $work/mono --exclude 'npm-*' --exclude 'pip-*' --db $work/all.db --fail-on never -o $work/x" \
  "while read -r f; do $CARGO_AUDIT audit --no-fetch --no-yanked --db $data/rustsec-advisory-db --file \$f >/dev/null; done < $work/cargo-locks"
