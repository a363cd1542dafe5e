"""Exit 0 if the interop peers are importable, printing their versions."""

import importlib
import sys

missing = []
versions = {}
for mod in ("securesystemslib", "in_toto", "cryptography"):
    try:
        versions[mod] = importlib.import_module(mod).__version__
    except ImportError as e:
        missing.append(f"{mod} ({e})")
try:
    # securesystemslib[crypto]: the signer needs pyca/cryptography at import time.
    from securesystemslib.signer import CryptoSigner  # noqa: F401
except ImportError as e:
    missing.append(f"securesystemslib.signer ({e})")

if missing:
    print("missing Python modules: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
print(" ".join(f"{k}={v}" for k, v in versions.items()))
