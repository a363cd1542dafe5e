#!/usr/bin/env python3
"""Generate a git repository of signed commits for the `custody source verify` benchmark.

    bench/make_signed_history.py DIR [COMMITS]

One branch of COMMITS commits (default 100,000), each changing one file, alternately signed
with an SSH key (sshsig, namespace git) and an OpenPGP key (v4, EdDSA), both made here. The
first commit adds .custody/policy.toml naming both keys; DIR/allowed_signers and
DIR/openpgp.asc are what `git verify-commit` needs (gpg.ssh.allowedSignersFile, gpg
--import). Signatures are made in-process with `cryptography` (the interop venv has it),
objects are written loose and packed with `git repack`, dates are fixed: deterministic but
for the signatures' randomness-free ed25519 (deterministic too).
"""
import base64
import hashlib
import os
import struct
import subprocess
import sys
import zlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

NAME, EMAIL = "Alice Example", "alice@example.org"
START = 1767225600  # 2026-01-01


def sshstr(b):
    return struct.pack(">I", len(b)) + b


# --- SSH ---------------------------------------------------------------------------
def ssh_key():
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"custody-bench-ssh").digest())
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    blob = sshstr(b"ssh-ed25519") + sshstr(pub)
    return key, blob, "ssh-ed25519 " + base64.b64encode(blob).decode()


def sshsig(key, pub_blob, message):
    h = hashlib.sha512(message).digest()
    signed = b"SSHSIG" + sshstr(b"git") + sshstr(b"") + sshstr(b"sha512") + sshstr(h)
    sig = sshstr(b"ssh-ed25519") + sshstr(key.sign(signed))
    blob = (b"SSHSIG" + struct.pack(">I", 1) + sshstr(pub_blob) + sshstr(b"git") + sshstr(b"")
            + sshstr(b"sha512") + sshstr(sig))
    text = base64.b64encode(blob).decode()
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----"


# --- OpenPGP -----------------------------------------------------------------------
def packet(tag, body):
    if len(body) < 192:
        length = bytes([len(body)])
    elif len(body) < 8384:
        n = len(body) - 192
        length = bytes([(n >> 8) + 192, n & 0xFF])
    else:
        length = b"\xff" + struct.pack(">I", len(body))
    return bytes([0xC0 | tag]) + length + body


def mpi(b):
    b = b.lstrip(b"\x00")
    bits = (len(b) - 1) * 8 + b[0].bit_length() if b else 0
    return struct.pack(">H", bits) + b


def subpacket(kind, value):
    return bytes([len(value) + 1, kind]) + value


def crc24(data):
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def armor(kind, data):
    text = base64.b64encode(data).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    crc = base64.b64encode(struct.pack(">I", crc24(data))[1:]).decode()
    return f"-----BEGIN PGP {kind}-----\n\n" + "\n".join(lines) + f"\n={crc}\n-----END PGP {kind}-----"


class Pgp:
    def __init__(self):
        self.key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"custody-bench-pgp").digest())
        pub = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        oid = bytes([0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01])
        self.body = bytes([4]) + struct.pack(">I", START) + bytes([22, len(oid)]) + oid + mpi(b"\x40" + pub)
        self.fpr = hashlib.sha1(b"\x99" + struct.pack(">H", len(self.body)) + self.body).digest()

    def signature(self, sig_type, hashed_prefix, when, extra=b""):
        hashed = (subpacket(2, struct.pack(">I", when)) + subpacket(33, b"\x04" + self.fpr) + extra)
        head = bytes([4, sig_type, 22, 8]) + struct.pack(">H", len(hashed)) + hashed
        trailer = b"\x04\xff" + struct.pack(">I", len(head))
        digest = hashlib.sha256(hashed_prefix + head + trailer).digest()
        sig = self.key.sign(digest)
        unhashed = subpacket(16, self.fpr[12:])
        return head + struct.pack(">H", len(unhashed)) + unhashed + digest[:2] + mpi(sig[:32]) + mpi(sig[32:])

    def certificate(self):
        uid = f"{NAME} <{EMAIL}>".encode()
        key_part = b"\x99" + struct.pack(">H", len(self.body)) + self.body
        uid_part = b"\xb4" + struct.pack(">I", len(uid)) + uid
        self_sig = self.signature(0x13, key_part + uid_part, START, subpacket(27, b"\x03"))
        data = packet(6, self.body) + packet(13, uid) + packet(2, self_sig)
        return armor("PUBLIC KEY BLOCK", data)

    def sign(self, message, when):
        return armor("SIGNATURE", packet(2, self.signature(0x00, message, when)))


# --- git objects -------------------------------------------------------------------
class Objects:
    def __init__(self, git_dir):
        self.dir = os.path.join(git_dir, "objects")

    def write(self, kind, body):
        data = kind.encode() + b" " + str(len(body)).encode() + b"\0" + body
        oid = hashlib.sha1(data).hexdigest()
        path = os.path.join(self.dir, oid[:2], oid[2:])
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(zlib.compress(data, 1))
        return oid

    def tree(self, entries):
        body = b""
        for name, mode, oid in sorted(entries, key=lambda e: e[0] + ("/" if e[1] == "40000" else "")):
            body += f"{mode} {name}".encode() + b"\0" + bytes.fromhex(oid)
        return self.write("tree", body)


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    git_dir = os.path.join(out, ".git")
    objects = Objects(git_dir)
    key, pub_blob, ssh_line = ssh_key()
    pgp = Pgp()
    cert = pgp.certificate()
    with open(os.path.join(out, "allowed_signers"), "w") as f:
        f.write(f'{EMAIL} namespaces="git" {ssh_line}\n')
    with open(os.path.join(out, "openpgp.asc"), "w") as f:
        f.write(cert + "\n")
    policy = (
        "version = 1\n[[people]]\n"
        f'name = "{NAME}"\nemail = "{EMAIL}"\nrole = "owner"\n'
        f'keys = [{{ ssh = "{ssh_line}" }}, {{ openpgp = "keys/alice.asc" }}]\n'
        '[[rules]]\nrefs = ["**"]\n'
    )
    keys_tree = objects.tree([("alice.asc", "100644", objects.write("blob", (cert + "\n").encode()))])
    custody_tree = objects.tree([
        ("keys", "40000", keys_tree),
        ("policy.toml", "100644", objects.write("blob", policy.encode())),
    ])
    parent = None
    for i in range(count):
        when = START + 60 + i * 60
        blob = objects.write("blob", f"change {i}\n".encode())
        root = objects.tree([(".custody", "40000", custody_tree), ("data.txt", "100644", blob)])
        ident = f"{NAME} <{EMAIL}> {when} +0000"
        head = f"tree {root}\n" + (f"parent {parent}\n" if parent else "") + f"author {ident}\ncommitter {ident}\n"
        message = f"\ncommit {i}\n"
        payload = (head + message).encode()
        sig = sshsig(key, pub_blob, payload) if i % 2 == 0 else pgp.sign(payload, when)
        gpgsig = "gpgsig " + sig.replace("\n", "\n ") + "\n"
        parent = objects.write("commit", (head + gpgsig + message).encode())
        if i % 10_000 == 0:
            print(f"  {i} commits", file=sys.stderr)
    with open(os.path.join(git_dir, "refs", "heads", "main"), "w") as f:
        f.write(parent + "\n")
    subprocess.run(["git", "-C", out, "repack", "-adq"], check=True)
    subprocess.run(["git", "-C", out, "prune-packed"], check=True)
    print(parent)


if __name__ == "__main__":
    main()
