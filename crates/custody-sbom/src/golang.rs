//! Go: `go.mod`, with the `go.sum` next to it for the modules' hashes.
//!
//! Since Go 1.17 a module's `go.mod` lists every module of its build list, those the
//! main module imports directly and, marked `// indirect`, the others. `replace`
//! directives swap a module (or one version of it) for another module, which changes
//! the purl, or for a directory, which makes it a path source; `exclude` takes versions
//! out. go.mod records no edges between modules: the main module, the first-party
//! component, depends on every required one. `go.sum` gives the `h1:` hash of each
//! module: base64 of a SHA-256 over the module's file list (Go's dirhash), kept as a
//! SHA-256 digest.

use crate::component::{Component, Ecosystem, Hash, HashAlg, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::purl::Purl;
use base64::Engine as _;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Where `go` fetches modules unless `GOPROXY` says otherwise.
const PROXY: &str = "https://proxy.golang.org";

/// Read a project from its `go.mod` and the `go.sum` next to it, if any.
///
/// # Errors
/// A file cannot be read or is not what its name says.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "go.mod")?;
    let sum_path = path.parent().unwrap_or(Path::new(".")).join("go.sum");
    let sum = if sum_path.is_file() {
        Some(read_limited(&sum_path, "go.sum")?)
    } else {
        None
    };
    let sum_shown = shown_as.with_file_name("go.sum");
    project_from_texts(
        &text,
        sum.as_deref().map(|s| (s, sum_shown.as_path())),
        shown_as,
    )
}

/// Read a project from the text of a `go.mod` alone (no hashes).
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when the text is not a go.mod.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    project_from_texts(text, None, shown_as)
}

/// Read a project from the text of a `go.mod` and of its `go.sum` (with the path that
/// names it in messages).
///
/// # Errors
/// [`SbomError::Malformed`] naming the file that is not what its name says.
pub fn project_from_texts(
    go_mod: &str,
    go_sum: Option<(&str, &Path)>,
    shown_as: &Path,
) -> Result<Project, SbomError> {
    let m = parse_mod(go_mod, shown_as)?;
    let sums = match go_sum {
        Some((text, shown)) => parse_sum(text, shown)?,
        None => BTreeMap::new(),
    };
    let main_purl = purl_of(&m.module, "");
    let mut components = Vec::new();
    let mut wanted = BTreeSet::new();
    for r in &m.requires {
        if m.excludes.contains(&(r.path.clone(), r.version.clone())) {
            continue;
        }
        let replacement = m
            .replaces
            .iter()
            .find(|x| x.old == r.path && x.old_version.as_deref() == Some(r.version.as_str()))
            .or_else(|| {
                m.replaces
                    .iter()
                    .find(|x| x.old == r.path && x.old_version.is_none())
            });
        let (path, version, source) = match replacement {
            Some(Replace {
                new,
                new_version: None,
                ..
            }) => (
                r.path.clone(),
                r.version.clone(),
                Source::Path { path: new.clone() },
            ),
            Some(Replace {
                new,
                new_version: Some(v),
                ..
            }) => (
                new.clone(),
                v.clone(),
                Source::Registry { url: PROXY.into() },
            ),
            None => (
                r.path.clone(),
                r.version.clone(),
                Source::Registry { url: PROXY.into() },
            ),
        };
        let hashes = if matches!(source, Source::Path { .. }) {
            Vec::new()
        } else {
            sums.get(&(path.clone(), version.clone()))
                .cloned()
                .into_iter()
                .collect()
        };
        let purl = purl_of(&path, &version);
        wanted.insert(purl.clone());
        components.push(Component {
            ecosystem: Ecosystem::Go,
            name: path,
            version,
            purl,
            scope: Scope::Runtime,
            direct: !r.indirect,
            first_party: false,
            source,
            hashes,
            licenses: Vec::new(),
            dependencies: BTreeSet::new(),
        });
    }
    components.push(Component {
        ecosystem: Ecosystem::Go,
        name: m.module.clone(),
        version: String::new(),
        purl: main_purl,
        scope: Scope::Runtime,
        direct: false,
        first_party: true,
        source: Source::Path { path: ".".into() },
        hashes: Vec::new(),
        licenses: Vec::new(),
        dependencies: wanted,
    });
    Ok(Project {
        lockfile: shown_as.to_owned(),
        ecosystem: Ecosystem::Go,
        components: graph::settle(components),
    })
}

