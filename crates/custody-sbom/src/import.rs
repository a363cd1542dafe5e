//! SBOMs written by others (suppliers, cdxgen, syft, …) or by custody, read back into the
//! component model, so that every scan that reads lockfiles reads SBOMs too (MAT-3,
//! MAT-9): CycloneDX JSON (1.2 to 1.7) and SPDX JSON (2.2, 2.3).
//!
//! Components are identified by their package URL, rebuilt from its parts so that the
//! same package has the same purl whichever tool wrote it. A component without a purl of
//! an ecosystem custody knows cannot be matched against anything: such components are
//! named (the caller reports them), never silently dropped. A purl without
//! `repository_url` means the ecosystem's public registry, as the purl specification
//! says. The SBOM gives one project per ecosystem, each named after the SBOM file.

use crate::component::{Component, Ecosystem, Hash, HashAlg, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::purl::{Purl, PurlParts};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Which SBOM format a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SbomFormat {
    /// CycloneDX JSON.
    CycloneDx,
    /// SPDX JSON.
    Spdx,
}

/// An SBOM read into the component model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The format.
    pub format: SbomFormat,
    /// `specVersion` (CycloneDX) or `spdxVersion` (SPDX) as written.
    pub spec_version: String,
    /// One project per ecosystem, sorted by ecosystem.
    pub projects: Vec<Project>,
    /// Components that could not be identified (no purl, or a purl of an ecosystem
    /// custody does not know), as `name version (why)`.
    pub unidentified: Vec<String>,
}

/// Nested CycloneDX components deeper than this are refused (hostile input).
const MAX_DEPTH: usize = 32;

/// The format of a parsed JSON document, if it is an SBOM.
#[must_use]
pub fn format_of(doc: &Value) -> Option<SbomFormat> {
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        Some(SbomFormat::CycloneDx)
    } else if doc.get("spdxVersion").and_then(Value::as_str).is_some() {
        Some(SbomFormat::Spdx)
    } else {
        None
    }
}

/// Read an SBOM file.
///
/// # Errors
/// The file cannot be read, or is not a CycloneDX or SPDX JSON document.
pub fn read(path: &Path, shown_as: &Path) -> Result<Imported, SbomError> {
    let text = read_limited(path, "SBOM")?;
    from_text(&text, shown_as)
}

/// Read the file at `path` as an SBOM if it is one: `None` when it is not JSON or not an
/// SBOM (so the caller can say what else it expected), the import's result otherwise.
///
/// # Errors
/// The file cannot be read.
pub fn read_if_sbom(
    path: &Path,
    shown_as: &Path,
) -> Result<Option<Result<Imported, SbomError>>, SbomError> {
    let text = read_limited(path, "SBOM")?;
    let Ok(doc) = serde_json::from_str::<Value>(&text) else {
        return Ok(None);
    };
    if format_of(&doc).is_none() {
        return Ok(None);
    }
    Ok(Some(from_value(&doc, shown_as)))
}

/// Read an SBOM from its text.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a CycloneDX or SPDX
/// JSON document.
pub fn from_text(text: &str, shown_as: &Path) -> Result<Imported, SbomError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| SbomError::malformed(shown_as, format!("not JSON: {e}")))?;
    from_value(&doc, shown_as)
}

/// Read an SBOM from its parsed JSON.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the document is not a CycloneDX or
/// SPDX JSON document.
pub fn from_value(doc: &Value, shown_as: &Path) -> Result<Imported, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let obj = doc
        .as_object()
        .ok_or_else(|| bad("not a JSON object: not an SBOM".into()))?;
    match format_of(doc) {
        Some(SbomFormat::CycloneDx) => cyclonedx(obj, shown_as),
        Some(SbomFormat::Spdx) => {
            let v = text(obj, "spdxVersion").unwrap_or_default();
            spdx(obj, v, shown_as)
        }
        None => Err(bad(
            "neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON".into(),
        )),
    }
}

/// A component as read, before the projects are assembled.
struct Read {
    component: Component,
    /// The document's own reference to it (bom-ref, SPDXID).
    reference: Option<String>,
    /// The document says whether it is direct (custody's `custody:direct`).
    said_direct: bool,
}

