//! License text identification on hostile text: never a panic, scores within 0..=1,
//! line ranges inside the text.
#![no_main]

use custody_license::texts::LicenseTexts;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static TEXTS: LazyLock<Option<LicenseTexts>> = LazyLock::new(|| LicenseTexts::load().ok());

fuzz_target!(|data: &[u8]| {
    let Some(texts) = TEXTS.as_ref() else {
        panic!("the built-in license texts do not load");
    };
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1);
    for found in texts.identify(&text, 0.5) {
        assert!((0.0..=1.0).contains(&found.confidence), "{found:?}");
        assert!(
            found.lines.0 >= 1 && found.lines.0 <= found.lines.1,
            "{found:?}"
        );
        assert!(found.lines.1 <= lines + 1, "{found:?} in {lines} lines");
    }
});