/// `pkg:golang/<path up to the last />/<last element>@<version>`, each segment encoded.
fn purl_of(path: &str, version: &str) -> Purl {
    let (namespace, name) = match path.rsplit_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, path),
    };
    let version = (!version.is_empty()).then_some(version);
    Purl::new("golang", namespace, name, version, &BTreeMap::new())
}

#[derive(Debug)]
struct Require {
    path: String,
    version: String,
    indirect: bool,
}

#[derive(Debug)]
struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    /// None: a directory replaces the module.
    new_version: Option<String>,
}

#[derive(Debug, Default)]
struct GoMod {
    module: String,
    requires: Vec<Require>,
    replaces: Vec<Replace>,
    excludes: BTreeSet<(String, String)>,
}

/// The tokens of a line (quoted strings unquoted) and its comment.
fn tokens(line: &str) -> Result<(Vec<String>, &str), String> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if line[i..].starts_with("//") {
            return Ok((out, line[i + 2..].trim()));
        } else if c == '"' || c == '`' {
            chars.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && c == '"' {
                    match chars.next() {
                        Some((_, e)) => s.push(e),
                        None => break,
                    }
                } else {
                    s.push(d);
                }
            }
            if !closed {
                return Err("unterminated quoted string".into());
            }
            out.push(s);
        } else if line[i..].starts_with("=>") {
            chars.next();
            chars.next();
            out.push("=>".into());
        } else {
            let mut s = String::new();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_whitespace()
                    || d == '"'
                    || d == '`'
                    || line[j..].starts_with("//")
                    || line[j..].starts_with("=>")
                {
                    break;
                }
                s.push(d);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok((out, ""))
}

fn is_version(v: &str) -> bool {
    v.starts_with('v')
        && v.len() > 1
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
}

fn is_module_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with(['-', '/', '.'])
        && p.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

fn parse_mod(text: &str, shown_as: &Path) -> Result<GoMod, SbomError> {
    let mut m = GoMod::default();
    let mut module = None;
    let mut block: Option<(String, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        let bad = |msg: String| SbomError::malformed(shown_as, format!("line {}: {msg}", n + 1));
        let (toks, comment) = tokens(line).map_err(&bad)?;
        let Some(first) = toks.first() else { continue };
        let (verb, args): (String, &[String]) = match &block {
            Some(_) if first == ")" => {
                if toks.len() > 1 {
                    return Err(bad("text after `)`".into()));
                }
                block = None;
                continue;
            }
            Some((verb, _)) => (verb.clone(), &toks[..]),
            None if toks.len() == 2 && toks[1] == "(" => {
                block = Some((first.clone(), n + 1));
                continue;
            }
            None => (first.clone(), &toks[1..]),
        };
        match verb.as_str() {
            "module" => {
                let path = args
                    .first()
                    .filter(|p| is_module_path(p) && args.len() == 1)
                    .ok_or_else(|| bad("module needs one module path".into()))?;
                if module.replace(path.clone()).is_some() {
                    return Err(bad("a second module directive".into()));
                }
            }
            "require" => match args {
                [path, version] if is_module_path(path) && is_version(version) => {
                    let indirect = comment == "indirect" || comment.starts_with("indirect;");
                    m.requires.push(Require {
                        path: path.clone(),
                        version: version.clone(),
                        indirect,
                    });
                }
                _ => return Err(bad("require needs a module path and a version".into())),
            },
            "exclude" => match args {
                [path, version] if is_module_path(path) && is_version(version) => {
                    m.excludes.insert((path.clone(), version.clone()));
                }
                _ => return Err(bad("exclude needs a module path and a version".into())),
            },
            "replace" => {
                let arrow = args
                    .iter()
                    .position(|t| t == "=>")
                    .ok_or_else(|| bad("replace needs `=>`".into()))?;
                let (old, new) = (&args[..arrow], &args[arrow + 1..]);
                let (old, old_version) = match old {
                    [p] if is_module_path(p) => (p.clone(), None),
                    [p, v] if is_module_path(p) && is_version(v) => (p.clone(), Some(v.clone())),
                    _ => {
                        return Err(bad(
                            "replace needs a module path (and version) before `=>`".into()
                        ));
                    }
                };
                let (new, new_version) = match new {
                    [p] if p.starts_with("./")
                        || p.starts_with("../")
                        || p.starts_with('/')
                        || p == "."
                        || p == ".." =>
                    {
                        (p.clone(), None)
                    }
                    [p, v] if is_module_path(p) && is_version(v) => (p.clone(), Some(v.clone())),
                    _ => {
                        return Err(bad(
                            "replace needs a directory, or a module path and version, after `=>`"
                                .into(),
                        ));
                    }
                };
                m.replaces.push(Replace {
                    old,
                    old_version,
                    new,
                    new_version,
                });
            }
            // go, toolchain, godebug, retract, tool, ignore and directives to come: nothing
            // about the build list.
            _ => {}
        }
    }
    if let Some((verb, line)) = block {
        return Err(SbomError::malformed(
            shown_as,
            format!("line {line}: the {verb} block is never closed"),
        ));
    }
    m.module = module.ok_or_else(|| {
        SbomError::malformed(shown_as, "no module directive: not a go.mod".to_owned())
    })?;
    Ok(m)
}

