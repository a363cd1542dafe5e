//! Layouts: the signed policy of a supply chain (steps, who performs them, how many
//! must agree, inspections to run at verification, artifact rules, expiry, keys).
//!
//! Parsed from the verified raw JSON value. Unknown fields are tolerated (they are
//! covered by the signature, which is checked over the raw value). Key IDs are taken as
//! the layout declares them.

use crate::IntotoError;
use custody_crypto::keys::{KeyId, PublicKey};
use serde_json::Value;
use std::collections::BTreeMap;

/// A step of the supply chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step name; links are `<name>.<keyid[:8]>.link`.
    pub name: String,
    /// How many distinct functionaries must have recorded the step, agreeing.
    pub threshold: usize,
    /// Key IDs of the functionaries authorised to perform the step.
    pub pubkeys: Vec<KeyId>,
    /// The command the step is expected to run (a mismatch is a warning, as in in-toto).
    pub expected_command: Vec<String>,
    /// Rules over the step's materials, as JSON arrays.
    pub expected_materials: Vec<Value>,
    /// Rules over the step's products, as JSON arrays.
    pub expected_products: Vec<Value>,
}

/// An inspection: a command the verifier runs itself, recording the working directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// Name; its link is written as `<name>.link`.
    pub name: String,
    /// The command.
    pub run: Vec<String>,
    /// Rules over the materials.
    pub expected_materials: Vec<Value>,
    /// Rules over the products.
    pub expected_products: Vec<Value>,
}

/// A parsed layout.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Expiry, as written (`YYYY-MM-DDTHH:MM:SSZ`).
    pub expires: String,
    /// Expiry in seconds since the Unix epoch.
    pub expires_unix: i64,
    /// Functionary keys by declared key ID.
    pub keys: BTreeMap<KeyId, PublicKey>,
    /// Keys the layout lists that custody cannot use (e.g. GnuPG), with the reason; a
    /// step that needs one cannot verify.
    pub unusable_keys: BTreeMap<KeyId, String>,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// Inspections in order.
    pub inspections: Vec<Inspection>,
    /// Free text.
    pub readme: String,
}

fn bad(m: impl Into<String>) -> IntotoError {
    IntotoError::Malformed(format!("layout: {}", m.into()))
}

fn string_list(v: Option<&Value>, what: &str) -> Result<Vec<String>, IntotoError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("{what} holds a non-string")))
            })
            .collect(),
        Some(_) => Err(bad(format!("{what} is not a list of strings"))),
    }
}

fn rule_list(v: Option<&Value>, what: &str) -> Result<Vec<Value>, IntotoError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(rules)) => {
            for r in rules {
                let ok = r.as_array().is_some_and(|tokens| {
                    !tokens.is_empty() && tokens.iter().all(Value::is_string)
                });
                if !ok {
                    return Err(bad(format!(
                        "{what}: each rule must be a non-empty list of strings, got {r}"
                    )));
                }
            }
            Ok(rules.clone())
        }
        Some(_) => Err(bad(format!("{what} is not a list of rules"))),
    }
}

/// A step or inspection name is used in file names: it must not leave the directory.
fn check_name(name: &str, what: &str) -> Result<(), IntotoError> {
    if name.is_empty()
        || name.contains('/')
        || name.contains('\\')
        || name.contains('\0')
        || name == "."
        || name == ".."
    {
        return Err(bad(format!(
            "{what} name {name:?} cannot be used as a file name"
        )));
    }
    Ok(())
}

/// Parse `YYYY-MM-DDTHH:MM:SSZ` (what in-toto writes) into Unix seconds.
///
/// # Errors
/// [`IntotoError::Malformed`] for anything else.
pub fn parse_expiry(s: &str) -> Result<i64, IntotoError> {
    custody_core::time::parse_utc(s).map_err(|e| bad(format!("\"expires\": {e}")))
}

