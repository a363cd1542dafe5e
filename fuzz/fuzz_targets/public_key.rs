//! Public keys from untrusted bytes (PEM or securesystemslib JSON): never panic; whatever
//! parses re-encodes and parses back to the same key.
#![no_main]

use custody_crypto::keys::PublicKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = PublicKey::from_bytes(data, None) {
        let pem = key.to_spki_pem().expect("a parsed key encodes");
        let back =
            PublicKey::from_bytes(pem.as_bytes(), Some(key.scheme())).expect("own PEM parses");
        assert!(back.same_material(&key));
        let json = key.to_sslib_json_value(false).expect("json");
        let again = PublicKey::from_sslib_json(&json).expect("own JSON parses");
        assert!(again.same_material(&key));
    }
});
