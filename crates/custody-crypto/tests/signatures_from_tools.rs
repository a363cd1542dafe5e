//! SSH and OpenPGP signatures made by the real tools (`ssh-keygen -Y sign`, `gpg`), checked
//! by custody: what verifies, and every way a signature must be refused.

use custody_crypto::openpgp::{Certificate, DetachedSignature, PgpError};
use custody_crypto::sshsig::{SshPublicKey, SshSigError, SshSignature};
use std::path::Path;
use std::process::Command;

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("tool runs (installed by scripts/test)");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ssh_key(dir: &Path, name: &str, kind: &[&str]) -> (SshPublicKey, std::path::PathBuf) {
    let path = dir.join(name);
    run(Command::new("ssh-keygen")
        .args(kind)
        .args(["-q", "-N", "", "-C", name, "-f"])
        .arg(&path));
    let line = std::fs::read_to_string(path.with_extension("pub")).expect("pub");
    (SshPublicKey::from_openssh(&line).expect("parse"), path)
}

fn ssh_sign(dir: &Path, key: &Path, namespace: &str, data: &[u8]) -> SshSignature {
    let file = dir.join("message");
    std::fs::write(&file, data).expect("write");
    run(Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", namespace, "-f"])
        .arg(key)
        .arg(&file));
    let sig = std::fs::read(dir.join("message.sig")).expect("sig");
    std::fs::remove_file(dir.join("message.sig")).expect("rm");
    SshSignature::from_armored(&sig).expect("parse signature")
}

#[test]
fn ssh_signatures_of_every_supported_key_type_verify() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (name, kind) in [
        ("ed", &["-t", "ed25519"][..]),
        ("ec", &["-t", "ecdsa", "-b", "256"][..]),
        ("rsa", &["-t", "rsa", "-b", "3072"][..]),
    ] {
        let (public, private) = ssh_key(tmp.path(), name, kind);
        let sig = ssh_sign(tmp.path(), &private, "git", b"tree 1234\n\ncommit\n");
        assert_eq!(sig.claimed_signer(), public, "{name}");
        assert_eq!(sig.namespace(), "git");
        sig.verify(&public, "git", b"tree 1234\n\ncommit\n")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            sig.verify(&public, "git", b"tree 1234\n\ncommit!\n"),
            Err(SshSigError::Invalid),
            "{name}: changed data"
        );
        // The fingerprint is the one ssh-keygen prints.
        let listed = run(Command::new("ssh-keygen")
            .arg("-lf")
            .arg(private.with_extension("pub")));
        let listed = String::from_utf8_lossy(&listed);
        assert!(listed.contains(&public.fingerprint()), "{listed}");
    }
}

#[test]
fn ssh_signatures_for_another_namespace_or_by_another_key_are_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (alice, alice_key) = ssh_key(tmp.path(), "alice", &["-t", "ed25519"]);
    let (bob, _) = ssh_key(tmp.path(), "bob", &["-t", "ed25519"]);
    let file_sig = ssh_sign(tmp.path(), &alice_key, "file", b"data");
    assert!(matches!(
        file_sig.verify(&alice, "git", b"data"),
        Err(SshSigError::Namespace { .. })
    ));
    let sig = ssh_sign(tmp.path(), &alice_key, "git", b"data");
    assert!(matches!(
        sig.verify(&bob, "git", b"data"),
        Err(SshSigError::OtherKey { .. })
    ));
    assert!(
        SshSignature::from_armored(
            b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"
        )
        .is_err()
    );
    assert!(SshPublicKey::from_openssh("ssh-ed25519 not-base64").is_err());
}

