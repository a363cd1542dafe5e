"""Print securesystemslib's JSON form of a public key, with the key ID it computes.

usage: keyid.py [--scheme S] PUBLIC.pem
"""

import argparse
import json

from peerlib import load_public

p = argparse.ArgumentParser()
p.add_argument("--scheme")
p.add_argument("public")
a = p.parse_args()

_, key = load_public(a.public, a.scheme)
out = key.to_dict()
out["keyid"] = key.keyid
print(json.dumps(out, sort_keys=True))
