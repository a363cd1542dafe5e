//! Artifact rules and fnmatch patterns, verdict for verdict against python in-toto 3.1.0.
//!
//! A deterministic corpus (fixed seed) of rule lists, item links and a second step's link,
//! built from paths, patterns and prefixes chosen to hit the corners (globs across `/`,
//! bracket expressions, regex metacharacters, prefixes with and without trailing slashes,
//! backslashes, absolute rests, digest maps with several algorithms, missing destination
//! links, malformed rules, keywords in any case), is written as JSON lines;
//! `tests/interop/rules.py` evaluates each case with `in_toto.verifylib.verify_item_rules`
//! (and `fnmatch.fnmatch` for the pattern cases), and custody must give the same verdict,
//! fail at the same rule with the same offending artifacts, and leave the same artifacts
//! unconsumed.
//!
//! Needs a Python with in-toto, named by `CUSTODY_INTEROP_PYTHON`; `scripts/test` sets it
//! up. Run with:
//!
//! ```text
//! CUSTODY_INTEROP_PYTHON=/path/to/venv/bin/python \
//!   cargo test -p custody-intoto --test interop_rules -- --include-ignored
//! ```

use custody_intoto::artifacts::Artifacts;
use custody_intoto::hash::Digests;
use custody_intoto::link::Link;
use custody_intoto::rules::{ArtifactRule, ArtifactType, RuleFailure, evaluate_item_rules};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PYTHON_VAR: &str = "CUSTODY_INTEROP_PYTHON";
/// Generated rule cases (besides the hand-written ones).
const RULE_CASES: usize = 1500;
/// Generated fnmatch patterns, each tried on `NAMES_PER_PATTERN` names.
const PATTERN_CASES: usize = 3000;
const NAMES_PER_PATTERN: usize = 24;

