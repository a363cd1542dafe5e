"""Shared helpers for the custody interop scripts: key loading and base64 I/O.

Only the reference implementations are used here (pyca/cryptography and
securesystemslib), so that what these scripts accept is what the peers accept.
"""

import base64
import sys

from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
)
from securesystemslib.signer import SSlibKey


def read(path):
    with open(path, "rb") as f:
        return f.read()


def load_public(path, scheme=None):
    """(pyca key, SSlibKey) for a SubjectPublicKeyInfo PEM file."""
    crypto_key = load_pem_public_key(read(path))
    return crypto_key, SSlibKey.from_crypto(crypto_key, scheme=scheme)


def load_private(path, password=None):
    """A pyca private key from a PKCS#8 PEM file, encrypted or not."""
    pw = password.encode("utf-8") if password is not None else None
    return load_pem_private_key(read(path), pw)


def read_signature(path):
    """Signature bytes from a base64 text file (what custody sign writes)."""
    return base64.b64decode("".join(read(path).decode("ascii").split()), validate=True)


def write_signature(path, sig):
    with open(path, "w", encoding="ascii") as f:
        f.write(base64.b64encode(sig).decode("ascii") + "\n")


def fail(msg, code=2):
    print(msg, file=sys.stderr)
    sys.exit(code)
