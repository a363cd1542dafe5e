#!/usr/bin/env python3
"""Record what sequoia-git (`sq-git log`) says about a set of small histories, for
crates/custody-git/tests/sq_git.rs to compare custody's verdicts with.

sq-git takes long to build, so it is run here once, by hand, never in CI:

    cargo install sequoia-git --version 0.6.0 --locked --root /tmp/sqgit
    testdata/source/sq-git/record.py /tmp/sqgit/bin/sq-git

It writes history.bundle (every case as a branch) and expected.json (sq-git's verdict per
case, with its output) next to this script. Needs git, gpg and ssh-keygen.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(args, cwd=None, env=None, input=None, check=True):
    result = subprocess.run(
        args, cwd=cwd, env=env, input=input, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        sys.exit(f"{args}: exit {result.returncode}\n{result.stderr}")
    return result


class Keys:
    """OpenPGP keys made by gpg in a home of their own, and SSH keys by ssh-keygen."""

    def __init__(self, root: Path):
        self.home = root / "gnupg"
        self.home.mkdir(mode=0o700)
        self.env = dict(os.environ, GNUPGHOME=str(self.home))
        self.fpr = {}
        self.root = root

    def gpg(self, *args, input=None):
        return run(
            ["gpg", "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", "", *args],
            env=self.env,
            input=input,
        )

    def generate(self, name, email):
        self.gpg("--quick-gen-key", f"{name} <{email}>", "ed25519", "sign", "never")
        out = self.gpg("--with-colons", "--list-keys", email).stdout
        fpr = next(l.split(":")[9] for l in out.splitlines() if l.startswith("fpr:"))
        self.fpr[name] = fpr
        return fpr

    def export(self, name):
        return self.gpg("--armor", "--export", self.fpr[name]).stdout

    def revoked_export(self, name):
        """The certificate with gpg's stored revocation (no reason given: a hard
        revocation), merged in a scratch home so the signing home can still sign."""
        rev = (self.home / "openpgp-revocs.d" / f"{self.fpr[name]}.rev").read_text()
        rev = "\n".join(l[1:] if l.startswith(":") else l for l in rev.splitlines())
        scratch = Path(tempfile.mkdtemp(dir=self.root))
        scratch.chmod(0o700)
        env = dict(os.environ, GNUPGHOME=str(scratch))
        run(["gpg", "--batch", "--import"], env=env, input=self.export(name))
        run(["gpg", "--batch", "--import"], env=env, input=rev)
        return run(["gpg", "--batch", "--armor", "--export", self.fpr[name]], env=env).stdout

    def ssh(self, name):
        key = self.root / f"{name}_ssh"
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)])
        return key


def custody_policy(people):
    """`.custody/policy.toml`: people is [(name, email, role, key entry)]."""
    text = "version = 1\n"
    for name, email, role, key in people:
        text += f'\n[[people]]\nname = "{name}"\nemail = "{email}"\nrole = "{role}"\nkeys = [{key}]\n'
    return text + '\n[[rules]]\nrefs = ["**"]\n'


def sq_git_policy(people):
    """`openpgp-policy.toml`: people is [(name, certificate, maintainer?)]."""
    text = "version = 0\ncommit_goodlist = []\n"
    for name, cert, maintainer in people:
        text += f'\n[authorization."{name}"]\nsign_commit = true\n'
        if maintainer:
            text += "sign_tag = true\nsign_archive = true\nadd_user = true\nretire_user = true\naudit = true\n"
        text += f'keyring = """\n{cert.strip()}\n"""\n'
    return text


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sq_git = sys.argv[1]
    r = run([sq_git, "version"])
    version = (r.stdout + r.stderr).strip().splitlines()[0]
    root = Path(tempfile.mkdtemp())
    try:
        keys = Keys(root)
        for name, email in [
            ("alice", "alice@example.org"),
            ("bob", "bob@example.org"),
            ("dave", "dave@example.org"),
            ("erin", "erin@example.org"),
            ("mallory", "mallory@example.org"),
        ]:
            keys.generate(name, email)
        carol_ssh = keys.ssh("carol")
        certs = {n: keys.export(n) for n in keys.fpr}
        dave_revoked = keys.revoked_export("dave")

        work = root / "work"
        run(["git", "init", "-q", "-b", "main", str(work)])

        def git(*args, who="alice", email=None, ssh=None, env_extra=None):
            env = dict(keys.env)
            env.update(
                GIT_AUTHOR_NAME=who,
                GIT_AUTHOR_EMAIL=email or f"{who}@example.org",
                GIT_COMMITTER_NAME=who,
                GIT_COMMITTER_EMAIL=email or f"{who}@example.org",
            )
            config = ["-c", "commit.gpgsign=false"]
            if ssh:
                config += ["-c", "gpg.format=ssh", "-c", f"user.signingkey={ssh}"]
            elif who in keys.fpr:
                config += ["-c", f"user.signingkey={keys.fpr[who]}"]
            return run(["git", *config, *args], cwd=work, env=env).stdout.strip()

        def commit(message, who, sign=True, email=None, ssh=None, files=None):
            for path, text in (files or {}).items():
                (work / path).parent.mkdir(parents=True, exist_ok=True)
                (work / path).write_text(text)
            git("add", "-A", who=who)
            git(
                "commit", "-q", "--allow-empty", *(["-S"] if sign else []), "-m", message,
                who=who, email=email, ssh=ssh,
            )
            return git("rev-parse", "HEAD")

        def pgp(name):
            return f'{{ openpgp = """\n{certs[name].strip()}\n""" }}'

        carol_pub = (root / "carol_ssh.pub").read_text().strip()
        team = [
            ("alice", "alice@example.org", "owner", pgp("alice")),
            ("bob", "bob@example.org", "developer", pgp("bob")),
            ("carol", "carol@example.org", "developer", f'{{ ssh = "{carol_pub}" }}'),
            ("dave", "dave@example.org", "developer",
             f'{{ openpgp = """\n{dave_revoked.strip()}\n""" }}'),
        ]
        sq_team = [
            ("alice", certs["alice"], True),
            ("bob", certs["bob"], False),
            ("dave", dave_revoked, False),
        ]

        def policies(custody_people, sq_people):
            return {
                ".custody/policy.toml": custody_policy(custody_people),
                "openpgp-policy.toml": sq_git_policy(sq_people),
            }

        trust_root = commit("policies", "alice", files=policies(team, sq_team))
        base = commit("bob's first change", "bob", files={"a.txt": "a\n"})

        cases = []

        def case(name, what, build):
            git("checkout", "-q", "-b", name, base)
            build()
            cases.append({"case": name, "what": what, "tip": git("rev-parse", "HEAD")})
            git("checkout", "-q", "main")

        case("signed-by-a-committer", "a commit signed by a key the policy authorises",
             lambda: commit("work", "bob", files={"b.txt": "b\n"}))
        case("unsigned", "an unsigned commit",
             lambda: commit("work", "bob", sign=False, files={"b.txt": "b\n"}))
        case("unknown-key", "signed by a key that is not in the policy",
             lambda: commit("work", "mallory", files={"b.txt": "b\n"}))
        case("hard-revoked-key", "signed by a key whose certificate in the policy is hard revoked",
             lambda: commit("work", "dave", files={"b.txt": "b\n"}))
        case("user-added-by-a-committer",
             "a committer adds a key to the policy (neither policy lets them)",
             lambda: commit("add mallory", "bob", files=policies(
                 team + [("mallory", "mallory@example.org", "developer", pgp("mallory"))],
                 sq_team + [("mallory", certs["mallory"], False)])))

        def added_by_owner():
            commit("add erin", "alice", files=policies(
                team + [("erin", "erin@example.org", "developer", pgp("erin"))],
                sq_team + [("erin", certs["erin"], False)]))
            commit("erin's work", "erin", files={"e.txt": "e\n"})
        case("user-added-by-an-owner", "the owner adds a key; its holder then commits",
             added_by_owner)

        def retired():
            commit("retire bob", "alice", files=policies(
                [p for p in team if p[0] != "bob"], [p for p in sq_team if p[0] != "bob"]))
            commit("bob's work after leaving", "bob", files={"r.txt": "r\n"})
        case("retired-user", "the owner removes a key; its holder then commits", retired)

        case("committer-not-the-key-holder",
             "signed by bob's authorised key, with alice as the committer",
             lambda: commit("work", "bob", email="alice@example.org", files={"b.txt": "b\n"}))

        def merge_of_unsigned():
            git("checkout", "-q", "-b", "side-unsigned", base)
            commit("unsigned side work", "bob", sign=False, files={"s.txt": "s\n"})
            git("checkout", "-q", "merge-of-unsigned-work")
            git("merge", "-q", "--no-ff", "-S", "-m", "merge side work", "side-unsigned", who="bob")
        case("merge-of-unsigned-work",
             "a signed merge of a branch whose commit is unsigned", merge_of_unsigned)

        case("ssh-signed", "signed with an SSH key that custody's policy lists",
             lambda: commit("work", "carol", ssh=str(carol_ssh), files={"c.txt": "c\n"}))

        for c in cases:
            env = dict(keys.env, RUST_BACKTRACE="0", RUST_LIB_BACKTRACE="0")
            r = run([sq_git, "log", "--trust-root", trust_root, c["tip"]],
                    cwd=work, env=env, check=False)
            c["sq_git"] = {
                "exit": r.returncode,
                "authenticated": r.returncode == 0,
                "output": (r.stdout + r.stderr).strip().splitlines()[-12:],
            }

        git("branch", "-D", "side-unsigned")
        out = HERE / "history.bundle"
        git("bundle", "create", "-q", str(out), "--all")
        expected = {
            "sq_git_version": version,
            "trust_root": trust_root,
            "cases": cases,
        }
        (HERE / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
        for c in cases:
            print(f"{c['case']:<32} sq-git: {'authenticated' if c['sq_git']['authenticated'] else 'rejected'}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
