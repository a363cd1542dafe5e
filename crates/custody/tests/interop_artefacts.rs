//! `custody deps verify` agrees with the package managers' own checks on artefacts they
//! fetched themselves, offline:
//! - npm packs a package, installs it into `node_modules` and its cache; custody verifies
//!   both, then finds a changed and an added file;
//! - pip downloads a wheel with `--require-hashes`; custody accepts what pip accepts and
//!   refuses the tampered wheel pip refuses;
//! - Go downloads a module from a `file://` proxy and writes go.sum; custody computes the
//!   same `h1:` hashes over the zip and the unpacked module, and after a file is changed
//!   both `go mod verify` and custody fail.
//!
//! Needs `npm`, `go` and `CUSTODY_INTEROP_PYTHON` (with pip); `scripts/test` installs them.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    std::env::var_os("CUSTODY_INTEROP_PYTHON")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("CUSTODY_INTEROP_PYTHON is not set: run scripts/test"))
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} does not run: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `custody deps verify ARGS --format json`: exit code and report.
fn verify(args: &[&str], env: &[(&str, &Path)]) -> (Option<i32>, Value) {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("custody"));
    cmd.args(["deps", "verify", "--format", "json"]).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("custody runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

/// (kind, status) of every check, sorted.
fn statuses(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or("-").to_owned(),
                c["status"].as_str().unwrap_or("?").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pair(kind: &str, status: &str) -> (String, String) {
    (kind.to_owned(), status.to_owned())
}

#[test]
#[ignore = "interop: needs npm; run scripts/test"]
fn npm_installs_and_caches_what_custody_verifies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let pkg = root.join("pkg");
    let app = root.join("app");
    let cache = root.join("npm-cache");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::create_dir_all(&app).expect("mkdir");
    std::fs::write(
        pkg.join("package.json"),
        r#"{"name": "@custody-fixture/pad", "version": "1.2.3", "main": "index.js"}"#,
    )
    .expect("write");
    std::fs::write(pkg.join("index.js"), "module.exports = (s) => ` ${s}`;\n").expect("write");
    std::fs::create_dir_all(pkg.join("lib")).expect("mkdir");
    std::fs::write(pkg.join("lib/util.js"), "exports.x = 1;\n").expect("write");
    run(Command::new("npm")
        .args(["pack", "--pack-destination"])
        .arg(root)
        .current_dir(&pkg)
        .env("npm_config_cache", &cache));
    std::fs::write(
        app.join("package.json"),
        r#"{"name": "app", "version": "0.0.0"}"#,
    )
    .expect("write");
    run(Command::new("npm")
        .args(["install", "--offline", "--no-audit", "--no-fund"])
        .arg(root.join("custody-fixture-pad-1.2.3.tgz"))
        .current_dir(&app)
        .env("npm_config_cache", &cache));

    let app_arg = app.to_string_lossy().into_owned();
    let (code, report) = verify(&[&app_arg], &[("npm_config_cache", &cache)]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        statuses(&report),
        [
            pair("installed-npm-package", "verified"),
            pair("npm-tarball", "verified")
        ],
        "{report:#}"
    );

    let installed = app.join("node_modules/@custody-fixture/pad");
    std::fs::write(installed.join("lib/util.js"), "exports.x = 2;\n").expect("write");
    std::fs::write(installed.join("postinstall-output.js"), "1\n").expect("write");
    let (code, report) = verify(&[&app_arg], &[("npm_config_cache", &cache)]);
    assert_eq!(code, Some(1), "{report:#}");
    let modified = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["status"] == "modified")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(
        modified["detail"], "changed lib/util.js; added postinstall-output.js",
        "{report:#}"
    );

    // Without the cache, the installed package has nothing to be compared with.
    let empty = root.join("empty-cache");
    let (code, report) = verify(&[&app_arg], &[("npm_config_cache", &empty)]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        statuses(&report),
        [pair("installed-npm-package", "unverifiable")]
    );
    let (code, _) = verify(
        &[&app_arg, "--require-present"],
        &[("npm_config_cache", &empty)],
    );
    assert_eq!(code, Some(1));
}

