//! `custody sbom generate` end to end: a Cargo workspace with every kind of dependency,
//! monorepo discovery, determinism, SOURCE_DATE_EPOCH, unreadable lockfiles and exit
//! codes.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn custody() -> Command {
    let mut c = Command::cargo_bin("custody").expect("binary built");
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

#[path = "support/cargo_workspace.rs"]
mod cargo_workspace;
use cargo_workspace::{CHECKSUM, workspace};

fn components(doc: &Value) -> Vec<&Value> {
    doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .collect()
}

fn by_name<'a>(doc: &'a Value, name: &str) -> &'a Value {
    components(doc)
        .into_iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

fn property<'a>(c: &'a Value, name: &str) -> Vec<&'a str> {
    c["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

#[test]
fn a_workspace_becomes_a_cyclonedx_sbom_with_scopes_sources_and_the_graph() {
    let tmp = tempfile::tempdir().expect("temp dir");
    workspace(tmp.path());
    let out = tmp.path().join("sbom.cdx.json");
    custody()
        .args(["sbom", "generate"])
        .arg(tmp.path())
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 project(s), 9 component entries",
        ));
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).expect("sbom")).expect("json");
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(components(&doc).len(), 9);
    let scope = |n: &str| {
        by_name(&doc, n)["scope"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(scope("serde"), "required");
    assert_eq!(scope("colored"), "optional");
    assert_eq!(scope("cc"), "excluded");
    assert_eq!(property(by_name(&doc, "cc"), "custody:scope"), ["build"]);
    assert_eq!(scope("proptest"), "excluded");
    assert_eq!(
        property(by_name(&doc, "proptest"), "custody:scope"),
        ["dev"]
    );
    // itoa is reached from the member util at runtime and from proptest in dev: runtime.
    assert_eq!(scope("itoa"), "required");
    assert_eq!(property(by_name(&doc, "itoa"), "custody:direct"), ["true"]);
    let app = by_name(&doc, "app");
    assert_eq!(app["type"], "application");
    assert_eq!(app["licenses"][0]["expression"], "MIT OR Apache-2.0");
    assert_eq!(
        by_name(&doc, "util")["licenses"][0]["expression"],
        "Apache-2.0"
    );
    assert_eq!(
        property(by_name(&doc, "helper"), "custody:source"),
        ["path vendor/helper"]
    );
    let rand = by_name(&doc, "rand");
    assert_eq!(
        rand["externalReferences"][0]["url"],
        "https://github.com/rust-random/rand?rev=0123456#0123456789abcdef0123456789abcdef01234567"
    );
    assert!(
        rand["purl"]
            .as_str()
            .unwrap_or_default()
            .contains("vcs_url=git%2Bhttps")
    );
    assert_eq!(by_name(&doc, "serde")["hashes"][0]["content"], CHECKSUM);
    // The graph: root → members → dependencies, every reference defined.
    let refs: BTreeSet<&str> = components(&doc)
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .chain(["custody:root"])
        .collect();
    for d in doc["dependencies"].as_array().expect("dependencies") {
        assert!(refs.contains(d["ref"].as_str().unwrap_or_default()), "{d}");
        for on in d["dependsOn"].as_array().expect("dependsOn") {
            assert!(refs.contains(on.as_str().unwrap_or_default()), "{on}");
        }
    }
    let root = &doc["dependencies"][0];
    assert_eq!(root["ref"], "custody:root");
    assert_eq!(
        root["dependsOn"],
        serde_json::json!(["pkg:cargo/app@0.3.0", "pkg:cargo/util@0.1.0"])
    );
}

#[test]
fn the_same_lockfiles_give_the_same_bytes_and_a_time_only_when_asked() {
    let tmp = tempfile::tempdir().expect("temp dir");
    workspace(tmp.path());
    let run = |extra: &[&str], epoch: Option<&str>| {
        let mut c = custody();
        c.args(["sbom", "generate"]).arg(tmp.path()).args(extra);
        if let Some(e) = epoch {
            c.env("SOURCE_DATE_EPOCH", e);
        }
        c.output().expect("runs")
    };
    let a = run(&[], None);
    let b = run(&[], None);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    let doc: Value = serde_json::from_slice(&a.stdout).expect("json");
    assert!(doc["metadata"].get("timestamp").is_none());
    let timed: Value = serde_json::from_slice(&run(&[], Some("1700000000")).stdout).expect("json");
    assert_eq!(timed["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    let spdx: Value =
        serde_json::from_slice(&run(&["--format", "spdx-json"], Some("1700000000")).stdout)
            .expect("json");
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert_eq!(spdx["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    assert_eq!(spdx["packages"].as_array().map(Vec::len), Some(10));
    let v15: Value =
        serde_json::from_slice(&run(&["--spec-version", "1.5"], None).stdout).expect("json");
    assert_eq!(v15["specVersion"], "1.5");
    let bad = run(&[], Some("yesterday"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SOURCE_DATE_EPOCH"));
}

#[test]
fn every_project_of_a_monorepo_is_read_and_a_broken_lockfile_is_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    workspace(&tmp.path().join("rust"));
    workspace(&tmp.path().join("tools/other"));
    std::fs::create_dir_all(tmp.path().join("rust/target/package")).expect("mkdir");
    std::fs::write(
        tmp.path().join("rust/target/package/Cargo.lock"),
        "garbage [",
    )
    .expect("write");
    std::fs::create_dir_all(tmp.path().join("broken")).expect("mkdir");
    std::fs::write(
        tmp.path().join("broken/Cargo.lock"),
        "[[package]]\nname = 1\n",
    )
    .expect("write");
    let out = custody()
        .args(["sbom", "generate"])
        .arg(tmp.path())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "written, but not everything was read"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken/Cargo.lock"), "{stderr}");
    assert!(
        !stderr.contains("target"),
        "build output is not searched: {stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    // The two identical workspaces merge into one set of components, naming both.
    assert_eq!(components(&doc).len(), 9);
    assert_eq!(
        property(by_name(&doc, "serde"), "custody:lockfile"),
        ["rust/Cargo.lock", "tools/other/Cargo.lock"]
    );
    // --exclude (and [materials] exclude of the directory's custody.toml) leave paths out.
    std::fs::write(
        tmp.path().join("custody.toml"),
        "[materials]\nexclude = [\"broken/\"]\n",
    )
    .expect("config");
    let out = custody()
        .args(["sbom", "generate", "--exclude", "tools/"])
        .arg(tmp.path())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        property(by_name(&doc, "serde"), "custody:lockfile"),
        ["rust/Cargo.lock"]
    );
}

#[test]
fn nothing_to_describe_is_an_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    custody()
        .args(["sbom", "generate"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no lockfile under"));
    let f = tmp.path().join("notes.txt");
    std::fs::write(&f, "x").expect("write");
    custody()
        .args(["sbom", "generate"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("neither a lockfile custody reads"));
    custody()
        .args(["sbom", "generate"])
        .arg(tmp.path().join("missing"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing"));
}

#[test]
fn an_npm_lockfile_made_by_npm_is_read() {
    // testdata/materials/npm: package-lock.json v3 made by `npm install --package-lock-only`.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/materials/npm");
    let out = custody()
        .args(["sbom", "generate"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let babel = by_name(&doc, "@babel/code-frame");
    assert_eq!(babel["purl"], "pkg:npm/%40babel/code-frame@7.10.4");
    assert_eq!(property(babel, "custody:direct"), ["true"]);
    assert_eq!(babel["hashes"][0]["alg"], "SHA-512");
    assert_eq!(babel["licenses"][0]["expression"], "MIT");
    assert_eq!(by_name(&doc, "minimist")["scope"], "excluded");
    assert_eq!(
        property(by_name(&doc, "minimist"), "custody:scope"),
        ["dev"]
    );
    assert_eq!(by_name(&doc, "express")["scope"], "required");
    let root = &doc["dependencies"][0];
    assert_eq!(
        root["dependsOn"],
        serde_json::json!(["pkg:npm/fixture-npm@0.1.0"])
    );
    assert!(components(&doc).len() > 60);
}

fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn diff_finds_changes_and_the_same_version_with_another_digest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let npm = repo().join("testdata/materials/npm");
    let sbom = dir.path().join("npm.cdx.json");
    custody()
        .args(["sbom", "generate"])
        .arg(&npm)
        .arg("-o")
        .arg(&sbom)
        .assert()
        .success();
    // The lockfile and its own SBOM, and cdxgen's SBOM of it: no difference.
    for other in [
        sbom.clone(),
        repo().join("testdata/materials/npm/cdxgen-12.8.4.cdx.json"),
    ] {
        custody()
            .args(["sbom", "diff"])
            .arg(&npm)
            .arg(&other)
            .assert()
            .code(0)
            .stdout(predicate::str::contains(
                "0 added, 0 removed, 0 changed, 0 with another digest",
            ));
    }
    // Tamper: another digest for express, another version of debug, one package gone.
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(&sbom).expect("read")).expect("json");
    let list = doc["components"].as_array_mut().expect("components");
    for c in list.iter_mut() {
        if c["name"] == "express" {
            c["hashes"][0]["content"] = Value::from("ab".repeat(64));
        }
        if c["name"] == "debug" && c["version"] == "2.6.9" {
            c["version"] = Value::from("2.6.8");
            c["purl"] = Value::from("pkg:npm/debug@2.6.8");
            c["bom-ref"] = Value::from("pkg:npm/debug@2.6.8");
        }
    }
    list.retain(|c| c["name"] != "vary");
    let tampered = dir.path().join("tampered.cdx.json");
    std::fs::write(&tampered, serde_json::to_vec(&doc).expect("json")).expect("write");
    let out = custody()
        .args(["sbom", "diff", "--format", "json"])
        .arg(&sbom)
        .arg(&tampered)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let d: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(d["removed"][0]["name"], "vary", "{d:#}");
    assert_eq!(d["changed"][0]["name"], "debug", "{d:#}");
    let redigested: Vec<&str> = d["redigested"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["purl"].as_str())
        .collect();
    assert!(redigested.contains(&"pkg:npm/express@4.17.1"), "{d:#}");
    custody()
        .args(["sbom", "diff"])
        .arg(&sbom)
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.json"));
}

#[test]
fn merge_makes_one_sbom_of_sboms_and_trees() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("all.cdx.json");
    custody()
        .args(["sbom", "merge"])
        .arg(repo().join("testdata/materials/npm/cdxgen-12.8.4.cdx.json"))
        .arg(repo().join("testdata/materials/cargo/direct-vulns"))
        .arg(repo().join("testdata/materials/npm"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
    let purls: BTreeSet<&str> = components(&doc)
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert_eq!(
        purls.len(),
        components(&doc).len(),
        "one component per purl"
    );
    assert!(purls.contains("pkg:npm/express@4.17.1"));
    assert!(purls.contains("pkg:cargo/regex@1.5.4"));
    let express = by_name(&doc, "express");
    let from = property(express, "custody:lockfile");
    assert_eq!(from.len(), 2, "named by both npm inputs: {from:?}");
    custody()
        .args(["sbom", "merge"])
        .arg(dir.path().join("nothing-here.json"))
        .assert()
        .code(2);

    // `import`: a supplier's CycloneDX SBOM read into custody's model and written as SPDX.
    let spdx = dir.path().join("supplier.spdx.json");
    custody()
        .args(["sbom", "import", "--format", "spdx-json", "-o"])
        .arg(&spdx)
        .arg(repo().join("testdata/materials/npm/cdxgen-12.8.4.cdx.json"))
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&std::fs::read(&spdx).expect("read")).expect("json");
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    let text = doc.to_string();
    assert!(
        text.contains("pkg:npm/express@4.17.1"),
        "the supplier's packages are kept"
    );
}

#[test]
fn sbom_validate_says_valid_invalid_or_unusable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.cdx.json");
    Command::cargo_bin("custody")
        .expect("binary built")
        .args(["sbom", "generate", "-o"])
        .arg(&good)
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/materials/npm"))
        .assert()
        .success();
    Command::cargo_bin("custody")
        .expect("binary built")
        .args(["sbom", "validate"])
        .arg(&good)
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "valid CycloneDX 1.6 (bom-1.6.schema.json)",
        ));

    let text = std::fs::read_to_string(&good).expect("read");
    let mut doc: Value = serde_json::from_str(&text).expect("json");
    doc["components"][0]["scope"] = serde_json::json!("sometimes");
    let first_ref = doc["components"][0]["bom-ref"].clone();
    doc["components"][1]["bom-ref"] = first_ref;
    let bad = dir.path().join("bad.cdx.json");
    std::fs::write(&bad, doc.to_string()).expect("write");
    let out = Command::cargo_bin("custody")
        .expect("binary built")
        .args(["sbom", "validate", "--format", "json"])
        .arg(&good)
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[1]["valid"], false);
    let problems: Vec<(String, String)> = v[1]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["pointer"].as_str().unwrap_or("").to_owned(),
                p["rule"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(
        problems.contains(&("/components/0/scope".into(), "schema".into())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&("/components/1/bom-ref".into(), "duplicate".into())),
        "{problems:?}"
    );

    let not_sbom = dir.path().join("x.json");
    std::fs::write(&not_sbom, "{\"hello\": 1}").expect("write");
    Command::cargo_bin("custody")
        .expect("binary built")
        .args(["sbom", "validate"])
        .arg(&not_sbom)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)",
        ));
}

/// The package URLs (qualifiers dropped) and custody scopes of a CycloneDX document.
fn purls_and_scopes(doc: &Value) -> BTreeMap<String, String> {
    doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            let purl = c["purl"].as_str().unwrap_or("");
            let scope = c["properties"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == "custody:scope")
                .and_then(|p| p["value"].as_str())
                .unwrap_or("")
                .to_owned();
            (purl.split('?').next().unwrap_or(purl).to_owned(), scope)
        })
        .collect()
}

#[test]
fn component_set_matches_cargo_cyclonedx() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/materials/cargo-cyclonedx");
    let out = Command::cargo_bin("custody")
        .expect("binary built")
        .args(["sbom", "generate"])
        .arg(dir.join("ws"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let ours = purls_and_scopes(&doc);
    // Workspace members are sources at their directories.
    let util = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["name"] == "util")
        .expect("util");
    assert!(
        util["properties"].to_string().contains("\"path util\""),
        "{util}"
    );
    // cargo-cyclonedx writes one SBOM per member, each listing what the member needs
    // (runtime and build dependencies, the other members), never dev-dependencies.
    let mut theirs = BTreeSet::new();
    for member in ["app", "util"] {
        let text =
            std::fs::read_to_string(dir.join(format!("cargo-cyclonedx-0.5.9.{member}.cdx.json")))
                .expect("golden file");
        let doc: Value = serde_json::from_str(&text).expect("json");
        theirs.extend(purls_and_scopes(&doc).into_keys());
    }
    let not_dev: BTreeSet<String> = ours
        .iter()
        .filter(|(_, scope)| scope.as_str() != "dev")
        .map(|(p, _)| p.clone())
        .collect();
    // custody lists the workspace root member too (cargo-cyclonedx makes it the document's
    // subject); everything else is the same set.
    let expected: BTreeSet<String> = theirs
        .iter()
        .cloned()
        .chain(["pkg:cargo/app@0.1.0".to_owned()])
        .collect();
    assert_eq!(not_dev, expected);
    // Build dependencies (cc and what it needs) are components for both; custody says
    // they are build-time only.
    for build in [
        "pkg:cargo/cc@1.11.3",
        "pkg:cargo/shlex@2.0.1",
        "pkg:cargo/find-msvc-tools@0.1.15",
    ] {
        assert_eq!(
            ours.get(build).map(String::as_str),
            Some("build"),
            "{build}"
        );
    }
    // Dev-dependencies, which cargo-cyclonedx leaves out, custody lists as dev (CycloneDX
    // scope `excluded`), other platforms' packages included (windows-sys).
    assert_eq!(
        ours.get("pkg:cargo/tempfile@3.27.0").map(String::as_str),
        Some("dev")
    );
    assert_eq!(
        ours.get("pkg:cargo/windows-sys@0.61.2").map(String::as_str),
        Some("dev")
    );
}