/// The Python named by `CUSTODY_INTEROP_PYTHON`, checked to have in-toto. Panics (never
/// skips) when it is missing: an interop test that silently passes proves nothing.
fn python() -> PathBuf {
    let Some(python) = std::env::var_os(PYTHON_VAR).filter(|p| !p.is_empty()) else {
        panic!(
            "{PYTHON_VAR} is not set: it must name a Python interpreter with in-toto 3.1.0 \
             installed (scripts/test creates one and sets it)"
        );
    };
    let python = PathBuf::from(python);
    let out = Command::new(&python)
        .args(["-c", "import in_toto.verifylib; print(in_toto.__version__)"])
        .output()
        .unwrap_or_else(|e| panic!("{PYTHON_VAR}={}: cannot run it: {e}", python.display()));
    assert!(
        out.status.success(),
        "{PYTHON_VAR}={}: in-toto is not importable:\n{}",
        python.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    python
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/rules.py")
}

/// Run rules.py over JSON lines; one output line per input line.
fn run_python(dir: &Path, cases: &[Value]) -> Vec<String> {
    let input = dir.join("cases.jsonl");
    let output = dir.join("verdicts.txt");
    let mut text = String::new();
    for case in cases {
        text.push_str(&serde_json::to_string(case).expect("serialise case"));
        text.push('\n');
    }
    std::fs::write(&input, text).expect("write cases");
    let out = Command::new(python())
        .arg("-B")
        .arg(script())
        .arg(&input)
        .arg(&output)
        .output()
        .expect("run rules.py");
    assert!(
        out.status.success(),
        "rules.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<String> = std::fs::read_to_string(&output)
        .expect("read rules.py output")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        verdicts.len(),
        cases.len(),
        "rules.py writes one line per case"
    );
    verdicts
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

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// --- rule cases ---------------------------------------------------------------------------

/// Path segments: collisions between items are wanted, so the alphabet is small.
const SEGMENTS: &[&str] = &[
    "a", "b", "src", "out", "x.c", "y.h", "a.b", "x+y", "(p)", "[x]", "é", "A", "a\\b", "*", "?",
    "-", "!", "^", "",
];

const PREFIXES: &[&str] = &[
    "src", "src/", "out", "out/", "a", "a/", "/", "src\\", "a\\b", "", "src//", "s*", "A",
];

/// Source and destination prefixes that fit the relocations of `moved`.
const ALIGNED_PREFIXES: &[(Option<&str>, Option<&str>)] = &[
    (None, None),
    (Some("src"), None),
    (Some("src/"), Some("out")),
    (Some("src"), Some("out/")),
    (Some("out"), Some("src")),
    (Some("a/"), Some("a\\b")),
    (Some("src"), Some("src//")),
    (None, Some("out")),
    (Some("out/"), None),
    (Some("a"), Some("out/")),
    (Some("a\\b"), Some("out")),
    (Some("src\\"), None),
];

const PATTERNS: &[&str] = &[
    "*", "*", "*", "src/*", "out/*", "*.c", "*.h", "?", "*/*", "[ab]*", "[!a]*", "a*", "*[",
    "[]a]*", "[!]*", "[b-a]", "[!b-a]*", "a.b", "x+y", "(p)", "**", "", "src*", "[a-c]*", "\\*",
    "*/x.c", "?/*", "[[]*", "*é*", "A*", "*\\*", "/*", "*/", "*b", "[!s]*/*", "x.?", "*.[ch]",
];

fn arb_path(rng: &mut Rng) -> String {
    match rng.below(20) {
        0 => (*rng.pick(&["/x", "src//x", "src/a\\b", "/src/x.c", "out//y.h", "./a"])).to_owned(),
        1..=14 => {
            // Under one of the directories the prefixes name.
            let dir = *rng.pick(&["src", "out", "a"]);
            let n = 1 + rng.below(2);
            let parts: Vec<&str> = (0..n).map(|_| *rng.pick(SEGMENTS)).collect();
            format!("{dir}/{}", parts.join("/"))
        }
        _ => {
            let n = 1 + rng.below(3);
            let parts: Vec<&str> = (0..n).map(|_| *rng.pick(SEGMENTS)).collect();
            parts.join("/")
        }
    }
}

fn arb_digests(rng: &mut Rng) -> Digests {
    let mut d = Digests::new();
    d.insert("sha256", (*rng.pick(&["aa", "bb"])).to_owned());
    if rng.chance(20) {
        d.insert("sha512", (*rng.pick(&["cc", "dd"])).to_owned());
    }
    d
}

/// Another path for the same artifact: under another directory, or unchanged.
fn moved(rng: &mut Rng, path: &str) -> String {
    let rest = path
        .strip_prefix("src/")
        .or_else(|| path.strip_prefix("out/"))
        .or_else(|| path.strip_prefix("a/"))
        .unwrap_or(path);
    match rng.below(6) {
        0 => path.to_owned(),
        1 => rest.to_owned(),
        2 | 3 => format!("out/{rest}"),
        _ => format!("{}{rest}", rng.pick(&["src/", "a/", "src//", "a\\b/"])),
    }
}

struct Case {
    item: String,
    source_type: ArtifactType,
    rules: Vec<Vec<String>>,
    links: BTreeMap<String, Link>,
}

fn link(name: &str, materials: Artifacts, products: Artifacts) -> Link {
    Link {
        name: name.to_owned(),
        materials,
        products,
        byproducts: None,
        command: Vec::new(),
    }
}

/// Keywords in any case.
fn keyword(rng: &mut Rng, word: &str) -> String {
    match rng.below(6) {
        0 => word.to_lowercase(),
        1 => {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_string()).unwrap_or_default();
            first + &chars.as_str().to_lowercase()
        }
        _ => word.to_owned(),
    }
}

fn arb_pattern(rng: &mut Rng, paths: &[String]) -> String {
    if !paths.is_empty() && rng.chance(15) {
        return rng.pick(paths).clone();
    }
    (*rng.pick(PATTERNS)).to_owned()
}

const MALFORMED: &[&[&str]] = &[
    &[],
    &["CREATE"],
    &["CREATE", "*", "x"],
    &["REQUIRE"],
    &["FOO", "*"],
    &["MATCH", "*", "WITH", "ARTIFACTS", "FROM", "build"],
    &["MATCH", "*", "FROM", "build"],
    &["MATCH", "*", "WITH", "PRODUCTS", "FROM"],
    &[
        "MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "IN", "FROM", "build",
    ],
    &[
        "MATCH", "*", "IN", "src", "FROM", "PRODUCTS", "IN", "out", "WITH", "build",
    ],
];

fn arb_rule(rng: &mut Rng, paths: &[String]) -> Vec<String> {
    if rng.chance(3) {
        return rng
            .pick(MALFORMED)
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
    }
    let pattern = arb_pattern(rng, paths);
    let simple = |rng: &mut Rng, word: &str, pattern: String| vec![keyword(rng, word), pattern];
    match rng.below(10) {
        0..=3 => {
            // Mostly prefix pairs that fit how `moved` relocates artifacts, so that MATCH
            // rules often consume; otherwise any prefixes.
            let (source_prefix, dest_prefix) = if rng.chance(60) {
                *rng.pick(ALIGNED_PREFIXES)
            } else {
                let mut any = || rng.chance(50).then(|| *rng.pick(PREFIXES));
                (any(), any())
            };
            let pattern = if rng.chance(60) {
                (*rng.pick(&["*", "*", "*.c", "*/*", "?*"])).to_owned()
            } else {
                pattern
            };
            let mut rule = vec![keyword(rng, "MATCH"), pattern];
            if let Some(prefix) = source_prefix {
                rule.extend([keyword(rng, "IN"), prefix.to_owned()]);
            }
            let dest = *rng.pick(&["PRODUCTS", "MATERIALS"]);
            rule.extend([keyword(rng, "WITH"), keyword(rng, dest)]);
            if let Some(prefix) = dest_prefix {
                rule.extend([keyword(rng, "IN"), prefix.to_owned()]);
            }
            let step = *rng.pick(&[
                "build", "build", "build", "build", "item", "missing", "Build",
            ]);
            rule.extend([keyword(rng, "FROM"), step.to_owned()]);
            rule
        }
        4 => simple(rng, "CREATE", pattern),
        5 => simple(rng, "DELETE", pattern),
        6 => simple(rng, "MODIFY", pattern),
        7 => simple(rng, "ALLOW", pattern),
        8 => simple(rng, "DISALLOW", pattern),
        _ => {
            let path = if !paths.is_empty() && rng.chance(70) {
                rng.pick(paths).clone()
            } else {
                pattern
            };
            simple(rng, "REQUIRE", path)
        }
    }
}

/// A copy of `digests` for another step: mostly the same, sometimes another digest, or
/// the same SHA-256 with a SHA-512 added or dropped (the maps differ either way).
fn copy_digests(rng: &mut Rng, digests: &Digests) -> Digests {
    let mut digests = digests.clone();
    match rng.below(10) {
        0 => digests = arb_digests(rng),
        // Drops a SHA-512 in the guard, or adds one when there was none.
        1 if digests.remove("sha512").is_none() => {
            digests.insert("sha512", "ee".to_owned());
        }
        _ => {}
    }
    digests
}

fn arb_case(rng: &mut Rng) -> Case {
    let mut materials = Artifacts::new();
    for _ in 0..rng.below(8) {
        materials.insert(arb_path(rng), arb_digests(rng));
    }
    let mut products = Artifacts::new();
    for (path, digests) in &materials {
        match rng.below(4) {
            0 => {} // deleted
            1 => {
                products.insert(path.clone(), arb_digests(rng));
            }
            _ => {
                products.insert(path.clone(), digests.clone());
            }
        }
    }
    for _ in 0..rng.below(6) {
        products.insert(arb_path(rng), arb_digests(rng));
    }
    let source_type = if rng.chance(50) {
        ArtifactType::Materials
    } else {
        ArtifactType::Products
    };
    let paths: Vec<String> = materials.keys().chain(products.keys()).cloned().collect();
    let mut rules: Vec<Vec<String>> = (0..rng.below(6)).map(|_| arb_rule(rng, &paths)).collect();
    if rng.chance(50) {
        rules.push(vec!["DISALLOW".to_owned(), "*".to_owned()]);
    }

    // The other step holds many of the item's artifacts: where the MATCH rules look for
    // them (so that they consume, or just miss by a digest), and elsewhere.
    let mut build = link("build", Artifacts::new(), Artifacts::new());
    let source = match source_type {
        ArtifactType::Materials => &materials,
        ArtifactType::Products => &products,
    };
    for rule in rules.iter().filter_map(|t| ArtifactRule::parse(t).ok()) {
        let ArtifactRule::Match {
            source_prefix,
            dest_type,
            dest_prefix,
            dest_step,
            ..
        } = rule
        else {
            continue;
        };
        if !dest_step.eq_ignore_ascii_case("build") {
            continue;
        }
        let under = |prefix: &str| {
            let prefix = prefix.replace('\\', "/");
            if prefix.ends_with('/') {
                prefix
            } else {
                format!("{prefix}/")
            }
        };
        for (path, digests) in source {
            let rest = match &source_prefix {
                Some(p) => match path.strip_prefix(under(p).as_str()) {
                    Some(rest) => rest,
                    None => continue,
                },
                None => path.as_str(),
            };
            if rng.chance(70) {
                let at = match &dest_prefix {
                    Some(p) => format!("{}{rest}", under(p)),
                    None => rest.to_owned(),
                };
                let copy = copy_digests(rng, digests);
                let target = match dest_type {
                    ArtifactType::Materials => &mut build.materials,
                    ArtifactType::Products => &mut build.products,
                };
                target.insert(at, copy);
            }
        }
    }
    for (path, digests) in materials.iter().chain(&products) {
        if rng.chance(30) {
            let copy = copy_digests(rng, digests);
            build.products.insert(moved(rng, path), copy);
        }
    }
    for _ in 0..rng.below(3) {
        build.materials.insert(arb_path(rng), arb_digests(rng));
    }

    let mut links = BTreeMap::new();
    links.insert("item".to_owned(), link("item", materials, products));
    if rng.chance(90) {
        links.insert("build".to_owned(), build);
    }
    Case {
        item: "item".to_owned(),
        source_type,
        rules,
        links,
    }
}

/// Cases written out by hand: the queue semantics and the odd corners.
fn fixed_cases() -> Vec<Case> {
    let d = |h: &str| Digests::from([("sha256".to_owned(), h.to_owned())]);
    let arts = |list: &[(&str, &str)]| -> Artifacts {
        list.iter().map(|(p, h)| ((*p).to_owned(), d(h))).collect()
    };
    let item = link(
        "item",
        arts(&[
            ("src/x.c", "aa"),
            ("src/a\\b", "aa"),
            ("src//x", "aa"),
            ("/x", "aa"),
        ]),
        arts(&[("src/x.c", "bb"), ("new", "aa")]),
    );
    let build = link(
        "build",
        arts(&[("x.c", "aa")]),
        arts(&[("out/x.c", "aa"), ("/x", "aa")]),
    );
    let links = BTreeMap::from([("item".to_owned(), item), ("build".to_owned(), build)]);
    let rules: &[&[&[&str]]] = &[
        &[&["ALLOW", "*"], &["DISALLOW", "*"]],
        &[&["DISALLOW", "*"], &["ALLOW", "*"]],
        &[&[
            "MATCH", "*.c", "IN", "src", "WITH", "PRODUCTS", "IN", "out", "FROM", "build",
        ]],
        &[&[
            "MATCH",
            "*",
            "IN",
            "src/",
            "WITH",
            "MATERIALS",
            "FROM",
            "build",
        ]],
        &[
            &[
                "MATCH",
                "x.c",
                "IN",
                "src",
                "WITH",
                "materials",
                "FROM",
                "build",
            ],
            &["DISALLOW", "*"],
        ],
        &[
            &[
                "MATCH", "x", "IN", "src", "WITH", "PRODUCTS", "FROM", "build",
            ],
            &["DISALLOW", "src*"],
        ],
        &[
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "missing"],
            &["REQUIRE", "/x"],
        ],
        &[&["REQUIRE", "src/*"]],
        &[&["MODIFY", "*"], &["DELETE", "*"], &["DISALLOW", "*"]],
        &[&["CREATE", "*"], &["MODIFY", "*"], &["DISALLOW", "*"]],
    ];
    let mut cases = Vec::new();
    for source_type in [ArtifactType::Materials, ArtifactType::Products] {
        for list in rules {
            cases.push(Case {
                item: "item".to_owned(),
                source_type,
                rules: list
                    .iter()
                    .map(|r| r.iter().map(|t| (*t).to_owned()).collect())
                    .collect(),
                links: links.clone(),
            });
        }
    }
    cases
}

