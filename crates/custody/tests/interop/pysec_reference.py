"""The PyPI advisories that affect pinned requirements, computed with `packaging`.

    pysec_reference.py ADVISORY_DIR REQUIREMENTS_FILE

Reads every OSV YAML/JSON record under ADVISORY_DIR and the `name==version` pins of the
requirements file, and prints one line per (advisory, package, version) affected,
sorted: `ID name version`. A version is affected when it is listed in an affected entry's
`versions`, or when, in one of its ECOSYSTEM ranges, the last event at or below it (in
`packaging.version.Version` order) introduces it: OSV's evaluation, here with
packaging's PEP 440 ordering as the reference. Withdrawn records are left out.
"""

import json
import os
import re
import sys

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def pins(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*([^\s;\\]+)", line)
            if m:
                out[canonicalize_name(m.group(1))] = m.group(2)
    return out


def records(root):
    for d, _, files in os.walk(root):
        for name in sorted(files):
            p = os.path.join(d, name)
            if name.endswith((".yaml", ".yml")):
                with open(p, encoding="utf-8") as f:
                    yield yaml.safe_load(f)
            elif name.endswith(".json"):
                with open(p, encoding="utf-8") as f:
                    yield json.load(f)


def in_range(version, events):
    def key(e):
        (kind, v), = e.items()
        if kind == "introduced" and v == "0":
            return (0, Version("0"))
        return (1, Version(v))

    try:
        ordered = sorted((e for e in events if "limit" not in e), key=key)
    except InvalidVersion:
        return False
    affected = False
    for e in ordered:
        (kind, v), = e.items()
        if kind == "introduced" and (v == "0" or version >= Version(v)):
            affected = True
        elif kind == "fixed" and version >= Version(v):
            affected = False
        elif kind == "last_affected" and version > Version(v):
            affected = False
    return affected


def main():
    root, req = sys.argv[1:3]
    wanted = pins(req)
    lines = set()
    for rec in records(root):
        if not rec or rec.get("withdrawn"):
            continue
        for aff in rec.get("affected", []):
            pkg = aff.get("package") or {}
            if pkg.get("ecosystem") != "PyPI":
                continue
            name = canonicalize_name(pkg.get("name", ""))
            if name not in wanted:
                continue
            text = wanted[name]
            version = Version(text)
            hit = any(Version(v) == version for v in aff.get("versions", []) if valid(v))
            for r in aff.get("ranges", []):
                if r.get("type") == "ECOSYSTEM" and in_range(version, r.get("events", [])):
                    hit = True
            if hit:
                lines.add(f"{rec['id']} {name} {text}")
    for line in sorted(lines):
        print(line)


def valid(v):
    try:
        Version(v)
        return True
    except InvalidVersion:
        return False


main()