fn text<'a>(v: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The ecosystem's name of a package from its purl parts.
fn package_name(eco: Ecosystem, p: &PurlParts) -> String {
    match (eco, p.namespace.as_deref()) {
        (Ecosystem::PyPI, _) => crate::python::normalise(&p.name),
        (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", p.name),
        (Ecosystem::Npm | Ecosystem::Go | Ecosystem::Packagist, Some(ns)) => {
            format!("{ns}/{}", p.name)
        }
        _ => p.name.clone(),
    }
}

/// A component from its purl text and what the document says besides; `Err` names why it
/// cannot be identified.
fn identify(purl: Option<&str>, name: &str, version: Option<&str>) -> Result<Component, String> {
    let shown = format!("{name} {}", version.unwrap_or("(no version)"));
    let purl = purl.ok_or_else(|| format!("{shown} (no package URL)"))?;
    let parts = Purl::parse(purl).map_err(|e| format!("{shown} ({e})"))?;
    let eco = Ecosystem::from_purl_type(&parts.kind).ok_or_else(|| {
        format!(
            "{shown} ({purl}: custody does not know the ecosystem of purl type {:?})",
            parts.kind
        )
    })?;
    let version = parts
        .version
        .clone()
        .or_else(|| version.map(str::to_owned))
        .unwrap_or_default();
    let mut parts = parts;
    if parts.version.is_none() && !version.is_empty() {
        parts.version = Some(version.clone());
    }
    let source = if let Some(url) = parts.qualifiers.get("vcs_url") {
        let (url, rev) = match url.split_once('@') {
            Some((u, r)) if !u.ends_with(':') && !r.contains('/') => {
                (u.to_owned(), Some(r.to_owned()))
            }
            _ => (url.clone(), None),
        };
        Source::Git {
            url: url.strip_prefix("git+").unwrap_or(&url).to_owned(),
            rev,
        }
    } else if let Some(url) = parts.qualifiers.get("download_url") {
        Source::Url { url: url.clone() }
    } else {
        Source::Registry {
            url: parts
                .qualifiers
                .get("repository_url")
                .cloned()
                .unwrap_or_else(|| eco.default_registry().to_owned()),
        }
    };
    Ok(Component {
        ecosystem: eco,
        name: package_name(eco, &parts),
        version,
        purl: parts.to_purl(),
        scope: Scope::Runtime,
        direct: false,
        first_party: false,
        source,
        hashes: Vec::new(),
        licenses: Vec::new(),
        dependencies: BTreeSet::new(),
    })
}

fn hash(alg: &str, hex: &str) -> Option<Hash> {
    let alg = match alg.to_ascii_uppercase().replace(['-', '_'], "").as_str() {
        "SHA1" => HashAlg::Sha1,
        "SHA256" => HashAlg::Sha256,
        "SHA384" => HashAlg::Sha384,
        "SHA512" => HashAlg::Sha512,
        _ => return None,
    };
    Hash::from_hex(alg, hex)
}

fn cyclonedx(doc: &Map<String, Value>, shown_as: &Path) -> Result<Imported, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let spec_version = text(doc, "specVersion")
        .ok_or_else(|| bad("CycloneDX without specVersion".into()))?
        .to_owned();
    let mut read: Vec<Read> = Vec::new();
    let mut unidentified = Vec::new();
    let root = doc
        .get("metadata")
        .and_then(|m| m.get("component"))
        .and_then(Value::as_object);
    let root_ref = root.and_then(|r| text(r, "bom-ref")).map(str::to_owned);
    if let Some(r) = root
        && r.get("purl").is_some()
    {
        // The described software itself: first-party when it has a purl.
        collect_cyclonedx(r, 0, true, &mut read, &mut unidentified).map_err(&bad)?;
    }
    let components = match doc.get("components") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(bad("components is not an array".into())),
    };
    for c in components {
        let c = c
            .as_object()
            .ok_or_else(|| bad("a component is not an object".into()))?;
        collect_cyclonedx(c, 0, false, &mut read, &mut unidentified).map_err(&bad)?;
    }
    // ref → dependsOn
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(deps) = doc.get("dependencies").and_then(Value::as_array) {
        for d in deps {
            let Some(d) = d.as_object() else { continue };
            let Some(from) = text(d, "ref") else { continue };
            let to: Vec<String> = d
                .get("dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            edges.entry(from.to_owned()).or_default().extend(to);
        }
    }
    let root_deps: BTreeSet<&String> = root_ref
        .as_ref()
        .and_then(|r| edges.get(r))
        .into_iter()
        .flatten()
        .collect();
    for r in &mut read {
        // What the described software depends on is direct, unless the document says
        // (custody's own property) or the component is the software's own.
        if let Some(reference) = &r.reference
            && root_deps.contains(reference)
            && !r.said_direct
            && !r.component.first_party
        {
            r.component.direct = true;
        }
    }
    Ok(Imported {
        format: SbomFormat::CycloneDx,
        spec_version,
        projects: assemble(read, &edges, shown_as),
        unidentified,
    })
}