impl Layout {
    /// Parse a layout document; `parameters` substitute `{NAME}` in commands and rules
    /// (in-toto's layout parameters).
    ///
    /// # Errors
    /// [`IntotoError::Malformed`] naming the field at fault.
    pub fn from_value(
        v: &Value,
        parameters: &BTreeMap<String, String>,
    ) -> Result<Self, IntotoError> {
        if v.get("_type").and_then(Value::as_str) != Some("layout") {
            return Err(bad("\"_type\" is not \"layout\""));
        }
        let v = &substitute(v, parameters)?;
        // python in-toto gives a layout without `expires` one month from the moment it
        // reads it, so such a layout never expires; custody refuses it instead.
        let expires = v
            .get("expires")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                bad("no string \"expires\": a layout must say when it expires (custody intoto sign gives an unsigned layout without one 30 days)")
            })?
            .to_owned();
        let expires_unix = parse_expiry(&expires)?;
        let mut keys = BTreeMap::new();
        let mut unusable_keys = BTreeMap::new();
        for (id, key) in v
            .get("keys")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("no object \"keys\""))?
        {
            match PublicKey::from_sslib_json(key) {
                Ok(k) => {
                    keys.insert(
                        KeyId::declared(id.clone()),
                        k.with_declared_key_id(KeyId::declared(id.clone())),
                    );
                }
                Err(e) => {
                    unusable_keys.insert(KeyId::declared(id.clone()), e.to_string());
                }
            }
        }
        let mut steps = Vec::new();
        for (i, s) in v
            .get("steps")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no array \"steps\""))?
            .iter()
            .enumerate()
        {
            let name = s
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("steps[{i}] has no name")))?
                .to_owned();
            check_name(&name, "step")?;
            if steps.iter().any(|st: &Step| st.name == name) {
                return Err(bad(format!("step name {name:?} is used twice")));
            }
            let threshold = match s.get("threshold") {
                None => 1,
                Some(t) => t
                    .as_u64()
                    .and_then(|t| usize::try_from(t).ok())
                    .filter(|t| *t >= 1)
                    .ok_or_else(|| {
                        bad(format!(
                            "step {name:?}: threshold must be a positive integer"
                        ))
                    })?,
            };
            let pubkeys: Vec<KeyId> =
                string_list(s.get("pubkeys"), &format!("step {name:?} pubkeys"))?
                    .into_iter()
                    .map(KeyId::declared)
                    .collect();
            for k in &pubkeys {
                if k.as_str().len() < 8 || k.as_str().contains(['/', '\\', '\0']) {
                    return Err(bad(format!(
                        "step {name:?}: key ID {k:?} cannot name a link file"
                    )));
                }
            }
            steps.push(Step {
                threshold,
                pubkeys,
                expected_command: string_list(
                    s.get("expected_command"),
                    &format!("step {name:?} expected_command"),
                )?,
                expected_materials: rule_list(
                    s.get("expected_materials"),
                    &format!("step {name:?} expected_materials"),
                )?,
                expected_products: rule_list(
                    s.get("expected_products"),
                    &format!("step {name:?} expected_products"),
                )?,
                name,
            });
        }
        let mut inspections = Vec::new();
        if let Some(list) = v.get("inspect") {
            let list = list
                .as_array()
                .ok_or_else(|| bad("\"inspect\" is not a list"))?;
            for (i, s) in list.iter().enumerate() {
                let name = s
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(format!("inspect[{i}] has no name")))?
                    .to_owned();
                check_name(&name, "inspection")?;
                if steps.iter().any(|st| st.name == name)
                    || inspections.iter().any(|ins: &Inspection| ins.name == name)
                {
                    return Err(bad(format!(
                        "name {name:?} is used by more than one step or inspection"
                    )));
                }
                inspections.push(Inspection {
                    run: string_list(s.get("run"), &format!("inspection {name:?} run"))?,
                    expected_materials: rule_list(
                        s.get("expected_materials"),
                        &format!("inspection {name:?} expected_materials"),
                    )?,
                    expected_products: rule_list(
                        s.get("expected_products"),
                        &format!("inspection {name:?} expected_products"),
                    )?,
                    name,
                });
            }
        }
        let readme = v
            .get("readme")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Ok(Self {
            expires,
            expires_unix,
            keys,
            unusable_keys,
            steps,
            inspections,
            readme,
        })
    }
}

