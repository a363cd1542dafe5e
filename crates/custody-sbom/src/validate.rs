//! SBOM documents checked against the official JSON schemas (CycloneDX 1.2-1.7, SPDX
//! 2.3, shipped in `schemas/`), then for what a schema cannot say: every reference
//! names an element of the document, identifiers are unique, and package URLs parse.
//!
//! A supplier's SBOM is evidence only when it is well-formed: a `dependsOn` naming a
//! component that is not there, or two components with one `bom-ref`, make its graph
//! ambiguous. Formats are asserted (`date-time`, `iri-reference`, `email`), as the
//! reference validator with its format checker does.

use crate::error::SbomError;
use crate::purl::Purl;
use std::collections::BTreeMap;
use std::path::Path;

/// The SBOM standards custody validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SbomFormat {
    /// CycloneDX JSON.
    #[serde(rename = "CycloneDX")]
    CycloneDx,
    /// SPDX JSON.
    #[serde(rename = "SPDX")]
    Spdx,
}

impl SbomFormat {
    /// The standard's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::CycloneDx => "CycloneDX",
            Self::Spdx => "SPDX",
        }
    }
}

/// What kind of rule a problem breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The official JSON schema.
    Schema,
    /// A reference to an element the document does not have.
    Reference,
    /// An identifier used twice.
    Duplicate,
    /// A package URL that does not parse.
    Purl,
}

/// One way a document is not valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct ValidationProblem {
    /// Where, as a JSON pointer into the document (`""` is the whole document).
    pub pointer: String,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
}

/// The verdict on one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Validation {
    /// The standard.
    pub format: SbomFormat,
    /// The version the document declares (`specVersion`, `spdxVersion` without `SPDX-`).
    pub version: String,
    /// The schema it was validated against.
    pub schema: &'static str,
    /// Every problem, sorted by place; empty when valid.
    pub problems: Vec<ValidationProblem>,
}

impl Validation {
    /// No problem found.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

const CDX_BASE: &str = "http://cyclonedx.org/schema/";

/// The schemas shipped, by the URL their `$id` or references give them.
const CYCLONEDX_SCHEMAS: &[(&str, &str)] = &[
    (
        "bom-1.2.schema.json",
        include_str!("../schemas/cyclonedx/bom-1.2.schema.json"),
    ),
    (
        "bom-1.3.schema.json",
        include_str!("../schemas/cyclonedx/bom-1.3.schema.json"),
    ),
    (
        "bom-1.4.schema.json",
        include_str!("../schemas/cyclonedx/bom-1.4.schema.json"),
    ),
    (
        "bom-1.5.schema.json",
        include_str!("../schemas/cyclonedx/bom-1.5.schema.json"),
    ),
    (
        "bom-1.6.schema.json",
        include_str!("../schemas/cyclonedx/bom-1.6.schema.json"),
    ),
    (
        "bom-1.7.schema.json",
        include_str!("../schemas/cyclonedx/bom-1.7.schema.json"),
    ),
];

const CYCLONEDX_SHARED: &[(&str, &str)] = &[
    (
        "spdx.schema.json",
        include_str!("../schemas/cyclonedx/spdx.schema.json"),
    ),
    (
        "jsf-0.82.schema.json",
        include_str!("../schemas/cyclonedx/jsf-0.82.schema.json"),
    ),
    (
        "cryptography-defs.schema.json",
        include_str!("../schemas/cyclonedx/cryptography-defs.schema.json"),
    ),
];

const SPDX_2_3: &str = include_str!("../schemas/spdx/spdx-schema-v2.3.json");
const SPDX_2_3_URL: &str = "https://spdx.org/schema/spdx-schema-v2.3.json";

/// Read and validate an SBOM file.
///
/// # Errors
/// The file cannot be read, is not JSON, is neither CycloneDX nor SPDX JSON, or
/// declares a version custody has no schema for.
pub fn validate_file(path: &Path) -> Result<Validation, SbomError> {
    let text = crate::error::read_limited(path, "SBOM")?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| SbomError::malformed(path, format!("not JSON: {e}")))?;
    validate(&value).map_err(|message| SbomError::malformed(path, message))
}

