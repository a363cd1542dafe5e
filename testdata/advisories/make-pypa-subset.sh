#!/usr/bin/env bash
# Copy, from the PyPA advisory database, every advisory about a package pinned in
# testdata/materials/python/*.txt (and the database's license) into
# testdata/advisories/pypa-subset/: advisories about other packages cannot match those
# pins, so scans against the subset give what scans against the whole database give.
#
#   testdata/advisories/make-pypa-subset.sh [ADVISORY_DB]   # default ../shared/data/pypa-advisory-database
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
db="${1:-$repo/../shared/data/pypa-advisory-database}"
[ -d "$db/vulns" ] || { echo "not the PyPA advisory database: $db" >&2; exit 2; }
out="$here/pypa-subset"
rm -rf "$out.tmp"; mkdir -p "$out.tmp/vulns"
names=$(sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*\)\s*[=<>~!].*/\1/p' "$repo"/testdata/materials/python/*.txt |
  tr 'A-Z_.' 'a-z--' | sort -u)
n=0
for p in $names; do
  if [ -d "$db/vulns/$p" ]; then
    cp -r "$db/vulns/$p" "$out.tmp/vulns/$p"
    n=$((n + $(ls "$db/vulns/$p" | wc -l)))
  fi
done
cp "$db/LICENSE" "$out.tmp/"
rm -rf "$out"; mv "$out.tmp" "$out"
echo "copied $n advisories about $(ls "$out/vulns" | wc -l) packages into $out"
