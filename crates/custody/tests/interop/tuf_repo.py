"""A TUF repository made entirely with python-tuf's Metadata API, for interop tests.

    python tuf_repo.py DIR init [--key-type T] [--no-consistent] [--hash-bins BITS]
                                [--delegate NAME:PATTERN] [--targets N] [--meta-hashes]
    python tuf_repo.py DIR add-target NAME CONTENT     (adds to targets or its bin, republishes)
    python tuf_repo.py DIR rotate-root                 (new root key; v+1 signed by old and new)
    python tuf_repo.py DIR expire-timestamp [--in-days N]
                                                       (timestamp v+1 that expired in 2000,
                                                        or that expires N days from now)

State (signers' private keys, current metadata) lives in DIR/state; DIR/metadata and
DIR/targets are what a web server serves. Metadata files are written as python-tuf writes
them; with consistent snapshots, snapshot and targets roles as <version>.<role>.json and
targets as <sha256>.<name>.
"""
import argparse
import datetime
import hashlib
import json
import os
import sys
from urllib.parse import quote

from securesystemslib.signer import CryptoSigner
from cryptography.hazmat.primitives import serialization
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    SuccinctRoles,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

FAR = datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)


def new_signer(key_type):
    if key_type == "ed25519":
        return CryptoSigner.generate_ed25519()
    if key_type == "ecdsa":
        return CryptoSigner.generate_ecdsa()
    if key_type == "rsa-pss":
        return CryptoSigner.generate_rsa(scheme="rsassa-pss-sha256")
    if key_type == "rsa-pkcs1v15":
        return CryptoSigner.generate_rsa(scheme="rsa-pkcs1v15-sha256")
    raise SystemExit(f"unknown key type {key_type}")


def save_signer(state, name, signer):
    pem = signer._private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with open(os.path.join(state, f"{name}.key"), "wb") as f:
        f.write(pem)
    with open(os.path.join(state, f"{name}.pub.json"), "w") as f:
        json.dump(signer.public_key.to_dict() | {"keyid": signer.public_key.keyid}, f)


def load_signer(state, name):
    from securesystemslib.signer import SSlibKey

    with open(os.path.join(state, f"{name}.pub.json")) as f:
        d = json.load(f)
    keyid = d.pop("keyid")
    public = SSlibKey.from_dict(keyid, d)
    with open(os.path.join(state, f"{name}.key"), "rb") as f:
        private = serialization.load_pem_private_key(f.read(), None)
    return CryptoSigner(private, public)


