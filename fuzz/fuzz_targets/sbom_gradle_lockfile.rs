//! gradle.lockfile text, and per-configuration lockfiles after NUL bytes (the format
//! before Gradle 6.8) → project → CycloneDX: never a panic; purls are unique and every
//! edge points at a component.
#![no_main]

use custody_sbom::gradle::{project_from_legacy, project_from_text};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\0');
    let lockfile = parts.next().unwrap_or_default();
    if let Ok(project) = project_from_text(lockfile, Path::new("gradle.lockfile")) {
        custody_fuzz::check_project(project);
    }
    let names = [
        "compileClasspath.lockfile",
        "testRuntimeClasspath.lockfile",
        "buildscript-classpath.lockfile",
        "annotationProcessor.lockfile",
    ];
    let legacy: Vec<(&str, &str)> = names.iter().copied().zip(parts).collect();
    if !legacy.is_empty()
        && let Ok(project) = project_from_legacy(&legacy, Path::new("gradle/dependency-locks"))
    {
        custody_fuzz::check_project(project);
    }
});
