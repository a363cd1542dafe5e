"""Sign an in-toto layout (file or template) with python in-toto, as its tests do.

usage: sign_layout.py IN OUT PRIVKEY...
"""

import sys

from in_toto.models._signer import load_crypto_signer_from_pkcs8_file
from in_toto.models.metadata import Metadata

metadata = Metadata.load(sys.argv[1])
for key in sys.argv[3:]:
    metadata.create_signature(load_crypto_signer_from_pkcs8_file(key))
metadata.dump(sys.argv[2])
