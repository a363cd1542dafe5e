"""Sign a file with securesystemslib's CryptoSigner; write the base64 signature.

usage: sign.py --key PRIVATE.pem [--password PW] [--scheme S] --out SIG FILE

Unencrypted keys are loaded through the signer URI (file2:PATH), encrypted ones with
load_pem_private_key(data, password). Prints the signer's key ID.
"""

import argparse
import os

from securesystemslib.signer import CryptoSigner, Signer, SSlibKey

from peerlib import load_private, read, write_signature

p = argparse.ArgumentParser()
p.add_argument("--key", required=True)
p.add_argument("--password")
p.add_argument("--scheme")
p.add_argument("--out", required=True)
p.add_argument("file")
a = p.parse_args()

private = load_private(a.key, a.password)
public = SSlibKey.from_crypto(private.public_key(), scheme=a.scheme)
if a.password is None:
    signer = Signer.from_priv_key_uri("file2:" + os.path.abspath(a.key), public)
else:
    signer = CryptoSigner(private, public)
sig = signer.sign(read(a.file))
write_signature(a.out, bytes.fromhex(sig.signature))
print(sig.keyid)
