//! Layouts written by people: a TOML (or YAML, same fields) description that names keys
//! by file, steps by functionary name and rules as strings, turned into the v0.9 JSON
//! layout.
//!
//! ```toml
//! expires = "2027-06-30T00:00:00Z"      # or: expires_in_days = 180
//! readme = "Build and package the app"
//!
//! [keys]                                 # functionary name = public key file
//! alice = "keys/alice.pub"
//! bob = "keys/bob.pub"
//!
//! [[steps]]
//! name = "build"
//! functionaries = ["alice", "bob"]
//! threshold = 2
//! expected_command = "make app"          # a string (split like a shell) or a list
//! materials = ["MATCH src/* WITH PRODUCTS FROM write", "DISALLOW *"]
//! products = [["CREATE", "app"], ["DISALLOW", "*"]]
//!
//! [[inspections]]
//! name = "check"
//! run = ["sh", "-c", "test -x app"]
//! materials = ["MATCH app WITH PRODUCTS FROM build"]
//! ```
//!
//! The same in YAML:
//!
//! ```yaml
//! expires: "2027-06-30T00:00:00Z"
//! keys: {alice: keys/alice.pub, bob: keys/bob.pub}
//! steps:
//!   - name: build
//!     functionaries: [alice, bob]
//!     threshold: 2
//!     expected_command: make app
//!     materials: ["MATCH src/* WITH PRODUCTS FROM write", "DISALLOW *"]
//!     products: [[CREATE, app], [DISALLOW, "*"]]
//! ```
//!
//! Rules are given as strings (split on whitespace, quotes allowed, like python in-toto's
//! `add_material_rule_from_string`) or as lists of strings.

use crate::IntotoError;
use crate::layout::{Layout, parse_expiry};
use custody_crypto::keys::PublicKey;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Description {
    expires: Option<String>,
    expires_in_days: Option<u64>,
    #[serde(default)]
    readme: String,
    #[serde(default)]
    keys: BTreeMap<String, String>,
    #[serde(default)]
    steps: Vec<StepDescription>,
    #[serde(default)]
    inspections: Vec<InspectionDescription>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Words {
    Line(String),
    List(Vec<String>),
}

impl Words {
    fn split(&self, what: &str) -> Result<Vec<String>, IntotoError> {
        match self {
            Words::List(l) => Ok(l.clone()),
            Words::Line(s) => {
                shell_words(s).ok_or_else(|| bad(format!("{what}: unbalanced quotes in {s:?}")))
            }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDescription {
    name: String,
    functionaries: Vec<String>,
    #[serde(default = "one")]
    threshold: u64,
    expected_command: Option<Words>,
    #[serde(default)]
    materials: Vec<Words>,
    #[serde(default)]
    products: Vec<Words>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InspectionDescription {
    name: String,
    run: Words,
    #[serde(default)]
    materials: Vec<Words>,
    #[serde(default)]
    products: Vec<Words>,
}

fn one() -> u64 {
    1
}

fn bad(m: impl Into<String>) -> IntotoError {
    IntotoError::Malformed(format!("layout description: {}", m.into()))
}

/// Split a line into words like a POSIX shell would (single and double quotes, backslash
/// escapes); `None` for unbalanced quotes.
fn shell_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => cur.push(chars.next()?),
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next()?);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

fn rules(list: &[Words], what: &str) -> Result<Value, IntotoError> {
    let mut out = Vec::new();
    for r in list {
        let words = r.split(what)?;
        if words.is_empty() {
            return Err(bad(format!("{what}: empty rule")));
        }
        out.push(json!(words));
    }
    Ok(Value::Array(out))
}

/// The language a layout description is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescriptionFormat {
    /// TOML.
    Toml,
    /// YAML (one document).
    Yaml,
}

impl DescriptionFormat {
    /// By file name: `.yaml`/`.yml` is YAML, anything else TOML.
    #[must_use]
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml") => {
                Self::Yaml
            }
            _ => Self::Toml,
        }
    }
}

/// Turn a TOML description into the layout JSON document (the `signed` part). Key files
/// are read relative to `base_dir`; `now_unix` computes `expires_in_days`.
///
/// # Errors
/// [`IntotoError::Malformed`] naming the problem (unknown keys, unknown functionaries,
/// unreadable key files, invalid rules: the result is checked with the layout parser).
pub fn layout_from_toml(text: &str, base_dir: &Path, now_unix: i64) -> Result<Value, IntotoError> {
    layout_from_description(text, DescriptionFormat::Toml, base_dir, now_unix)
}

