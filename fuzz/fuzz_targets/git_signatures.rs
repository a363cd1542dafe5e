//! The signature formats `custody source verify` reads from commits and policies: OpenPGP
//! certificates and detached signatures, SSH signatures and public keys. The first byte
//! picks the parser. Never a panic; a parsed signature is also verified (against a fixed
//! certificate, or the key it names), which must fail or succeed cleanly.
#![no_main]

use custody_crypto::openpgp::{Certificate, DetachedSignature};
use custody_crypto::sshsig::{SshPublicKey, SshSignature};
use libfuzzer_sys::fuzz_target;

/// A certificate (ed25519 primary, ed25519 and RSA signing subkeys) made with gpg.
const CERT: &[u8] = include_bytes!("../data/git_signatures_cert.pgp");

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 4 {
        0 => {
            if let Ok(cert) = Certificate::parse(rest) {
                assert!(!cert.key_fingerprints().is_empty());
                assert_eq!(cert.fingerprint().len(), 40);
            }
        }
        1 => {
            if let Ok(sig) = DetachedSignature::parse(rest) {
                let cert = Certificate::parse(CERT).expect("the built-in certificate parses");
                let _ = sig.verify(&cert, b"data\n", None);
                let _ = sig.verify(&cert, b"data\n", Some(0));
            }
        }
        2 => {
            if let Ok(sig) = SshSignature::from_armored(rest) {
                let _ = sig.verify(&sig.claimed_signer(), "git", b"data\n");
            }
        }
        _ => {
            if let Ok(text) = std::str::from_utf8(rest)
                && let Ok(key) = SshPublicKey::from_openssh(text)
            {
                assert!(key.fingerprint().starts_with("SHA256:"));
                assert_eq!(SshPublicKey::from_openssh(&key.to_openssh()).ok(), Some(key));
            }
        }
    }
});
