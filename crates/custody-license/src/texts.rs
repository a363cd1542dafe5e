//! License texts found in a source tree (`LICENSE`, `COPYING`, …) identified against
//! the SPDX License List's texts, with a confidence score: the declared license of a
//! package says what its authors meant; the text shipped with the code is what binds,
//! and a vendored directory often has only the text.
//!
//! The texts (702 licenses, deprecated IDs left out) are built into the binary
//! (`data/license-texts.json.gz`, made by `data/make-license-texts.py`). Matching is the
//! `spdx` crate's: normalised word bigrams compared by Dice coefficient, then narrowed
//! to the lines that match best, so a file holding several licenses (MIT and Apache-2.0
//! one after the other) or a license after a preamble is still identified, each with the
//! lines it spans.

use rayon::prelude::*;
use spdx::detection::scan::{ScanMode, Scanner};
use spdx::detection::{Store, TextData};
use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The license texts, compressed.
static TEXTS: &[u8] = include_bytes!("../data/license-texts.json.gz");

/// Confidence below which a match is not taken: the `spdx` crate's default, at which
/// near-identical licenses (BSD-2-Clause vs BSD-3-Clause) are still told apart.
pub const DEFAULT_THRESHOLD: f32 = 0.9;

/// A whole-text score at which the file is taken as that one license without looking
/// for others inside it (which takes much longer).
const NEAR_EXACT: f32 = 0.98;

/// Largest license file read.
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Why the texts could not be loaded (a damaged build, never the user's input).
#[derive(Debug, thiserror::Error)]
#[error("the built-in license texts cannot be read: {0}")]
pub struct TextsError(String);

/// The SPDX license texts, ready to match against.
pub struct LicenseTexts {
    store: Store,
    /// Words of each license's text.
    words: BTreeMap<String, usize>,
    /// Other IDs with the same text as an entry.
    equivalents: BTreeMap<String, Vec<String>>,
}

impl std::fmt::Debug for LicenseTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LicenseTexts")
            .field("licenses", &self.store.len())
            .finish()
    }
}

/// A license identified in a text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Identified {
    /// The SPDX license ID.
    pub license: String,
    /// Licenses with the same text (`GPL-2.0-or-later` for `GPL-2.0-only`): the text
    /// cannot tell them apart, a notice in the source files does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_text: Vec<String>,
    /// How well the text matches, 0 to 1.
    pub confidence: f32,
    /// The lines it spans, 1-based and inclusive.
    pub lines: (usize, usize),
}

