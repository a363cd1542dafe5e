//! TUF interop, both ways, over a real HTTP server on 127.0.0.1:
//!
//! - repositories made with python-tuf's Metadata API (`tuf` 7.x) are read by
//!   `custody tuf client`: every key type python-tuf generates, consistent snapshots on
//!   and off, delegations and succinct hash bins, root rotation, new targets, an expired
//!   timestamp;
//! - repositories made with `custody tuf` are read by python-tuf's client (ngclient).
//!
//! Needs `CUSTODY_INTEROP_PYTHON` (a Python with `tuf`); `scripts/test` sets it up.

use assert_cmd::Command;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

const IGNORE: &str = "interop: needs python peers; run scripts/test";

fn python() -> PathBuf {
    let p = std::env::var_os("CUSTODY_INTEROP_PYTHON")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| {
            panic!("CUSTODY_INTEROP_PYTHON is not set: run scripts/test, which installs python-tuf and sets it")
        });
    PathBuf::from(p)
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(name)
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `python tuf_repo.py DIR ARGS…`.
fn repo_tool(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new(python())
        .arg("-B")
        .arg(script("tuf_repo.py"))
        .arg(dir)
        .args(args)
        .output()
        .expect("python runs");
    ok(&out, &format!("tuf_repo.py {args:?}"));
}

/// A static HTTP server over a directory; killed on drop.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(dir: &Path, log: PathBuf) -> Self {
        let mut child = std::process::Command::new(python())
            .arg("-B")
            .arg(script("serve.py"))
            .arg(dir)
            .arg(&log)
            .stdout(Stdio::piped())
            .spawn()
            .expect("server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("port line");
        let port = line.trim().parse().expect("port number");
        Self { child, port, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// Request paths since the last call.
    fn take_requests(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let _ = std::fs::remove_file(&self.log);
        text.lines().map(str::to_owned).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    md: PathBuf,
    td: PathBuf,
}

impl Client {
    fn new(root: &Path, initial_root: &Path) -> Self {
        let md = root.join("client-metadata");
        let td = root.join("client-targets");
        std::fs::create_dir_all(&td).expect("mkdir");
        let out = Command::cargo_bin("custody")
            .expect("binary")
            .args(["tuf", "client", "--metadata-dir"])
            .arg(&md)
            .arg("init")
            .arg(initial_root)
            .output()
            .expect("custody runs");
        ok(&out, "custody tuf client init");
        Self { md, td }
    }

    fn run(&self, server: &Server, targets: &[&str], action: &str) -> Output {
        let mut cmd = Command::cargo_bin("custody").expect("binary");
        cmd.args(["tuf", "client", "--metadata-url"])
            .arg(server.url("metadata"))
            .arg("--metadata-dir")
            .arg(&self.md);
        if action == "download" {
            for t in targets {
                cmd.args(["--target-name", t]);
            }
            cmd.arg("--target-dir")
                .arg(&self.td)
                .arg("--target-base-url")
                .arg(server.url("targets/"));
        }
        cmd.arg(action).output().expect("custody runs")
    }

    fn version(&self, role: &str) -> Option<u64> {
        let bytes = std::fs::read(self.md.join(format!("{role}.json"))).ok()?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        v["signed"]["version"].as_u64()
    }
}

/// Every metadata file in the client's metadata directory is byte-identical to one the
/// server has; the only other file is the memo of signature checks.
fn assert_exact_copies(client: &Client, repo: &Path) {
    for entry in std::fs::read_dir(&client.md).expect("list") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            assert_eq!(
                path.file_name().and_then(|n| n.to_str()),
                Some(custody_tuf::memo::FILE_NAME),
                "unexpected file in the metadata directory"
            );
            continue;
        }
        let local = std::fs::read(&path).expect("read");
        let served = std::fs::read_dir(repo.join("metadata"))
            .expect("list")
            .any(|e| std::fs::read(e.expect("entry").path()).ok().as_deref() == Some(&local[..]));
        assert!(served, "{} is not what the server sent", path.display());
    }
}

