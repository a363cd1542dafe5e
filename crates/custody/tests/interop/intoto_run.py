"""Record an in-toto step with in_toto_run (DSSE link metadata) and write the envelope.

usage: intoto_run.py --key PRIV [--password PW] --workdir DIR --name STEP --out ENV

DIR must hold src.txt; the step copies it to out.txt (with this Python, no shell).
"""

import argparse
import json
import os
import sys

from in_toto.runlib import in_toto_run
from securesystemslib.signer import CryptoSigner

from peerlib import load_private

p = argparse.ArgumentParser()
p.add_argument("--key", required=True)
p.add_argument("--password")
p.add_argument("--workdir", required=True)
p.add_argument("--name", required=True)
p.add_argument("--out", required=True)
a = p.parse_args()

signer = CryptoSigner(load_private(a.key, a.password))
out = os.path.abspath(a.out)
os.chdir(a.workdir)
copy = "import shutil; shutil.copyfile('src.txt', 'out.txt')"
envelope = in_toto_run(
    a.name,
    ["src.txt"],
    ["out.txt"],
    [sys.executable, "-c", copy],
    signer=signer,
    use_dsse=True,
    metadata_directory=".",
)
with open(out, "w", encoding="utf-8") as f:
    f.write(json.dumps(envelope.to_dict()))
print(signer.public_key.keyid)
