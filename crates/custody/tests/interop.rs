//! Interop with the reference implementations, both ways: keys, raw signatures, DSSE
//! envelopes and in-toto links cross between the `custody` binary and
//! securesystemslib / in-toto / pyca/cryptography (Python) and OpenSSL.
//!
//! The Python side lives in `tests/interop/*.py`, one small script per job. The tests
//! need `openssl` on PATH and a Python with securesystemslib[crypto], in-toto and
//! cryptography named by `CUSTODY_INTEROP_PYTHON`; `scripts/test` sets both up. Without
//! them the tests fail loudly, never skip: an interop test that passes without its peers
//! proves nothing. Run with:
//!
//! ```text
//! CUSTODY_INTEROP_PYTHON=/path/to/venv/bin/python \
//!   cargo test -p custody --test interop -- --include-ignored
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// The environment variable custody reads passphrases from in these tests.
const PASS_VAR: &str = "CUSTODY_INTEROP_PASS";
/// The passphrase of every encrypted key made here.
const PASS: &str = "interop passphrase ünïcode";
const IN_TOTO_TYPE: &str = "application/vnd.in-toto+json";

/// Running the peers: the checked Python, the scripts, OpenSSL, and custody itself.
mod peers {
    use super::{Output, Path, PathBuf, Run, Stdio};
    use assert_cmd::Command;
    use std::sync::OnceLock;

    pub const PYTHON_VAR: &str = "CUSTODY_INTEROP_PYTHON";

    /// The Python named by `CUSTODY_INTEROP_PYTHON`, checked once to import every peer,
    /// with `openssl` checked alongside. Panics with what is missing.
    pub fn python() -> &'static Path {
        static PYTHON: OnceLock<PathBuf> = OnceLock::new();
        PYTHON.get_or_init(|| {
            let Some(python) = std::env::var_os(PYTHON_VAR).filter(|p| !p.is_empty()) else {
                panic!(
                    "{PYTHON_VAR} is not set: it must name a Python interpreter with \
                     securesystemslib[crypto], in-toto and cryptography installed \
                     (scripts/test creates one and sets it)"
                );
            };
            let python = PathBuf::from(python);
            let out = std::process::Command::new(&python)
                .arg("-B")
                .arg(script("check_env.py"))
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|e| {
                    panic!("{PYTHON_VAR}={}: cannot run it: {e}", python.display())
                });
            assert!(
                out.status.success(),
                "{PYTHON_VAR}={} lacks the interop peers (pip install -r \
                 scripts/interop-requirements.txt):\n{}",
                python.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let openssl = std::process::Command::new("openssl")
                .arg("version")
                .output()
                .unwrap_or_else(|e| panic!("openssl is needed on PATH for the interop tests: {e}"));
            assert!(openssl.status.success(), "`openssl version` failed");
            python
        })
    }

    pub fn script(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/interop")
            .join(name)
    }

    /// Run a Python script (without writing bytecode into the source tree).
    pub fn py(name: &str, args: &[&str]) -> Run {
        let out = std::process::Command::new(python())
            .arg("-B")
            .arg(script(name))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
        Run::new(format!("{name} {}", args.join(" ")), &out)
    }

    /// Run a Python script that must succeed; its standard output.
    pub fn py_ok(name: &str, args: &[&str]) -> String {
        let run = py(name, args);
        assert_eq!(run.code, Some(0), "{run}");
        run.stdout
    }

    pub fn openssl(args: &[&str]) -> Run {
        python(); // also checks that openssl exists
        let out = std::process::Command::new("openssl")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run openssl: {e}"));
        Run::new(format!("openssl {}", args.join(" ")), &out)
    }

    pub fn openssl_ok(args: &[&str]) {
        let run = openssl(args);
        assert_eq!(run.code, Some(0), "{run}");
    }

    /// Run the custody binary, passphrase in [`super::PASS_VAR`], no terminal attached.
    pub fn custody(args: &[&str]) -> Run {
        python(); // every test here needs the peers: fail first if they are missing
        let out: Output = Command::cargo_bin("custody")
            .expect("cargo builds the custody binary for its integration tests")
            .env(super::PASS_VAR, super::PASS)
            .env("NO_COLOR", "1")
            .write_stdin(Vec::<u8>::new())
            .args(args)
            .output()
            .expect("run custody");
        Run::new(format!("custody {}", args.join(" ")), &out)
    }

    pub fn custody_ok(args: &[&str]) -> String {
        let run = custody(args);
        assert_eq!(run.code, Some(0), "{run}");
        run.stdout
    }
}

use peers::{custody, custody_ok, openssl, openssl_ok, py, py_ok};