fn collect_cyclonedx(
    c: &Map<String, Value>,
    depth: usize,
    is_root: bool,
    out: &mut Vec<Read>,
    unidentified: &mut Vec<String>,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("components nested deeper than {MAX_DEPTH}"));
    }
    let name = text(c, "name").unwrap_or("(unnamed)");
    match identify(text(c, "purl"), name, text(c, "version")) {
        Err(why) => unidentified.push(why),
        Ok(mut component) => {
            let properties: BTreeMap<&str, &str> = c
                .get("properties")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("value")?.as_str()?)))
                .collect();
            component.scope = match properties.get("custody:scope").copied() {
                Some("runtime") => Scope::Runtime,
                Some("optional") => Scope::Optional,
                Some("build") => Scope::Build,
                Some("dev") => Scope::Dev,
                _ => match text(c, "scope") {
                    Some("optional") => Scope::Optional,
                    // `excluded`: not part of what runs; custody calls that dev.
                    Some("excluded") => Scope::Dev,
                    _ => Scope::Runtime,
                },
            };
            let said_direct = properties.get("custody:direct").copied();
            component.direct = said_direct == Some("true");
            component.first_party = is_root || text(c, "type") == Some("application");
            if let Some(s) = properties.get("custody:source") {
                component.source = custody_source(s).unwrap_or(component.source);
            }
            component.hashes = c
                .get("hashes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|h| hash(h.get("alg")?.as_str()?, h.get("content")?.as_str()?))
                .collect();
            component.licenses = c
                .get("licenses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|l| {
                    l.get("expression")
                        .and_then(Value::as_str)
                        .or_else(|| {
                            let lic = l.get("license")?;
                            lic.get("id")
                                .and_then(Value::as_str)
                                .or_else(|| lic.get("name").and_then(Value::as_str))
                        })
                        .map(str::to_owned)
                })
                .collect();
            out.push(Read {
                component,
                reference: text(c, "bom-ref").map(str::to_owned),
                said_direct: said_direct.is_some(),
            });
        }
    }
    if let Some(nested) = c.get("components").and_then(Value::as_array) {
        for n in nested {
            if let Some(n) = n.as_object() {
                collect_cyclonedx(n, depth + 1, false, out, unidentified)?;
            }
        }
    }
    Ok(())
}

/// custody's own `custody:source` property (`registry URL`, `git URL`, `path P`, `url U`).
fn custody_source(value: &str) -> Option<Source> {
    let (kind, rest) = value.split_once(' ')?;
    Some(match kind {
        "registry" => Source::Registry { url: rest.into() },
        "git" => Source::Git {
            url: rest.into(),
            rev: None,
        },
        "path" => Source::Path { path: rest.into() },
        "url" => Source::Url { url: rest.into() },
        _ => return None,
    })
}

