//! DSSE envelopes from untrusted bytes: parse, serialise, re-parse, and verify against a
//! fixed key. Random input must never verify and never panic.
#![no_main]

use custody_crypto::dsse::Envelope;
use custody_crypto::keys::PublicKey;
use custody_crypto::threshold::{Keyring, Threshold};
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
    if let Ok(env) = Envelope::from_json(data) {
        let again = Envelope::from_json(&env.to_json()).expect("own output parses");
        assert_eq!(again, env);
        let threshold = Threshold::new(1).expect("nonzero");
        assert!(
            env.verify(keyring(), threshold).is_err(),
            "fuzzer cannot forge ed25519"
        );
    }
});
