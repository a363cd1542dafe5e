//! custody's Debian and RubyGems orderings against the reference implementations: every
//! pair of a set of versions compared by `dpkg --compare-versions` and by ruby's
//! `Gem::Version#<=>`, and by custody, must agree.

use custody_vuln::ordering::{DebianVersion, GemVersion};
use std::cmp::Ordering;
use std::io::Write as _;
use std::process::{Command, Stdio};

/// Versions in the shapes real archives have, plus the corner cases of each algorithm.
fn debian_versions() -> Vec<String> {
    let mut v: Vec<String> = [
        "1.0",
        "1.0-1",
        "1.0-0",
        "1.0~rc1",
        "1.0~rc1-1",
        "1.0~~",
        "1.0~",
        "1.0+b1",
        "1.0a",
        "1.0.0",
        "1:0.9",
        "2:1.0",
        "0:1.0",
        "1.00",
        "1.0-1ubuntu1",
        "1.0-1+deb12u1",
        "1.0-1~deb12u1",
        "2.30-1",
        "2.3-1",
        "3.0.11-1~deb12u2",
        "3.0.11-1",
        "1.2.3+dfsg-4",
        "1.2.3+dfsg1-4",
        "10.0",
        "9.9.9",
        "1.0.a",
        "1.0.A",
        "1.0+",
        "1.0.",
        "7.88.1-10+deb12u5",
        "2.36-9+deb12u4",
        "1.1.1w-0+deb11u1",
        "0.0",
        "0~",
        "1.0-1.1",
        "1.0-1.a",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    v.sort();
    v
}

fn gem_versions() -> Vec<String> {
    [
        "0",
        "1",
        "1.0",
        "1.0.0",
        "1.0.0.0",
        "1.0.a",
        "1.0.b",
        "1.0.a1",
        "1.0.a.1",
        "1.0.rc1",
        "1.0.0.rc1",
        "1.0.0-rc1",
        "1.0.0.pre",
        "1.0.0.pre.rc1",
        "1.0.0.beta",
        "1.9.3",
        "1.10",
        "1.16.0",
        "1.16.0.rc2",
        "2.0.0.pre",
        "2.0.0.beta.2",
        "2.0.0.beta.10",
        "7.0.8.1",
        "7.0.8",
        "1.0.0a",
        "1.0.10",
        "1.0.9",
        "3.2.0.0",
        "1.0.x",
        "1.a",
        "1.0-pre-1",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

#[test]
#[ignore = "needs dpkg (Debian); scripts/test runs it"]
fn debian_ordering_matches_dpkg() {
    let versions = debian_versions();
    let mut compared = 0;
    for a in &versions {
        for b in &versions {
            let ours = DebianVersion::parse(a)
                .expect(a)
                .cmp(&DebianVersion::parse(b).expect(b));
            let lt = Command::new("dpkg")
                .args(["--compare-versions", a, "lt", b])
                .status()
                .expect("dpkg runs")
                .success();
            let eq = Command::new("dpkg")
                .args(["--compare-versions", a, "eq", b])
                .status()
                .expect("dpkg runs")
                .success();
            let theirs = if lt {
                Ordering::Less
            } else if eq {
                Ordering::Equal
            } else {
                Ordering::Greater
            };
            assert_eq!(ours, theirs, "{a} vs {b}");
            compared += 1;
        }
    }
    assert!(compared > 1000);
}

#[test]
#[ignore = "needs ruby; scripts/test installs it"]
fn rubygems_ordering_matches_gem_version() {
    let versions = gem_versions();
    let versions: Vec<&str> = versions.iter().map(String::as_str).collect();
    agree_with_reference(
        &versions,
        "ruby",
        &[
            "-e",
            "STDIN.each_line { |l| a, b = l.split; puts(Gem::Version.new(a) <=> Gem::Version.new(b)) }",
        ],
        |a, b| {
            GemVersion::parse(a)
                .expect(a)
                .cmp(&GemVersion::parse(b).expect(b))
        },
    );
}

/// Composer-normal versions (four release numbers, then the rest), in the shapes
/// Packagist advisories and composer.lock files have.
fn packagist_versions() -> Vec<&'static str> {
    vec![
        "1.0.0.0",
        "1.0.0.0-dev",
        "1.0.0.0-alpha1",
        "1.0.0.0-alpha2",
        "1.0.0.0-a3",
        "1.0.0.0-beta",
        "1.0.0.0-beta2",
        "1.0.0.0-b1",
        "1.0.0.0-RC1",
        "1.0.0.0-rc2",
        "1.0.0.0-patch1",
        "1.0.0.0-p2",
        "1.0.0.0-pl1",
        "1.0.0.1",
        "1.0.1.0",
        "1.10.0.0",
        "1.9.0.0",
        "2.0.0.0-beta.3",
        "2.0.0.0_alpha",
        "2.0.0.0+build",
        "2.0.0.0-unknownword",
        "10.0.0.0",
    ]
}

#[test]
#[ignore = "needs php; scripts/test installs it"]
fn packagist_ordering_matches_php_version_compare() {
    use custody_vuln::ordering::PackagistVersion;
    agree_with_reference(
        &packagist_versions(),
        "php",
        &[
            "-r",
            "while (($l = fgets(STDIN)) !== false) { [$a, $b] = explode(' ', trim($l)); echo version_compare($a, $b), \"\\n\"; }",
        ],
        |a, b| {
            PackagistVersion::parse(a)
                .expect(a)
                .cmp(&PackagistVersion::parse(b).expect(b))
        },
    );
}

/// Every ordered pair of `versions` compared by a reference program (reading `A B` lines,
/// printing -1, 0 or 1 for each) and by `ours`: they must agree.
fn agree_with_reference(
    versions: &[&str],
    program: &str,
    args: &[&str],
    ours: impl Fn(&str, &str) -> Ordering,
) {
    let mut input = String::new();
    for a in versions {
        for b in versions {
            input.push_str(&format!("{a} {b}\n"));
        }
    }
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("finishes");
    assert!(out.status.success(), "{program} failed");
    let answers: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let mut k = 0;
    for a in versions {
        for b in versions {
            let theirs = match answers[k].as_str() {
                "-1" => Ordering::Less,
                "0" => Ordering::Equal,
                "1" => Ordering::Greater,
                other => panic!("{program} said {other:?} for {a} {b}"),
            };
            assert_eq!(ours(a, b), theirs, "{a} vs {b}");
            k += 1;
        }
    }
    assert_eq!(k, answers.len());
}
