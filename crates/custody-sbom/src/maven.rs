//! Java: Maven's `pom.xml`, the dependencies a project declares.
//!
//! A POM lists the project's direct dependencies only (Maven resolves the transitive ones
//! from the repository at build time, and no lockfile records them): each becomes a
//! component with the project, first-party, depending on them. Versions are what the POM
//! says after `${…}` substitution from `<properties>` and the project's own coordinates
//! (`project.version`, `project.groupId`, …), and a dependency without a version takes
//! the one `<dependencyManagement>` gives. A parent POM found on disk (`<relativePath>`,
//! by default `../pom.xml`, whose coordinates match the `<parent>` reference) lends its
//! properties, managed versions and dependencies, as Maven's inheritance does; one that
//! is not there (a parent from a repository) lends nothing.
//!
//! Versions that cannot be known from the files (an undefined property, a managed
//! version from a parent or an imported BOM that is not on disk, a version range) are not
//! guessed: the component has no version, which the vulnerability scan reports as
//! unpinned. Scopes: `compile` (the default) and `runtime` are runtime, `test` is dev,
//! `provided` and `system` count as runtime (the code runs against them, though the
//! container or the machine supplies them), `<optional>true</optional>` makes a
//! dependency optional. `<profiles>` are not read: which is active depends on the build.

use crate::component::{Component, Ecosystem, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::purl::Purl;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Maven Central, where dependencies come from unless the POM names other repositories.
const CENTRAL: &str = "https://repo.maven.apache.org/maven2";

/// At most this many XML nodes: real POMs have a few thousand.
const MAX_NODES: u32 = 1_000_000;

/// At most this many parent POMs are followed.
const MAX_PARENTS: usize = 16;

/// `${…}` references are expanded at most this deep (properties naming properties), and
/// an expansion longer than this is not a version.
const MAX_EXPANSION_DEPTH: usize = 16;
const MAX_EXPANDED_LEN: usize = 4096;
/// At most this many references are replaced for one text, however they nest.
const MAX_EXPANSION_STEPS: usize = 10_000;

/// Read a project from its `pom.xml`, with the parent POMs found on disk.
///
/// # Errors
/// The file cannot be read or is not a POM.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "pom.xml")?;
    let child = parse_pom(&text, shown_as)?;
    let parents = parents_on_disk(path, &child);
    let parent_refs: Vec<(&str, &Path)> = parents
        .iter()
        .map(|(t, p)| (t.as_str(), p.as_path()))
        .collect();
    project_from_texts(&text, &parent_refs, shown_as)
}

/// Read a project from the text of a `pom.xml` alone (no parent).
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a POM.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    project_from_texts(text, &[], shown_as)
}

/// Read a project from the text of a `pom.xml` and of its parents, nearest first (each
/// with the path that names it in messages). A parent whose coordinates are not those the
/// POM before it names is not used.
///
/// # Errors
/// [`SbomError::Malformed`] naming the file that is not a POM, or a dependency whose
/// group or artifact cannot be known.
pub fn project_from_texts(
    text: &str,
    parents: &[(&str, &Path)],
    shown_as: &Path,
) -> Result<Project, SbomError> {
    let child = parse_pom(text, shown_as)?;
    let mut chain = vec![child];
    for (t, shown) in parents.iter().take(MAX_PARENTS) {
        let Some(wanted) = chain.last().and_then(|p| p.parent.clone()) else {
            break;
        };
        let pom = parse_pom(t, shown)?;
        if !pom.is(&wanted) {
            break;
        }
        chain.push(pom);
    }
    resolve(&chain, shown_as)
}

/// The `<parent>` reference of a POM.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ParentRef {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    /// `None`: the default `../pom.xml`; `Some("")`: look nowhere on disk.
    relative_path: Option<String>,
}

/// One `<dependency>` as written, before substitution.
#[derive(Debug, Clone, Default)]
struct Dep {
    group: String,
    artifact: String,
    version: Option<String>,
    scope: Option<String>,
    optional: Option<String>,
    kind: Option<String>,
    classifier: Option<String>,
    system_path: Option<String>,
}

