//! Declared license texts (untrusted: from lockfiles and SBOMs) → the policy's verdict:
//! never a panic, and an allowed verdict under an empty policy for every text that parses.
#![no_main]

use custody_license::{LicensePolicy, Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let licenses: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let open = LicensePolicy::default();
    let strict = LicensePolicy {
        allow: vec!["MIT".into(), "Apache-2.0".into(), "GPL-2.0-or-later".into()],
        deny: vec!["ISC".into()],
        deny_categories: vec!["Copyleft".into()],
        ..LicensePolicy::default()
    };
    match open.judge(&licenses) {
        Verdict::Denied { .. } => panic!("an empty policy denies nothing"),
        Verdict::Allowed { .. } | Verdict::Invalid { .. } | Verdict::Undeclared => {}
    }
    let _ = strict.judge(&licenses);
});