/// A finished process, printable for assertion messages.
#[derive(Debug)]
struct Run {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn new(what: String, out: &Output) -> Self {
        Self {
            what,
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` exited with {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.what,
            self.code,
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }
}

/// Failures collected over a loop, so one run reports every key type at once.
#[derive(Debug, Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, msg: impl FnOnce() -> String) {
        if !ok {
            self.0.push(msg());
        }
    }

    /// Expect an exit code; record the run if it differs.
    fn code(&mut self, run: &Run, expected: i32, why: &str) {
        self.check(run.code == Some(expected), || {
            format!("{why}: expected exit code {expected}\n{run}")
        });
    }

    /// A verifier accepts a signature over `data` (exit 0) and rejects it over `tampered`
    /// (exit 1).
    fn verifies_only_original(
        &mut self,
        verify: impl Fn(&Path) -> Run,
        data: &Path,
        tampered: &Path,
        what: &str,
    ) {
        self.code(
            &verify(data),
            0,
            &format!("{what}: the signature must verify"),
        );
        self.code(
            &verify(tampered),
            1,
            &format!("{what}: the signature must not verify over a modified file"),
        );
    }

    fn finish(self, what: &str) {
        assert!(
            self.0.is_empty(),
            "{what}: {} failure(s)\n\n{}",
            self.0.len(),
            self.0.join("\n\n")
        );
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ed25519,
    Ecdsa,
    Rsa,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Ed25519, Kind::Ecdsa, Kind::Rsa];

    /// The name custody (`--type`) and securesystemslib (`keytype`) use.
    fn name(self) -> &'static str {
        match self {
            Kind::Ed25519 => "ed25519",
            Kind::Ecdsa => "ecdsa",
            Kind::Rsa => "rsa",
        }
    }

    fn openssl_genpkey(self) -> &'static [&'static str] {
        match self {
            Kind::Ed25519 => &["-algorithm", "ed25519"],
            Kind::Ecdsa => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            Kind::Rsa => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
        }
    }
}

/// A private key file with its public key (SPKI PEM) written by the same tool.
#[derive(Debug, Clone)]
struct KeyPair {
    kind: Kind,
    private: PathBuf,
    public: PathBuf,
    encrypted: bool,
    label: String,
}

impl KeyPair {
    /// `--password PASS` for the Python scripts when the key is encrypted.
    fn py_password(&self) -> Vec<&str> {
        if self.encrypted {
            vec!["--password", PASS]
        } else {
            Vec::new()
        }
    }
}

/// `openssl genpkey` (PKCS#8, `-aes256` when encrypted) and `openssl pkey -pubout`.
fn openssl_key(dir: &Path, kind: Kind, encrypted: bool) -> KeyPair {
    let label = format!(
        "openssl {} {}",
        kind.name(),
        if encrypted { "encrypted" } else { "plain" }
    );
    let base = format!(
        "openssl-{}-{}",
        kind.name(),
        if encrypted { "enc" } else { "plain" }
    );
    let private = dir.join(format!("{base}.key"));
    let public = dir.join(format!("{base}.pub"));
    let pass_arg = format!("pass:{PASS}");
    let mut gen_args = vec!["genpkey"];
    gen_args.extend_from_slice(kind.openssl_genpkey());
    if encrypted {
        gen_args.extend_from_slice(&["-aes256", "-pass", &pass_arg]);
    }
    gen_args.extend_from_slice(&["-out", s(&private)]);
    openssl_ok(&gen_args);
    let mut pub_args = vec!["pkey", "-in", s(&private), "-pubout", "-out", s(&public)];
    if encrypted {
        pub_args.extend_from_slice(&["-passin", &pass_arg]);
    }
    openssl_ok(&pub_args);
    let pem = String::from_utf8_lossy(&read(&private)).into_owned();
    let label_ok = if encrypted {
        pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    } else {
        pem.contains("-----BEGIN PRIVATE KEY-----")
    };
    assert!(label_ok, "{label}: openssl did not write PKCS#8:\n{pem}");
    KeyPair {
        kind,
        private,
        public,
        encrypted,
        label,
    }
}

/// All six OpenSSL keys: three types, plain and encrypted.
fn openssl_keys(dir: &Path) -> Vec<KeyPair> {
    Kind::ALL
        .iter()
        .flat_map(|&k| [openssl_key(dir, k, false), openssl_key(dir, k, true)])
        .collect()
}

/// A file to sign, and a copy with one byte changed.
fn data_files(dir: &Path) -> (PathBuf, PathBuf) {
    let data = dir.join("artifact.bin");
    let tampered = dir.join("artifact-tampered.bin");
    let mut bytes: Vec<u8> = b"custody interop \x00\xff\n".to_vec();
    bytes.extend((0u16..1000).map(|i| u8::try_from(i % 251).expect("< 251")));
    write(&data, &bytes);
    bytes[500] ^= 0x01;
    write(&tampered, &bytes);
    (data, tampered)
}

/// `custody sign`; the path of the base64 signature.
fn custody_sign(key: &KeyPair, file: &Path, sig: &Path, scheme: Option<&str>) -> Run {
    let mut args = vec!["sign", "--key", s(&key.private), "--password-env", PASS_VAR];
    if let Some(scheme) = scheme {
        args.extend_from_slice(&["--scheme", scheme]);
    }
    args.extend_from_slice(&["-o", s(sig), s(file)]);
    custody(&args)
}

fn custody_verify_blob(public: &Path, sig: &Path, file: &Path) -> Run {
    custody(&[
        "verify-blob",
        "--key",
        s(public),
        "--signature",
        s(sig),
        s(file),
    ])
}

/// verify.py: 0 both peers verify, 1 both reject, 3 they disagree.
fn py_verify(public: &Path, sig: &Path, file: &Path, scheme: Option<&str>) -> Run {
    let mut args = vec!["--key", s(public), "--signature", s(sig)];
    if let Some(scheme) = scheme {
        args.extend_from_slice(&["--scheme", scheme]);
    }
    args.push(s(file));
    py("verify.py", &args)
}

/// securesystemslib's JSON form of a public key, with its key ID.
fn py_key_json(public: &Path, scheme: Option<&str>) -> Value {
    let mut args = Vec::new();
    if let Some(scheme) = scheme {
        args.extend_from_slice(&["--scheme", scheme]);
    }
    args.push(s(public));
    json(&py_ok("keyid.py", &args))
}

// ---------------------------------------------------------------------------------------
// 1. OpenSSL keys: custody signs, securesystemslib and pyca/cryptography verify.
// ---------------------------------------------------------------------------------------

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn openssl_keys_custody_signs_python_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (data, tampered) = data_files(dir.path());
    let mut f = Failures::default();
    for key in openssl_keys(dir.path()) {
        let mut schemes = vec![None];
        if key.kind == Kind::Rsa {
            schemes.push(Some("rsa-pkcs1v15-sha256"));
        }
        for scheme in schemes {
            let what = format!("{} ({})", key.label, scheme.unwrap_or("default scheme"));
            let sig = dir.path().join(
                format!("{}-{}.sig", key.label, scheme.unwrap_or("default")).replace(' ', "-"),
            );
            let run = custody_sign(&key, &data, &sig, scheme);
            f.code(&run, 0, &format!("{what}: custody sign"));
            if run.code != Some(0) {
                continue;
            }
            let text = String::from_utf8_lossy(&read(&sig)).into_owned();
            f.check(STANDARD.decode(text.trim()).is_ok(), || {
                format!("{what}: custody's signature is not base64 text: {text:?}")
            });
            f.verifies_only_original(
                |file| py_verify(&key.public, &sig, file, scheme),
                &data,
                &tampered,
                &format!("{what}: securesystemslib and pyca/cryptography must both verify custody's signature"),
            );
        }
    }
    f.finish("custody signatures verified by the Python peers");
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn openssl_keys_have_the_securesystemslib_key_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut f = Failures::default();
    for key in openssl_keys(dir.path()) {
        let mut schemes = vec![None];
        if key.kind == Kind::Rsa {
            schemes.push(Some("rsa-pkcs1v15-sha256"));
        }
        for scheme in schemes {
            let what = format!("{} ({})", key.label, scheme.unwrap_or("default scheme"));
            let expected = py_key_json(&key.public, scheme);
            // From the private key (decrypted with the passphrase) and from the public PEM.
            for file in [&key.private, &key.public] {
                let mut args = vec![
                    "key",
                    "public",
                    "--format",
                    "json",
                    "--password-env",
                    PASS_VAR,
                ];
                if let Some(scheme) = scheme {
                    args.extend_from_slice(&["--scheme", scheme]);
                }
                args.push(s(file));
                let run = custody(&args);
                f.code(&run, 0, &format!("{what}: custody key public"));
                if run.code != Some(0) {
                    continue;
                }
                let ours = json(&run.stdout);
                f.check(ours["keyid"] == expected["keyid"], || {
                    format!(
                        "{what}: key ID of {} differs\n  securesystemslib: {}\n  custody:          {}\n\
                         securesystemslib JSON: {expected}\ncustody JSON: {ours}",
                        file.display(),
                        expected["keyid"],
                        ours["keyid"]
                    )
                });
                f.check(ours == expected, || {
                    format!("{what}: JSON key differs\n  securesystemslib: {expected}\n  custody:          {ours}")
                });
            }
        }
    }
    f.finish("custody key IDs equal securesystemslib's");
}

// ---------------------------------------------------------------------------------------
// 2. OpenSSL keys: securesystemslib's CryptoSigner signs, custody verifies.
// ---------------------------------------------------------------------------------------

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn openssl_keys_python_signs_custody_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (data, tampered) = data_files(dir.path());
    let mut f = Failures::default();
    for key in openssl_keys(dir.path()) {
        let what = &key.label;
        let sig = dir.path().join(format!("{}.pysig", what.replace(' ', "-")));
        let mut args = vec!["--key", s(&key.private)];
        args.extend(key.py_password());
        args.extend_from_slice(&["--out", s(&sig), s(&data)]);
        let signed = py("sign.py", &args);
        f.code(&signed, 0, &format!("{what}: CryptoSigner signs"));
        if signed.code != Some(0) {
            continue;
        }
        let py_keyid = signed.stdout.trim().to_owned();
        let ok = custody_verify_blob(&key.public, &sig, &data);
        f.code(
            &ok,
            0,
            &format!("{what}: custody verify-blob must accept securesystemslib's signature"),
        );
        f.check(ok.stderr.contains(&py_keyid), || {
            format!("{what}: custody should name securesystemslib's key ID {py_keyid}\n{ok}")
        });
        f.code(
            &custody_verify_blob(&key.public, &sig, &tampered),
            1,
            &format!("{what}: custody verify-blob must reject the signature over a modified file"),
        );
    }
    f.finish("securesystemslib signatures verified by custody");
}

// ---------------------------------------------------------------------------------------
// 3. Keys generated by pyca/cryptography load, show and sign in custody.
// ---------------------------------------------------------------------------------------

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn pyca_generated_keys_load_and_sign_in_custody() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (data, tampered) = data_files(dir.path());
    let mut f = Failures::default();
    for kind in Kind::ALL {
        for encrypted in [false, true] {
            let name = format!(
                "pyca-{}-{}",
                kind.name(),
                if encrypted { "enc" } else { "plain" }
            );
            let what = format!(
                "pyca/cryptography {} {}",
                kind.name(),
                if encrypted {
                    "encrypted (BestAvailableEncryption)"
                } else {
                    "plain (NoEncryption)"
                }
            );
            let mut args = vec![
                "--type",
                kind.name(),
                "--out-dir",
                s(dir.path()),
                "--name",
                &name,
            ];
            if encrypted {
                args.extend_from_slice(&["--password", PASS]);
            }
            py_ok("genkey.py", &args);
            let key = KeyPair {
                kind,
                private: dir.path().join(format!("{name}.key")),
                public: dir.path().join(format!("{name}.pub")),
                encrypted,
                label: what.clone(),
            };
            let expected = py_key_json(&key.public, None);

            let show = custody(&[
                "key",
                "show",
                "--format",
                "json",
                "--password-env",
                PASS_VAR,
                s(&key.private),
            ]);
            f.code(&show, 0, &format!("{what}: custody key show"));
            if show.code == Some(0) {
                let v = json(&show.stdout);
                f.check(v["keyid"] == expected["keyid"], || {
                    format!(
                        "{what}: key ID differs: securesystemslib {} custody {}",
                        expected["keyid"], v["keyid"]
                    )
                });
                f.check(
                    v["keytype"] == expected["keytype"] && v["scheme"] == expected["scheme"],
                    || {
                        format!(
                            "{what}: keytype/scheme differ: securesystemslib {expected} custody {v}"
                        )
                    },
                );
                f.check(v["encrypted"] == Value::Bool(encrypted), || {
                    format!("{what}: custody says encrypted = {}", v["encrypted"])
                });
            }

            let sig = dir.path().join(format!("{name}.sig"));
            let signed = custody_sign(&key, &data, &sig, None);
            f.code(&signed, 0, &format!("{what}: custody sign"));
            if signed.code == Some(0) {
                f.verifies_only_original(
                    |file| py_verify(&key.public, &sig, file, None),
                    &data,
                    &tampered,
                    &format!("{what}: Python peers verify custody's signature"),
                );
            }
        }
    }
    f.finish("pyca/cryptography keys in custody");
}

// ---------------------------------------------------------------------------------------
// 4. Keys generated by custody load in pyca/cryptography; securesystemslib signs with
//    them and custody verifies.
// ---------------------------------------------------------------------------------------

fn custody_generated_key_works_in_python(kind: Kind) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (data, tampered) = data_files(dir.path());
    let keys = dir.path().join("keys");
    let mut f = Failures::default();
    for encrypted in [true, false] {
        let name = format!(
            "custody-{}-{}",
            kind.name(),
            if encrypted { "enc" } else { "plain" }
        );
        let what = format!(
            "custody key generate --type {}{}",
            kind.name(),
            if encrypted {
                " (encrypted, the default)"
            } else {
                " --unencrypted"
            }
        );
        let mut args = vec![
            "key",
            "generate",
            "--type",
            kind.name(),
            "--dir",
            s(&keys),
            "--name",
            &name,
            "--format",
            "json",
        ];
        if encrypted {
            args.extend_from_slice(&["--password-env", PASS_VAR]);
        } else {
            args.push("--unencrypted");
        }
        let generated = json(&custody_ok(&args));
        let custody_keyid = generated["keyid"]
            .as_str()
            .expect("keyid in the summary")
            .to_owned();
        let key = KeyPair {
            kind,
            private: keys.join(format!("{name}.key")),
            public: keys.join(format!("{name}.pub")),
            encrypted,
            label: what.clone(),
        };
        let pem = String::from_utf8_lossy(&read(&key.private)).into_owned();
        f.check(pem.contains("ENCRYPTED PRIVATE KEY") == encrypted, || {
            format!(
                "{what}: unexpected PEM label:\n{}",
                pem.lines().next().unwrap_or_default()
            )
        });

        // Python: load_pem_private_key(data, password), then CryptoSigner signs.
        let sig = dir.path().join(format!("{name}.pysig"));
        let mut args = vec!["--key", s(&key.private)];
        args.extend(key.py_password());
        args.extend_from_slice(&["--out", s(&sig), s(&data)]);
        let signed = py("sign.py", &args);
        if signed.code != Some(0) {
            f.0.push(format!(
                "INTEROP BUG: pyca/cryptography cannot load the private key custody wrote \
                 ({what}, {}): load_pem_private_key(data, {}) fails\n{}\n{signed}",
                key.private.display(),
                if encrypted { "password" } else { "None" },
                diagnose_private_key(&key)
            ));
            continue;
        }
        let py_keyid = signed.stdout.trim();
        f.check(py_keyid == custody_keyid, || {
            format!("{what}: key ID differs: securesystemslib {py_keyid}, custody {custody_keyid}")
        });
        f.verifies_only_original(
            |file| custody_verify_blob(&key.public, &sig, file),
            &data,
            &tampered,
            &format!("{what}: custody verifies securesystemslib's signature with {name}.pub"),
        );
        // And the other way, with the same files.
        let csig = dir.path().join(format!("{name}.sig"));
        let run = custody_sign(&key, &data, &csig, None);
        f.code(&run, 0, &format!("{what}: custody sign"));
        if run.code == Some(0) {
            f.code(
                &py_verify(&key.public, &csig, &data, None),
                0,
                &format!("{what}: Python peers verify custody's signature"),
            );
        }
    }
    f.finish(&format!("custody-generated {} keys in Python", kind.name()));
}

/// The version and the tags of the fields of a DER PKCS#8 structure (a SEQUENCE).
fn pkcs8_shape(der: &[u8]) -> Option<(u8, Vec<u8>)> {
    /// (tag, content, rest) of the first DER element.
    fn element(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, d) = d.split_first()?;
        let (&first, d) = d.split_first()?;
        let (len, d) = if first < 0x80 {
            (usize::from(first), d)
        } else {
            let n = usize::from(first & 0x7f);
            let (bytes, d) = (d.get(..n)?, d.get(n..)?);
            (
                bytes
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
                d,
            )
        };
        Some((tag, d.get(..len)?, d.get(len..)?))
    }
    let (0x30, mut body, _) = element(der)? else {
        return None;
    };
    let mut tags = Vec::new();
    let mut version = None;
    while !body.is_empty() {
        let (tag, content, rest) = element(body)?;
        if version.is_none() && tag == 0x02 {
            version = content.first().copied();
        }
        tags.push(tag);
        body = rest;
    }
    Some((version?, tags))
}

/// Evidence for a key file the Python peers refuse: does OpenSSL read it, and which
/// PKCS#8 structure is it (v1 `PrivateKeyInfo`, or v2 `OneAsymmetricKey` with a public key)?
fn diagnose_private_key(key: &KeyPair) -> String {
    let pass_arg = format!("pass:{PASS}");
    let mut args = vec!["pkey", "-in", s(&key.private), "-noout"];
    if key.encrypted {
        args.extend_from_slice(&["-passin", &pass_arg]);
    }
    let openssl_reads = openssl(&args).code == Some(0);
    let version = openssl(&["version"]).stdout.trim().to_owned();
    let mut out = format!(
        "  {version} {} it",
        if openssl_reads { "reads" } else { "refuses" }
    );
    if !key.encrypted {
        let pem = String::from_utf8_lossy(&read(&key.private)).into_owned();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        if let Some((version, tags)) = STANDARD.decode(b64).ok().as_deref().and_then(pkcs8_shape) {
            let _ = write!(
                out,
                "; PKCS#8 version {version} ({}), top-level tags {tags:02x?}{}",
                if version == 1 {
                    "v2 OneAsymmetricKey, RFC 5958"
                } else {
                    "v1 PrivateKeyInfo"
                },
                if tags.contains(&0x81) {
                    " including [1] publicKey"
                } else {
                    ""
                }
            );
        }
    }
    out
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn custody_generated_ed25519_keys_work_in_python() {
    custody_generated_key_works_in_python(Kind::Ed25519);
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn custody_generated_ecdsa_keys_work_in_python() {
    custody_generated_key_works_in_python(Kind::Ecdsa);
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn custody_generated_rsa_keys_work_in_python() {
    custody_generated_key_works_in_python(Kind::Rsa);
}

// ---------------------------------------------------------------------------------------
// 5. DSSE envelopes, both ways, with a threshold of two (ed25519 + ECDSA).
// ---------------------------------------------------------------------------------------

const DSSE_TYPE: &str = "application/vnd.custody.interop+json";

fn dsse_payload(dir: &Path) -> (PathBuf, Vec<u8>) {
    let payload = br#"{"_type":"https://example.invalid/interop","subject":[{"name":"a\u00e9","digest":{"sha256":"00"}}],"note":"caf\u00e9 \ud83d\ude00"}"#.to_vec();
    let path = dir.join("payload.json");
    write(&path, &payload);
    (path, payload)
}

/// custody's key ID for a public key file.
fn custody_keyid(public: &Path) -> String {
    let v = json(&custody_ok(&[
        "key",
        "public",
        "--format",
        "json",
        s(public),
    ]));
    v["keyid"].as_str().expect("keyid").to_owned()
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn python_dsse_envelope_verifies_in_custody() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = openssl_key(dir.path(), Kind::Ed25519, false);
    let b = openssl_key(dir.path(), Kind::Ecdsa, false);
    let (payload_path, payload) = dsse_payload(dir.path());
    let env = dir.path().join("python.dsse.json");
    py_ok(
        "dsse_sign.py",
        &[
            "--payload-type",
            DSSE_TYPE,
            "--key",
            s(&a.private),
            "--key",
            s(&b.private),
            "--out",
            s(&env),
            s(&payload_path),
        ],
    );

    // Both keys, threshold 2: verified, payload out byte for byte, both signers named.
    let out = dir.path().join("payload.out");
    let run = custody(&[
        "dsse",
        "verify",
        "--key",
        s(&a.public),
        "--key",
        s(&b.public),
        "--threshold",
        "2",
        "--payload-type",
        DSSE_TYPE,
        "--format",
        "json",
        "--payload-out",
        s(&out),
        s(&env),
    ]);
    assert_eq!(
        run.code,
        Some(0),
        "custody must verify securesystemslib's envelope\n{run}"
    );
    assert_eq!(
        read(&out),
        payload,
        "--payload-out must be the payload as signed"
    );
    let summary = json(&run.stdout);
    let mut signers: Vec<String> = summary["signers"]
        .as_array()
        .expect("signers")
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect();
    signers.sort();
    let mut expected = vec![custody_keyid(&a.public), custody_keyid(&b.public)];
    expected.sort();
    assert_eq!(signers, expected, "both keys count\n{run}");
    // The key IDs securesystemslib put in the envelope are custody's key IDs.
    let envelope = json(&String::from_utf8_lossy(&read(&env)));
    let mut in_envelope: Vec<String> = envelope["signatures"]
        .as_array()
        .expect("signatures")
        .iter()
        .map(|s| s["keyid"].as_str().expect("keyid").to_owned())
        .collect();
    in_envelope.sort();
    assert_eq!(
        in_envelope, expected,
        "securesystemslib's key IDs in the envelope"
    );

    // Threshold 2 with a single key can never be met: a usage error.
    let run = custody(&[
        "dsse",
        "verify",
        "--key",
        s(&a.public),
        "--threshold",
        "2",
        s(&env),
    ]);
    assert_eq!(
        run.code,
        Some(2),
        "threshold above the number of keys is a usage error\n{run}"
    );

    // One signature corrupted: one valid key left, threshold 2 not met (exit 1), but
    // threshold 1 still met.
    let mut corrupted = envelope.clone();
    let sig = corrupted["signatures"][0]["sig"]
        .as_str()
        .expect("sig")
        .to_owned();
    let mut raw = STANDARD
        .decode(&sig)
        .expect("securesystemslib writes standard base64");
    raw[10] ^= 0x40;
    corrupted["signatures"][0]["sig"] = Value::String(STANDARD.encode(&raw));
    let bad = dir.path().join("corrupted.dsse.json");
    write(&bad, corrupted.to_string());
    let run = custody(&[
        "dsse",
        "verify",
        "--key",
        s(&a.public),
        "--key",
        s(&b.public),
        "--threshold",
        "2",
        s(&bad),
    ]);
    assert_eq!(
        run.code,
        Some(1),
        "a corrupted signature must not count\n{run}"
    );
    let run = custody(&[
        "dsse",
        "verify",
        "--key",
        s(&a.public),
        "--key",
        s(&b.public),
        "--threshold",
        "1",
        s(&bad),
    ]);
    assert_eq!(
        run.code,
        Some(0),
        "the intact signature still counts\n{run}"
    );
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn custody_dsse_envelope_verifies_in_python() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = openssl_key(dir.path(), Kind::Ed25519, true);
    let b = openssl_key(dir.path(), Kind::Ecdsa, true);
    let (payload_path, payload) = dsse_payload(dir.path());
    let env = dir.path().join("custody.dsse.json");
    custody_ok(&[
        "dsse",
        "sign",
        "--key",
        s(&a.private),
        "--key",
        s(&b.private),
        "--password-env",
        PASS_VAR,
        "--payload-type",
        DSSE_TYPE,
        "-o",
        s(&env),
        s(&payload_path),
    ]);

    let run = py(
        "dsse_verify.py",
        &[
            "--threshold",
            "2",
            "--key",
            s(&a.public),
            "--key",
            s(&b.public),
            s(&env),
        ],
    );
    assert_eq!(
        run.code,
        Some(0),
        "securesystemslib must verify custody's envelope with threshold 2\n{run}"
    );
    assert_eq!(
        run.stdout.as_bytes(),
        payload.as_slice(),
        "securesystemslib sees the payload as signed"
    );

    // A changed payload (same type, re-encoded) must fail in securesystemslib too.
    let mut envelope = json(&String::from_utf8_lossy(&read(&env)));
    envelope["payload"] = Value::String(STANDARD.encode(b"{\"_type\":\"forged\"}"));
    let forged = dir.path().join("forged.dsse.json");
    write(&forged, envelope.to_string());
    let run = py(
        "dsse_verify.py",
        &[
            "--threshold",
            "1",
            "--key",
            s(&a.public),
            "--key",
            s(&b.public),
            s(&forged),
        ],
    );
    assert_eq!(
        run.code,
        Some(1),
        "securesystemslib must reject a forged payload\n{run}"
    );
}

// ---------------------------------------------------------------------------------------
// 6. in-toto: a DSSE link made by in_toto_run verifies in custody.
// ---------------------------------------------------------------------------------------

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn in_toto_dsse_link_verifies_in_custody() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = openssl_key(dir.path(), Kind::Ed25519, true);
    let work = dir.path().join("step");
    std::fs::create_dir(&work).expect("mkdir");
    let source = b"fn main() { println!(\"interop\"); }\n";
    write(&work.join("src.txt"), source);
    let link = dir.path().join("build.link.json");
    let mut args = vec!["--key", s(&key.private)];
    args.extend(key.py_password());
    args.extend_from_slice(&["--workdir", s(&work), "--name", "build", "--out", s(&link)]);
    let py_keyid = py_ok("intoto_run.py", &args).trim().to_owned();
    assert_eq!(
        py_keyid,
        custody_keyid(&key.public),
        "in-toto and custody key IDs"
    );

    let payload = dir.path().join("link.payload.json");
    let run = custody(&[
        "dsse",
        "verify",
        "--key",
        s(&key.public),
        "--payload-type",
        IN_TOTO_TYPE,
        s(&link),
        "--payload-out",
        s(&payload),
    ]);
    assert_eq!(
        run.code,
        Some(0),
        "custody must verify in-toto's DSSE link\n{run}"
    );
    let statement = json(&String::from_utf8_lossy(&read(&payload)));
    // in-toto 3.1's in_toto_run with use_dsse=True wraps the classic link (not an in-toto
    // Statement v1) in the envelope: `_type` is "link".
    assert_eq!(statement["_type"], "link", "payload: {statement}");
    assert_eq!(statement["name"], "build", "payload: {statement}");
    let digest = custody_core::digest::Sha256Digest::of(source).to_hex();
    assert_eq!(
        statement["materials"]["src.txt"]["sha256"],
        digest.as_str(),
        "payload: {statement}"
    );
    assert_eq!(
        statement["products"]["out.txt"]["sha256"],
        digest.as_str(),
        "payload: {statement}"
    );

    // Another payload type required: verification fails (exit 1).
    let run = custody(&[
        "dsse",
        "verify",
        "--key",
        s(&key.public),
        "--payload-type",
        "application/vnd.other+json",
        s(&link),
    ]);
    assert_eq!(run.code, Some(1), "wrong payload type\n{run}");
}

// ---------------------------------------------------------------------------------------
// OpenSSL itself: raw signatures both ways.
// ---------------------------------------------------------------------------------------

/// `openssl` signing the way custody signs: ed25519 over the message, ECDSA and RSA-PSS
/// (MGF1-SHA256, 32-byte salt) over its SHA-256 digest.
fn openssl_sign_args<'a>(kind: Kind, key: &'a str, file: &'a str, out: &'a str) -> Vec<&'a str> {
    match kind {
        Kind::Ed25519 => vec![
            "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", file, "-out", out,
        ],
        Kind::Ecdsa => vec!["dgst", "-sha256", "-sign", key, "-out", out, file],
        Kind::Rsa => vec![
            "dgst",
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-sign",
            key,
            "-out",
            out,
            file,
        ],
    }
}

/// `openssl` verifying a raw signature with the parameters of [`openssl_sign_args`].
fn openssl_verify_args<'a>(
    kind: Kind,
    public: &'a str,
    file: &'a str,
    sig: &'a str,
) -> Vec<&'a str> {
    match kind {
        Kind::Ed25519 => vec![
            "pkeyutl", "-verify", "-pubin", "-inkey", public, "-rawin", "-in", file, "-sigfile",
            sig,
        ],
        Kind::Ecdsa => vec![
            "dgst",
            "-sha256",
            "-verify",
            public,
            "-signature",
            sig,
            file,
        ],
        Kind::Rsa => vec![
            "dgst",
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-verify",
            public,
            "-signature",
            sig,
            file,
        ],
    }
}

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn openssl_and_custody_verify_each_others_signatures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (data, tampered) = data_files(dir.path());
    let mut f = Failures::default();
    for kind in Kind::ALL {
        let key = openssl_key(dir.path(), kind, false);
        let what = &key.label;

        // OpenSSL signs (raw bytes), custody verifies.
        let osig = dir.path().join(format!("{}.osig", kind.name()));
        let args = openssl_sign_args(kind, s(&key.private), s(&data), s(&osig));
        let run = openssl(&args);
        f.code(&run, 0, &format!("{what}: openssl signs"));
        f.verifies_only_original(
            |file| custody_verify_blob(&key.public, &osig, file),
            &data,
            &tampered,
            &format!("{what}: custody verifies OpenSSL's raw signature"),
        );

        // custody signs (base64), OpenSSL verifies the raw bytes.
        let csig = dir.path().join(format!("{}.sig", kind.name()));
        f.code(
            &custody_sign(&key, &data, &csig, None),
            0,
            &format!("{what}: custody sign"),
        );
        let raw = dir.path().join(format!("{}.sig.bin", kind.name()));
        let text = String::from_utf8_lossy(&read(&csig)).into_owned();
        write(
            &raw,
            STANDARD.decode(text.trim()).expect("custody writes base64"),
        );
        for (file, expect_ok) in [(&data, true), (&tampered, false)] {
            let args = openssl_verify_args(kind, s(&key.public), s(file), s(&raw));
            let run = openssl(&args);
            f.check((run.code == Some(0)) == expect_ok, || {
                format!(
                    "{what}: openssl must {} custody's signature over {}\n{run}",
                    if expect_ok { "accept" } else { "reject" },
                    file.display()
                )
            });
        }
    }
    f.finish("OpenSSL and custody signatures");
}

// ---------------------------------------------------------------------------------------
// Bad input made by a peer.
// ---------------------------------------------------------------------------------------

#[test]
#[ignore = "interop: needs python peers and openssl; run scripts/test"]
fn openssl_rsa_pss_restricted_keys_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let private = dir.path().join("rsa-pss.key");
    let public = dir.path().join("rsa-pss.pub");
    let (data, _) = data_files(dir.path());
    openssl_ok(&[
        "genpkey",
        "-algorithm",
        "RSA-PSS",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        s(&private),
    ]);
    openssl_ok(&["pkey", "-in", s(&private), "-pubout", "-out", s(&public)]);
    let sig = dir.path().join("x.sig");
    write(&sig, STANDARD.encode([0u8; 256]));
    let mut f = Failures::default();
    for run in [
        custody(&["key", "show", "--format", "json", s(&private)]),
        custody(&["key", "public", s(&public)]),
        custody(&["sign", "--key", s(&private), "-o", s(&sig), s(&data)]),
        custody(&[
            "verify-blob",
            "--key",
            s(&public),
            "--signature",
            s(&sig),
            s(&data),
        ]),
    ] {
        f.check(run.code == Some(2) && run.stderr.contains("RSA-PSS"), || {
            format!("an RSA-PSS-restricted key must be refused with exit code 2 and a message naming RSA-PSS\n{run}")
        });
    }
    f.finish("RSA-PSS keys");
}
