//! go.mod text (and a go.sum after a NUL byte) → project → CycloneDX: never a panic;
//! purls are unique and every edge points at a component.
#![no_main]

use custody_sbom::golang::project_from_texts;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (go_mod, go_sum) = match text.split_once('\0') {
        Some((m, s)) => (m, Some((s, Path::new("go.sum")))),
        None => (text, None),
    };
    let Ok(project) = project_from_texts(go_mod, go_sum, Path::new("go.mod")) else {
        return;
    };
    custody_fuzz::check_project(project);
});
