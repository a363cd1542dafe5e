#!/usr/bin/env bash
# Copy, from a RustSec advisory-db checkout, every advisory about a crate that appears in
# a fixture lockfile under testdata/materials/cargo/ (and the database's license files)
# into testdata/advisories/rustsec-subset/. Advisories about other crates cannot match
# those lockfiles, so a scan against the subset gives exactly what a scan against the
# whole database gives: the cargo-audit answers recorded there stay valid.
#
#   testdata/advisories/make-rustsec-subset.sh [ADVISORY_DB]   # default ../shared/data/rustsec-advisory-db
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
db="${1:-$repo/../shared/data/rustsec-advisory-db}"
[ -d "$db/crates" ] || { echo "not a RustSec advisory-db: $db" >&2; exit 2; }
out="$here/rustsec-subset"
rm -rf "$out.tmp"; mkdir -p "$out.tmp/crates"
crates=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$repo"/testdata/materials/cargo/*/Cargo.lock | sort -u)
n=0
for c in $crates; do
  if [ -d "$db/crates/$c" ]; then
    cp -r "$db/crates/$c" "$out.tmp/crates/$c"
    n=$((n + $(ls "$db/crates/$c" | wc -l)))
  fi
done
cp -r "$db/LICENSE.txt" "$db/LICENSES" "$out.tmp/" 2>/dev/null || true
rm -rf "$out"; mv "$out.tmp" "$out"
echo "copied $n advisories about $(ls "$out/crates" | wc -l) crates into $out"
