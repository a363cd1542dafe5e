//! Attestation bundles from untrusted bytes: reading envelopes (JSON or JSON Lines) and
//! checking statements never panics, and random input never verifies.
#![no_main]

use custody_crypto::keys::PublicKey;
use custody_crypto::threshold::{Keyring, Threshold};
use custody_intoto::attestation::{StatementQuery, read_envelopes, verify_statement};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keyring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(|| {
        let json = serde_json::json!({
            "keytype": "ed25519",
            "scheme": "ed25519",
            "keyval": {"public": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"},
        });
        Keyring::new([PublicKey::from_sslib_json(&json).expect("RFC 8032 test key")]).expect("one key")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(envelopes) = read_envelopes(data) else {
        return;
    };
    let query = StatementQuery {
        subject_digest: Some(("sha256".into(), "00".repeat(32))),
        predicate_type: Some("https://slsa.dev/provenance/v1".into()),
    };
    for env in &envelopes {
        let one = Threshold::new(1).expect("nonzero");
        assert!(verify_statement(env, keyring(), one, &query).is_err());
        assert!(verify_statement(env, keyring(), one, &StatementQuery::default()).is_err());
    }
});