fn spdx(doc: &Map<String, Value>, version: &str, shown_as: &Path) -> Result<Imported, SbomError> {
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let packages = match doc.get("packages") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(bad("packages is not an array".into())),
    };
    let doc_id = text(doc, "SPDXID").unwrap_or("SPDXRef-DOCUMENT");
    let mut described: BTreeSet<String> = doc
        .get("documentDescribes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    for r in doc
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match (
            r.get("spdxElementId").and_then(Value::as_str),
            r.get("relationshipType").and_then(Value::as_str),
            r.get("relatedSpdxElement").and_then(Value::as_str),
        ) {
            (Some(a), Some("DESCRIBES"), Some(b)) if a == doc_id => {
                described.insert(b.to_owned());
            }
            (Some(a), Some("DESCRIBED_BY"), Some(b)) if b == doc_id => {
                described.insert(a.to_owned());
            }
            _ => {}
        }
    }
    let mut read = Vec::new();
    let mut unidentified = Vec::new();
    for p in packages {
        let p = p
            .as_object()
            .ok_or_else(|| bad("a package is not an object".into()))?;
        let name = text(p, "name").unwrap_or("(unnamed)");
        let purl = p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|r| r.get("referenceType").and_then(Value::as_str) == Some("purl"))
            .and_then(|r| r.get("referenceLocator"))
            .and_then(Value::as_str);
        match identify(purl, name, text(p, "versionInfo")) {
            // The package the document describes is the project itself; without a purl
            // there is nothing to match, and nothing missing.
            Err(_) if text(p, "SPDXID").is_some_and(|id| described.contains(id)) => {}
            Err(why) => unidentified.push(why),
            Ok(mut component) => {
                component.hashes = p
                    .get("checksums")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|h| {
                        hash(
                            h.get("algorithm")?.as_str()?,
                            h.get("checksumValue")?.as_str()?,
                        )
                    })
                    .collect();
                component.licenses = ["licenseDeclared", "licenseConcluded"]
                    .iter()
                    .filter_map(|k| text(p, k))
                    .find(|l| !matches!(*l, "NOASSERTION" | "NONE"))
                    .map(|l| vec![l.to_owned()])
                    .unwrap_or_default();
                if let Some(loc) = text(p, "downloadLocation")
                    && let Some(git) = loc.strip_prefix("git+")
                {
                    let (url, rev) = match git.split_once('@') {
                        Some((u, r)) if !r.contains('/') => (u.to_owned(), Some(r.to_owned())),
                        _ => (git.to_owned(), None),
                    };
                    component.source = Source::Git { url, rev };
                }
                component.first_party = text(p, "primaryPackagePurpose") == Some("APPLICATION");
                read.push(Read {
                    component,
                    reference: text(p, "SPDXID").map(str::to_owned),
                    said_direct: false,
                });
            }
        }
    }
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut scopes: BTreeMap<String, Scope> = BTreeMap::new();
    for r in doc
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(a), Some(kind), Some(b)) = (
            r.get("spdxElementId").and_then(Value::as_str),
            r.get("relationshipType").and_then(Value::as_str),
            r.get("relatedSpdxElement").and_then(Value::as_str),
        ) else {
            continue;
        };
        let (from, to, scope) = match kind {
            "DEPENDS_ON" => (a, b, None),
            "DEPENDENCY_OF" | "RUNTIME_DEPENDENCY_OF" => (b, a, None),
            "OPTIONAL_DEPENDENCY_OF" => (b, a, Some(Scope::Optional)),
            "BUILD_DEPENDENCY_OF" => (b, a, Some(Scope::Build)),
            "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" => (b, a, Some(Scope::Dev)),
            _ => continue,
        };
        edges
            .entry(from.to_owned())
            .or_default()
            .push(to.to_owned());
        if let Some(s) = scope {
            scopes.insert(to.to_owned(), s);
        }
    }
    for r in &mut read {
        let Some(reference) = &r.reference else {
            continue;
        };
        if described.contains(reference) {
            r.component.first_party = true;
        }
        if let Some(s) = scopes.get(reference) {
            r.component.scope = *s;
        }
    }
    // The described packages (with or without a purl) and the project's own: what they
    // depend on directly is direct, unless it is the project's own too.
    let first_party: BTreeSet<String> = read
        .iter()
        .filter(|r| r.component.first_party)
        .filter_map(|r| r.reference.clone())
        .chain(described.iter().cloned())
        .collect();
    let direct: BTreeSet<&String> = first_party
        .iter()
        .filter_map(|f| edges.get(f))
        .flatten()
        .collect();
    for r in &mut read {
        if let Some(reference) = &r.reference
            && direct.contains(reference)
            && !r.component.first_party
        {
            r.component.direct = true;
        }
    }
    Ok(Imported {
        format: SbomFormat::Spdx,
        spec_version: version.to_owned(),
        projects: assemble(read, &edges, shown_as),
        unidentified,
    })
}

/// Components grouped into one project per ecosystem, one component per purl (hashes and
/// licenses merged, strongest scope), edges by document reference turned into purls and
/// kept where both ends are in the same project.
fn assemble(
    read: Vec<Read>,
    edges: &BTreeMap<String, Vec<String>>,
    shown_as: &Path,
) -> Vec<Project> {
    let purl_of: BTreeMap<&str, &Purl> = read
        .iter()
        .filter_map(|r| Some((r.reference.as_deref()?, &r.component.purl)))
        .collect();
    let mut by_eco: BTreeMap<Ecosystem, BTreeMap<Purl, Component>> = BTreeMap::new();
    for r in &read {
        let mut c = r.component.clone();
        if let Some(reference) = &r.reference {
            c.dependencies = edges
                .get(reference)
                .into_iter()
                .flatten()
                .filter_map(|to| purl_of.get(to.as_str()).map(|p| (*p).clone()))
                .filter(|p| *p != c.purl)
                .collect();
        }
        let project = by_eco.entry(c.ecosystem).or_default();
        match project.get_mut(&c.purl) {
            Some(m) => {
                m.scope = m.scope.min(c.scope);
                m.direct |= c.direct;
                m.first_party |= c.first_party;
                for h in c.hashes {
                    if !m.hashes.contains(&h) {
                        m.hashes.push(h);
                    }
                }
                for l in c.licenses {
                    if !m.licenses.contains(&l) {
                        m.licenses.push(l);
                    }
                }
                m.dependencies.extend(c.dependencies);
            }
            None => {
                project.insert(c.purl.clone(), c);
            }
        }
    }
    by_eco
        .into_iter()
        .map(|(ecosystem, components)| {
            let purls: BTreeSet<Purl> = components.keys().cloned().collect();
            let components = components
                .into_values()
                .map(|mut c| {
                    c.dependencies.retain(|d| purls.contains(d));
                    c
                })
                .collect();
            Project {
                lockfile: shown_as.to_owned(),
                ecosystem,
                components,
            }
        })
        .collect()
}
