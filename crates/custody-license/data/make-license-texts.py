#!/usr/bin/env python3
"""Write license-texts.json.gz (SPDX ID -> the license's text) from the license texts of
npm `spdx-license-list` 6.12.0 (one JSON file per license, `licenseText`), as in the
team's offline data set:

    make-license-texts.py ../../../../shared/data/spdx-license-list/license-texts/licenses

Deprecated IDs are left out (their texts duplicate current ones and would split matches).
The gzip stream has no file name and no time, so the same input gives the same bytes.
"""
import glob
import gzip
import io
import json
import os
import sys

source = sys.argv[1]
deprecated_file = os.path.join(source, "..", "..", "license-ids", "deprecated.json")
deprecated = set(json.load(open(deprecated_file))) if os.path.exists(deprecated_file) else set()
texts = {}
for path in sorted(glob.glob(os.path.join(source, "*.json"))):
    spdx_id = os.path.basename(path)[: -len(".json")]
    if spdx_id in deprecated:
        continue
    text = json.load(open(path, encoding="utf-8")).get("licenseText", "")
    if text.strip():
        texts[spdx_id] = text
raw = json.dumps(texts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
    gz.write(raw)
with open("license-texts.json.gz", "wb") as out:
    out.write(buf.getvalue())
print(f"{len(texts)} license texts, {len(raw)} bytes, {len(buf.getvalue())} compressed")