/// What one POM says, as written.
#[derive(Debug, Clone, Default)]
struct Pom {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    parent: Option<ParentRef>,
    properties: BTreeMap<String, String>,
    managed: Vec<Dep>,
    dependencies: Vec<Dep>,
    licenses: Vec<String>,
    repositories: bool,
}

impl Pom {
    /// Whether this POM is the one a `<parent>` reference names (group and version
    /// compared where both are written).
    fn is(&self, wanted: &ParentRef) -> bool {
        let group = self
            .group
            .as_ref()
            .or(self.parent.as_ref().and_then(|p| p.group.as_ref()));
        let version = self
            .version
            .as_ref()
            .or(self.parent.as_ref().and_then(|p| p.version.as_ref()));
        let same = |a: Option<&String>, b: Option<&String>| match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        self.artifact.is_some()
            && self.artifact == wanted.artifact
            && same(group, wanted.group.as_ref())
            && same(version, wanted.version.as_ref())
    }
}

/// The parent POMs of `child` (read from `path`) found on disk, nearest first, as
/// (text, path). A file that cannot be read is not there, as for Maven, which then
/// looks in the repositories.
fn parents_on_disk(path: &Path, child: &Pom) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut current_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut wanted = child.parent.clone();
    if let Ok(c) = path.canonicalize() {
        seen.insert(c);
    }
    while let Some(parent) = wanted.take() {
        if out.len() >= MAX_PARENTS {
            break;
        }
        let relative = parent
            .relative_path
            .as_deref()
            .unwrap_or("../pom.xml")
            .trim();
        if relative.is_empty() {
            break;
        }
        let mut candidate = current_dir.join(relative);
        if candidate.is_dir() {
            candidate.push("pom.xml");
        }
        let Ok(canonical) = candidate.canonicalize() else {
            break;
        };
        if !seen.insert(canonical.clone()) {
            break;
        }
        let Ok(text) = read_limited(&canonical, "pom.xml") else {
            break;
        };
        let Ok(pom) = parse_pom(&text, &canonical) else {
            break;
        };
        if !pom.is(&parent) {
            break;
        }
        wanted = pom.parent.clone();
        current_dir = canonical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        out.push((text, canonical));
    }
    out
}

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

