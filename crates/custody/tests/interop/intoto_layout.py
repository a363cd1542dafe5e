"""Write an in-toto layout with python in-toto's API, signed by the owner key.

usage: intoto_layout.py --owner PRIV --functionary PUB --steps JSON --out FILE [--dsse]
                        [--expires-days N]

--steps is a JSON list of {"name", "expected_materials", "expected_products",
"expected_command", "threshold"}; every step is assigned the one functionary key.
"""

import argparse
import json
from datetime import datetime, timedelta, timezone

from in_toto.models._signer import load_crypto_signer_from_pkcs8_file, load_public_key_from_file
from in_toto.models.layout import Layout, Step
from in_toto.models.metadata import Envelope, Metablock

p = argparse.ArgumentParser()
p.add_argument("--owner", required=True)
p.add_argument("--functionary", required=True)
p.add_argument("--steps", required=True)
p.add_argument("--out", required=True)
p.add_argument("--dsse", action="store_true")
p.add_argument("--expires-days", type=int, default=30)
a = p.parse_args()

functionary = load_public_key_from_file(a.functionary)
owner = load_crypto_signer_from_pkcs8_file(a.owner)

layout = Layout()
expiry = datetime.now(timezone.utc) + timedelta(days=a.expires_days)
layout.expires = expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
layout.add_functionary_key(functionary)
for spec in json.loads(a.steps):
    step = Step(name=spec["name"])
    step.pubkeys = [functionary["keyid"]]
    step.expected_command = spec.get("expected_command", [])
    step.expected_materials = spec.get("expected_materials", [["ALLOW", "*"]])
    step.expected_products = spec.get("expected_products", [["ALLOW", "*"]])
    step.threshold = spec.get("threshold", 1)
    layout.steps.append(step)

metadata = Envelope.from_signable(layout) if a.dsse else Metablock(signed=layout)
metadata.create_signature(owner)
metadata.dump(a.out)
