//! Recall and precision on a generated corpus: source files in several languages with
//! every built-in rule's example secrets planted in realistic settings, among many decoys
//! that look like secrets and are not (hashes, UUIDs, base64 blobs, integrity strings,
//! placeholders, documentation keys, variables). Targets (issue #5): every planted secret
//! found, at most one false positive per 10,000 decoys.

use custody_secrets::engine::RuleSet;
use custody_secrets::rules::builtin;
use custody_secrets::scan::{ScanOptions, scan_tree};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A small deterministic generator (xorshift), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn string(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

const HEX: &[u8] = b"0123456789abcdef";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const WORDS: &[&str] = &[
    "user", "order", "config", "cache", "session", "request", "handler", "value", "item", "result",
    "buffer", "index", "count", "name", "path", "digest", "version", "build",
];

/// One decoy line: something a naive scanner would flag.
fn decoy(rng: &mut Rng) -> String {
    let w = WORDS[rng.below(WORDS.len())];
    match rng.below(16) {
        0 => format!("{w}_sha256 = \"{}\"", rng.string(64, HEX)),
        1 => format!("commit {}", rng.string(40, HEX)),
        2 => format!(
            "{w}_id = \"{}-{}-{}-{}-{}\"",
            rng.string(8, HEX),
            rng.string(4, HEX),
            rng.string(4, HEX),
            rng.string(4, HEX),
            rng.string(12, HEX)
        ),
        3 => format!("\"integrity\": \"sha512-{}==\"", rng.string(86, B64)),
        4 => format!("{w}_md5 = '{}'", rng.string(32, HEX)),
        5 => "aws_access_key_id = \"AKIAIOSFODNN7EXAMPLE\"".to_owned(),
        6 => "AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX".to_owned(),
        7 => format!("password = \"${{{}_PASSWORD}}\"", w.to_uppercase()),
        8 => "api_key = \"your-api-key-here\"".to_owned(),
        9 => format!("const {w}_token_url = \"https://auth.example.com/oauth/token\";"),
        10 => format!("let {w} = base64::decode(\"{}\");", rng.string(44, B64)),
        11 => "token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".to_owned(),
        12 => format!("DATABASE_URL=postgres://app@db:5432/{w}"),
        13 => "password = \"changeme\"".to_owned(),
        14 => format!("secret_name = \"{w}-secret\""),
        _ => format!("{w}_key_id = {}", rng.below(1_000_000)),
    }
}

/// Wrap a line in a file of some language.
fn file(lang: usize, lines: &[String]) -> (String, String) {
    let body = |prefix: &str, suffix: &str| {
        lines.iter().fold(String::new(), |mut out, l| {
            let _ = writeln!(out, "{prefix}{l}{suffix}");
            out
        })
    };
    match lang {
        0 => ("py".into(), format!("import os\n\n{}\n", body("", ""))),
        1 => ("js".into(), format!("'use strict';\n{}", body("// ", ""))),
        2 => ("yaml".into(), format!("service:\n{}", body("  # ", ""))),
        3 => ("env".into(), body("", "")),
        4 => ("go".into(), format!("package main\n\n{}", body("// ", ""))),
        _ => (
            "java".into(),
            format!("class App {{\n{}}}\n", body("  // ", "")),
        ),
    }
}

#[test]
fn planted_secrets_are_all_found_among_decoys() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(0x5eed_cafe);
    // Each planted secret: file and the range of lines its example spans.
    let mut planted: BTreeSet<(String, usize, usize)> = BTreeSet::new();
    let mut decoys = 0usize;
    let mut n = 0usize;
    // Each example of each rule goes into a file of its own among decoy lines.
    for rule in builtin().expect("rules") {
        for example in &rule.examples {
            let mut lines: Vec<String> = (0..30).map(|_| decoy(&mut rng)).collect();
            decoys += lines.len();
            let at = rng.below(lines.len());
            let example_lines: Vec<String> = example.lines().map(str::to_owned).collect();
            let count = example_lines.len();
            lines.splice(at..at, example_lines);
            let lang = if count > 1 { 3 } else { rng.below(6) };
            let (ext, text) = file(lang, &lines);
            let name = format!("f{n:04}.{ext}");
            n += 1;
            // The line number of the planted secret's first line.
            let header = text.lines().take_while(|l| !l.contains(&lines[at])).count();
            planted.insert((name.clone(), header + 1, header + count));
            std::fs::write(tmp.path().join(&name), text).expect("write");
        }
    }
    // Files of decoys only.
    for _ in 0..600 {
        let lines: Vec<String> = (0..30).map(|_| decoy(&mut rng)).collect();
        decoys += lines.len();
        let (ext, text) = file(rng.below(6), &lines);
        std::fs::write(tmp.path().join(format!("d{n:04}.{ext}")), text).expect("write");
        n += 1;
    }
    let set = RuleSet::builtin().expect("rules");
    let report = scan_tree(&set, tmp.path(), &ScanOptions::default()).expect("scan");
    let hits = |p: &(String, usize, usize), path: &str, line: usize| {
        p.0 == path && (p.1..=p.2).contains(&line)
    };
    let missed: Vec<&(String, usize, usize)> = planted
        .iter()
        .filter(|p| !report.findings.iter().any(|f| hits(p, &f.path, f.line)))
        .collect();
    let false_positives: Vec<String> = report
        .findings
        .iter()
        .filter(|f| !planted.iter().any(|p| hits(p, &f.path, f.line)))
        .map(|f| format!("{}:{} {} {}", f.path, f.line, f.rule, f.excerpt))
        .collect();
    eprintln!(
        "corpus: {} planted, {} decoys in {n} files; recall {}/{}; {} false positive(s)",
        planted.len(),
        decoys,
        planted.len() - missed.len(),
        planted.len(),
        false_positives.len()
    );
    assert!(missed.is_empty(), "missed: {missed:#?}");
    assert!(
        false_positives.len() * 10_000 <= decoys,
        "{} false positives in {decoys} decoys: {false_positives:#?}",
        false_positives.len()
    );
}
