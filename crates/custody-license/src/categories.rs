//! The category of a license (ScanCode LicenseDB): what kind of obligations it carries.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/categories.tsv");

fn table() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(id, category)| (id.to_ascii_lowercase(), category))
            .collect()
    })
}

/// The category of an SPDX license or exception ID (case-insensitive), `None` when the
/// LicenseDB does not list it.
#[must_use]
pub fn category(id: &str) -> Option<&'static str> {
    table().get(&id.to_ascii_lowercase()).copied()
}

/// Every category name, sorted.
#[must_use]
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = table().values().copied().collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_licenses_have_their_categories() {
        assert_eq!(category("MIT"), Some("Permissive"));
        assert_eq!(category("apache-2.0"), Some("Permissive"));
        assert_eq!(category("GPL-3.0-only"), Some("Copyleft"));
        assert_eq!(category("LGPL-2.1-or-later"), Some("Copyleft Limited"));
        assert_eq!(category("MPL-2.0"), Some("Copyleft Limited"));
        assert_eq!(category("Unlicense"), Some("Public Domain"));
        assert_eq!(category("no-such-license"), None);
        assert!(names().contains(&"Copyleft"));
    }
}