/// Validate a parsed document.
///
/// # Errors
/// Not an SBOM custody knows, or a version without a shipped schema (the message says
/// which).
pub fn validate(doc: &serde_json::Value) -> Result<Validation, String> {
    if doc.get("bomFormat").and_then(|v| v.as_str()) == Some("CycloneDX") {
        let version = doc
            .get("specVersion")
            .and_then(|v| v.as_str())
            .ok_or("a CycloneDX document without a specVersion string")?
            .to_owned();
        let file = format!("bom-{version}.schema.json");
        let Some(&(schema, _)) = CYCLONEDX_SCHEMAS.iter().find(|(f, _)| *f == file) else {
            return Err(format!(
                "CycloneDX {version}: custody has the schemas of 1.2 to 1.7"
            ));
        };
        let mut problems = schema_problems(doc, &format!("{CDX_BASE}{schema}"))?;
        problems.extend(cyclonedx_references(doc));
        problems.sort();
        problems.dedup();
        return Ok(Validation {
            format: SbomFormat::CycloneDx,
            version,
            schema,
            problems,
        });
    }
    if let Some(spdx_version) = doc.get("spdxVersion").and_then(|v| v.as_str()) {
        let version = spdx_version
            .strip_prefix("SPDX-")
            .unwrap_or(spdx_version)
            .to_owned();
        if !matches!(version.as_str(), "2.2" | "2.3") {
            return Err(format!(
                "SPDX {version}: custody validates SPDX 2.2 and 2.3 JSON"
            ));
        }
        let mut problems = schema_problems(doc, SPDX_2_3_URL)?;
        problems.extend(spdx_references(doc));
        problems.sort();
        problems.dedup();
        return Ok(Validation {
            format: SbomFormat::Spdx,
            version,
            // SPDX 2.2 documents are checked against 2.3, which accepts them: 2.3 only
            // added optional fields.
            schema: "spdx-schema-v2.3.json",
            problems,
        });
    }
    Err("neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)".into())
}

