"""Verify a DSSE envelope with securesystemslib; print the payload on success.

usage: dsse_verify.py --threshold N --key PUB [--key PUB ...] ENV

Exit 0 if verified, 1 if the threshold is not met.
"""

import argparse
import json
import sys

from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError

from peerlib import load_public

p = argparse.ArgumentParser()
p.add_argument("--threshold", type=int, required=True)
p.add_argument("--key", action="append", required=True)
p.add_argument("envelope")
a = p.parse_args()

keys = [load_public(k)[1] for k in a.key]
with open(a.envelope, encoding="utf-8") as f:
    env = Envelope.from_dict(json.load(f))
try:
    accepted = env.verify(keys, a.threshold)
except VerificationError as e:
    print(f"securesystemslib rejects: {e}", file=sys.stderr)
    sys.exit(1)
print(f"verified by {sorted(accepted)}", file=sys.stderr)
sys.stdout.write(env.payload.decode("utf-8"))
