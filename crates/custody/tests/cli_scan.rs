//! `custody scan vulns` end to end on the real fixture lockfiles of testdata/materials
//! with the RustSec subset of testdata/advisories: findings, formats, thresholds,
//! informational warnings, withdrawn advisories, unreadable inputs and exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn db() -> PathBuf {
    repo().join("testdata/advisories/rustsec-subset")
}

fn case(name: &str) -> PathBuf {
    repo().join("testdata/materials/cargo").join(name)
}

fn custody() -> Command {
    let mut c = Command::cargo_bin("custody").expect("binary built");
    c.env_remove("CUSTODY_VULN_DB");
    c
}

fn scan(path: &Path, extra: &[&str]) -> std::process::Output {
    custody()
        .args(["scan", "vulns"])
        .arg(path)
        .arg("--db")
        .arg(db())
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn vulnerable_dependencies_are_reported_with_ids_severity_and_fixes() {
    let out = scan(&case("direct-vulns"), &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("RUSTSEC-2022-0013 (CVE-2022-24713, GHSA-m5pq-gvj9-9vr8)  regex 1.5.4  high 7.5  (direct, runtime)"), "{text}");
    assert!(text.contains("fixed: >=1.5.5; in Cargo.lock"), "{text}");
    assert!(
        text.contains("RUSTSEC-2021-0127  serde_cbor 0.10.1  unmaintained"),
        "{text}"
    );
    assert!(
        text.contains("6 vulnerabilities and 2 informational warning(s)"),
        "{text}"
    );
}

#[test]
fn json_report_for_machines() {
    let out = scan(&case("direct-vulns"), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 8);
    let regex = findings
        .iter()
        .find(|f| f["package"] == "regex")
        .expect("regex finding");
    assert_eq!(regex["ids"], serde_json::json!(["RUSTSEC-2022-0013"]));
    assert_eq!(regex["severity"], "high");
    assert_eq!(regex["score"], 7.5);
    assert_eq!(regex["purl"], "pkg:cargo/regex@1.5.4");
    assert_eq!(regex["kind"], "vulnerability");
    assert!(v["advisories"].as_u64().unwrap_or(0) > 100);
}

#[test]
fn thresholds_informational_warnings_and_withdrawn_advisories() {
    // Only informational advisories: reported, exit 0.
    let out = scan(&case("informational"), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 vulnerabilities and 9 informational"));
    assert_eq!(scan(&case("no-advisories"), &[]).status.code(), Some(0));
    // A withdrawn advisory matches nothing; the live one next to it does.
    let out = scan(&case("withdrawn"), &["--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
    // http 0.1.19 has a critical (9.8) vulnerability: fails even at --fail-on critical.
    assert_eq!(
        scan(&case("direct-vulns"), &["--fail-on", "critical"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        scan(&case("direct-vulns"), &["--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
    // dev-build-deps: a 7.5 and two unscored ones; unscored fail at every level.
    let v: Value =
        serde_json::from_slice(&scan(&case("dev-build-deps"), &["--format", "json"]).stdout)
            .expect("json");
    let unknown = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["kind"] == "vulnerability" && f["severity"] == "unknown");
    assert_eq!(
        scan(&case("dev-build-deps"), &["--fail-on", "critical"])
            .status
            .code(),
        Some(if unknown { 1 } else { 0 })
    );
}

#[test]
fn the_database_can_come_from_the_environment_and_must_exist() {
    custody()
        .args(["scan", "vulns"])
        .arg(case("withdrawn"))
        .env("CUSTODY_VULN_DB", db())
        .assert()
        .code(1);
    custody()
        .args(["scan", "vulns"])
        .arg(case("withdrawn"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--db"));
    let empty = tempfile::tempdir().expect("temp dir");
    custody()
        .args(["scan", "vulns"])
        .arg(case("withdrawn"))
        .arg("--db")
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no advisories found"));
}

#[test]
fn an_unreadable_lockfile_is_named_and_fails_the_scan() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(tmp.path().join("ok")).expect("mkdir");
    std::fs::copy(
        case("no-advisories").join("Cargo.lock"),
        tmp.path().join("ok/Cargo.lock"),
    )
    .expect("copy");
    std::fs::create_dir_all(tmp.path().join("bad")).expect("mkdir");
    std::fs::write(tmp.path().join("bad/Cargo.lock"), "version = 99\n").expect("write");
    let out = scan(tmp.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "not everything could be scanned"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not scanned") && stderr.contains("bad/Cargo.lock"),
        "{stderr}"
    );
    assert!(stderr.contains("format version 99"), "{stderr}");
}

/// `custody check` on a project: MAT-6 from its lockfiles, MAT-2 and MAT-7 from the
/// advisory data its custody.toml names.
fn check_rows(project: &Path) -> std::collections::BTreeMap<String, (String, String)> {
    let out = custody()
        .args(["check", "--format", "json"])
        .arg(project)
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| ["MAT-2", "MAT-6", "MAT-7"].contains(&c["id"].as_str().unwrap_or_default()))
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                (
                    c["status"].as_str().unwrap_or_default().to_owned(),
                    c.to_string(),
                ),
            )
        })
        .collect()
}

fn project_with(case_name: &str, config: Option<&str>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    for f in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(case(case_name).join(f), tmp.path().join(f)).expect("copy");
    }
    if let Some(c) = config {
        std::fs::write(tmp.path().join("custody.toml"), c).expect("config");
    }
    tmp
}

#[test]
fn check_reports_the_materials_rows() {
    let advisories = format!(
        "[materials]\nadvisories = [{:?}]\n",
        db().display().to_string()
    );
    let vulnerable = project_with("direct-vulns", Some(&advisories));
    let rows = check_rows(vulnerable.path());
    assert_eq!(rows["MAT-6"].0, "pass", "{}", rows["MAT-6"].1);
    assert!(rows["MAT-6"].1.contains("urn:uuid:"), "{}", rows["MAT-6"].1);
    for id in ["MAT-2", "MAT-7"] {
        assert_eq!(rows[id].0, "fail", "{}", rows[id].1);
        assert!(
            rows[id].1.contains("RUSTSEC-2022-0013 regex 1.5.4"),
            "{}",
            rows[id].1
        );
    }
    let informational = project_with("informational", Some(&advisories));
    assert_eq!(check_rows(informational.path())["MAT-7"].0, "warn");
    let clean = project_with("no-advisories", Some(&advisories));
    assert_eq!(check_rows(clean.path())["MAT-7"].0, "pass");
    let unconfigured = project_with("direct-vulns", None);
    let rows = check_rows(unconfigured.path());
    assert_eq!(rows["MAT-7"].0, "not-configured");
    assert!(
        rows["MAT-7"].1.contains("[materials] advisories"),
        "{}",
        rows["MAT-7"].1
    );
    // Excluded lockfiles are not the project's: nothing left to describe.
    let excluded = project_with(
        "direct-vulns",
        Some("[materials]\nexclude = [\"Cargo.lock\"]\n"),
    );
    assert_eq!(check_rows(excluded.path())["MAT-6"].0, "not-applicable");
    // A wrong advisory path is a failure to scan, never a pass.
    let wrong = project_with(
        "no-advisories",
        Some("[materials]\nadvisories = [\"nowhere\"]\n"),
    );
    let rows = check_rows(wrong.path());
    assert_eq!(rows["MAT-7"].0, "fail", "{}", rows["MAT-7"].1);
    assert!(rows["MAT-7"].1.contains("nowhere"), "{}", rows["MAT-7"].1);
}

#[test]
fn pinned_python_requirements_are_scanned_and_unpinned_ones_named() {
    let out = custody()
        .args(["scan", "vulns", "--format", "json", "--db"])
        .arg(repo().join("testdata/advisories/pypa-subset"))
        .arg(repo().join("testdata/materials/python"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let requests = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["ids"]
                .as_array()
                .is_some_and(|ids| ids.contains(&Value::from("PYSEC-2018-28")))
        })
        .expect("PYSEC-2018-28");
    assert_eq!(requests["package"], "requests");
    assert_eq!(requests["purl"], "pkg:pypi/requests@2.19.0");
    assert_eq!(v["unpinned"], serde_json::json!(["pkg:pypi/certifi"]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("without an exact version"));
}

#[test]
fn sarif_for_code_scanning_points_at_the_lockfile_line() {
    let out = scan(&case("direct-vulns"), &["--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let sarif: serde_sarif::sarif::Sarif = serde_json::from_str(&text).expect("SARIF 2.1.0");
    assert_eq!(sarif.runs.len(), 1);
    let v: Value = serde_json::from_str(&text).expect("json");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 8);
    let regex = results
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2022-0013")
        .expect("regex result");
    assert_eq!(regex["level"], "error");
    let line = regex["locations"][0]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .expect("a line") as usize;
    let lock = std::fs::read_to_string(case("direct-vulns").join("Cargo.lock")).expect("lock");
    let lines: Vec<&str> = lock.lines().collect();
    assert_eq!(lines[line - 1], "name = \"regex\"");
    assert_eq!(lines[line], "version = \"1.5.4\"");
    let rule = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "RUSTSEC-2022-0013")
        .expect("rule");
    assert_eq!(rule["properties"]["security-severity"], "7.5");
}

#[test]
fn a_compiled_database_gives_the_same_report_and_is_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("advisories.db");
    let built = custody()
        .args(["db", "build"])
        .arg(db())
        .arg(repo().join("testdata/advisories/pypa-subset"))
        .arg("-o")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(built.status.code(), Some(0), "{built:?}");
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(stderr.contains("from 2 source(s)"), "{stderr}");
    let from_dir = scan(&case("direct-vulns"), &["--format", "json"]);
    let from_file = custody()
        .args(["scan", "vulns"])
        .arg(case("direct-vulns"))
        .arg("--db")
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(from_file.status.code(), Some(1));
    let (a, b): (Value, Value) = (
        serde_json::from_slice(&from_dir.stdout).expect("json"),
        serde_json::from_slice(&from_file.stdout).expect("json"),
    );
    assert_eq!(a["findings"], b["findings"]);
    assert!(!a["findings"].as_array().expect("array").is_empty());

    let info = custody()
        .args(["db", "info", "--format", "json"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(info.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&info.stdout).expect("json");
    assert_eq!(v["header"]["sources"].as_array().map(Vec::len), Some(2));
    assert!(v["header"]["ecosystems"]["PyPI"].as_u64() > Some(0));
    assert_eq!(
        v["advisories"].as_u64(),
        Some(
            v["header"]["sources"]
                .as_array()
                .expect("sources")
                .iter()
                .filter_map(|s| s["advisories"].as_u64())
                .sum()
        )
    );
    custody()
        .args(["db", "info"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("crates.io"));

    // Damaged: refused by scan and info alike, with the file named.
    let mut bytes = std::fs::read(&file).expect("read");
    let last = bytes.len() - 40;
    bytes[last] ^= 0x20;
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, &bytes).expect("write");
    for args in [
        vec!["db".to_owned(), "info".to_owned()],
        vec![
            "scan".to_owned(),
            "vulns".to_owned(),
            case("direct-vulns").display().to_string(),
            "--db".to_owned(),
        ],
    ] {
        custody()
            .args(&args)
            .arg(&damaged)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("damaged.db"))
            .stderr(predicate::str::contains("digest does not match"));
    }
}

#[test]
fn db_build_names_unreadable_files_and_refuses_empty_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("osv");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(
        src.join("GHSA-1.json"),
        r#"{"id":"GHSA-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"versions":["1.0.0"]}]}"#,
    )
    .expect("write");
    std::fs::write(src.join("GHSA-2.json"), "{not json").expect("write");
    let out = dir.path().join("x.db");
    custody()
        .args(["db", "build"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("GHSA-2.json"));
    assert!(out.is_file(), "the readable part is written");
    std::fs::remove_file(src.join("GHSA-1.json")).expect("rm");
    let empty_out = dir.path().join("empty.db");
    custody()
        .args(["db", "build"])
        .arg(&src)
        .arg("-o")
        .arg(&empty_out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing written"));
    assert!(!empty_out.exists());
    custody()
        .args(["db", "build", "-o"])
        .arg(&empty_out)
        .arg(dir.path().join("missing"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing"));
}

#[test]
fn an_sbom_is_scanned_like_the_lockfiles_it_describes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let from_lockfile = scan(&case("direct-vulns"), &["--format", "json"]);
    let lockfile: Value = serde_json::from_slice(&from_lockfile.stdout).expect("json");
    for (format, name) in [
        ("cyclonedx-json", "s.cdx.json"),
        ("spdx-json", "s.spdx.json"),
    ] {
        let sbom = dir.path().join(name);
        custody()
            .args(["sbom", "generate"])
            .arg(case("direct-vulns"))
            .args(["--format", format, "-o"])
            .arg(&sbom)
            .assert()
            .success();
        let out = scan(&sbom, &["--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        let ids = |v: &Value| -> Vec<String> {
            v["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| format!("{} {} {}", f["ids"], f["package"], f["version"]))
                .collect()
        };
        assert_eq!(ids(&v), ids(&lockfile), "{format}");
        assert_eq!(v["not_scanned"], serde_json::json!([]), "{format}");
    }
    // A supplier SBOM with a component custody cannot identify: scanned, and not clean.
    let supplier = dir.path().join("supplier.cdx.json");
    std::fs::write(
        &supplier,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
          {"type":"library","name":"regex","version":"1.5.4","purl":"pkg:cargo/regex@1.5.4"},
          {"type":"library","name":"libfoo","version":"2.0"}]}"#,
    )
    .expect("write");
    let out = scan(&supplier, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v["findings"].to_string().contains("RUSTSEC-2022-0013"),
        "{v:#}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("supplier.cdx.json") && stderr.contains("libfoo 2.0 (no package URL)"),
        "{stderr}"
    );
    // Not an SBOM and not a lockfile: said so.
    let other = dir.path().join("other.json");
    std::fs::write(&other, r#"{"name":"x"}"#).expect("write");
    let out = scan(&other, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nor a CycloneDX or SPDX JSON SBOM"),
        "{out:?}"
    );
}

#[test]
fn an_ignore_file_accepts_findings_until_each_entry_expires() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ignore = dir.path().join("ignore.toml");
    // direct-vulns has 6 vulnerabilities; accept all but regex's, two of them by alias,
    // one with an entry that expired long ago.
    let baseline: Value =
        serde_json::from_slice(&scan(&case("direct-vulns"), &["--format", "json"]).stdout)
            .expect("json");
    let findings = baseline["findings"].as_array().expect("findings");
    let mut entries = String::new();
    for f in findings {
        if f["kind"] != "vulnerability" || f["package"] == "regex" {
            continue;
        }
        entries.push_str(&format!(
            "[[ignore]]\nid = {}\npackage = {}\nreason = \"not reachable from our code\"\nexpires = \"2999-12-31\"\n\n",
            f["ids"][0], f["package"]
        ));
    }
    let regex_id = findings
        .iter()
        .find(|f| f["package"] == "regex")
        .and_then(|f| f["ids"][0].as_str())
        .expect("regex finding");
    entries.push_str(&format!(
        "[[ignore]]\nid = \"{regex_id}\"\nreason = \"was fine once\"\nexpires = \"2001-01-01\"\n\n[[ignore]]\nid = \"RUSTSEC-0000-0000\"\nreason = \"stale\"\nexpires = \"2999-01-01\"\n"
    ));
    std::fs::write(&ignore, entries).expect("write");
    let ignore_arg = ignore.display().to_string();
    let out = scan(&case("direct-vulns"), &["--ignore", &ignore_arg]);
    assert_eq!(out.status.code(), Some(1), "regex's entry has expired");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 vulnerability and 2 informational warning(s)"),
        "{text}"
    );
    assert!(text.contains("5 accepted by the ignore file"), "{text}");
    assert!(text.contains("ignored until 2999-12-31"), "{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{regex_id} expired on 2001-01-01")),
        "{stderr}"
    );
    assert!(
        stderr.contains("RUSTSEC-0000-0000 matches no finding"),
        "{stderr}"
    );
    // SARIF keeps the accepted ones as suppressed results.
    let sarif: Value = serde_json::from_slice(
        &scan(
            &case("direct-vulns"),
            &["--ignore", &ignore_arg, "--format", "sarif"],
        )
        .stdout,
    )
    .expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let suppressed = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .count();
    assert!(suppressed >= 5, "{suppressed}");
    // Without the regex finding, the scan passes.
    std::fs::write(
        &ignore,
        std::fs::read_to_string(&ignore)
            .expect("read")
            .replace("2001-01-01", "2999-01-01"),
    )
    .expect("write");
    let out = scan(&case("direct-vulns"), &["--ignore", &ignore_arg]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // A reason is required.
    std::fs::write(
        &ignore,
        "[[ignore]]\nid = \"X\"\nexpires = \"2999-01-01\"\n",
    )
    .expect("write");
    let out = scan(&case("direct-vulns"), &["--ignore", &ignore_arg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ignore.toml"),
        "{out:?}"
    );
}

#[test]
fn cyclonedx_vex_is_valid_deterministic_and_carries_accepted_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let requirements = repo().join("testdata/materials/python/requirements.txt");
    let pypa = repo().join("testdata/advisories/pypa-subset");
    let ignore = dir.path().join("ignore.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nid = \"PYSEC-2017-44\"\nreason = \"templates never render user input\"\nexpires = \"2999-12-31\"\n",
    )
    .expect("write");
    let run = |out: &Path| {
        let status = custody()
            .args(["scan", "vulns", "--format", "cyclonedx-vex", "--db"])
            .arg(&pypa)
            .arg("--ignore")
            .arg(&ignore)
            .arg("-o")
            .arg(out)
            .arg(&requirements)
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .expect("runs");
        assert_eq!(status.status.code(), Some(1), "{status:?}");
        std::fs::read(out).expect("written")
    };
    let first = run(&dir.path().join("a.vex.json"));
    let second = run(&dir.path().join("b.vex.json"));
    assert_eq!(first, second, "the same scan gives the same bytes");
    custody()
        .args(["sbom", "validate"])
        .arg(dir.path().join("a.vex.json"))
        .assert()
        .code(0);
    let doc: Value = serde_json::from_slice(&first).expect("json");
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    assert!(vulns.len() > 50, "{}", vulns.len());
    let accepted = vulns
        .iter()
        .find(|v| v["id"] == "PYSEC-2017-44")
        .expect("the accepted finding is in the VEX");
    assert_eq!(accepted["analysis"]["state"], "not_affected");
    assert_eq!(
        accepted["analysis"]["detail"],
        "accepted until 2999-12-31: templates never render user input"
    );
    assert!(
        vulns
            .iter()
            .filter(|v| v["id"] != "PYSEC-2017-44")
            .all(|v| v["analysis"]["state"] == "in_triage")
    );
    // Every affected component is in the document.
    let refs: Vec<&str> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    assert!(
        vulns
            .iter()
            .all(|v| refs.contains(&v["affects"][0]["ref"].as_str().unwrap_or("")))
    );
}
