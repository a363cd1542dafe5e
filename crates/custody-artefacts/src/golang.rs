//! Go: module zips and unpacked modules in Go's module cache against `go.sum`'s `h1:`
//! hashes ([`crate::dirhash`]). The cache keeps `cache/download/<module>/@v/<version>.zip`
//! and the unpacked `<module>@<version>/`, both with upper-case letters escaped as `!`
//! and the lower-case letter. A build reads the unpacked directory, so both are checked.
//! Go's own `.ziphash` record next to the zip is not read.

use crate::dirhash::{DirhashError, hash_dir, hash_zip};
use crate::{ArtefactKind, Check, Locations, Status};
use custody_sbom::component::{Component, Hash, Project};
use std::path::Path;

/// A module path or version as the module cache spells it: `!` before each upper-case
/// letter, which becomes lower case (so that case-insensitive file systems keep
/// `github.com/Azure` and `github.com/azure` apart).
#[must_use]
pub fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 4);
    for ch in path.chars() {
        if ch.is_ascii_uppercase() {
            out.push('!');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

pub(crate) fn verify(
    project: &Project,
    components: &[&Component],
    locations: &Locations,
) -> Vec<Check> {
    let Some(cache) = locations.go_mod_cache.as_deref() else {
        return components
            .iter()
            .map(|c| Check::new(project, c, Status::Absent).detail("no Go module cache"))
            .collect();
    };
    let mut checks = Vec::new();
    for c in components {
        let module = escape(&c.name);
        let version = escape(&c.version);
        let zip = cache
            .join("cache/download")
            .join(&module)
            .join("@v")
            .join(format!("{version}.zip"));
        let dir = cache.join(format!("{module}@{version}"));
        let mut found = false;
        if zip.is_file() {
            found = true;
            let result = std::fs::File::open(&zip)
                .map_err(|e| DirhashError::Io(e.to_string()))
                .and_then(|f| hash_zip(std::io::BufReader::new(f)));
            checks.push(judge(project, c, &zip, ArtefactKind::GoModuleZip, result));
        }
        if dir.is_dir() {
            found = true;
            let result = hash_dir(&dir, &format!("{}@{}", c.name, c.version));
            checks.push(judge(project, c, &dir, ArtefactKind::GoModuleDir, result));
        }
        if !found {
            checks.push(Check::new(project, c, Status::Absent));
        }
    }
    checks
}

fn judge(
    project: &Project,
    c: &Component,
    path: &Path,
    kind: ArtefactKind,
    result: Result<Hash, DirhashError>,
) -> Check {
    let check = Check::new(project, c, Status::Verified).artefact(path, kind);
    match result {
        Ok(h) if c.hashes.contains(&h) => Check {
            actual: Some(h),
            ..check
        },
        Ok(h) => Check {
            status: Status::Mismatch,
            actual: Some(h),
            ..check
        },
        Err(e) => Check {
            status: Status::Unreadable,
            ..check
        }
        .detail(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_upper_case() {
        assert_eq!(
            escape("github.com/Azure/azure-sdk-for-go"),
            "github.com/!azure/azure-sdk-for-go"
        );
        assert_eq!(escape("v1.0.0-RC1"), "v1.0.0-!r!c1");
        assert_eq!(escape("golang.org/x/text"), "golang.org/x/text");
    }
}