impl LicenseTexts {
    /// Decompress the built-in texts and prepare them for matching (in parallel: some
    /// hundred milliseconds of work).
    ///
    /// # Errors
    /// The built-in data is damaged.
    pub fn load() -> Result<Self, TextsError> {
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(TEXTS)
            .read_to_end(&mut json)
            .map_err(|e| TextsError(e.to_string()))?;
        let texts: BTreeMap<String, String> =
            serde_json::from_slice(&json).map_err(|e| TextsError(e.to_string()))?;
        // Licenses with the very same text (GPL-2.0-only and GPL-2.0-or-later: the choice
        // is made in a file's notice, not in the license) are one entry, named by the
        // first ID, the others kept as equivalents; matching would otherwise pick one of
        // them at random.
        let mut by_text: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, text) in texts {
            by_text.entry(text).or_default().push(id);
        }
        let mut equivalents = BTreeMap::new();
        let unique: Vec<(String, String)> = by_text
            .into_iter()
            .filter_map(|(text, mut ids)| {
                ids.sort();
                let first = ids.first()?.clone();
                if ids.len() > 1 {
                    equivalents.insert(first.clone(), ids[1..].to_vec());
                }
                Some((first, text))
            })
            .collect();
        let prepared: Vec<(String, TextData, usize)> = unique
            .into_par_iter()
            .map(|(id, text)| {
                let words = word_count(&text);
                (id, TextData::new(&text).without_text(), words)
            })
            .collect();
        let mut store = Store::new();
        let mut words = BTreeMap::new();
        for (id, data, n) in prepared {
            words.insert(id.clone(), n);
            store.add_license(id, data);
        }
        Ok(Self {
            store,
            words,
            equivalents,
        })
    }

    fn same_text(&self, id: &str) -> Vec<String> {
        self.equivalents.get(id).cloned().unwrap_or_default()
    }

    /// How many licenses there are to match against.
    #[must_use]
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether there are none (never, for the built-in data).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// The licenses in `text` with a confidence of at least `threshold`: the whole text
    /// as one license when it is one, else each license found within it.
    #[must_use]
    pub fn identify(&self, text: &str, threshold: f32) -> Vec<Identified> {
        let data = TextData::new(text);
        let total_lines = data.lines().len().max(1);
        let whole = self.store.analyze(&data);
        // The license's text and not much more: nothing else fits in the file.
        let license_words = self.words.get(whole.name).copied().unwrap_or(0);
        // Not much longer than that license: no room for another one in the file.
        let extra = word_count(text).saturating_sub(license_words);
        let fits = extra <= (license_words / 20).max(30);
        if whole.score >= NEAR_EXACT.max(threshold) || (whole.score >= threshold && fits) {
            return vec![Identified {
                license: whole.name.to_owned(),
                same_text: self.same_text(whole.name),
                confidence: whole.score,
                lines: (1, total_lines),
            }];
        }
        // Top-down finds each license of a file that holds several, and one after a
        // preamble; the whole-text match scores a lone license most fairly.
        // The window moves by 5 lines, more in long files (an attribution file of several
        // hundred lines would otherwise take seconds).
        let step_size = (total_lines / 60).max(5);
        let top_down = Scanner::with_scan_mode(&self.store, ScanMode::TopDown { step_size })
            .confidence_threshold(threshold)
            .optimize(true);
        let parts = top_down.scan(&data);
        let mut found: Vec<Identified> = parts
            .containing
            .iter()
            .filter(|c| c.score >= threshold)
            .map(|c| Identified {
                license: c.license.name.to_owned(),
                same_text: self.same_text(c.license.name),
                confidence: c.score,
                lines: (c.line_range.0 + 1, c.line_range.1.max(c.line_range.0 + 1)),
            })
            .collect();
        if found.len() >= 2 {
            found.sort_by_key(|i| i.lines);
            return found;
        }
        if whole.score >= threshold {
            return vec![Identified {
                license: whole.name.to_owned(),
                same_text: self.same_text(whole.name),
                confidence: whole.score,
                lines: (1, total_lines),
            }];
        }
        found
    }

    /// The best match for `text` whatever its score: for saying how close an
    /// unidentified text came.
    #[must_use]
    pub fn closest(&self, text: &str) -> Option<Identified> {
        let data = TextData::new(text);
        let m = self.store.analyze(&data);
        (m.score > 0.0).then(|| Identified {
            license: m.name.to_owned(),
            same_text: self.same_text(m.name),
            confidence: m.score,
            lines: (1, data.lines().len().max(1)),
        })
    }
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Whether a file name is one license texts are kept under: `LICENSE`, `LICENCE`,
/// `COPYING`, `UNLICENSE`, with any extension or suffix (`LICENSE-MIT`, `COPYING.LESSER`,
/// `license.txt`), and `MIT-LICENSE`-style names.
#[must_use]
pub fn is_license_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split(['.', '-', '_']).next().unwrap_or_default();
    // An extension, if any, is a text format or a suffix such as COPYING.LESSER, never
    // source code (`license.rs`).
    let text_extension = match name.rsplit_once('.') {
        None => true,
        Some((_, ext)) => {
            [
                "txt", "md", "markdown", "rst", "html", "htm", "adoc", "asciidoc", "org", "text",
            ]
            .contains(&ext.to_ascii_lowercase().as_str())
                || (!ext.is_empty()
                    && ext
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        }
    };
    (text_extension && ["license", "licence", "copying", "unlicense"].contains(&stem))
        || lower.ends_with("-license")
        || lower.ends_with("-license.txt")
        || lower.ends_with("-license.md")
        || lower.ends_with(".license")
}

/// Directories never searched: build output and version control.
const SKIPPED_DIRS: &[&str] = &[".git", ".hg", ".svn", "target"];

/// One license file and what it was identified as.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LicenseFile {
    /// The file, relative to the scanned directory.
    pub path: PathBuf,
    /// Licenses identified, in the order they appear.
    pub licenses: Vec<Identified>,
    /// When nothing reached the threshold: the closest license and its score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<Identified>,
    /// Why it could not be read, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Every license file under `root` (dependencies' copies in `node_modules` and