/// Replace `{NAME}` with parameter values in commands and rules, as in-toto does; a
/// placeholder without a value is an error.
fn substitute(v: &Value, parameters: &BTreeMap<String, String>) -> Result<Value, IntotoError> {
    // Python's str.format: `{{` and `}}` are literal braces, `{NAME}` a parameter.
    fn fill(s: &str, p: &BTreeMap<String, String>) -> Result<String, IntotoError> {
        let mut out = String::with_capacity(s.len());
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '{' => {
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    let value = p.get(&name).ok_or_else(|| {
                        bad(format!(
                            "layout parameter {{{name}}} in {s:?} has no value (give it with --layout-parameters {name}=VALUE)"
                        ))
                    })?;
                    out.push_str(value);
                }
                '}' => {
                    return Err(bad(format!(
                        "single '}}' in {s:?} (write '}}}}' for a literal brace)"
                    )));
                }
                c => out.push(c),
            }
        }
        Ok(out)
    }
    fn fill_tree(v: &Value, p: &BTreeMap<String, String>) -> Result<Value, IntotoError> {
        Ok(match v {
            Value::String(s) => Value::String(fill(s, p)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| fill_tree(i, p))
                    .collect::<Result<_, _>>()?,
            ),
            other => other.clone(),
        })
    }
    let mut out = v.clone();
    let lists = [
        "expected_command",
        "expected_materials",
        "expected_products",
        "run",
    ];
    for section in ["steps", "inspect"] {
        if let Some(items) = out.get_mut(section).and_then(Value::as_array_mut) {
            for item in items {
                for field in lists {
                    if let Some(value) = item.get(field) {
                        let filled = fill_tree(value, parameters)?;
                        item[field] = filled;
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expiry_parses_like_in_toto_writes_it() {
        assert_eq!(parse_expiry("1970-01-01T00:00:00Z").expect("epoch"), 0);
        assert_eq!(
            parse_expiry("2026-11-25T12:00:00Z").expect("date"),
            1_795_608_000
        );
        assert_eq!(
            parse_expiry("2000-02-29T23:59:59Z").expect("leap day"),
            951_868_799
        );
        for bad in [
            "2026-11-25",
            "2026-13-01T00:00:00Z",
            "2026-11-25T12:00:00+01:00",
            "x",
        ] {
            assert!(parse_expiry(bad).is_err(), "{bad}");
        }
    }

    fn doc() -> Value {
        json!({
            "_type": "layout", "expires": "2030-01-01T00:00:00Z", "readme": "", "keys": {},
            "steps": [{"_type": "step", "name": "build", "threshold": 1, "pubkeys": ["abcdef0123456789"],
                       "expected_command": ["make", "{TARGET}"],
                       "expected_materials": [["ALLOW", "{SRC}/*"]], "expected_products": []}],
            "inspect": [{"_type": "inspection", "name": "untar", "run": ["tar", "xf", "{TARGET}.tar"],
                         "expected_materials": [], "expected_products": []}],
        })
    }

    #[test]
    fn parameters_are_substituted_and_missing_ones_named() {
        let p: BTreeMap<String, String> = [
            ("TARGET".into(), "app".into()),
            ("SRC".into(), "src".into()),
        ]
        .into();
        let l = Layout::from_value(&doc(), &p).expect("valid");
        assert_eq!(l.steps[0].expected_command, ["make", "app"]);
        assert_eq!(l.steps[0].expected_materials[0], json!(["ALLOW", "src/*"]));
        assert_eq!(l.inspections[0].run, ["tar", "xf", "app.tar"]);
        let e = Layout::from_value(&doc(), &BTreeMap::new())
            .expect_err("missing")
            .to_string();
        assert!(e.contains("TARGET"), "{e}");
        let mut d = doc();
        d["steps"][0]["expected_command"] = json!(["echo", "{{literal}}"]);
        let l = Layout::from_value(&d, &p).expect("escaped braces");
        assert_eq!(l.steps[0].expected_command, ["echo", "{literal}"]);
    }

    #[test]
    fn names_that_could_escape_the_link_directory_are_refused() {
        let p: BTreeMap<String, String> =
            [("TARGET".into(), "a".into()), ("SRC".into(), "s".into())].into();
        for evil in ["../etc", "a/b", ".."] {
            let mut d = doc();
            d["steps"][0]["name"] = json!(evil);
            assert!(Layout::from_value(&d, &p).is_err(), "{evil}");
        }
        let mut d = doc();
        d["steps"][0]["pubkeys"] = json!(["../../x/y"]);
        assert!(Layout::from_value(&d, &p).is_err());
    }
}