class Repo:
    def __init__(self, root_dir):
        self.dir = root_dir
        self.state = os.path.join(root_dir, "state")
        self.meta_dir = os.path.join(root_dir, "metadata")
        self.targets_dir = os.path.join(root_dir, "targets")
        with open(os.path.join(self.state, "config.json")) as f:
            self.config = json.load(f)

    def load(self, role):
        return Metadata.from_file(os.path.join(self.state, f"{quote(role, '')}.json"))

    def save_state(self, role, md):
        md.to_file(os.path.join(self.state, f"{quote(role, '')}.json"), JSONSerializer())

    def signer(self, role):
        return load_signer(self.state, self.config["signers"][role])

    def publish(self, md, role, signers):
        md.signatures.clear()
        for s in signers:
            md.sign(s, append=True)
        self.save_state(role, md)
        consistent = self.config["consistent"]
        if role == "root":
            name = f"{md.signed.version}.root.json"
        elif role == "timestamp" or not consistent:
            name = f"{quote(role, '')}.json"
        else:
            name = f"{md.signed.version}.{quote(role, '')}.json"
        data = md.to_bytes(JSONSerializer())
        with open(os.path.join(self.meta_dir, name), "wb") as f:
            f.write(data)
        return data

    def publish_all_targets_and_below(self, changed_roles):
        """Re-sign changed targets roles, then snapshot and timestamp."""
        snapshot = self.load("snapshot")
        for role in changed_roles:
            md = self.load(role)
            md.signed.version += 1
            data = self.publish(md, role, [self.signer(role)])
            snapshot.signed.meta[f"{role}.json"] = self.metafile(md.signed.version, data)
        snapshot.signed.version += 1
        data = self.publish(snapshot, "snapshot", [self.signer("snapshot")])
        ts = self.load("timestamp")
        ts.signed.version += 1
        ts.signed.snapshot_meta = self.metafile(snapshot.signed.version, data)
        self.publish(ts, "timestamp", [self.signer("timestamp")])

    def metafile(self, version, data):
        if self.config["meta_hashes"]:
            return MetaFile.from_data(version, data, ["sha256"])
        return MetaFile(version=version)

    def write_target(self, name, content):
        tf = TargetFile.from_data(name, content, ["sha256"])
        path = name
        if self.config["consistent"]:
            d, _, b = name.rpartition("/")
            path = f"{d}/{tf.hashes['sha256']}.{b}" if d else f"{tf.hashes['sha256']}.{b}"
        full = os.path.join(self.targets_dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(content)
        return tf


def init(args):
    state = os.path.join(args.dir, "state")
    for d in ("state", "metadata", "targets"):
        os.makedirs(os.path.join(args.dir, d), exist_ok=True)
    config = {
        "consistent": not args.no_consistent,
        "meta_hashes": args.meta_hashes,
        "signers": {},
        "bits": args.hash_bins,
    }
    signers = {}
    for role in ("root", "timestamp", "snapshot", "targets"):
        signers[role] = new_signer(args.key_type)
        save_signer(state, role, signers[role])
        config["signers"][role] = role
    with open(os.path.join(state, "config.json"), "w") as f:
        json.dump(config, f)
    repo = Repo(args.dir)

    root = Root(expires=FAR, consistent_snapshot=config["consistent"])
    for role, s in signers.items():
        root.add_key(s.public_key, role)
    targets = Targets(expires=FAR)
    delegated = {}
    if args.hash_bins:
        bins_signer = new_signer("ed25519")
        save_signer(state, "bins", bins_signer)
        succinct = SuccinctRoles([bins_signer.public_key.keyid], 1, args.hash_bins, "bins")
        targets.delegations = Delegations(
            keys={bins_signer.public_key.keyid: bins_signer.public_key},
            roles=None,
            succinct_roles=succinct,
        )
        for name in succinct.get_roles():
            config["signers"][name] = "bins"
            delegated[name] = Targets(expires=FAR)
    for spec in args.delegate:
        name, pattern = spec.split(":", 1)
        s = new_signer("ed25519")
        save_signer(state, f"role-{len(delegated)}", s)
        config["signers"][name] = f"role-{len(delegated)}"
        if targets.delegations is None:
            targets.delegations = Delegations(keys={}, roles={})
        targets.delegations.keys[s.public_key.keyid] = s.public_key
        targets.delegations.roles[name] = DelegatedRole(
            name, [s.public_key.keyid], 1, False, paths=[pattern]
        )
        delegated[name] = Targets(expires=FAR)
    with open(os.path.join(state, "config.json"), "w") as f:
        json.dump(config, f)
    repo = Repo(args.dir)

    for i in range(args.targets):
        name = f"files/file-{i}.txt"
        tf = repo.write_target(name, f"content {i}\n".encode())
        if args.hash_bins:
            bin_name = targets.delegations.succinct_roles.get_role_for_target(name)
            delegated[bin_name].targets[name] = tf
        else:
            targets.targets[name] = tf

    snapshot = Snapshot(expires=FAR)
    for name, md in delegated.items():
        data = repo.publish(Metadata(md), name, [repo.signer(name)])
        snapshot.meta[f"{name}.json"] = repo.metafile(md.version, data)
    data = repo.publish(Metadata(targets), "targets", [signers["targets"]])
    snapshot.meta["targets.json"] = repo.metafile(targets.version, data)
    data = repo.publish(Metadata(snapshot), "snapshot", [signers["snapshot"]])
    ts = Timestamp(expires=FAR, snapshot_meta=repo.metafile(snapshot.version, data))
    repo.publish(Metadata(ts), "timestamp", [signers["timestamp"]])
    repo.publish(Metadata(root), "root", [signers["root"]])


def add_target(args):
    repo = Repo(args.dir)
    content = args.content.encode()
    tf = repo.write_target(args.name, content)
    role = "targets"
    if repo.config["bits"]:
        targets = repo.load("targets")
        role = targets.signed.delegations.succinct_roles.get_role_for_target(args.name)
    md = repo.load(role)
    md.signed.targets[args.name] = tf
    repo.save_state(role, md)
    repo.publish_all_targets_and_below([role])


def rotate_root(args):
    repo = Repo(args.dir)
    root = repo.load("root")
    old = repo.signer("root")
    new = new_signer("ed25519")
    save_signer(repo.state, "root-2", new)
    root.signed.revoke_key(old.public_key.keyid, "root")
    root.signed.add_key(new.public_key, "root")
    root.signed.version += 1
    repo.config["signers"]["root"] = "root-2"
    with open(os.path.join(repo.state, "config.json"), "w") as f:
        json.dump(repo.config, f)
    repo.publish(root, "root", [old, new])


def expire_timestamp(args):
    repo = Repo(args.dir)
    ts = repo.load("timestamp")
    ts.signed.version += 1
    if args.in_days is None:
        ts.signed.expires = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    else:
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        ts.signed.expires = now + datetime.timedelta(days=args.in_days)
    repo.publish(ts, "timestamp", [repo.signer("timestamp")])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("init")
    p.add_argument("--key-type", default="ed25519")
    p.add_argument("--no-consistent", action="store_true")
    p.add_argument("--hash-bins", type=int, default=0)
    p.add_argument("--delegate", action="append", default=[])
    p.add_argument("--targets", type=int, default=3)
    p.add_argument("--meta-hashes", action="store_true")
    p = sub.add_parser("add-target")
    p.add_argument("name")
    p.add_argument("content")
    sub.add_parser("rotate-root")
    p = sub.add_parser("expire-timestamp")
    p.add_argument("--in-days", type=int, default=None)
    args = ap.parse_args()
    {"init": init, "add-target": add_target, "rotate-root": rotate_root,
     "expire-timestamp": expire_timestamp}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