fn case_json(case: &Case) -> Value {
    let links: serde_json::Map<String, Value> = case
        .links
        .iter()
        .map(|(name, l)| {
            (
                name.clone(),
                json!({"materials": l.materials, "products": l.products}),
            )
        })
        .collect();
    json!({
        "kind": "rules",
        "item": case.item,
        "source_type": case.source_type.name(),
        "rules": case.rules,
        "links": links,
    })
}

/// Our verdict, in rules.py's output format.
fn our_verdict(case: &Case) -> String {
    let mut rules = Vec::new();
    for (i, tokens) in case.rules.iter().enumerate() {
        match ArtifactRule::parse(tokens) {
            Ok(rule) => rules.push(rule),
            Err(_) => return format!("format {i}"),
        }
    }
    let item = &case.links[&case.item];
    let list = |paths: &[&str]| serde_json::to_string(paths).expect("json");
    match evaluate_item_rules(
        &case.item,
        case.source_type,
        &rules,
        &item.materials,
        &item.products,
        &case.links,
    ) {
        Ok(remaining) => format!("pass {}", list(&remaining)),
        Err(e) => {
            let i = e.rule_index();
            match e.failure() {
                RuleFailure::Disallowed { artifacts } => {
                    let a: Vec<&str> = artifacts.iter().map(String::as_str).collect();
                    format!("fail {i} {}", list(&a))
                }
                RuleFailure::RequiredMissing { path, .. } => format!("fail {i} {}", list(&[path])),
                RuleFailure::MatchSourceMissing { .. } => format!("error KeyError {i}"),
                RuleFailure::InvalidPattern { .. } => format!("error error {i}"),
            }
        }
    }
}