/// As [`layout_from_toml`], for a description in either language.
///
/// # Errors
/// As [`layout_from_toml`].
pub fn layout_from_description(
    text: &str,
    format: DescriptionFormat,
    base_dir: &Path,
    now_unix: i64,
) -> Result<Value, IntotoError> {
    let d: Description = match format {
        DescriptionFormat::Toml => toml::from_str(text).map_err(|e| bad(e.to_string()))?,
        DescriptionFormat::Yaml => serde_saphyr::from_str(text).map_err(|e| bad(e.to_string()))?,
    };
    let expires = match (&d.expires, d.expires_in_days) {
        (Some(e), None) => {
            parse_expiry(e)?;
            e.clone()
        }
        (None, Some(days)) => {
            let secs = now_unix + i64::try_from(days).unwrap_or(i64::MAX / 2 / 86_400) * 86_400;
            format_expiry(secs)
        }
        (Some(_), Some(_)) => return Err(bad("give either expires or expires_in_days, not both")),
        (None, None) => {
            return Err(bad(
                "no expiry: set expires = \"YYYY-MM-DDTHH:MM:SSZ\" or expires_in_days = N",
            ));
        }
    };
    let mut keys = Map::new();
    let mut ids = BTreeMap::new();
    for (name, file) in &d.keys {
        let path = base_dir.join(file);
        let bytes = std::fs::read(&path)
            .map_err(|e| bad(format!("key {name:?}: {}: {e}", path.display())))?;
        let key = PublicKey::from_bytes(&bytes, None)
            .map_err(|e| bad(format!("key {name:?}: {}: {e}", path.display())))?;
        let id = key.key_id();
        keys.insert(
            id.to_string(),
            key.to_sslib_json_value(true).map_err(IntotoError::Crypto)?,
        );
        ids.insert(name.clone(), id);
    }
    let mut steps = Vec::new();
    for s in &d.steps {
        let what = format!("step {:?}", s.name);
        let pubkeys = s
            .functionaries
            .iter()
            .map(|f| {
                ids.get(f)
                    .map(|id| Value::String(id.to_string()))
                    .ok_or_else(|| bad(format!("{what}: functionary {f:?} is not in [keys]")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if usize::try_from(s.threshold).unwrap_or(usize::MAX) > pubkeys.len() {
            return Err(bad(format!(
                "{what}: threshold {} is more than its {} functionaries",
                s.threshold,
                pubkeys.len()
            )));
        }
        let command = match &s.expected_command {
            Some(c) => c.split(&what)?,
            None => Vec::new(),
        };
        steps.push(json!({
            "_type": "step",
            "name": s.name,
            "threshold": s.threshold,
            "pubkeys": pubkeys,
            "expected_command": command,
            "expected_materials": rules(&s.materials, &what)?,
            "expected_products": rules(&s.products, &what)?,
        }));
    }
    let mut inspect = Vec::new();
    for i in &d.inspections {
        let what = format!("inspection {:?}", i.name);
        inspect.push(json!({
            "_type": "inspection",
            "name": i.name,
            "run": i.run.split(&what)?,
            "expected_materials": rules(&i.materials, &what)?,
            "expected_products": rules(&i.products, &what)?,
        }));
    }
    let layout = json!({
        "_type": "layout",
        "expires": expires,
        "readme": d.readme,
        "keys": keys,
        "steps": steps,
        "inspect": inspect,
    });
    // Everything custody writes it can read back; {NAME} placeholders stay in the layout
    // (filled at verification) and get a dummy value for this check.
    Layout::from_value(&layout, &placeholder_values(&layout))?;
    Ok(layout)
}

/// A value for every `{NAME}` placeholder, to check a parameterised layout's shape.
fn placeholder_values(v: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(open) = rest.find('{') {
                    let Some(close) = rest[open..].find('}') else {
                        break;
                    };
                    out.insert(rest[open + 1..open + close].to_owned(), "x".to_owned());
                    rest = &rest[open + close + 1..];
                }
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    out
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
#[must_use]
pub fn format_expiry(unix: i64) -> String {
    custody_core::time::format_utc(unix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_crypto::keys::{KeyType, PrivateKey};

    #[test]
    fn expiry_round_trips() {
        for t in [0, 951_868_799, 1_795_608_000, 4_102_444_800] {
            assert_eq!(parse_expiry(&format_expiry(t)).expect("valid"), t);
        }
    }

    #[test]
    fn shell_words_split_like_a_shell() {
        assert_eq!(
            shell_words("MATCH 'a b/*' WITH \"PRO\\\"DUCTS\" FROM x\\ y"),
            Some(vec![
                "MATCH".into(),
                "a b/*".into(),
                "WITH".into(),
                "PRO\"DUCTS".into(),
                "FROM".into(),
                "x y".into()
            ])
        );
        assert_eq!(shell_words("'open"), None);
    }

    #[test]
    fn description_becomes_a_layout() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = PrivateKey::generate(KeyType::Ed25519)
            .expect("key")
            .public_key();
        std::fs::write(
            dir.path().join("alice.pub"),
            key.to_spki_pem().expect("pem"),
        )
        .expect("write");
        let text = r#"
            expires_in_days = 30
            [keys]
            alice = "alice.pub"
            [[steps]]
            name = "build"
            functionaries = ["alice"]
            expected_command = "make 'my app'"
            materials = ["ALLOW src/*", ["DISALLOW", "*"]]
            [[inspections]]
            name = "check"
            run = "test -f app"
        "#;
        let v = layout_from_toml(text, dir.path(), 0).expect("valid");
        assert_eq!(v["expires"], "1970-01-31T00:00:00Z");
        assert_eq!(v["steps"][0]["pubkeys"][0], key.key_id().as_str());
        assert_eq!(v["steps"][0]["expected_command"], json!(["make", "my app"]));
        assert_eq!(
            v["steps"][0]["expected_materials"],
            json!([["ALLOW", "src/*"], ["DISALLOW", "*"]])
        );
        assert_eq!(v["inspect"][0]["run"], json!(["test", "-f", "app"]));
        assert_eq!(
            v["keys"][key.key_id().as_str()]["keyid"],
            key.key_id().as_str()
        );
        let e = layout_from_toml(
            &text.replace("functionaries = [\"alice\"]", "functionaries = [\"eve\"]"),
            dir.path(),
            0,
        )
        .expect_err("unknown functionary")
        .to_string();
        assert!(e.contains("eve"), "{e}");
        let e = layout_from_toml(&format!("{text}\nstray = 1"), dir.path(), 0)
            .expect_err("unknown key")
            .to_string();
        assert!(e.contains("stray"), "{e}");
    }

    #[test]
    fn yaml_describes_the_same_layout() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = PrivateKey::generate(KeyType::Ed25519)
            .expect("key")
            .public_key();
        std::fs::write(
            dir.path().join("alice.pub"),
            key.to_spki_pem().expect("pem"),
        )
        .expect("write");
        let toml = r#"
            expires = "2027-06-30T00:00:00Z"
            readme = "r"
            [keys]
            alice = "alice.pub"
            [[steps]]
            name = "build"
            functionaries = ["alice"]
            expected_command = ["make", "app"]
            materials = ["ALLOW src/*", ["DISALLOW", "*"]]
            [[inspections]]
            name = "check"
            run = "test -f app"
        "#;
        let yaml = "
expires: 2027-06-30T00:00:00Z   # unquoted: still read as text
readme: r
keys:
  alice: alice.pub
steps:
  - name: build
    functionaries: [alice]
    expected_command: [make, app]
    materials:
      - ALLOW src/*
      - [DISALLOW, '*']
inspections:
  - name: check
    run: test -f app
";
        let from_toml = layout_from_toml(toml, dir.path(), 0).expect("toml");
        let from_yaml =
            layout_from_description(yaml, DescriptionFormat::Yaml, dir.path(), 0).expect("yaml");
        assert_eq!(from_yaml, from_toml);
        let e = layout_from_description(
            &format!("{yaml}stray: 1\n"),
            DescriptionFormat::Yaml,
            dir.path(),
            0,
        )
        .expect_err("unknown key")
        .to_string();
        assert!(e.contains("stray"), "{e}");
        let e = layout_from_description("steps: [", DescriptionFormat::Yaml, dir.path(), 0)
            .expect_err("broken YAML")
            .to_string();
        assert!(!e.is_empty());
        assert_eq!(
            DescriptionFormat::from_path(Path::new("a/layout.YML")),
            DescriptionFormat::Yaml
        );
        assert_eq!(
            DescriptionFormat::from_path(Path::new("layout.toml")),
            DescriptionFormat::Toml
        );
    }
}