fn scenario(key_type: &str, extra: &[&str]) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = tmp.path().join("repo");
    let mut args = vec!["init", "--key-type", key_type, "--targets", "5"];
    args.extend_from_slice(extra);
    repo_tool(&repo, &args);
    let server = Server::start(&repo, tmp.path().join("requests.log"));
    let client = Client::new(tmp.path(), &repo.join("metadata/1.root.json"));
    let what = format!("{key_type} {extra:?}");
    assert!(server.take_requests().is_empty(), "init makes no requests");

    ok(
        &client.run(&server, &[], "refresh"),
        &format!("refresh ({what})"),
    );
    assert_eq!(
        server.take_requests()[..2],
        ["/metadata/2.root.json", "/metadata/timestamp.json"]
    );
    ok(
        &client.run(
            &server,
            &["files/file-1.txt", "files/file-4.txt"],
            "download",
        ),
        &format!("download ({what})"),
    );
    for i in [1, 4] {
        assert_eq!(
            std::fs::read(client.td.join(format!("files%2Ffile-{i}.txt"))).expect("saved"),
            format!("content {i}\n").into_bytes()
        );
    }
    assert_exact_copies(&client, &repo);
    // Nothing changed: root probe and timestamp only, and no second download.
    server.take_requests();
    ok(
        &client.run(&server, &["files/file-1.txt"], "download"),
        "download again",
    );
    assert_eq!(
        server.take_requests(),
        ["/metadata/2.root.json", "/metadata/timestamp.json"],
        "{what}"
    );
    // A missing target is a failure.
    let out = client.run(&server, &["files/nope.txt"], "download");
    assert_eq!(out.status.code(), Some(1), "{what}");

    // The repository moves on: a new target, a new root.
    repo_tool(&repo, &["add-target", "files/new.txt", "new content"]);
    repo_tool(&repo, &["rotate-root"]);
    ok(
        &client.run(&server, &["files/new.txt"], "download"),
        &format!("download after update ({what})"),
    );
    assert_eq!(client.version("root"), Some(2));
    assert_eq!(client.version("timestamp"), Some(2));
    assert_eq!(
        std::fs::read(client.td.join("files%2Fnew.txt")).expect("saved"),
        b"new content"
    );
    assert_exact_copies(&client, &repo);

    // An expired timestamp is refused and not stored.
    repo_tool(&repo, &["expire-timestamp"]);
    let out = client.run(&server, &[], "refresh");
    assert_eq!(out.status.code(), Some(1), "{what}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("expired"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(client.version("timestamp"), Some(2));
}

#[test]
#[ignore = "interop: needs python peers; run scripts/test"]
fn reads_python_tuf_repositories_with_ed25519_keys() {
    let _ = IGNORE;
    scenario("ed25519", &[]);
}

#[test]
#[ignore = "interop: needs python peers; run scripts/test"]
fn reads_python_tuf_repositories_with_ecdsa_keys_without_consistent_snapshots() {
    scenario("ecdsa", &["--no-consistent", "--meta-hashes"]);
}

#[test]
#[ignore = "interop: needs python peers; run scripts/test"]
fn reads_python_tuf_repositories_with_rsa_pss_keys_and_hash_bins() {
    scenario("rsa-pss", &["--hash-bins", "4", "--meta-hashes"]);
}

#[test]
#[ignore = "interop: needs python peers; run scripts/test"]
fn reads_python_tuf_repositories_with_hash_bins_without_consistent_snapshots() {
    scenario("ed25519", &["--hash-bins", "2", "--no-consistent"]);
}

#[test]
#[ignore = "interop: needs python peers; run scripts/test"]
fn reads_python_tuf_repositories_with_rsa_pkcs1v15_keys_and_delegations() {
    scenario(
        "rsa-pkcs1v15",
        &["--delegate", "docs:docs/*", "--no-consistent"],
    );
}

