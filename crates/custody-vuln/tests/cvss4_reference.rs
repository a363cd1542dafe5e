//! custody's CVSS v4.0 scores against the reference calculator (Red Hat's `cvss` on
//! PyPI, a port of FIRST's): thousands of vectors, base, threat and environmental metrics
//! mixed, must score the same.
//!
//! Needs `CUSTODY_INTEROP_PYTHON` with `cvss` installed; `scripts/test` sets it up.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// A small deterministic generator: the same vectors every run.
struct Lcg(u64);

impl Lcg {
    fn pick<'a>(&mut self, values: &[&'a str]) -> &'a str {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let i = usize::try_from((self.0 >> 33) % values.len() as u64).unwrap_or(0);
        values[i]
    }
}

fn vectors(n: usize) -> Vec<String> {
    let base: [(&str, &[&str]); 11] = [
        ("AV", &["N", "A", "L", "P"]),
        ("AC", &["L", "H"]),
        ("AT", &["N", "P"]),
        ("PR", &["N", "L", "H"]),
        ("UI", &["N", "P", "A"]),
        ("VC", &["H", "L", "N"]),
        ("VI", &["H", "L", "N"]),
        ("VA", &["H", "L", "N"]),
        ("SC", &["H", "L", "N"]),
        ("SI", &["H", "L", "N"]),
        ("SA", &["H", "L", "N"]),
    ];
    let optional: [(&str, &[&str]); 10] = [
        ("E", &["X", "A", "P", "U"]),
        ("CR", &["X", "H", "M", "L"]),
        ("IR", &["X", "H", "M", "L"]),
        ("AR", &["X", "H", "M", "L"]),
        ("MAV", &["X", "N", "A", "L", "P"]),
        ("MPR", &["X", "N", "L", "H"]),
        ("MVC", &["X", "H", "L", "N"]),
        ("MSI", &["X", "S", "H", "L", "N"]),
        ("MSA", &["X", "S", "H", "L", "N"]),
        ("MAT", &["X", "N", "P"]),
    ];
    let mut rng = Lcg(0x5eed);
    (0..n)
        .map(|i| {
            let mut v = String::from("CVSS:4.0");
            for (m, values) in &base {
                v.push_str(&format!("/{m}:{}", rng.pick(values)));
            }
            // Half the vectors carry threat and environmental metrics.
            if i % 2 == 1 {
                for (m, values) in &optional {
                    let value = rng.pick(values);
                    if value != "X" {
                        v.push_str(&format!("/{m}:{value}"));
                    }
                }
            }
            v
        })
        .collect()
}

#[test]
#[ignore = "interop: needs the cvss package; run scripts/test"]
fn scores_match_the_reference_calculator() {
    let python = std::env::var_os("CUSTODY_INTEROP_PYTHON")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| panic!("CUSTODY_INTEROP_PYTHON is not set: run scripts/test"));
    let vectors = vectors(4000);
    let mut child = Command::new(python)
        .args([
            "-c",
            "import sys\nfrom cvss import CVSS4\nfor line in sys.stdin:\n    print(CVSS4(line.strip()).base_score)\n",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(vectors.join("\n").as_bytes())
        .expect("write vectors");
    let out = child.wait_with_output().expect("python finishes");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse().expect("a score"))
        .collect();
    assert_eq!(reference.len(), vectors.len());
    let mut differ = Vec::new();
    for (v, want) in vectors.iter().zip(&reference) {
        let got = custody_vuln::cvss4::v4_score(v);
        if got != Some(*want) {
            differ.push(format!("{v}: custody {got:?}, reference {want}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} differ:\n{}",
        differ.len(),
        vectors.len(),
        differ[..differ.len().min(20)].join("\n")
    );
}
