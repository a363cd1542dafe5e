//! What a pre-receive hook is told about a push: one `OLD NEW REF` line per updated ref.

use crate::GitError;

/// One ref update of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// Old value (all zeros when the ref is created).
    pub old: String,
    /// New value (all zeros when the ref is deleted).
    pub new: String,
    /// The ref.
    pub name: String,
}

impl RefUpdate {
    /// Whether the push deletes the ref.
    #[must_use]
    pub fn deletes(&self) -> bool {
        is_zero(&self.new)
    }

    /// Whether the push creates the ref.
    #[must_use]
    pub fn creates(&self) -> bool {
        is_zero(&self.old)
    }
}

fn is_zero(id: &str) -> bool {
    id.bytes().all(|b| b == b'0')
}

/// Read pre-receive input. Blank lines are skipped; object ids are 40 (SHA-1) or 64
/// (SHA-256) hex digits.
///
/// # Errors
/// [`GitError::PushInput`] naming the line.
pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>, GitError> {
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let error = |detail: String| GitError::PushInput {
            line: i + 1,
            detail,
        };
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [old, new, name] = fields[..] else {
            return Err(error(format!("expected OLD NEW REF, got {line:?}")));
        };
        for id in [old, new] {
            if !(id.len() == 40 || id.len() == 64) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(error(format!("{id:?} is not an object id")));
            }
        }
        out.push(RefUpdate {
            old: old.to_owned(),
            new: new.to_owned(),
            name: name.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_input_is_parsed_strictly() {
        let zero = "0".repeat(40);
        let a = "a".repeat(40);
        let parsed = parse_updates(&format!("{zero} {a} refs/heads/main\n\n")).expect("valid");
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].name, "refs/heads/main");
        assert!(parsed[0].creates() && !parsed[0].deletes());
        for bad in [
            "x y",
            &format!("{a} {a}"),
            &format!("{a} nothex refs/heads/x"),
        ] {
            let err = parse_updates(bad).expect_err(bad);
            assert!(err.to_string().contains("line 1"), "{err}");
        }
    }
}