#[test]
#[ignore = "interop: needs pip; run scripts/test"]
fn custody_accepts_the_wheels_pip_accepts_and_refuses_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for d in ["index", "tampered", "downloaded"] {
        std::fs::create_dir_all(root.join(d)).expect("mkdir");
    }
    let make_wheel = repo().join("crates/custody/tests/interop/make_wheel.py");
    let wheel = run(Command::new(python())
        .arg(&make_wheel)
        .args(["custody-fixture", "1.0.0"])
        .arg(root.join("index")));
    let wheel = String::from_utf8_lossy(&wheel.stdout).trim().to_owned();
    run(Command::new(python())
        .arg(&make_wheel)
        .args(["custody-fixture", "1.0.0"])
        .arg(root.join("tampered"))
        .arg("VALUE = 'not what was locked'"));
    let hash = run(Command::new(python())
        .args(["-m", "pip", "hash"])
        .arg(&wheel));
    let hash = String::from_utf8_lossy(&hash.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(hash.starts_with("--hash=sha256:"), "{hash}");
    let requirements = root.join("requirements.txt");
    std::fs::write(&requirements, format!("Custody_Fixture==1.0.0 {hash}\n")).expect("write");

    let pip_download = |from: &str, to: &str| {
        Command::new(python())
            .args([
                "-m",
                "pip",
                "download",
                "--disable-pip-version-check",
                "--quiet",
            ])
            .args([
                "--no-index",
                "--require-hashes",
                "--no-deps",
                "--find-links",
            ])
            .arg(root.join(from))
            .arg("-d")
            .arg(root.join(to))
            .arg("-r")
            .arg(&requirements)
            .output()
            .expect("pip runs")
    };
    let accepted = pip_download("index", "downloaded");
    assert!(accepted.status.success(), "{accepted:?}");
    let refused = pip_download("tampered", "refused");
    assert!(!refused.status.success(), "pip took the tampered wheel");

    let req = requirements.to_string_lossy().into_owned();
    let downloaded = root.join("downloaded").to_string_lossy().into_owned();
    let (code, report) = verify(&[&req, "--artefacts", &downloaded], &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(statuses(&report), [pair("wheel", "verified")]);
    let tampered = root.join("tampered").to_string_lossy().into_owned();
    let (code, report) = verify(&[&req, "--artefacts", &tampered], &[]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(statuses(&report), [pair("wheel", "mismatch")]);
}

#[test]
#[ignore = "interop: needs go; run scripts/test"]
fn go_sum_hashes_of_the_module_cache_match_and_go_mod_verify_agrees() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    // A module proxy on disk: upper case in the path is escaped, as on a real proxy.
    let module = "example.com/Fixture/lib";
    let version = "v1.4.0";
    let at_v = root.join("proxy/example.com/!fixture/lib/@v");
    std::fs::create_dir_all(&at_v).expect("mkdir");
    let go_mod = format!("module {module}\n\ngo 1.19\n");
    let files: [(&str, &str); 3] = [
        ("go.mod", &go_mod),
        (
            "lib.go",
            "package lib\n\n// Greeting says hello.\nfunc Greeting() string { return \"hello\" }\n",
        ),
        ("internal/x/x.go", "package x\n\nconst X = 1\n"),
    ];
    {
        use std::io::Write as _;
        let zip_file = std::fs::File::create(at_v.join(format!("{version}.zip"))).expect("zip");
        let mut zip = zip::ZipWriter::new(zip_file);
        for (name, text) in files {
            zip.start_file(
                format!("{module}@{version}/{name}"),
                zip::write::SimpleFileOptions::default(),
            )
            .expect("zip entry");
            zip.write_all(text.as_bytes()).expect("zip write");
        }
        zip.finish().expect("zip finish");
    }
    std::fs::write(at_v.join(format!("{version}.mod")), &go_mod).expect("write");
    std::fs::write(at_v.join("list"), format!("{version}\n")).expect("write");
    std::fs::write(
        at_v.join(format!("{version}.info")),
        format!(r#"{{"Version":"{version}","Time":"2026-01-01T00:00:00Z"}}"#),
    )
    .expect("write");

    let app = root.join("app");
    std::fs::create_dir_all(&app).expect("mkdir");
    std::fs::write(
        app.join("go.mod"),
        format!("module example.com/app\n\ngo 1.19\n\nrequire {module} {version}\n"),
    )
    .expect("write");
    std::fs::write(
        app.join("main.go"),
        format!(
            "package main\n\nimport \"{module}\"\n\nfunc main() {{ println(lib.Greeting()) }}\n"
        ),
    )
    .expect("write");
    let modcache = root.join("modcache");
    let go = |args: &[&str]| {
        let mut cmd = Command::new("go");
        cmd.args(args)
            .current_dir(&app)
            .env(
                "GOPROXY",
                format!("file://{}", root.join("proxy").display()),
            )
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local")
            .env("GOMODCACHE", &modcache)
            .env("GOCACHE", root.join("gocache"))
            .env("GOPATH", root.join("gopath"));
        cmd
    };
    run(&mut go(&["mod", "tidy"]));
    let go_sum = std::fs::read_to_string(app.join("go.sum")).expect("go.sum written by go");
    assert!(
        go_sum.contains(&format!("{module} {version} h1:")),
        "{go_sum}"
    );

    let app_arg = app.to_string_lossy().into_owned();
    let env = [("GOMODCACHE", modcache.as_path())];
    let (code, report) = verify(&[&app_arg], &env);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        statuses(&report),
        [
            pair("go-module-dir", "verified"),
            pair("go-module-zip", "verified")
        ],
        "{report:#}"
    );

    // Change a file of the unpacked module (Go makes it read-only).
    let unpacked = modcache.join(format!("example.com/!fixture/lib@{version}"));
    let lib = unpacked.join("lib.go");
    for p in [&unpacked, &lib] {
        let mut perms = std::fs::metadata(p).expect("stat").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(p, perms).expect("chmod");
    }
    std::fs::write(
        &lib,
        "package lib\n\nfunc Greeting() string { return \"pwned\" }\n",
    )
    .expect("write");
    let go_verify = go(&["mod", "verify"]).output().expect("go runs");
    assert!(
        !go_verify.status.success(),
        "go mod verify accepted a changed module"
    );
    let (code, report) = verify(&[&app_arg], &env);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        statuses(&report),
        [
            pair("go-module-dir", "mismatch"),
            pair("go-module-zip", "verified")
        ],
        "{report:#}"
    );
}