/// `vendor` included: their texts are what ships), identified.
#[must_use]
pub fn scan_tree(root: &Path, texts: &LicenseTexts, threshold: f32) -> Vec<LicenseFile> {
    let mut files = Vec::new();
    collect(root, 0, &mut files);
    files.sort();
    files
        .par_iter()
        .map(|path| {
            let shown = path.strip_prefix(root).unwrap_or(path).to_owned();
            match read_text(path) {
                Ok(text) => {
                    let licenses = texts.identify(&text, threshold);
                    let closest = if licenses.is_empty() {
                        texts.closest(&text)
                    } else {
                        None
                    };
                    LicenseFile {
                        path: shown,
                        licenses,
                        closest,
                        error: None,
                    }
                }
                Err(e) => LicenseFile {
                    path: shown,
                    licenses: Vec::new(),
                    closest: None,
                    error: Some(e),
                },
            }
        })
        .collect()
}

fn read_text(path: &Path) -> Result<String, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > MAX_FILE {
        return Err(format!("{len} bytes, more than the {MAX_FILE} read"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn collect(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 64 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                collect(&entry.path(), depth + 1, out);
            }
        } else if file_type.is_file() && is_license_file(&name) {
            out.push(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static LOADED: LazyLock<LicenseTexts> =
        LazyLock::new(|| LicenseTexts::load().unwrap_or_else(|e| panic!("{e}")));

    fn text_of(id: &str) -> String {
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(TEXTS)
            .read_to_end(&mut json)
            .unwrap_or_else(|e| panic!("{e}"));
        let texts: BTreeMap<String, String> =
            serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{e}"));
        texts
            .get(id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not shipped"))
    }

    #[test]
    fn the_builtin_texts_load() {
        assert!(LOADED.len() > 650, "{}", LOADED.len());
    }

    #[test]
    fn a_filled_in_mit_license_is_mit() {
        let text = text_of("MIT")
            .replace("<year>", "2026")
            .replace("<copyright holders>", "The custody authors");
        let found = LOADED.identify(&text, DEFAULT_THRESHOLD);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].license, "MIT");
        assert!(found[0].confidence > 0.95, "{found:?}");
    }

    #[test]
    fn close_licenses_are_told_apart() {
        for id in [
            "BSD-2-Clause",
            "BSD-3-Clause",
            "GPL-2.0-only",
            "Apache-2.0",
            "MPL-2.0",
        ] {
            let found = LOADED.identify(&text_of(id), DEFAULT_THRESHOLD);
            let best = found
                .first()
                .map(|f| f.license.as_str())
                .unwrap_or("nothing");
            // The -only and -or-later variants share one text; either is right.
            let family = id.trim_end_matches("-only");
            assert!(best.starts_with(family), "{id} identified as {found:?}");
        }
    }

    #[test]
    fn two_licenses_in_one_file_are_both_found() {
        let text = format!(
            "This project is dual-licensed.\n\n{}\n\n----\n\n{}",
            text_of("MIT"),
            text_of("Apache-2.0")
        );
        let found: Vec<String> = LOADED
            .identify(&text, 0.8)
            .into_iter()
            .map(|i| i.license)
            .collect();
        assert!(found.contains(&"MIT".to_owned()), "{found:?}");
        assert!(found.iter().any(|l| l == "Apache-2.0"), "{found:?}");
    }

    #[test]
    fn prose_is_not_a_license() {
        let text = "This is the README of a project. It builds with cargo and has tests.\n";
        assert!(LOADED.identify(text, DEFAULT_THRESHOLD).is_empty());
    }

    #[test]
    fn license_file_names() {
        for yes in [
            "LICENSE",
            "LICENSE-MIT",
            "license.txt",
            "COPYING.LESSER",
            "LICENCE.md",
            "MIT-LICENSE",
            "UNLICENSE",
            "foo.LICENSE",
        ] {
            assert!(is_license_file(yes), "{yes}");
        }
        for no in [
            "README.md",
            "src.rs",
            "NOTICE",
            "licenses.rs",
            "licensed.py",
            "license.rs",
        ] {
            assert!(!is_license_file(no), "{no}");
        }
    }
}
