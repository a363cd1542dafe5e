//! Signature verification throughput per scheme, through the public path every caller
//! uses (`verify_threshold` with a one-key keyring). `bench/verify.sh` runs this next to
//! python `cryptography` and prints the ratio.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use custody_crypto::keys::{KeyType, PrivateKey, Scheme};
use custody_crypto::threshold::{Keyring, SignatureEntry, Threshold, verify_threshold};
use std::hint::black_box;

/// A message the size of a typical in-toto link or TUF targets file's signed part.
const MESSAGE: [u8; 1024] = [0x5a; 1024];

fn key(kt: KeyType, scheme: Option<Scheme>) -> PrivateKey {
    let k = PrivateKey::generate(kt).expect("generate");
    match scheme {
        None => k,
        Some(s) => {
            let pem = k.to_pkcs8_pem(None).expect("encode");
            PrivateKey::from_pkcs8_pem(pem.as_bytes(), None, Some(s)).expect("decode")
        }
    }
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    let cases = [
        ("ed25519", key(KeyType::Ed25519, None)),
        ("ecdsa-p256", key(KeyType::EcdsaP256, None)),
        ("rsa-pss-3072", key(KeyType::Rsa, None)),
        (
            "rsa-pkcs1v15-3072",
            key(KeyType::Rsa, Some(Scheme::RsaPkcs1v15Sha256)),
        ),
    ];
    for (name, k) in &cases {
        let public = k.public_key();
        let ring = Keyring::new([public.clone()]).expect("ring");
        let sigs = [SignatureEntry {
            key_id: Some(public.key_id()),
            sig: k.sign(&MESSAGE).expect("sign"),
        }];
        let one = Threshold::new(1).expect("nonzero");
        group.bench_function(*name, |b| {
            b.iter(|| {
                verify_threshold((), black_box(&MESSAGE), black_box(&sigs), &ring, one)
                    .expect("valid")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
