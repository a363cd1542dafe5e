//! Supplier SBOMs end to end (MAT-3, MAT-9): a supplier signs its SBOM as an in-toto
//! attestation (`custody attest -t cyclonedx`, `custody sbom generate --attest`); the
//! project lists it, the supplier's key and the dependencies that need one in
//! `[materials.suppliers]`; `custody check` verifies signature, schema and coverage, and
//! scans what the SBOM lists.

use assert_cmd::Command;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

#[path = "support/check_report.rs"]
mod check_report;
use check_report::{check_report, row};

fn custody() -> Command {
    Command::cargo_bin("custody").expect("binary built")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The MAT-3 and MAT-9 rows of `custody check PROJECT`.
fn rows(project: &Path) -> (Value, Value) {
    let report = check_report(custody(), project);
    (row(&report, "MAT-3"), row(&report, "MAT-9"))
}

fn key(dir: &Path, name: &str) {
    custody()
        .args(["key", "generate", "--unencrypted", "-n", name, "--dir"])
        .arg(dir)
        .assert()
        .success();
}

/// A supplier's SBOM of django 1.11.0 (what they ship), with django itself listed.
fn supplier_sbom() -> Value {
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"component": {
            "type": "library", "name": "django", "version": "1.11.0",
            "bom-ref": "django", "purl": "pkg:pypi/django@1.11.0"
        }},
        "components": [
            {"type": "library", "name": "django", "version": "1.11.0", "bom-ref": "pkg:pypi/django@1.11.0", "purl": "pkg:pypi/django@1.11.0"},
            {"type": "library", "name": "pytz", "version": "2024.1", "bom-ref": "pkg:pypi/pytz@2024.1", "purl": "pkg:pypi/pytz@2024.1"}
        ],
        "dependencies": [{"ref": "django", "dependsOn": ["pkg:pypi/pytz@2024.1"]}]
    })
}

fn attest(key: &Path, predicate: &Path, out: &Path) {
    custody()
        .args(["attest", "-t", "cyclonedx", "--subject-digest"])
        .arg(format!("django-1.11.0.tar.gz=sha256:{}", "ab".repeat(32)))
        .arg("-k")
        .arg(key)
        .arg("--predicate")
        .arg(predicate)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn supplier_sboms_signed_valid_and_covering_required_dependencies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("project");
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(root.join("sboms")).expect("mkdir");
    key(&keys, "acme");
    key(&keys, "mallory");
    std::fs::write(root.join("requirements.txt"), "django==1.11.0\n").expect("write");
    let advisories = repo().join("testdata/advisories/pypa-subset");

    let (mat3, mat9) = rows(&root);
    assert_eq!(mat3["status"], "not-configured", "{mat3:#}");
    assert_eq!(mat9["status"], "not-configured", "{mat9:#}");

    let predicate = dir.path().join("django.cdx.json");
    std::fs::write(&predicate, supplier_sbom().to_string()).expect("write");
    attest(
        &keys.join("acme.key"),
        &predicate,
        &root.join("sboms/django.att.json"),
    );
    std::fs::write(
        root.join("custody.toml"),
        format!(
            "[materials]\nadvisories = [{advisories:?}]\n\n[materials.suppliers]\nsboms = [\"sboms\"]\nkeys = [{:?}]\nrequired = [\"pkg:pypi/django@*\"]\n",
            keys.join("acme.pub")
        ),
    )
    .expect("write");
    let (mat3, mat9) = rows(&root);
    assert_eq!(mat3["status"], "pass", "{mat3:#}");
    assert!(
        mat3["evidence"]
            .to_string()
            .contains("describes pkg:pypi/django@1.11.0; 2 component(s), signed by key"),
        "{mat3:#}"
    );
    // What the supplier ships has known vulnerabilities: django 1.11.0.
    assert_eq!(mat9["status"], "fail", "{mat9:#}");
    assert!(mat9["evidence"].to_string().contains("PYSEC-"), "{mat9:#}");

    // The same SBOM signed by a key the project does not trust, unsigned, or invalid:
    // none counts, and django is then not covered.
    for (name, make) in [("mallory", 0), ("unsigned", 1), ("invalid", 2)] {
        let _ = std::fs::remove_dir_all(root.join("sboms"));
        std::fs::create_dir_all(root.join("sboms")).expect("mkdir");
        let file = root.join(format!("sboms/{name}.json"));
        match make {
            0 => attest(&keys.join("mallory.key"), &predicate, &file),
            1 => std::fs::write(&file, supplier_sbom().to_string()).expect("write"),
            _ => {
                let mut doc = supplier_sbom();
                doc["components"][1]["type"] = json!("gadget");
                let bad = dir.path().join("bad.cdx.json");
                std::fs::write(&bad, doc.to_string()).expect("write");
                attest(&keys.join("acme.key"), &bad, &file);
            }
        }
        let (mat3, _) = rows(&root);
        assert_eq!(mat3["status"], "fail", "{name}: {mat3:#}");
        let evidence = mat3["evidence"].to_string();
        let expected = match make {
            0 => "no verified SBOM attestation",
            1 => "not signed",
            _ => "not a valid CycloneDX 1.6 document",
        };
        assert!(evidence.contains(expected), "{name}: {mat3:#}");
        assert!(
            evidence
                .contains("pkg:pypi/django@1.11.0: no valid supplier SBOM describes this version"),
            "{name}: {mat3:#}"
        );
    }
}

#[test]
fn sbom_generate_attest_is_verified_by_attest_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    key(dir.path(), "ci");
    let npm = repo().join("testdata/materials/npm");
    let out = dir.path().join("sbom.att.json");
    custody()
        .args(["sbom", "generate", "--attest"])
        .arg(dir.path().join("ci.key"))
        .arg("-o")
        .arg(&out)
        .arg(&npm)
        .assert()
        .success();
    let envelope: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    let verified = custody()
        .args(["attest", "verify", "-t", "cyclonedx", "-k"])
        .arg(dir.path().join("ci.pub"))
        .arg("--subject")
        .arg(npm.join("package-lock.json"))
        .arg(&out)
        .output()
        .expect("runs");
    assert!(verified.status.success(), "{verified:?}");
    // The predicate printed is the SBOM generate writes without --attest.
    let plain = custody()
        .args(["sbom", "generate"])
        .arg(&npm)
        .output()
        .expect("runs");
    let printed: Value = serde_json::from_slice(&verified.stdout).expect("predicate");
    let sbom: Value = serde_json::from_slice(&plain.stdout).expect("sbom");
    assert_eq!(printed, sbom);
}