/// Expiry is checked against the system clock as libc reports it, so `faketime` (the way
/// conformance suites move a client through time) works.
#[test]
#[ignore = "interop: needs python peers and faketime; run scripts/test"]
fn expiry_follows_the_clock_faketime_sets() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = tmp.path().join("repo");
    repo_tool(&repo, &["init", "--targets", "1"]);
    repo_tool(&repo, &["expire-timestamp", "--in-days", "2"]);
    let server = Server::start(&repo, tmp.path().join("requests.log"));
    let client = Client::new(tmp.path(), &repo.join("metadata/1.root.json"));
    ok(&client.run(&server, &[], "refresh"), "refresh today");
    let bin = assert_cmd::cargo::cargo_bin("custody");
    let out = std::process::Command::new("faketime")
        .args(["-f", "+3d"])
        .arg(bin)
        .args(["tuf", "client", "--metadata-url"])
        .arg(server.url("metadata"))
        .arg("--metadata-dir")
        .arg(&client.md)
        .arg("refresh")
        .output()
        .expect("faketime runs (apt install faketime)");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("expired"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn custody_cmd(dir: &Path, args: &[&str]) {
    let out = Command::cargo_bin("custody")
        .expect("binary")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("custody runs");
    ok(&out, &format!("custody {args:?}"));
}

fn python_client(tmp: &Path, server: &Server, targets: &[&str]) -> Output {
    std::process::Command::new(python())
        .arg("-B")
        .arg(script("tuf_client.py"))
        .arg(tmp.join("py-md"))
        .arg(tmp.join("repo/metadata/1.root.json"))
        .arg(server.url("metadata/"))
        .arg(server.url("targets/"))
        .arg(tmp.join("py-out"))
        .args(targets)
        .output()
        .expect("python runs")
}

#[test]
#[ignore = "interop: needs python peers; run scripts/test"]
fn python_tuf_reads_repositories_made_by_custody() {
    for (key_type, consistent, bins) in [
        ("ed25519", true, false),
        ("ecdsa", false, false),
        ("rsa", true, true),
    ] {
        let tmp = tempfile::tempdir().expect("temp dir");
        let d = tmp.path();
        for k in ["root", "targets", "online", "bins"] {
            custody_cmd(
                d,
                &[
                    "key",
                    "generate",
                    "--unencrypted",
                    "--type",
                    key_type,
                    "--name",
                    k,
                    "--dir",
                    "keys",
                ],
            );
        }
        let mut init = vec![
            "tuf",
            "init",
            "repo",
            "--root-key",
            "keys/root.pub",
            "--targets-key",
            "keys/targets.pub",
            "--snapshot-key",
            "keys/online.pub",
            "--timestamp-key",
            "keys/online.pub",
            "--hash",
            "sha256",
            "--hash",
            "sha512",
            "--key",
            "keys/root.key",
            "--key",
            "keys/targets.key",
            "--key",
            "keys/online.key",
        ];
        if !consistent {
            init.push("--no-consistent-snapshot");
        }
        custody_cmd(d, &init);
        let online = [
            "--key",
            "keys/targets.key",
            "--key",
            "keys/online.key",
            "--key",
            "keys/bins.key",
        ];
        if bins {
            let mut a = vec![
                "tuf",
                "delegate",
                "repo",
                "--hash-bins",
                "3",
                "--delegate-key",
                "keys/bins.pub",
            ];
            a.extend_from_slice(&online);
            custody_cmd(d, &a);
        }
        std::fs::create_dir_all(d.join("dist/sub")).expect("mkdir");
        for i in 0..6 {
            std::fs::write(d.join(format!("dist/sub/f{i}.txt")), format!("file {i}"))
                .expect("write");
        }
        let mut a = vec!["tuf", "add", "repo", "dist", "--prefix", "rel"];
        a.extend_from_slice(&online);
        custody_cmd(d, &a);
        let what = format!("{key_type} consistent={consistent} bins={bins}");
        let server = Server::start(&d.join("repo"), d.join("requests.log"));
        ok(
            &python_client(d, &server, &["rel/sub/f0.txt", "rel/sub/f5.txt"]),
            &format!("python-tuf client ({what})"),
        );
        assert_eq!(
            std::fs::read(d.join("py-out/rel%2Fsub%2Ff5.txt")).expect("downloaded"),
            b"file 5"
        );
        // The repository moves on (a root rotation included); python-tuf follows.
        let mut a = vec![
            "tuf",
            "rotate",
            "repo",
            "--role",
            "targets",
            "--threshold",
            "1",
        ];
        a.extend_from_slice(&["--key", "keys/root.key"]);
        a.extend_from_slice(&online);
        custody_cmd(d, &a);
        std::fs::write(d.join("new.txt"), b"new").expect("write");
        let mut a = vec!["tuf", "add", "repo", "new.txt"];
        a.extend_from_slice(&online);
        custody_cmd(d, &a);
        ok(
            &python_client(d, &server, &["new.txt"]),
            &format!("python-tuf client after updates ({what})"),
        );
        // Tampered target content: python-tuf refuses it.
        let mut tampered = false;
        for entry in walk(&d.join("repo/targets")) {
            if entry.to_string_lossy().contains("f1.txt") {
                std::fs::write(&entry, b"evil 1").expect("tamper");
                tampered = true;
            }
        }
        assert!(tampered);
        let out = python_client(d, &server, &["rel/sub/f1.txt"]);
        assert_eq!(out.status.code(), Some(1), "{what}");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("list") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
