"""Make a DSSE envelope with securesystemslib, signed by every --key.

usage: dsse_sign.py --payload-type T --key PRIV [--key PRIV ...] [--password PW] --out ENV FILE
"""

import argparse
import json

from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner

from peerlib import load_private, read

p = argparse.ArgumentParser()
p.add_argument("--payload-type", required=True)
p.add_argument("--key", action="append", required=True)
p.add_argument("--password")
p.add_argument("--out", required=True)
p.add_argument("file")
a = p.parse_args()

env = Envelope(read(a.file), a.payload_type, {})
for path in a.key:
    env.sign(CryptoSigner(load_private(path, a.password)))
with open(a.out, "w", encoding="utf-8") as f:
    f.write(json.dumps(env.to_dict()))
