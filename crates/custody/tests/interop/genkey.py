"""Generate a key pair with pyca/cryptography: NAME.key (PKCS#8 PEM) and NAME.pub.

usage: genkey.py --type ed25519|ecdsa|rsa [--password PW] --out-dir D --name N

With --password the private key is encrypted with BestAvailableEncryption.
"""

import argparse
import os

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

p = argparse.ArgumentParser()
p.add_argument("--type", required=True, choices=["ed25519", "ecdsa", "rsa"])
p.add_argument("--password")
p.add_argument("--out-dir", required=True)
p.add_argument("--name", required=True)
a = p.parse_args()

if a.type == "ed25519":
    key = ed25519.Ed25519PrivateKey.generate()
elif a.type == "ecdsa":
    key = ec.generate_private_key(ec.SECP256R1())
else:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)

enc = BestAvailableEncryption(a.password.encode()) if a.password else NoEncryption()
with open(os.path.join(a.out_dir, a.name + ".key"), "wb") as f:
    f.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, enc))
with open(os.path.join(a.out_dir, a.name + ".pub"), "wb") as f:
    f.write(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
