"""in-toto attestation interop with the reference packages.

usage:
  attestation.py check ENVELOPE_OR_BUNDLE PUBKEY
      every envelope: DSSE signature verifies with securesystemslib, the payload parses as
      an in_toto_attestation v1 Statement and validates, and a provenance v1 or link v0.3
      predicate parses strictly into its protobuf message (unknown fields are errors).
  attestation.py make PRIVKEY SUBJECT_FILE PREDICATE_TYPE PREDICATE_JSON OUT
      a Statement built with in_toto_attestation, signed with securesystemslib DSSE.
"""

import hashlib
import json
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from google.protobuf import json_format
from in_toto_attestation.predicates.link.v0 import link_pb2
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.v1 import resource_descriptor, statement, statement_pb2
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATES = {
    "https://slsa.dev/provenance/v1": provenance_pb2.Provenance,
    "https://in-toto.io/attestation/link/v0.3": link_pb2.Link,
}


def envelopes(path):
    text = open(path, encoding="utf-8").read()
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def check(path, pub):
    key = SSlibKey.from_crypto(load_pem_public_key(open(pub, "rb").read()))
    for doc in envelopes(path):
        env = Envelope.from_dict(doc)
        assert env.payload_type == PAYLOAD_TYPE, env.payload_type
        env.verify([key], 1)
        pb = json_format.Parse(env.payload, statement_pb2.Statement())
        st = statement.Statement.copy_from_pb(pb)
        st.validate()
        ptype = pb.predicate_type
        if ptype in PREDICATES:
            json_format.Parse(json.dumps(json.loads(env.payload)["predicate"]), PREDICATES[ptype]())
    print("ok")


def make(priv, subject, ptype, predicate, out):
    key = load_pem_private_key(open(priv, "rb").read(), None)
    signer = CryptoSigner(key)
    digest = hashlib.sha256(open(subject, "rb").read()).hexdigest()
    rd = resource_descriptor.ResourceDescriptor(name=subject, digest={"sha256": digest})
    st = statement.Statement([rd.pb], ptype, json.load(open(predicate, encoding="utf-8")))
    st.validate()
    payload = json_format.MessageToJson(st.pb).encode("utf-8")
    env = Envelope(payload, PAYLOAD_TYPE, {})
    env.sign(signer)
    json.dump(env.to_dict(), open(out, "w", encoding="utf-8"))


if __name__ == "__main__":
    {"check": check, "make": make}[sys.argv[1]](*sys.argv[2:])