/// A verdict line as words and a trailing JSON list, so that the two sides' JSON escaping
/// (python writes ASCII only) does not matter.
fn parse_verdict(line: &str) -> (&str, Option<Value>) {
    match line.find('[') {
        Some(at) => (
            &line[..at],
            Some(serde_json::from_str(&line[at..]).expect("a verdict ends in a JSON list")),
        ),
        None => (line, None),
    }
}

fn describe(case: &Case) -> String {
    serde_json::to_string_pretty(&case_json(case)).expect("json")
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn rules_match_python_in_toto() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cases = fixed_cases();
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    cases.extend((0..RULE_CASES).map(|_| arb_case(&mut rng)));
    let json: Vec<Value> = cases.iter().map(case_json).collect();
    let expected = run_python(dir.path(), &json);

    let mut mismatches = Vec::new();
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    for (case, py) in cases.iter().zip(&expected) {
        let ours = our_verdict(case);
        let kind = py.split(' ').next().unwrap_or_default().to_owned();
        *tally.entry(kind).or_default() += 1;
        if parse_verdict(&ours) != parse_verdict(py) {
            mismatches.push(format!(
                "python: {py}\ncustody: {ours}\ncase: {}",
                describe(case)
            ));
        }
    }
    // The corpus must exercise every outcome, or the comparison proves little.
    for kind in ["pass", "fail", "format", "error"] {
        assert!(
            tally.get(kind).copied().unwrap_or(0) >= 3,
            "too few {kind:?} verdicts: {tally:?}"
        );
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ from python in-toto ({tally:?}); first ones:\n\n{}",
        mismatches.len(),
        cases.len(),
        mismatches
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

// --- fnmatch --------------------------------------------------------------------------

/// Characters that mean something to fnmatch, to Python's `re`, or to the translation.
const PATTERN_CHARS: &[char] = &[
    'a', 'b', 'c', 'z', 'A', '/', '.', '*', '*', '?', '[', '[', ']', ']', '!', '!', '-', '-', '^',
    '\\', '&', '~', '|', '+', '(', ')', '{', '}', '$', 'é', '\n', ' ',
];
const BRACKET_CHARS: &[char] = &[
    'a', 'b', 'c', 'z', '-', '-', '-', '!', '^', ']', '[', '\\', '&', '~', '|', 'é',
];
const NAME_CHARS: &[char] = &[
    'a', 'b', 'c', 'z', 'A', '/', '.', '*', '?', '[', ']', '!', '-', '^', '\\', '&', '~', '|', '+',
    '(', ')', '$', 'é', 'ü', '\n', ' ',
];

fn arb_text(rng: &mut Rng, chars: &[char], max: usize) -> String {
    (0..rng.below(max + 1)).map(|_| *rng.pick(chars)).collect()
}

/// A name shaped after `pattern`, so that it matches often: `*` and `?` become random
/// text, a bracket expression one character from inside it (or any), literals mostly stay.
fn near_name(rng: &mut Rng, pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut name = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => name.push_str(&arb_text(rng, NAME_CHARS, 2)),
            '?' => name.push(*rng.pick(NAME_CHARS)),
            '[' => {
                let close = chars[(i + 1).min(chars.len())..]
                    .iter()
                    .position(|&c| c == ']')
                    .map(|at| at + i + 1);
                match close {
                    Some(close) if rng.chance(80) => {
                        let inside = &chars[i..close];
                        if inside.is_empty() || rng.chance(20) {
                            name.push(*rng.pick(NAME_CHARS));
                        } else {
                            name.push(*rng.pick(inside));
                        }
                        i = close + 1;
                    }
                    _ => name.push('['),
                }
            }
            _ if rng.chance(10) => name.push(*rng.pick(NAME_CHARS)),
            _ => name.push(c),
        }
    }
    name
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn patterns_match_python_fnmatch() {
    use custody_intoto::rules::Pattern;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(0xF00D_FACE_0000_0001);
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    for _ in 0..PATTERN_CASES {
        let pattern = if rng.chance(50) {
            arb_text(&mut rng, PATTERN_CHARS, 9)
        } else {
            // Bracket expressions, where the translation has most of its rules.
            format!(
                "{}[{}]{}",
                arb_text(&mut rng, &['a', 'x', '*'], 2),
                arb_text(&mut rng, BRACKET_CHARS, 6),
                arb_text(&mut rng, &['a', 'x', '*', ']'], 2)
            )
        };
        let mut names: Vec<String> = (0..NAMES_PER_PATTERN)
            .map(|_| arb_text(&mut rng, NAME_CHARS, 7))
            .collect();
        // Names made from the pattern itself match far more often than random ones.
        names.push(pattern.clone());
        names.push(pattern.replace(['*', '?', '[', ']', '!'], "a"));
        names.extend((0..8).map(|_| near_name(&mut rng, &pattern)));
        // Shortened ones: where a prefix and a suffix would overlap.
        let literal: Vec<char> = pattern
            .chars()
            .filter(|c| !matches!(c, '*' | '?'))
            .collect();
        for keep in [literal.len() / 2, literal.len().saturating_sub(1)] {
            names.push(literal[..keep].iter().collect());
        }
        cases.push((pattern, names));
    }
    let json: Vec<Value> = cases
        .iter()
        .map(|(p, names)| json!({"kind": "fnmatch", "pattern": p, "names": names}))
        .collect();
    let expected = run_python(dir.path(), &json);

    let mut mismatches = Vec::new();
    let mut matched = 0usize;
    for ((pattern, names), py) in cases.iter().zip(&expected) {
        let compiled = Pattern::new(pattern);
        let ours: String = names
            .iter()
            .map(|n| if compiled.matches(n) { '1' } else { '0' })
            .collect();
        matched += py.chars().filter(|c| *c == '1').count();
        if ours != *py {
            mismatches.push(format!(
                "pattern {pattern:?} names {names:?}\npython  {py}\ncustody {ours}"
            ));
        }
    }
    assert!(
        matched > 1000,
        "too few matches to prove anything: {matched}"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} patterns differ from python's fnmatch; first ones:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
