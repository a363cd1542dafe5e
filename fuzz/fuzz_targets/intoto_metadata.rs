//! in-toto metadata from untrusted bytes (Metablock or DSSE), and links read from it:
//! never panic; what parses writes back and parses to the same thing; random input never
//! verifies.
#![no_main]

use custody_crypto::keys::PublicKey;
use custody_crypto::threshold::{Keyring, Threshold};
use custody_intoto::link::Link;
use custody_intoto::metadata::Metadata;
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
    let Ok(m) = Metadata::from_bytes(data) else {
        return;
    };
    let again = Metadata::from_bytes(&m.to_bytes()).expect("own output parses");
    assert_eq!(again, m);
    if let Ok(signed) = m.signed_unverified()
        && let Ok(link) = Link::from_value(&signed)
    {
        assert_eq!(
            Link::from_value(&link.to_value()).expect("own link parses"),
            link
        );
    }
    let _ = m.signature_key_ids();
    assert!(
        m.verify(keyring(), Threshold::new(1).expect("nonzero"))
            .is_err()
    );
});