/// go.sum: `<module> <version>[/go.mod] h1:<base64>` → the module's own hash (the
/// `/go.mod` lines hash only its go.mod).
fn parse_sum(text: &str, shown_as: &Path) -> Result<BTreeMap<(String, String), Hash>, SbomError> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[..] {
            [] => {}
            [path, version, hash] => {
                if version.ends_with("/go.mod") {
                    continue;
                }
                let Some(b64) = hash.strip_prefix("h1:") else {
                    continue;
                };
                let digest = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .ok()
                    .and_then(|b| Hash::from_hex(HashAlg::Sha256, &hex::encode(b)))
                    .ok_or_else(|| {
                        SbomError::malformed(
                            shown_as,
                            format!("line {}: {hash:?} is not an h1: SHA-256", n + 1),
                        )
                    })?;
                out.insert((path.to_owned(), version.to_owned()), digest);
            }
            _ => {
                return Err(SbomError::malformed(
                    shown_as,
                    format!("line {}: not `module version hash`", n + 1),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_MOD: &str = r#"module github.com/acme/server

go 1.21

toolchain go1.21.5

require (
	github.com/gin-gonic/gin v1.9.1
	github.com/Azure/azure-sdk-for-go/sdk/azcore v1.9.0 // indirect
	golang.org/x/net v0.17.0 // indirect; used by gin
	"github.com/old/lib" v1.0.0
	github.com/acme/shared v0.0.0-20240101000000-0123456789ab
	github.com/bad/version v1.2.0
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

require github.com/pkg/errors v0.9.1

replace github.com/old/lib => github.com/new/lib v1.1.0

replace (
	github.com/acme/shared => ../shared // local copy
	golang.org/x/net v0.16.0 => golang.org/x/net v0.15.0
)

exclude github.com/bad/version v1.2.0

retract [v0.1.0, v0.1.5]
"#;

    const GO_SUM: &str = "\
github.com/gin-gonic/gin v1.9.1 h1:4idEAncQnU5cB7BeOkPtxjfCSye0AAm1R0RVIqJ+Jmg=
github.com/gin-gonic/gin v1.9.1/go.mod h1:hPrL7YrpYKXt5YId3A/Tnip5kqbEAP+KLuI3SUcPTeU=
github.com/new/lib v1.1.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=

github.com/old/lib v1.0.0 h1://////////////////////////////////////////w=
";

    fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
        p.expect_component(purl)
    }

    #[test]
    fn requires_replaces_excludes_and_hashes() {
        let p = project_from_texts(
            GO_MOD,
            Some((GO_SUM, Path::new("go.sum"))),
            Path::new("go.mod"),
        )
        .expect("parses");
        assert_eq!(p.components.len(), 8, "seven modules and the main one");
        let main = find(&p, "pkg:golang/github.com/acme/server");
        assert!(main.first_party);
        assert_eq!(main.dependencies.len(), 7);
        let gin = find(&p, "pkg:golang/github.com/gin-gonic/gin@v1.9.1");
        assert!(gin.direct);
        assert_eq!(gin.scope, Scope::Runtime);
        assert_eq!(
            gin.hashes,
            vec![Hash {
                alg: HashAlg::Sha256,
                hex: "e227440277109d4e5c07b05e3a43edc637c24b27b40009b547445522a27e2668".into()
            }]
        );
        assert_eq!(gin.source, Source::Registry { url: PROXY.into() });
        assert!(
            !find(&p, "pkg:golang/golang.org/x/net@v0.17.0").direct,
            "indirect; …"
        );
        assert!(
            !find(
                &p,
                "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.9.0"
            )
            .direct
        );
        // A module replacement is the other module; its go.sum line is the hash.
        let new = find(&p, "pkg:golang/github.com/new/lib@v1.1.0");
        assert_eq!(new.name, "github.com/new/lib");
        assert_eq!(new.hashes.len(), 1);
        assert!(new.hashes[0].hex.chars().all(|c| c == '0'));
        // A directory replacement keeps the module and is a path source.
        let shared = find(
            &p,
            "pkg:golang/github.com/acme/shared@v0.0.0-20240101000000-0123456789ab",
        );
        assert_eq!(
            shared.source,
            Source::Path {
                path: "../shared".into()
            }
        );
        assert!(shared.hashes.is_empty());
        // A replacement of another version does not apply.
        find(&p, "pkg:golang/golang.org/x/net@v0.17.0");
        assert!(
            p.components
                .iter()
                .all(|c| c.name != "github.com/bad/version"),
            "excluded"
        );
        find(&p, "pkg:golang/gopkg.in/yaml.v3@v3.0.1");
        find(&p, "pkg:golang/github.com/pkg/errors@v0.9.1");
    }

    #[test]
    fn malformed_files_are_named() {
        for (text, expect) in [
            ("go 1.21\n", "no module directive"),
            ("module a\nmodule b\n", "line 2: a second module"),
            (
                "module a\nrequire (\n x v1.0.0\n",
                "line 2: the require block is never closed",
            ),
            ("module a\nrequire x\n", "line 2: require needs"),
            ("module a\nrequire x 1.0\n", "require needs"),
            ("module a\nreplace x v1.0.0\n", "replace needs `=>`"),
            ("module a\nreplace x => y\n", "after `=>`"),
            ("module \"a\n", "line 1: unterminated"),
            ("module a\nexclude x\n", "exclude needs"),
        ] {
            let err = project_from_text(text, Path::new("svc/go.mod")).expect_err(text);
            let s = err.to_string();
            assert!(s.starts_with("svc/go.mod: ") && s.contains(expect), "{s}");
        }
        let err = project_from_texts(
            "module a\n",
            Some(("x v1 h1:!!\n", Path::new("go.sum"))),
            Path::new("go.mod"),
        )
        .expect_err("bad sum");
        assert!(err.to_string().starts_with("go.sum: line 1"), "{err}");
        let err = project_from_texts(
            "module a\n",
            Some(("x v1\n", Path::new("go.sum"))),
            Path::new("go.mod"),
        )
        .expect_err("bad sum");
        assert!(
            err.to_string().contains("not `module version hash`"),
            "{err}"
        );
    }

    #[test]
    fn tokens_split_quotes_comments_and_arrows() {
        let (t, c) = tokens("a=>\"b c\" `d` // indirect").expect("tokens");
        assert_eq!(t, vec!["a", "=>", "b c", "d"]);
        assert_eq!(c, "indirect");
    }
}
