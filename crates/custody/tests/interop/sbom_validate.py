"""Validate an SBOM with the reference tooling; print the problems and exit 1 if any.

    sbom_validate.py cyclonedx SCHEMA_DIR FILE   # jsonschema against bom-<specVersion>
    sbom_validate.py spdx SCHEMA_DIR FILE        # jsonschema, then spdx-tools' validator

SCHEMA_DIR is custody-sbom's `schemas/` directory (the official schemas, unchanged).
"""

import json
import os
import sys

import jsonschema
from referencing import Registry, Resource


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def schema_errors(schema, doc, resources):
    registry = Registry().with_resources(
        [(r["$id"], Resource.from_contents(r)) for r in resources if "$id" in r]
    )
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(document)'}: {e.message}"
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]


def main():
    kind, schemas, path = sys.argv[1:4]
    doc = load(path)
    errors = []
    if kind == "cyclonedx":
        d = os.path.join(schemas, "cyclonedx")
        schema = load(os.path.join(d, f"bom-{doc.get('specVersion')}.schema.json"))
        extra = [load(os.path.join(d, n)) for n in ("spdx.schema.json", "jsf-0.82.schema.json", "cryptography-defs.schema.json")]
        errors = schema_errors(schema, doc, [schema] + extra)
    elif kind == "spdx":
        schema = load(os.path.join(schemas, "spdx", "spdx-schema-v2.3.json"))
        errors = schema_errors(schema, doc, [schema])
        from spdx_tools.spdx.parser.error import SPDXParsingError
        from spdx_tools.spdx.parser.parse_anything import parse_file
        from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

        try:
            document = parse_file(path)
            errors += [m.validation_message for m in validate_full_spdx_document(document)]
        except SPDXParsingError as e:
            errors += sorted(set(e.get_messages()))
    else:
        sys.exit(f"unknown kind {kind!r}")
    for e in errors[:50]:
        print(e)
    if len(errors) > 50:
        print(f"... and {len(errors) - 50} more")
    sys.exit(1 if errors else 0)


main()