/// The child elements of `node` with the local name `name`.
fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// The trimmed text of the child element `name`, when it has any.
fn text_of(node: Node<'_, '_>, name: &'static str) -> Option<String> {
    let c = child(node, name)?;
    let t: String = c
        .children()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .collect();
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn parse_pom(text: &str, shown_as: &Path) -> Result<Pom, SbomError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| SbomError::malformed(shown_as, format!("not XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "project" {
        return Err(SbomError::malformed(
            shown_as,
            format!(
                "the root element is <{}>, not <project>: not a Maven POM",
                root.tag_name().name()
            ),
        ));
    }
    let deps_of = |node: Option<Node<'_, '_>>, what: &str| -> Result<Vec<Dep>, SbomError> {
        let mut out = Vec::new();
        let Some(list) = node.and_then(|n| child(n, "dependencies")) else {
            return Ok(out);
        };
        for (i, d) in children(list, "dependency").enumerate() {
            let at = |field: &str| {
                SbomError::malformed(
                    shown_as,
                    format!("{what} dependency {} has no <{field}>", i + 1),
                )
            };
            out.push(Dep {
                group: text_of(d, "groupId").ok_or_else(|| at("groupId"))?,
                artifact: text_of(d, "artifactId").ok_or_else(|| at("artifactId"))?,
                version: text_of(d, "version"),
                scope: text_of(d, "scope"),
                optional: text_of(d, "optional"),
                kind: text_of(d, "type"),
                classifier: text_of(d, "classifier"),
                system_path: text_of(d, "systemPath"),
            });
        }
        Ok(out)
    };
    let parent = child(root, "parent").map(|p| ParentRef {
        group: text_of(p, "groupId"),
        artifact: text_of(p, "artifactId"),
        version: text_of(p, "version"),
        relative_path: child(p, "relativePath").map(|r| {
            r.children()
                .filter_map(|t| t.text())
                .collect::<String>()
                .trim()
                .to_owned()
        }),
    });
    let properties = child(root, "properties")
        .into_iter()
        .flat_map(|p| p.children().filter(Node::is_element))
        .map(|p| {
            let value: String = p.children().filter_map(|t| t.text()).collect();
            (p.tag_name().name().to_owned(), value.trim().to_owned())
        })
        .collect();
    let licenses = child(root, "licenses")
        .into_iter()
        .flat_map(|l| children(l, "license"))
        .filter_map(|l| text_of(l, "name"))
        .collect();
    Ok(Pom {
        group: text_of(root, "groupId"),
        artifact: text_of(root, "artifactId"),
        version: text_of(root, "version"),
        parent,
        properties,
        managed: deps_of(child(root, "dependencyManagement"), "managed")?,
        dependencies: deps_of(Some(root), "declared")?,
        licenses,
        repositories: child(root, "repositories")
            .is_some_and(|r| children(r, "repository").next().is_some()),
    })
}

/// What `${…}` references resolve to in the effective model.
struct Context {
    values: BTreeMap<String, String>,
}

impl Context {
    fn new(chain: &[Pom]) -> Self {
        let mut values = BTreeMap::new();
        // Farthest parent first: nearer POMs override.
        for pom in chain.iter().rev() {
            for (k, v) in &pom.properties {
                values.insert(k.clone(), v.clone());
            }
        }
        let first = chain.first();
        let parent = first.and_then(|p| p.parent.as_ref());
        let group = first
            .and_then(|p| p.group.clone())
            .or_else(|| parent.and_then(|p| p.group.clone()));
        let version = first
            .and_then(|p| p.version.clone())
            .or_else(|| parent.and_then(|p| p.version.clone()));
        let artifact = first.and_then(|p| p.artifact.clone());
        for (names, value) in [
            (["project.groupId", "pom.groupId", "groupId"], group),
            (["project.version", "pom.version", "version"], version),
            (
                ["project.artifactId", "pom.artifactId", "artifactId"],
                artifact,
            ),
            (
                [
                    "project.parent.version",
                    "pom.parent.version",
                    "parent.version",
                ],
                parent.and_then(|p| p.version.clone()),
            ),
            (
                [
                    "project.parent.groupId",
                    "pom.parent.groupId",
                    "parent.groupId",
                ],
                parent.and_then(|p| p.group.clone()),
            ),
        ] {
            if let Some(v) = value {
                for n in names {
                    values.insert(n.to_owned(), v.clone());
                }
            }
        }
        Self { values }
    }

    /// `text` with every `${name}` replaced, or `None` when one is not defined (or the
    /// expansion does not end within its budget).
    fn expand(&self, text: &str) -> Option<String> {
        let mut budget = MAX_EXPANSION_STEPS;
        self.expand_at(text, 0, &mut budget)
    }

    fn expand_at(&self, text: &str, depth: usize, budget: &mut usize) -> Option<String> {
        if !text.contains("${") {
            return Some(text.to_owned());
        }
        if depth >= MAX_EXPANSION_DEPTH {
            return None;
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            *budget = budget.checked_sub(1)?;
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            let value = self.values.get(after[..end].trim())?;
            out.push_str(&self.expand_at(value, depth + 1, budget)?);
            if out.len() > MAX_EXPANDED_LEN {
                return None;
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// A dependency's key in `<dependencyManagement>`: group, artifact, type, classifier.
type Key = (String, String, String, String);

fn key_of(group: &str, artifact: &str, d: &Dep, ctx: &Context) -> Key {
    let kind = d
        .kind
        .as_deref()
        .and_then(|k| ctx.expand(k))
        .unwrap_or_else(|| "jar".to_owned());
    let classifier = d
        .classifier
        .as_deref()
        .and_then(|c| ctx.expand(c))
        .unwrap_or_default();
    (group.to_owned(), artifact.to_owned(), kind, classifier)
}

/// The exact version a POM's version text pins, if it does: a soft requirement (`1.2`)
/// is the version Maven takes; `[1.2]` is exact; ranges pin nothing.
fn pinned(version: &str) -> Option<String> {
    let v = version.trim();
    if let Some(inner) = v.strip_prefix('[').and_then(|v| v.strip_suffix(']'))
        && !inner.contains(',')
    {
        let inner = inner.trim();
        return (!inner.is_empty()).then(|| inner.to_owned());
    }
    let plain = !v.is_empty()
        && !v.contains(['[', ']', '(', ')', ',', '$', '{', '}'])
        && !v.chars().any(char::is_whitespace);
    plain.then(|| v.to_owned())
}

fn resolve(chain: &[Pom], shown_as: &Path) -> Result<Project, SbomError> {
    let ctx = Context::new(chain);
    let bad = |m: String| SbomError::malformed(shown_as, m);
    let coordinates = |d: &Dep| -> Result<(String, String), SbomError> {
        let g = ctx.expand(&d.group).filter(|g| is_coordinate(g));
        let a = ctx.expand(&d.artifact).filter(|a| is_coordinate(a));
        match (g, a) {
            (Some(g), Some(a)) => Ok((g, a)),
            _ => Err(bad(format!(
                "dependency {}:{}: the group or artifact is not defined",
                d.group, d.artifact
            ))),
        }
    };
    // Managed entries, nearest POM first: the first one of a key counts.
    let mut managed: BTreeMap<Key, &Dep> = BTreeMap::new();
    for pom in chain {
        for d in &pom.managed {
            let Ok((g, a)) = coordinates(d) else {
                // A managed entry nobody uses needs no name; one that is used is named
                // where it is used.
                continue;
            };
            managed.entry(key_of(&g, &a, d, &ctx)).or_insert(d);
        }
    }
    // Dependencies: the nearest POM's declaration of a key wins over inherited ones.
    let mut declared: BTreeMap<Key, (&Dep, String, String)> = BTreeMap::new();
    for pom in chain {
        for d in &pom.dependencies {
            let (g, a) = coordinates(d)?;
            declared.entry(key_of(&g, &a, d, &ctx)).or_insert((d, g, a));
        }
    }
    let repositories = chain.iter().any(|p| p.repositories);
    let mut components = Vec::new();
    let mut direct = BTreeSet::new();
    for (key, (d, group, artifact)) in &declared {
        let m = managed.get(key);
        let version_text = d.version.as_ref().or(m.and_then(|m| m.version.as_ref()));
        let version = version_text
            .and_then(|v| ctx.expand(v))
            .and_then(|v| pinned(&v))
            .unwrap_or_default();
        let scope_text = d
            .scope
            .as_ref()
            .or(m.and_then(|m| m.scope.as_ref()))
            .and_then(|s| ctx.expand(s))
            .unwrap_or_else(|| "compile".to_owned());
        let mut scope = match scope_text.as_str() {
            "test" => Scope::Dev,
            // compile, runtime; provided and system run too, supplied from elsewhere.
            _ => Scope::Runtime,
        };
        let optional = d
            .optional
            .as_ref()
            .or(m.and_then(|m| m.optional.as_ref()))
            .and_then(|o| ctx.expand(o));
        if optional.as_deref() == Some("true") {
            scope = scope.max(Scope::Optional);
        }
        let source = match (&scope_text[..], &d.system_path) {
            ("system", Some(p)) => Source::Path {
                path: ctx.expand(p).unwrap_or_else(|| p.clone()),
            },
            _ if repositories => Source::Unknown,
            _ => Source::Registry {
                url: CENTRAL.to_owned(),
            },
        };
        let purl = purl_of(group, artifact, &version, &key.2, &key.3);
        direct.insert(purl.clone());
        components.push(Component {
            ecosystem: Ecosystem::Maven,
            name: format!("{group}:{artifact}"),
            version,
            purl,
            scope,
            direct: true,
            first_party: false,
            source,
            hashes: Vec::new(),
            licenses: Vec::new(),
            dependencies: BTreeSet::new(),
        });
    }
    let own = &chain[0];
    let artifact = own
        .artifact
        .as_deref()
        .and_then(|a| ctx.expand(a))
        .filter(|a| is_coordinate(a))
        .ok_or_else(|| bad("no <artifactId> of the project: not a Maven POM".into()))?;
    let group = ctx
        .values
        .get("project.groupId")
        .and_then(|g| ctx.expand(g))
        .filter(|g| is_coordinate(g))
        .ok_or_else(|| bad(format!("no <groupId> of the project {artifact}")))?;
    let version = ctx
        .values
        .get("project.version")
        .and_then(|v| ctx.expand(v))
        .and_then(|v| pinned(&v))
        .unwrap_or_default();
    components.push(Component {
        ecosystem: Ecosystem::Maven,
        name: format!("{group}:{artifact}"),
        purl: purl_of(&group, &artifact, &version, "jar", ""),
        version,
        scope: Scope::Runtime,
        direct: false,
        first_party: true,
        source: Source::Path { path: ".".into() },
        hashes: Vec::new(),
        licenses: own.licenses.clone(),
        dependencies: direct,
    });
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::Maven,
        components: graph::settle(components),
    })
}

/// Whether a group or artifact ID is one (no unexpanded `${…}`, no spaces or slashes).
fn is_coordinate(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// `pkg:maven/group/artifact@version`, with `type` (when not `jar`) and `classifier`.
pub(crate) fn purl_of(
    group: &str,
    artifact: &str,
    version: &str,
    kind: &str,
    classifier: &str,
) -> Purl {
    let mut q = BTreeMap::new();
    if kind != "jar" {
        q.insert("type", kind.to_owned());
    }
    q.insert("classifier", classifier.to_owned());
    let version = (!version.is_empty()).then_some(version);
    Purl::new("maven", Some(group), artifact, version, &q)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>com.acme</groupId>
    <artifactId>acme-parent</artifactId>
    <version>3.1.0</version>
  </parent>
  <artifactId>orders</artifactId>
  <licenses><license><name>Apache-2.0</name></license></licenses>
  <properties>
    <jackson.version>2.15.2</jackson.version>
    <jackson.bom>${jackson.version}</jackson.bom>
    <junit.version>5.10.0</junit.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.google.guava</groupId>
        <artifactId>guava</artifactId>
        <version>32.1.2-jre</version>
      </dependency>
      <dependency>
        <groupId>org.slf4j</groupId>
        <artifactId>slf4j-api</artifactId>
        <version>2.0.9</version>
        <scope>runtime</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.bom}</version>
    </dependency>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-api</artifactId>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>orders-model</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>${junit.version}</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>jakarta.servlet</groupId>
      <artifactId>jakarta.servlet-api</artifactId>
      <version>6.0.0</version>
      <scope>provided</scope>
    </dependency>
    <dependency>
      <groupId>org.postgresql</groupId>
      <artifactId>postgresql</artifactId>
      <version>42.6.0</version>
      <optional>true</optional>
    </dependency>
    <dependency>
      <groupId>io.netty</groupId>
      <artifactId>netty-transport-native-epoll</artifactId>
      <version>4.1.97.Final</version>
      <classifier>linux-x86_64</classifier>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
    <dependency>
      <groupId>com.acme</groupId>
      <artifactId>secret-sauce</artifactId>
      <version>${sauce.version}</version>
    </dependency>
    <dependency>
      <groupId>commons-io</groupId>
      <artifactId>commons-io</artifactId>
      <version>[2.11,3.0)</version>
    </dependency>
  </dependencies>
</project>
"#;

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn declared_dependencies_properties_management_and_scopes() {
        let p = project_from_text(POM, Path::new("pom.xml")).expect("parses");
        assert_eq!(p.components.len(), 12, "11 dependencies and the project");
        let own = find(&p, "pkg:maven/com.acme/orders@3.1.0");
        assert!(own.first_party);
        assert_eq!(own.name, "com.acme:orders");
        assert_eq!(own.licenses, vec!["Apache-2.0".to_owned()]);
        assert_eq!(own.dependencies.len(), 11);
        let jackson = find(
            &p,
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2",
        );
        assert!(jackson.direct);
        assert_eq!(jackson.scope, Scope::Runtime);
        assert_eq!(
            jackson.source,
            Source::Registry {
                url: CENTRAL.into()
            }
        );
        assert_eq!(jackson.name, "com.fasterxml.jackson.core:jackson-databind");
        find(&p, "pkg:maven/com.google.guava/guava@32.1.2-jre");
        // The managed scope applies to a dependency that names none.
        assert_eq!(
            find(&p, "pkg:maven/org.slf4j/slf4j-api@2.0.9").scope,
            Scope::Runtime
        );
        find(&p, "pkg:maven/com.acme/orders-model@3.1.0");
        assert_eq!(
            find(&p, "pkg:maven/org.junit.jupiter/junit-jupiter@5.10.0").scope,
            Scope::Dev
        );
        assert_eq!(
            find(&p, "pkg:maven/jakarta.servlet/jakarta.servlet-api@6.0.0").scope,
            Scope::Runtime
        );
        assert_eq!(
            find(&p, "pkg:maven/org.postgresql/postgresql@42.6.0").scope,
            Scope::Optional
        );
        find(
            &p,
            "pkg:maven/io.netty/netty-transport-native-epoll@4.1.97.Final?classifier=linux-x86_64",
        );
        // Not guessed: managed by a parent that is not here, an undefined property, a range.
        for unknown in [
            "pkg:maven/org.springframework.boot/spring-boot-starter-web",
            "pkg:maven/com.acme/secret-sauce",
            "pkg:maven/commons-io/commons-io",
        ] {
            assert_eq!(find(&p, unknown).version, "", "{unknown}");
        }
    }

    const PARENT: &str = r#"<project>
  <groupId>com.acme</groupId>
  <artifactId>acme-parent</artifactId>
  <version>3.1.0</version>
  <packaging>pom</packaging>
  <properties><sauce.version>1.4.2</sauce.version><jackson.version>2.0.0</jackson.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId><version>3.1.4</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.projectlombok</groupId><artifactId>lombok</artifactId><version>1.18.30</version><scope>provided</scope></dependency>
  </dependencies>
  <repositories><repository><id>acme</id><url>https://maven.acme.example/releases</url></repository></repositories>
</project>"#;

    #[test]
    fn a_parent_lends_properties_managed_versions_and_dependencies() {
        let p = project_from_texts(
            POM,
            &[(PARENT, Path::new("../pom.xml"))],
            Path::new("pom.xml"),
        )
        .expect("parses");
        assert_eq!(p.components.len(), 13);
        // The child's property wins over the parent's.
        let jackson = find(
            &p,
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2",
        );
        assert_eq!(
            jackson.source,
            Source::Unknown,
            "the parent names a repository"
        );
        find(
            &p,
            "pkg:maven/org.springframework.boot/spring-boot-starter-web@3.1.4",
        );
        find(&p, "pkg:maven/com.acme/secret-sauce@1.4.2");
        find(&p, "pkg:maven/org.projectlombok/lombok@1.18.30");
        // A parent with other coordinates is not this POM's parent.
        let other = PARENT.replace("acme-parent", "other-parent");
        let p = project_from_texts(
            POM,
            &[(&other, Path::new("../pom.xml"))],
            Path::new("pom.xml"),
        )
        .expect("parses");
        assert_eq!(p.components.len(), 12);
    }

    #[test]
    fn parents_are_found_on_disk_by_relative_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("orders")).expect("mkdir");
        std::fs::write(dir.path().join("pom.xml"), PARENT).expect("write");
        std::fs::write(dir.path().join("orders/pom.xml"), POM).expect("write");
        let p = read_project(
            &dir.path().join("orders/pom.xml"),
            Path::new("orders/pom.xml"),
        )
        .expect("reads");
        find(&p, "pkg:maven/com.acme/secret-sauce@1.4.2");
        // <relativePath/> says: not on disk.
        let detached = POM.replace(
            "</version>\n  </parent>",
            "</version><relativePath/></parent>",
        );
        std::fs::write(dir.path().join("orders/pom.xml"), detached).expect("write");
        let p = read_project(
            &dir.path().join("orders/pom.xml"),
            Path::new("orders/pom.xml"),
        )
        .expect("reads");
        find(&p, "pkg:maven/com.acme/secret-sauce");
    }

    #[test]
    fn expansion_is_bounded() {
        let pom = |props: &str| {
            format!(
                "<project><groupId>g</groupId><artifactId>a</artifactId><version>${{v}}</version>\
                 <properties>{props}</properties></project>"
            )
        };
        // A cycle, and a doubling chain: neither ends in a version.
        let cyclic = pom("<v>${w}</v><w>${v}</w>");
        let p = project_from_text(&cyclic, Path::new("pom.xml")).expect("parses");
        assert_eq!(p.components[0].version, "");
        let mut props = String::from("<v>${p0}${p0}</v>");
        for i in 0..40 {
            props.push_str(&format!("<p{i}>${{p{}}}${{p{}}}</p{i}>", i + 1, i + 1));
        }
        props.push_str("<p40>x</p40>");
        let p = project_from_text(&pom(&props), Path::new("pom.xml")).expect("parses");
        assert_eq!(p.components[0].version, "");
        // Wide and empty: no text grows, the step budget ends it.
        let wide = "${e}".repeat(50);
        let mut props = format!("<v>{wide}</v>");
        for i in 0..12 {
            props.push_str(&format!(
                "<e{i}>{}</e{i}>",
                wide.replace("${e}", &format!("${{e{}}}", i + 1))
            ));
        }
        props = props
            .replace("<v>${e}", "<v>${e0}")
            .replace("${e}", "${e0}");
        props.push_str("<e12></e12>");
        let p = project_from_text(&pom(&props), Path::new("pom.xml")).expect("parses");
        assert_eq!(p.components[0].version, "");
    }

    #[test]
    fn malformed_poms_are_named() {
        for (text, expect) in [
            ("", "not XML"),
            ("<project>", "not XML"),
            ("<settings/>", "not <project>"),
            (
                "<!DOCTYPE project [<!ENTITY x \"y\">]><project/>",
                "not XML",
            ),
            ("<project><groupId>g</groupId></project>", "no <artifactId>"),
            (
                "<project><artifactId>a</artifactId></project>",
                "no <groupId>",
            ),
            (
                "<project><groupId>g</groupId><artifactId>a</artifactId><dependencies>\
                 <dependency><artifactId>x</artifactId></dependency></dependencies></project>",
                "declared dependency 1 has no <groupId>",
            ),
            (
                "<project><groupId>g</groupId><artifactId>a</artifactId><dependencies>\
                 <dependency><groupId>${nope}</groupId><artifactId>x</artifactId></dependency>\
                 </dependencies></project>",
                "dependency ${nope}:x",
            ),
        ] {
            let err = project_from_text(text, Path::new("pom.xml")).expect_err(text);
            let s = err.to_string();
            assert!(s.starts_with("pom.xml: ") && s.contains(expect), "{s}");
        }
    }

    #[test]
    fn pinned_versions() {
        assert_eq!(pinned("1.2").as_deref(), Some("1.2"));
        assert_eq!(pinned("[1.2]").as_deref(), Some("1.2"));
        assert_eq!(pinned("[1.2,)"), None);
        assert_eq!(pinned("(,1.0],[1.2,)"), None);
        assert_eq!(pinned("${x}"), None);
        assert_eq!(pinned(""), None);
    }
}