/// A gpg home of its own, with no agent passphrase prompts.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Self {
        let home = tempfile::tempdir().expect("tmp");
        Self { home }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", self.home.path()).args([
            "--batch",
            "--quiet",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ]);
        c
    }

    /// A new key; returns its fingerprint.
    fn generate(&self, uid: &str, algo: &str, usage: &str, expire: &str) -> String {
        run(self
            .cmd()
            .args(["--quick-gen-key", uid, algo, usage, expire]));
        self.fingerprint(uid)
    }

    fn fingerprint(&self, uid: &str) -> String {
        let out = run(self.cmd().args(["--with-colons", "--list-keys", uid]));
        String::from_utf8_lossy(&out)
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|l| l.trim_matches(':').to_owned())
            .expect("fingerprint")
    }

    fn export(&self, fpr: &str) -> Certificate {
        let armored = run(self.cmd().args(["--armor", "--export", fpr]));
        Certificate::parse(&armored).expect("certificate")
    }

    fn sign(&self, fpr: &str, data: &[u8]) -> DetachedSignature {
        let file = self.home.path().join("data");
        std::fs::write(&file, data).expect("write");
        // What git runs: gpg --status-fd=2 -bsau <key>.
        let sig = run(self.cmd().args(["-bsau", fpr, "-o", "-"]).arg(&file));
        DetachedSignature::parse(&sig).expect("signature")
    }
}

#[test]
fn openpgp_signatures_of_every_supported_key_type_verify() {
    let gpg = Gpg::new();
    for (uid, algo) in [
        ("Ed <ed@example.org>", "ed25519"),
        ("Rsa <rsa@example.org>", "rsa3072"),
        ("Ec <ec@example.org>", "nistp256"),
    ] {
        let fpr = gpg.generate(uid, algo, "sign", "0");
        let cert = gpg.export(&fpr);
        assert_eq!(cert.fingerprint(), fpr);
        assert_eq!(cert.user_ids(), [uid]);
        let sig = gpg.sign(&fpr, b"tree abc\nauthor x\n\nmessage\n");
        let verified = sig
            .verify(&cert, b"tree abc\nauthor x\n\nmessage\n", None)
            .unwrap_or_else(|e| panic!("{algo}: {e}"));
        assert_eq!(verified.primary, fpr);
        assert_eq!(verified.signing_key, fpr);
        assert_eq!(
            sig.verify(&cert, b"tree abc\nauthor y\n\nmessage\n", None),
            Err(PgpError::Invalid),
            "{algo}: changed data"
        );
    }
}

#[test]
fn openpgp_signing_subkeys_are_used_and_other_certificates_refused() {
    let gpg = Gpg::new();
    let fpr = gpg.generate("Sub <sub@example.org>", "ed25519", "cert", "0");
    run(gpg
        .cmd()
        .args(["--quick-add-key", &fpr, "ed25519", "sign", "0"]));
    let cert = gpg.export(&fpr);
    assert_eq!(cert.key_fingerprints().len(), 2);
    let sig = gpg.sign(&fpr, b"data");
    let verified = sig.verify(&cert, b"data", None).expect("verify");
    assert_eq!(verified.primary, fpr);
    assert_ne!(verified.signing_key, fpr, "made by the signing subkey");
    assert!(cert.key_fingerprints().contains(&verified.signing_key));

    let other = gpg.generate("Other <other@example.org>", "ed25519", "sign", "0");
    let other_cert = gpg.export(&other);
    assert!(!sig.names_key_of(&other_cert));
    assert!(matches!(
        sig.verify(&other_cert, b"data", None),
        Err(PgpError::UnknownSigner { .. })
    ));
}

