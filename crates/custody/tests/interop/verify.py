"""Verify a raw signature twice: with securesystemslib and with pyca/cryptography.

usage: verify.py --key PUBLIC.pem --signature SIG.b64 [--scheme S] FILE

Exit 0 if both verify, 1 if both reject, 3 if they disagree, 2 on bad input.
"""

import argparse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import Signature

from peerlib import fail, load_public, read, read_signature

p = argparse.ArgumentParser()
p.add_argument("--key", required=True)
p.add_argument("--signature", required=True)
p.add_argument("--scheme")
p.add_argument("file")
a = p.parse_args()

crypto_key, key = load_public(a.key, a.scheme)
sig = read_signature(a.signature)
data = read(a.file)

# 1. securesystemslib, the way TUF and in-toto verify.
try:
    key.verify_signature(Signature(key.keyid, sig.hex()), data)
    sslib_ok = True
except UnverifiedSignatureError as e:
    print(f"securesystemslib rejects: {e}")
    sslib_ok = False

# 2. pyca/cryptography directly, with the exact parameters custody documents
#    (RSA-PSS: MGF1-SHA256 and a salt of exactly 32 bytes).
try:
    if isinstance(crypto_key, ed25519.Ed25519PublicKey):
        crypto_key.verify(sig, data)
    elif isinstance(crypto_key, ec.EllipticCurvePublicKey):
        crypto_key.verify(sig, data, ec.ECDSA(hashes.SHA256()))
    elif isinstance(crypto_key, rsa.RSAPublicKey):
        if key.scheme == "rsa-pkcs1v15-sha256":
            pad = padding.PKCS1v15()
        else:
            pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        crypto_key.verify(sig, data, pad, hashes.SHA256())
    else:
        fail(f"unsupported key type {type(crypto_key)}")
    crypto_ok = True
except InvalidSignature:
    print("pyca/cryptography rejects")
    crypto_ok = False

print(f"securesystemslib={'ok' if sslib_ok else 'bad'} cryptography={'ok' if crypto_ok else 'bad'} keyid={key.keyid}")
if sslib_ok and crypto_ok:
    raise SystemExit(0)
if not sslib_ok and not crypto_ok:
    raise SystemExit(1)
raise SystemExit(3)
