//! Canonical JSON, byte for byte against securesystemslib's `encode_canonical`.
//!
//! A deterministic corpus (fixed seed, thousands of values with hostile strings, nested
//! containers, extreme integers) is written as JSON lines; `tests/interop/canonical.py`
//! canonicalises every line with securesystemslib and custody must produce the same bytes.
//!
//! Needs a Python with securesystemslib, named by `CUSTODY_INTEROP_PYTHON`; `scripts/test`
//! sets it up. Run with:
//!
//! ```text
//! CUSTODY_INTEROP_PYTHON=/path/to/venv/bin/python \
//!   cargo test -p custody-core --test interop_canonical -- --include-ignored
//! ```

use custody_core::canonical_json::{self, CanonicalJsonError};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const PYTHON_VAR: &str = "CUSTODY_INTEROP_PYTHON";
/// Number of generated values (besides the fixed edge cases).
const CORPUS_SIZE: usize = 3000;

/// The Python named by `CUSTODY_INTEROP_PYTHON`, checked to have securesystemslib. Panics
/// (never skips) when it is missing: an interop test that silently passes proves nothing.
fn python() -> PathBuf {
    let Some(python) = std::env::var_os(PYTHON_VAR).filter(|p| !p.is_empty()) else {
        panic!(
            "{PYTHON_VAR} is not set: it must name a Python interpreter with securesystemslib \
             installed (scripts/test creates one and sets it)"
        );
    };
    let python = PathBuf::from(python);
    let out = Command::new(&python)
        .args([
            "-c",
            "import securesystemslib, securesystemslib.formats; print(securesystemslib.__version__)",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{PYTHON_VAR}={}: cannot run it: {e}", python.display()));
    assert!(
        out.status.success(),
        "{PYTHON_VAR}={}: securesystemslib is not importable:\n{}",
        python.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    python
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/canonical.py")
}

/// `SplitMix64`: tiny, deterministic, good enough to spread choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("below n fits usize")
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Characters chosen to break naive canonicalisers: escapes, control characters,
/// combining marks, the BMP/non-BMP boundary (UTF-16 order differs from code point order
/// there), line and paragraph separators, noncharacters, byte order marks.
const SPECIAL_CHARS: &[char] = &[
    '"',
    '\\',
    '/',
    '\u{0}',
    '\u{1}',
    '\u{8}',
    '\t',
    '\n',
    '\u{b}',
    '\u{c}',
    '\r',
    '\u{1b}',
    '\u{1f}',
    '\u{7f}',
    '\u{80}',
    '\u{85}',
    '\u{9f}',
    '\u{a0}',
    'é',
    'ß',
    '\u{301}',
    '\u{308}',
    '\u{20d7}',
    '\u{2028}',
    '\u{2029}',
    '\u{200b}',
    '\u{200d}',
    '\u{d7ff}',
    '\u{e000}',
    '\u{fdd0}',
    '\u{feff}',
    '\u{fffd}',
    '\u{fffe}',
    '\u{ffff}',
    '\u{10000}',
    '\u{1d11e}',
    '\u{1f600}',
    '\u{1f468}',
    '\u{e0001}',
    '\u{10ffff}',
    '中',
    '文',
    'Ω',
    'я',
    'ا',
];

fn arb_char(rng: &mut Rng) -> char {
    match rng.below(10) {
        0..=3 => char::from(u8::try_from(0x20 + rng.below(0x5f)).expect("printable ASCII")),
        4..=6 => *rng.pick(SPECIAL_CHARS),
        7 => char::from(u8::try_from(rng.below(0x20)).expect("control character")),
        8 => {
            // Any BMP scalar value outside the surrogate range.
            let c = u32::try_from(rng.below(0xF800)).expect("small");
            char::from_u32(if c >= 0xD800 { c + 0x800 } else { c }).expect("not a surrogate")
        }
        _ => char::from_u32(0x10000 + u32::try_from(rng.below(0x0010_0000)).expect("small"))
            .expect("supplementary plane scalar"),
    }
}

fn arb_string(rng: &mut Rng) -> String {
    let len = match rng.below(6) {
        0 => 0,
        1..=3 => rng.below(6),
        _ => rng.below(40),
    };
    (0..len).map(|_| arb_char(rng)).collect()
}

/// Keys from a small alphabet collide and share prefixes, so sorting is really exercised.
fn arb_key(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "a",
        "b",
        "A",
        "_",
        "\"",
        "\\",
        "[",
        "é",
        "e\u{301}",
        "\u{ffff}",
        "\u{1f600}",
        "\u{e000}",
        "\u{0}",
        "\u{7f}",
        " ",
        "1",
        "10",
        "2",
        "keyid",
        "keyval",
    ];
    if rng.below(4) == 0 {
        return arb_string(rng);
    }
    (0..=rng.below(3)).map(|_| *rng.pick(PARTS)).collect()
}

fn arb_int(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => Value::from(*rng.pick(&[i64::MIN, i64::MAX, 0, -1, 1, i64::MIN + 1])),
        1 => Value::from(*rng.pick(&[u64::MAX, u64::MAX - 1, 1u64 << 63, (1u64 << 53) + 1])),
        2 => Value::from(rng.next()),
        3 => Value::from(i64::from_ne_bytes(rng.next().to_ne_bytes())),
        4 => Value::from(i64::try_from(rng.below(2001)).expect("small") - 1000),
        _ => Value::from(rng.below(100)),
    }
}

fn arb_value(rng: &mut Rng, depth: usize) -> Value {
    let leaf = depth == 0 || rng.below(3) == 0;
    if leaf {
        return match rng.below(10) {
            0 => Value::Null,
            1 => Value::Bool(rng.below(2) == 0),
            2..=4 => arb_int(rng),
            _ => Value::String(arb_string(rng)),
        };
    }
    let len = rng.below(7);
    if rng.below(2) == 0 {
        Value::Array((0..len).map(|_| arb_value(rng, depth - 1)).collect())
    } else {
        let mut map = Map::new();
        for _ in 0..len {
            map.insert(arb_key(rng), arb_value(rng, depth - 1));
        }
        Value::Object(map)
    }
}

/// Hand-picked values first, then the generated ones.
fn corpus() -> Vec<Value> {
    let mut values: Vec<Value> = [
        r"{}",
        r"[]",
        r#""""#,
        r"null",
        r"true",
        r"false",
        r"0",
        r"-9223372036854775808",
        r"9223372036854775807",
        r"18446744073709551615",
        r#"{"b":1,"a":2,"A":3,"_":4}"#,
        r#"{"a[":1,"a\"":2,"a\\":3,"a":4}"#,
        r#"{"\uffff":1,"\ud83d\ude00":2,"\ue000":3}"#,
        r#"{"e\u0301":1,"\u00e9":2}"#,
        r#""quote \" backslash \\ slash \/ controls \u0000\u0001\n\r\t\u001f\u007f""#,
        r#"["\u2028\u2029\u0085\ufeff"]"#,
        r#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"ab"}}"#,
        r"[[[[[[[[[[[]]]]]]]]]]]",
    ]
    .iter()
    .map(|s| serde_json::from_str(s).expect("hand-written JSON parses"))
    .collect();
    let mut rng = Rng(0x00C0_FFEE_CA5E_D00D);
    values.extend((0..CORPUS_SIZE).map(|_| arb_value(&mut rng, 4)));
    values
}

/// Run canonical.py over JSON lines; one output line (hex or `ERROR …`) per input line.
fn python_canonical(dir: &Path, lines: &[String]) -> Vec<String> {
    let input = dir.join("corpus.jsonl");
    let output = dir.join("canonical.hex");
    let mut text = lines.join("\n");
    text.push('\n');
    fs_err::write(&input, text).expect("write corpus");
    let out = Command::new(python())
        .arg("-B")
        .arg(script())
        .arg(&input)
        .arg(&output)
        .output()
        .expect("run canonical.py");
    assert!(
        out.status.success(),
        "canonical.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Vec<String> = fs_err::read_to_string(&output)
        .expect("read canonical.py output")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        result.len(),
        lines.len(),
        "canonical.py must write one line per input line (a line split in transit?)"
    );
    result
}

fn show(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn canonical_json_matches_securesystemslib_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let values = corpus();
    assert!(values.len() >= 2000, "corpus too small");
    let lines: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).expect("serialise"))
        .collect();
    let expected = python_canonical(dir.path(), &lines);

    let mut mismatches = Vec::new();
    let mut non_ascii = 0usize;
    for (i, (line, py)) in lines.iter().zip(&expected).enumerate() {
        // Canonicalise what Python parsed: the JSON line, read back.
        let value: Value = serde_json::from_str(line).expect("our own line parses");
        assert_eq!(value, values[i], "line {i} round-trips through serde_json");
        let ours = canonical_json::to_vec(&value).expect("the corpus has no floats");
        // The text canonicaliser (no tree) must agree, from the line as Python read it.
        let from_text = canonical_json::canonicalize(line.as_bytes());
        if from_text.as_ref() != Ok(&ours) {
            mismatches.push(format!(
                "line {i}: the text canonicaliser gave {from_text:?}, the tree one {}",
                show(&ours)
            ));
        }
        if ours.iter().any(|b| !b.is_ascii()) {
            non_ascii += 1;
        }
        let Ok(theirs) = hex::decode(py) else {
            mismatches.push(format!(
                "line {i}: securesystemslib refused it: {py}\n  input: {line}"
            ));
            continue;
        };
        if ours != theirs {
            mismatches.push(format!(
                "line {i}: input {line}\n  securesystemslib: {}\n  custody:          {}",
                show(&theirs),
                show(&ours)
            ));
        }
    }
    assert!(
        non_ascii > values.len() / 4,
        "the corpus should be rich in non-ASCII text"
    );
    if !mismatches.is_empty() {
        let mut msg = format!(
            "custody's canonical JSON differs from securesystemslib.formats.encode_canonical on {} of {} values:\n",
            mismatches.len(),
            lines.len()
        );
        for m in mismatches.iter().take(10) {
            let _ = writeln!(msg, "{m}");
        }
        panic!("{msg}");
    }
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn floats_are_refused_by_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let floats = [
        "1.5",
        "-0.0",
        "0.0",
        "1e3",
        "1E-7",
        "2.0",
        "[1, 2, 3.25]",
        r#"{"a": {"b": [0, -0.5]}}"#,
        r#"{"version": 1.0}"#,
        "[[[[1e300]]]]",
    ];
    let lines: Vec<String> = floats.iter().map(|s| (*s).to_owned()).collect();
    let expected = python_canonical(dir.path(), &lines);
    for (line, py) in lines.iter().zip(&expected) {
        let value: Value = serde_json::from_str(line).expect("valid JSON");
        let ours = canonical_json::to_vec(&value);
        assert!(
            matches!(ours, Err(CanonicalJsonError::Float(_))),
            "custody must refuse the float in {line}, got {ours:?}"
        );
        assert!(
            py.starts_with("ERROR "),
            "securesystemslib must refuse the float in {line}, got {py}"
        );
    }
}

/// JSON `-0` is an integer literal. Python's `json.loads` reads it as the integer 0 and
/// securesystemslib canonicalises it to `0`. serde_json reads it as the float -0.0 and
/// cannot tell it from the float literal `-0.0`, which securesystemslib refuses; custody
/// fails closed and refuses both. This is the one documented divergence (see the
/// `canonical_json` module docs); the test pins both sides so a change on either is seen.
#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn negative_zero_is_the_documented_divergence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = vec![
        "-0".to_owned(),
        r#"{"n": -0}"#.to_owned(),
        "[0, -0]".to_owned(),
        "-0.0".to_owned(),
    ];
    let expected = python_canonical(dir.path(), &lines);
    let python_accepts: Vec<bool> = expected.iter().map(|py| hex::decode(py).is_ok()).collect();
    assert_eq!(
        python_accepts,
        [true, true, true, false],
        "securesystemslib: -0 is an int, -0.0 a float"
    );
    for line in &lines {
        let value: Value = serde_json::from_str(line).expect("valid JSON");
        assert!(
            matches!(
                canonical_json::to_vec(&value),
                Err(CanonicalJsonError::Float(_))
            ),
            "custody refuses {line} (fails closed: serde_json cannot tell -0 from -0.0)"
        );
    }
}
