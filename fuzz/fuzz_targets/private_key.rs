//! Private keys from untrusted bytes: PEM label detection, PKCS#8 decoding, algorithm
//! dispatch. No passphrase is given, so encrypted inputs stop before key derivation.
#![no_main]

use custody_crypto::keys::PrivateKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = PrivateKey::from_pkcs8_pem(data, None, None) {
        let pem = key.to_pkcs8_pem(None).expect("a parsed key encodes");
        let back = PrivateKey::from_pkcs8_pem(pem.as_bytes(), None, None).expect("own PEM parses");
        assert_eq!(back.public_key(), key.public_key());
    }
});
