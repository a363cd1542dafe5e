#!/usr/bin/env python3
"""Write categories.tsv (SPDX ID -> ScanCode category) from the ScanCode LicenseDB index
(`scancode-licensedb-index.json`, as shipped in PyPI `license-expression` 30.4.4).

    make-categories.py ../../../../shared/data/scancode-licensedb-index/scancode-licensedb-index.json
"""
import json
import sys

index = json.load(open(sys.argv[1]))
rows = {}
for entry in index:
    category = entry.get("category") or "Unstated License"
    for key in [entry.get("spdx_license_key")] + list(entry.get("other_spdx_license_keys") or []):
        if key and not key.startswith("LicenseRef-"):
            rows.setdefault(key, category)
with open("categories.tsv", "w") as out:
    out.write("# SPDX license or exception ID, then its ScanCode LicenseDB category. Derived by\n"
              "# make-categories.py from the ScanCode LicenseDB index (CC-BY-4.0; see README.md).\n")
    for key in sorted(rows, key=str.lower):
        out.write(f"{key}\t{rows[key]}\n")