/// A compiled schema; compiling the large CycloneDX schemas takes milliseconds, so each
/// is compiled once per process.
struct Compiled {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

fn compile(url: &str) -> Result<Compiled, String> {
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let parse = |text: &str| -> Result<serde_json::Value, String> {
        serde_json::from_str(text).map_err(|e| format!("a shipped schema does not parse: {e}"))
    };
    let add = |compiler: &mut boon::Compiler, url: String, text: &str| -> Result<(), String> {
        compiler
            .add_resource(&url, parse(text)?)
            .map_err(|e| format!("schema {url}: {e}"))
    };
    if url == SPDX_2_3_URL {
        add(&mut compiler, url.to_owned(), SPDX_2_3)?;
    } else {
        for (file, text) in CYCLONEDX_SCHEMAS.iter().chain(CYCLONEDX_SHARED) {
            if format!("{CDX_BASE}{file}") == url || CYCLONEDX_SHARED.iter().any(|(f, _)| f == file)
            {
                add(&mut compiler, format!("{CDX_BASE}{file}"), text)?;
            }
        }
    }
    let mut schemas = boon::Schemas::new();
    let index = compiler
        .compile(url, &mut schemas)
        .map_err(|e| format!("schema {url}: {e}"))?;
    Ok(Compiled { schemas, index })
}

static COMPILED: std::sync::LazyLock<std::sync::Mutex<BTreeMap<String, std::sync::Arc<Compiled>>>> =
    std::sync::LazyLock::new(Default::default);

fn schema_problems(doc: &serde_json::Value, url: &str) -> Result<Vec<ValidationProblem>, String> {
    let compiled = {
        let mut cache = COMPILED
            .lock()
            .map_err(|_| "the schema cache is poisoned".to_owned())?;
        match cache.get(url) {
            Some(c) => std::sync::Arc::clone(c),
            None => {
                let c = std::sync::Arc::new(compile(url)?);
                cache.insert(url.to_owned(), std::sync::Arc::clone(&c));
                c
            }
        }
    };
    let mut problems = Vec::new();
    if let Err(e) = compiled.schemas.validate(doc, compiled.index) {
        leaves(&e, &mut problems);
    }
    Ok(problems)
}

/// The innermost causes of a validation error: the ones that say what is wrong where.
fn leaves(e: &boon::ValidationError, out: &mut Vec<ValidationProblem>) {
    if e.causes.is_empty() {
        out.push(ValidationProblem {
            pointer: e.instance_location.to_string(),
            rule: Rule::Schema,
            message: e.kind.to_string(),
        });
    }
    for cause in &e.causes {
        leaves(cause, out);
    }
}

/// The problem with a package URL at `pointer`, if it does not parse.
fn purl_problem(pointer: String, purl: &str) -> Option<ValidationProblem> {
    Purl::parse(purl).err().map(|e| ValidationProblem {
        pointer,
        rule: Rule::Purl,
        message: format!("{purl:?} is not a package URL: {e}"),
    })
}

fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// CycloneDX: `bom-ref`s unique, `dependencies` naming only them, purls that parse.
fn cyclonedx_references(doc: &serde_json::Value) -> Vec<ValidationProblem> {
    let mut problems = Vec::new();
    let mut refs: BTreeMap<String, String> = BTreeMap::new();
    let mut visit =
        |pointer: String, element: &serde_json::Value, problems: &mut Vec<ValidationProblem>| {
            if let Some(r) = element.get("bom-ref").and_then(|v| v.as_str()) {
                if let Some(first) = refs.get(r) {
                    problems.push(ValidationProblem {
                        pointer: format!("{pointer}/bom-ref"),
                        rule: Rule::Duplicate,
                        message: format!("bom-ref {r:?} is also the bom-ref of {first}"),
                    });
                } else {
                    refs.insert(r.to_owned(), pointer.clone());
                }
            }
            if let Some(p) = element.get("purl").and_then(|v| v.as_str()) {
                problems.extend(purl_problem(format!("{pointer}/purl"), p));
            }
        };
    let mut stack: Vec<(String, &serde_json::Value)> = Vec::new();
    if let Some(c) = doc.pointer("/metadata/component") {
        stack.push(("/metadata/component".into(), c));
    }
    // Depth first, in document order (children pushed last to first), so a duplicate is
    // reported where it occurs the second time.
    let mut top = Vec::new();
    for key in ["components", "services"] {
        if let Some(list) = doc.get(key).and_then(|v| v.as_array()) {
            for (i, c) in list.iter().enumerate() {
                top.push((format!("/{key}/{i}"), c));
            }
        }
    }
    stack.extend(top);
    stack.reverse();
    while let Some((pointer, element)) = stack.pop() {
        visit(pointer.clone(), element, &mut problems);
        let mut children = Vec::new();
        for key in ["components", "services"] {
            if let Some(list) = element.get(key).and_then(|v| v.as_array()) {
                for (i, c) in list.iter().enumerate() {
                    children.push((format!("{pointer}/{key}/{i}"), c));
                }
            }
        }
        stack.extend(children.into_iter().rev());
    }
    if let Some(deps) = doc.get("dependencies").and_then(|v| v.as_array()) {
        for (i, d) in deps.iter().enumerate() {
            if let Some(r) = d.get("ref").and_then(|v| v.as_str())
                && !refs.contains_key(r)
            {
                problems.push(ValidationProblem {
                    pointer: format!("/dependencies/{i}/ref"),
                    rule: Rule::Reference,
                    message: format!("{r:?} is not the bom-ref of any component or service"),
                });
            }
            for key in ["dependsOn", "provides"] {
                let Some(list) = d.get(key).and_then(|v| v.as_array()) else {
                    continue;
                };
                for (j, target) in list.iter().enumerate() {
                    if let Some(t) = target.as_str()
                        && !refs.contains_key(t)
                    {
                        problems.push(ValidationProblem {
                            pointer: format!("/dependencies/{i}/{key}/{j}"),
                            rule: Rule::Reference,
                            message: format!(
                                "{t:?} is not the bom-ref of any component or service"
                            ),
                        });
                    }
                }
            }
        }
    }
    problems
}

/// SPDX: element IDs unique; relationships and `documentDescribes` naming elements of the
/// document (or of an external document, `DocumentRef-…:`); purl references that parse.
fn spdx_references(doc: &serde_json::Value) -> Vec<ValidationProblem> {
    let mut problems = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    if let Some(id) = doc.get("SPDXID").and_then(|v| v.as_str()) {
        ids.insert(id.to_owned(), String::new());
    }
    for key in ["packages", "files", "snippets"] {
        let Some(list) = doc.get(key).and_then(|v| v.as_array()) else {
            continue;
        };
        for (i, element) in list.iter().enumerate() {
            let pointer = format!("/{key}/{i}");
            if let Some(id) = element.get("SPDXID").and_then(|v| v.as_str()) {
                if let Some(first) = ids.get(id) {
                    problems.push(ValidationProblem {
                        pointer: format!("{pointer}/SPDXID"),
                        rule: Rule::Duplicate,
                        message: format!(
                            "{id} is also the SPDXID of {}",
                            if first.is_empty() {
                                "the document"
                            } else {
                                first
                            }
                        ),
                    });
                } else {
                    ids.insert(id.to_owned(), pointer.clone());
                }
            }
            let Some(refs) = element.get("externalRefs").and_then(|v| v.as_array()) else {
                continue;
            };
            for (j, r) in refs.iter().enumerate() {
                if r.get("referenceType").and_then(|v| v.as_str()) != Some("purl") {
                    continue;
                }
                if let Some(p) = r.get("referenceLocator").and_then(|v| v.as_str()) {
                    problems.extend(purl_problem(
                        format!("{pointer}/externalRefs/{j}/referenceLocator"),
                        p,
                    ));
                }
            }
        }
    }
    let known = |id: &str| {
        ids.contains_key(id)
            || matches!(id, "NOASSERTION" | "NONE")
            || (id.starts_with("DocumentRef-") && id.contains(':'))
    };
    if let Some(list) = doc.get("relationships").and_then(|v| v.as_array()) {
        for (i, r) in list.iter().enumerate() {
            for key in ["spdxElementId", "relatedSpdxElement"] {
                if let Some(id) = r.get(key).and_then(|v| v.as_str())
                    && !known(id)
                {
                    problems.push(ValidationProblem {
                        pointer: format!("/relationships/{i}/{}", pointer_escape(key)),
                        rule: Rule::Reference,
                        message: format!("{id} is not an element of this document"),
                    });
                }
            }
        }
    }
    if let Some(list) = doc.get("documentDescribes").and_then(|v| v.as_array()) {
        for (i, id) in list.iter().enumerate() {
            if let Some(id) = id.as_str()
                && !known(id)
            {
                problems.push(ValidationProblem {
                    pointer: format!("/documentDescribes/{i}"),
                    rule: Rule::Reference,
                    message: format!("{id} is not an element of this document"),
                });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cdx(version: &str) -> serde_json::Value {
        json!({
            "bomFormat": "CycloneDX",
            "specVersion": version,
            "version": 1,
            "metadata": {"component": {"type": "application", "name": "app", "version": "0.1.0", "bom-ref": "app"}},
            "components": [
                {"type": "library", "name": "a", "version": "1.0.0", "bom-ref": "pkg:npm/a@1.0.0", "purl": "pkg:npm/a@1.0.0"}
            ],
            "dependencies": [{"ref": "app", "dependsOn": ["pkg:npm/a@1.0.0"]}]
        })
    }

    #[test]
    fn every_cyclonedx_version_validates_a_good_document() {
        for v in ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"] {
            // Components need a version up to 1.3; this one has it.
            let r = validate(&cdx(v)).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert!(r.is_valid(), "{v}: {:#?}", r.problems);
            assert_eq!(r.schema, format!("bom-{v}.schema.json"));
        }
    }

    #[test]
    fn schema_reference_duplicate_and_purl_problems_are_located() {
        let mut doc = cdx("1.6");
        doc["components"][0]["type"] = json!("gadget");
        doc["components"][0]["purl"] = json!("npm/a@1");
        if let Some(l) = doc["components"].as_array_mut() {
            l.push(json!({"type": "library", "name": "b", "bom-ref": "app"}));
        }
        doc["dependencies"][0]["dependsOn"] = json!(["pkg:npm/a@1.0.0", "ghost"]);
        doc["metadata"]["timestamp"] = json!("yesterday");
        let r = validate(&doc).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(&str, Rule)> = r
            .problems
            .iter()
            .map(|p| (p.pointer.as_str(), p.rule))
            .collect();
        assert!(
            got.contains(&("/components/0/type", Rule::Schema)),
            "{got:?}"
        );
        assert!(
            got.contains(&("/metadata/timestamp", Rule::Schema)),
            "{got:?}"
        );
        assert!(got.contains(&("/components/0/purl", Rule::Purl)), "{got:?}");
        assert!(
            got.contains(&("/dependencies/0/dependsOn/1", Rule::Reference)),
            "{got:?}"
        );
        assert!(
            got.contains(&("/components/1/bom-ref", Rule::Duplicate)),
            "{got:?}"
        );
    }

    #[test]
    fn spdx_documents_and_their_references() {
        let mut doc = json!({
            "spdxVersion": "SPDX-2.3",
            "dataLicense": "CC0-1.0",
            "SPDXID": "SPDXRef-DOCUMENT",
            "name": "x",
            "documentNamespace": "https://example.com/x",
            "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: custody"]},
            "packages": [{
                "SPDXID": "SPDXRef-a", "name": "a", "downloadLocation": "NOASSERTION",
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/a@1.0.0"}]
            }],
            "documentDescribes": ["SPDXRef-a"],
            "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-a"}]
        });
        let r = validate(&doc).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.is_valid(), "{:#?}", r.problems);
        doc["relationships"][0]["relatedSpdxElement"] = json!("SPDXRef-ghost");
        doc["packages"][0]["externalRefs"][0]["referenceLocator"] = json!("not a purl");
        doc.as_object_mut().map(|o| o.remove("dataLicense"));
        let r = validate(&doc).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(&str, Rule)> = r
            .problems
            .iter()
            .map(|p| (p.pointer.as_str(), p.rule))
            .collect();
        assert_eq!(
            got,
            [
                ("", Rule::Schema),
                ("/packages/0/externalRefs/0/referenceLocator", Rule::Purl),
                ("/relationships/0/relatedSpdxElement", Rule::Reference),
            ],
            "{:#?}",
            r.problems
        );
    }

    #[test]
    fn unknown_formats_and_versions_are_errors() {
        assert!(validate(&json!({"a": 1})).is_err());
        let e = validate(&json!({"bomFormat": "CycloneDX", "specVersion": "9.9"})).err();
        assert_eq!(
            e.as_deref(),
            Some("CycloneDX 9.9: custody has the schemas of 1.2 to 1.7")
        );
        assert!(validate(&json!({"spdxVersion": "SPDX-3.0"})).is_err());
    }
}