#[test]
fn openpgp_expired_and_revoked_keys_cannot_sign() {
    let gpg = Gpg::new();
    let fpr = gpg.generate("Exp <exp@example.org>", "ed25519", "sign", "1d");
    let cert = gpg.export(&fpr);
    let sig = gpg.sign(&fpr, b"data");
    let now = sig.created().expect("created");
    sig.verify(&cert, b"data", Some(now + 3600))
        .expect("valid within the day");
    assert!(matches!(
        sig.verify(&cert, b"data", Some(now + 2 * 86_400)),
        Err(PgpError::KeyNotValid { .. })
    ));
    assert!(matches!(
        sig.verify(&cert, b"data", Some(cert.created() - 10)),
        Err(PgpError::KeyNotValid { .. })
    ));

    // gpg keeps a revocation certificate for every key it makes; importing it revokes.
    let fpr = gpg.generate("Rev <rev@example.org>", "ed25519", "sign", "0");
    let sig = gpg.sign(&fpr, b"data");
    gpg.export(&fpr);
    let rev = std::fs::read_to_string(
        gpg.home
            .path()
            .join("openpgp-revocs.d")
            .join(format!("{fpr}.rev")),
    )
    .expect("revocation certificate");
    let rev: String = rev
        .lines()
        .map(|l| l.strip_prefix(':').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let rev_file = gpg.home.path().join("rev.asc");
    std::fs::write(&rev_file, rev).expect("write");
    run(gpg.cmd().arg("--import").arg(&rev_file));
    let revoked = gpg.export(&fpr);
    assert!(matches!(
        sig.verify(&revoked, b"data", None),
        Err(PgpError::KeyNotValid { .. })
    ));
}

#[test]
fn openpgp_garbage_is_malformed_not_a_panic() {
    for input in [
        &b""[..],
        b"\x00\x01",
        b"\xc2\x05\x04\x00",
        b"-----BEGIN PGP SIGNATURE-----\n\n!!!\n-----END PGP SIGNATURE-----\n",
        b"-----BEGIN PGP SIGNATURE-----\n\nwsBzBAABCAAnBQJ=\n",
    ] {
        assert!(DetachedSignature::parse(input).is_err());
        assert!(Certificate::parse(input).is_err());
    }
}

/// `sq verify` (Sequoia) on the same certificate, signature and data: its verdict.
fn sq_accepts(dir: &Path, cert: &[u8], sig: &[u8], data: &[u8]) -> bool {
    let (c, s, d) = (dir.join("cert.asc"), dir.join("data.sig"), dir.join("data"));
    std::fs::write(&c, cert).expect("write");
    std::fs::write(&s, sig).expect("write");
    std::fs::write(&d, data).expect("write");
    Command::new("sq")
        .arg("verify")
        .arg("--signer-cert")
        .arg(&c)
        .arg("--detached")
        .arg(&s)
        .arg(&d)
        .output()
        .expect("sq runs (installed by scripts/test)")
        .status
        .success()
}

#[test]
fn openpgp_verdicts_agree_with_sequoia() {
    let gpg = Gpg::new();
    let tmp = tempfile::tempdir().expect("tmp");
    let export = |fpr: &str| run(gpg.cmd().args(["--armor", "--export", fpr]));
    let sign = |fpr: &str, data: &[u8]| {
        let file = gpg.home.path().join("to-sign");
        std::fs::write(&file, data).expect("write");
        run(gpg.cmd().args(["-bsau", fpr, "-o", "-"]).arg(&file))
    };
    let ed = gpg.generate("Ed <ed@example.org>", "ed25519", "sign", "0");
    let rsa = gpg.generate("Rsa <rsa@example.org>", "rsa3072", "sign", "0");
    let sub = gpg.generate("Sub <sub@example.org>", "ed25519", "cert", "0");
    run(gpg
        .cmd()
        .args(["--quick-add-key", &sub, "ed25519", "sign", "0"]));
    let ec = gpg.generate("Ec <ec@example.org>", "nistp256", "sign", "0");
    let revoked = gpg.generate("Rev <rev@example.org>", "ed25519", "sign", "0");
    let revoked_sig = sign(&revoked, b"data");
    let rev = std::fs::read_to_string(
        gpg.home
            .path()
            .join("openpgp-revocs.d")
            .join(format!("{revoked}.rev")),
    )
    .expect("revocation certificate");
    let rev: Vec<&str> = rev
        .lines()
        .map(|l| l.strip_prefix(':').unwrap_or(l))
        .collect();
    let rev_file = gpg.home.path().join("rev.asc");
    std::fs::write(&rev_file, rev.join("\n")).expect("write");
    run(gpg.cmd().arg("--import").arg(&rev_file));

    // (case, certificate, signature, data)
    type Case = (&'static str, Vec<u8>, Vec<u8>, Vec<u8>);
    let cases: Vec<Case> = vec![
        ("ed25519", export(&ed), sign(&ed, b"data"), b"data".to_vec()),
        (
            "rsa3072",
            export(&rsa),
            sign(&rsa, b"data"),
            b"data".to_vec(),
        ),
        (
            "signing subkey",
            export(&sub),
            sign(&sub, b"data"),
            b"data".to_vec(),
        ),
        ("p256", export(&ec), sign(&ec, b"data"), b"data".to_vec()),
        (
            "changed data",
            export(&ed),
            sign(&ed, b"data"),
            b"date".to_vec(),
        ),
        (
            "another certificate",
            export(&rsa),
            sign(&ed, b"data"),
            b"data".to_vec(),
        ),
        (
            "revoked key",
            export(&revoked),
            revoked_sig,
            b"data".to_vec(),
        ),
    ];
    for (name, cert, sig, data) in cases {
        let custody = Certificate::parse(&cert)
            .ok()
            .zip(DetachedSignature::parse(&sig).ok())
            .is_some_and(|(c, s)| s.verify(&c, &data, None).is_ok());
        let sequoia = sq_accepts(tmp.path(), &cert, &sig, &data);
        assert_eq!(custody, sequoia, "{name}: custody {custody}, sq {sequoia}");
    }
}

/// A remembered check stands only for its own key, signature and data: the arithmetic is
/// skipped for the same inputs, never for others, and validity is still judged each time.
#[test]
fn remembered_checks_count_only_for_the_same_inputs() {
    use custody_crypto::checked::CheckedSignatures;
    let tmp = tempfile::tempdir().expect("tmp");
    let memo = CheckedSignatures::new();
    let (alice, alice_key) = ssh_key(tmp.path(), "alice", &["-t", "ed25519"]);
    let (bob, _) = ssh_key(tmp.path(), "bob", &["-t", "ed25519"]);
    let sig = ssh_sign(tmp.path(), &alice_key, "git", b"data");
    assert_eq!(
        sig.verify_remembering(&alice, "git", b"other", Some(&memo)),
        Err(SshSigError::Invalid)
    );
    assert!(memo.is_empty(), "a failed check is not remembered");
    sig.verify_remembering(&alice, "git", b"data", Some(&memo))
        .expect("valid");
    sig.verify_remembering(&alice, "git", b"data", Some(&memo))
        .expect("still valid");
    assert_eq!(memo.len(), 1);
    assert_eq!(
        sig.verify_remembering(&alice, "git", b"other", Some(&memo)),
        Err(SshSigError::Invalid)
    );
    assert!(matches!(
        sig.verify_remembering(&alice, "custody-approval", b"data", Some(&memo)),
        Err(SshSigError::Namespace { .. })
    ));
    assert!(matches!(
        sig.verify_remembering(&bob, "git", b"data", Some(&memo)),
        Err(SshSigError::OtherKey { .. })
    ));

    let gpg = Gpg::new();
    let fpr = gpg.generate("Exp <exp@example.org>", "ed25519", "sign", "1d");
    let cert = gpg.export(&fpr);
    let sig = gpg.sign(&fpr, b"data");
    let now = sig.created().expect("created");
    sig.verify_remembering(&cert, b"data", Some(now), Some(&memo))
        .expect("valid");
    assert_eq!(memo.len(), 2);
    assert!(matches!(
        sig.verify_remembering(&cert, b"data!", Some(now), Some(&memo)),
        Err(PgpError::Invalid)
    ));
    // The arithmetic is remembered, the key's validity is not.
    assert!(matches!(
        sig.verify_remembering(&cert, b"data", Some(now + 2 * 86_400), Some(&memo)),
        Err(PgpError::KeyNotValid { .. })
    ));
    let other = gpg.generate("Other <other@example.org>", "ed25519", "sign", "0");
    assert!(matches!(
        sig.verify_remembering(&gpg.export(&other), b"data", Some(now), Some(&memo)),
        Err(PgpError::UnknownSigner { .. })
    ));
}
