//! Installed Python distributions → project → CycloneDX: never a panic; purls are unique
//! and every edge points at a component. The input is NUL-separated pairs of a METADATA
//! and a direct_url.json (empty: none); every other distribution is REQUESTED.
#![no_main]

use custody_sbom::dist_info::{DistInfo, project_from_dists};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parts: Vec<&str> = text.split('\0').collect();
    let dists: Vec<DistInfo<'_>> = parts
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| DistInfo {
            dir: "x-1.dist-info",
            metadata: pair[0],
            direct_url: pair.get(1).copied().filter(|u| !u.is_empty()),
            requested: i % 2 == 0,
        })
        .collect();
    let Ok(project) = project_from_dists(&dists, Path::new("site-packages")) else {
        return;
    };
    custody_fuzz::check_project(project);
});
