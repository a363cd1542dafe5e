"""Signature verification throughput of the python peers, for bench/verify.sh.

Prints one line per case: `<case> <library> <ns per verification>`. The cases and the
1 KiB message match crates/custody-crypto/benches/verify.rs.
"""
import sys
import timeit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from securesystemslib.signer import CryptoSigner, SSlibKey

MESSAGE = b"\x5a" * 1024


def measure(fn):
    timer = timeit.Timer(fn)
    n, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=n))
    return best / n * 1e9


def cases():
    ed = ed25519.Ed25519PrivateKey.generate()
    p256 = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    pkcs1 = padding.PKCS1v15()

    def raw(name, priv, sign, verify):
        sig = sign(priv)
        pub = priv.public_key()
        yield name, "cryptography", lambda: verify(pub, sig)

    yield from raw("ed25519", ed, lambda k: k.sign(MESSAGE), lambda p, s: p.verify(s, MESSAGE))
    yield from raw("ecdsa-p256", p256, lambda k: k.sign(MESSAGE, ec.ECDSA(hashes.SHA256())),
                   lambda p, s: p.verify(s, MESSAGE, ec.ECDSA(hashes.SHA256())))
    yield from raw("rsa-pss-3072", rsa_key, lambda k: k.sign(MESSAGE, pss, hashes.SHA256()),
                   lambda p, s: p.verify(s, MESSAGE, pss, hashes.SHA256()))
    yield from raw("rsa-pkcs1v15-3072", rsa_key, lambda k: k.sign(MESSAGE, pkcs1, hashes.SHA256()),
                   lambda p, s: p.verify(s, MESSAGE, pkcs1, hashes.SHA256()))

    # securesystemslib: the API in-toto and python-tuf verify through.
    for name, priv, scheme in [("ed25519", ed, None), ("ecdsa-p256", p256, None),
                               ("rsa-pss-3072", rsa_key, "rsassa-pss-sha256"),
                               ("rsa-pkcs1v15-3072", rsa_key, "rsa-pkcs1v15-sha256")]:
        pub = SSlibKey.from_crypto(priv.public_key(), scheme=scheme)
        signer = CryptoSigner(priv, pub)
        sig = signer.sign(MESSAGE)
        yield name, "securesystemslib", lambda pub=pub, sig=sig: pub.verify_signature(sig, MESSAGE)


def main():
    only = set(sys.argv[1:])
    for name, lib, fn in cases():
        if only and name not in only:
            continue
        print(f"{name} {lib} {measure(fn):.0f}", flush=True)


if __name__ == "__main__":
    main()
