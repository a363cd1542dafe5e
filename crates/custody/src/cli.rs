//! The command line, as clap derive types. Help texts are the user's first documentation:
//! each command says what it does, what it reads and writes, and its exit codes.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "Exit codes: 0 success, 1 verification failed or findings present, 2 usage error or unreadable input.";

/// custody: software supply chain security, from commit to deployment.
///
/// custody signs and verifies what happens to software: keys and signatures, DSSE
/// envelopes, and `custody check`, which reports every control of the CNCF TAG Security
/// Software Supply Chain Best Practices for a repository.
#[derive(Debug, Parser)]
#[command(name = "custody", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report every supply chain control for a repository, with evidence.
    #[command(
        after_help = "Examples:\n  custody check\n  custody check --format html -o report.html\n  custody check path/to/repo --format sarif -o custody.sarif\n\nExit codes: 0 no control fails, 1 a control fails, 2 usage error or invalid custody.toml."
    )]
    Check(CheckArgs),
    /// Generate, list, inspect and export signing keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign a file with a private key (raw signature, base64).
    #[command(
        after_help = "Example:\n  custody sign --key ~/.local/share/custody/keys/release.key -o app.tar.gz.sig app.tar.gz\n\nThe signature covers the file's bytes: ed25519 signs them directly, ECDSA P-256 and RSA sign their SHA-256 digest (ECDSA as ASN.1 DER, RSA-PSS with a 32-byte salt), as securesystemslib does."
    )]
    Sign(SignArgs),
    /// Verify a raw signature over a file with a public key.
    #[command(
        name = "verify-blob",
        after_help = "Example:\n  custody verify-blob --key release.pub --signature app.tar.gz.sig app.tar.gz\n\nExit codes: 0 verified, 1 the signature does not verify, 2 unreadable key, signature or file."
    )]
    VerifyBlob(VerifyBlobArgs),
    /// Sign and verify DSSE envelopes (the signature wrapper of in-toto attestations).
    #[command(subcommand)]
    Dsse(DsseCommand),
    /// in-toto: record signed links for supply chain steps (options as python in-toto's).
    #[command(subcommand)]
    Intoto(IntotoCommand),
    /// Sign in-toto attestations (Statement v1 in DSSE) about artifacts, or verify them.
    #[command(
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true,
        after_help = "Examples:\n  custody attest -k ci.key --subject dist/app.tar.gz -t slsa-provenance --predicate provenance.json --bundle app.intoto.jsonl\n  custody attest -k ci.key --subject-digest app=sha256:9f86d0… -t cyclonedx --predicate sbom.cdx.json -o sbom.att.json\n  custody attest -k alice.key --subject app -t link --predicate build.1a2b3c4d.link\n  custody attest verify -k ci.pub --subject dist/app.tar.gz -t slsa-provenance app.intoto.jsonl\n\nPredicate type aliases: slsa-provenance (https://slsa.dev/provenance/v1), link (https://in-toto.io/attestation/link/v0.3; --predicate may be a link file), cyclonedx, spdx, sarif, test-result; or any URI. Known types are checked for their required fields before signing."
    )]
    Attest(AttestArgs),
    /// The Update Framework: a client that verifies metadata and targets before use.
    #[command(subcommand)]
    Tuf(TufCommand),
    /// Find credentials (keys, tokens, passwords) in files.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Software bills of materials: what a project is made of, from its lockfiles.
    #[command(subcommand)]
    Sbom(SbomCommand),
    /// Software composition analysis: known vulnerabilities in dependencies, offline.
    #[command(subcommand)]
    Scan(ScanCommand),
    /// Advisory databases: compile RustSec and OSV data into one indexed file for scans.
    #[command(subcommand)]
    Db(DbCommand),
    /// Dependencies: where they come from, and whether the artefacts on disk are the locked ones.
    #[command(subcommand)]
    Deps(DepsCommand),
    /// Source code: a repository policy of people, keys and rules, and history verified against it.
    #[command(subcommand)]
    Source(SourceCommand),
}

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Write a first repository policy (.custody/policy.toml) with one Owner.
    #[command(
        after_help = "Examples:\n  custody source init --owner \"Alice Example\" --email alice@example.org --key ~/.ssh/id_ed25519.pub\n  gpg --export --armor alice@example.org > alice.asc\n  custody source init --owner \"Alice Example\" --email alice@example.org --key alice.asc\n\nThe policy makes the owner the only person, with the key given (an OpenSSH public key, or an OpenPGP certificate, which is copied to .custody/keys/), and requires signed commits on every ref. Commit it signed: that commit is the natural trust root (`custody source verify --trust-root COMMIT`). Add people, keys and rules by editing the file; every later change to it must be signed by an Owner. See docs/source.md.\n\nExit codes: 0 written, 2 the key cannot be read, a policy exists already (use --force), or PATH is not a git work tree."
    )]
    Init(SourceInitArgs),
    /// Verify every commit of a ref against the policy in force at its parent.
    #[command(
        after_help = "Examples:\n  custody source verify                                  # the current branch, from the commit that added the policy\n  custody source verify --trust-root 1a2b3c4 --ref main   # pin the trust root\n  custody source verify --range origin/main..HEAD --format json\n\nFrom the trust root on, each commit is judged by the policy of its parent: a signature is present where the ref's rules require one, it verifies (SSH signatures with namespace git, OpenPGP v4; anything else is refused), its key belongs to a person of the policy and is inside its validity period and max_key_age at the commit time, the committer's email is that person's, and a person on the ref's first-parent line has a role the ref's rules allow to write. Commits merged in from other branches need a valid signature of someone with write access. A commit that changes the policy must be signed by an Owner of the policy it replaces, or the change does not take effect.\n\nWithout --trust-root, the first commit that has .custody/policy.toml is trusted as given and the report says the root is not pinned.\n\nExit codes: 0 every commit verifies, 1 a commit breaks the policy, 2 the repository, a revision or the trust root's policy cannot be read."
    )]
    Verify(SourceVerifyArgs),
    /// Record a signed approval of a commit or a range (SRC-7), on refs/custody/attestations.
    #[command(
        after_help = "Examples:\n  custody source approve HEAD                      # signs as git signs your commits (gpg.format, user.signingkey)\n  custody source approve feature --ssh-key ~/.ssh/id_ed25519\n  custody source approve 1a2b3c4 --gpg-key alice@example.org\n  custody source approve main..feature             # each commit of a series, parents first\n  git push origin refs/custody/attestations        # share it (with or before the commits)\n\nThe approval is an in-toto Statement naming the commit, its tree and its base (first parent), signed with your key: an SSH signature with namespace custody-approval (ssh-keygen -Y sign) or an OpenPGP detached signature (gpg). `custody source verify` counts it for a commit on a ref whose rules ask for approvals when it approves that commit, the branch head a merge brings in, or the same tree on the same base; the approver must be a person of the policy in a role the rules accept, and the commit's author and committer never count.\n\nExit codes: 0 recorded, 2 the commit or the key cannot be used, or signing failed."
    )]
    Approve(SourceApproveArgs),
    /// Record a signed statement about a commit (a passing scan, a test run) that rules can require.
    #[command(
        after_help = "Examples:\n  custody secrets scan --git --format json -o scan.json && \\\n    custody source attest HEAD --type https://custody.dev/secrets-scan/v1 --predicate scan.json\n  git push origin refs/custody/attestations\n\nThe statement is an in-toto Statement about the commit with the predicate given (a JSON file; default {}), signed the way git signs your commits (SSH namespace custody-attestation, or OpenPGP) and kept on refs/custody/attestations. A rule with `attestations = [\"https://custody.dev/secrets-scan/v1\"]` makes every commit on its ref's first-parent line need one of each type, signed by a person of the policy who is not a guest.\n\nExit codes: 0 recorded, 2 the commit, the predicate or the key cannot be used."
    )]
    Attest(SourceAttestArgs),
    /// Check CODEOWNERS (SRC-4): syntax, owners the policy knows, files left unowned.
    #[command(
        after_help = "Examples:\n  custody source codeowners\n  custody source codeowners --format json\n\nCODEOWNERS is read from .github/CODEOWNERS, else CODEOWNERS, else docs/CODEOWNERS, with GitHub's semantics: gitignore-style patterns (no ! negation, no [ ] ranges), the last matching line wins, and a line without owners makes its paths unowned. Owners are @name (a person of .custody/policy.toml, by name) or an email address of one. Enforcement: with `codeowners = true` on a rule, `custody source verify` and the push hook require, for every path a commit changes, an approval (`custody source approve`) from one of its owners by the CODEOWNERS of the commit's base.\n\nExit codes: 0 valid, 1 lines that cannot be used or owners the policy does not know (and, with --require-owned, unowned files), 2 no CODEOWNERS file or no repository."
    )]
    Codeowners(SourceCodeownersArgs),
    /// Enforce the policy at push time, in a server's bare repository.
    #[command(subcommand)]
    Hook(SourceHookCommand),
}

/// How `approve` and `attest` sign: as git signs commits, unless told otherwise.
#[derive(Debug, Args)]
pub struct GitSigningArgs {
    /// The repository.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Sign with this SSH private key (default: git's user.signingkey when gpg.format is ssh).
    #[arg(long, value_name = "FILE", conflicts_with = "gpg_key")]
    pub ssh_key: Option<PathBuf>,
    /// Sign with this OpenPGP key (default: git's user.signingkey).
    #[arg(long, value_name = "KEYID")]
    pub gpg_key: Option<String>,
}

#[derive(Debug, Args)]
pub struct SourceApproveArgs {
    /// The commit to approve, or a range A..B: every commit reachable from B and not from A,
    /// each approved on its own (a series that will be fast-forwarded onto a protected ref).
    #[arg(value_name = "COMMIT|A..B")]
    pub commit: String,
    #[command(flatten)]
    pub signing: GitSigningArgs,
    /// Your name in the statement (default: git's user.name); who you are is decided by the key.
    #[arg(long)]
    pub reviewer: Option<String>,
}

#[derive(Debug, Args)]
pub struct SourceAttestArgs {
    /// The commit the statement is about.
    pub commit: String,
    /// The predicate type (a URI).
    #[arg(long = "type", value_name = "URI")]
    pub predicate_type: String,
    /// The predicate: a JSON file (default: {}).
    #[arg(long, value_name = "FILE")]
    pub predicate: Option<PathBuf>,
    #[command(flatten)]
    pub signing: GitSigningArgs,
}

#[derive(Debug, Args)]
pub struct SourceCodeownersArgs {
    /// The repository (a work tree).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Files no rule owns are a failure too.
    #[arg(long)]
    pub require_owned: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
    pub format: InfoFormat,
}

#[derive(Debug, Subcommand)]
pub enum SourceHookCommand {
    /// Judge a push (what git's pre-receive hook gets on standard input) and refuse it when it breaks the policy.
    #[command(
        name = "pre-receive",
        after_help = "Examples:\n  custody source hook install --repo /srv/git/project.git --trust-root 1a2b3c4…\n  echo \"$OLD $NEW refs/heads/main\" | custody source hook pre-receive --trust-root 1a2b3c4… /srv/git/project.git\n\nFor every updated ref (OLD NEW REF lines): deleting or force-pushing a ref whose rules say fast_forward_only is refused; every commit the push adds is verified as `custody source verify` does, with the policy chain followed from the trust root; and the file versions it adds are scanned for secrets with the [secrets] settings of the custody.toml committed on the repository's HEAD before the push (built-in rules when there is none), so a push cannot allow its own secrets. Each refusal names the ref, the commit and the reason; git shows them to the pusher. When the policy cannot be established (no trust root, unreadable history), the push is refused: the hook fails closed.\n\nExit codes: 0 the push is accepted, 1 refused, 2 the input or the repository cannot be read (also refused)."
    )]
    PreReceive(SourceHookPreReceiveArgs),
    /// Record the accepted ref updates (what git's post-receive hook gets) in the signed push log.
    #[command(
        name = "post-receive",
        after_help = "Example:\n  custody source hook install --repo /srv/git/project.git --trust-root 1a2b3c4… --log-key /etc/custody/push-log.key\n\nEvery updated ref becomes one entry (ref, old, new, pusher, time, sequence) on refs/custody/push-log, a DSSE envelope signed with the log key; the entries chain as commits. The pusher is $CUSTODY_PUSHER, else $GL_USERNAME (GitLab), $REMOTE_USER (HTTP), $USER. List the log key's public half in the policy (log_keys = [\"keys/push-log.pub\"]) so that `custody source verify` checks the log: an update missing from it, a force push of a protected ref, or a ref moved outside the hook are violations, and keys are judged at the time a commit was pushed instead of its committer date. Clones fetch the log with `git fetch origin 'refs/custody/*:refs/custody/*'`.\n\nExit codes: 0 recorded, 2 the key or the repository cannot be used (git has already accepted the push; the error says which updates are missing from the log)."
    )]
    PostReceive(SourceHookPostReceiveArgs),
    /// Install the pre-receive hook into a (bare) repository.
    #[command(
        after_help = "Example:\n  custody source hook install --repo /srv/git/project.git --trust-root \"$(git -C project rev-parse HEAD)\"\n\nThe hook calls the custody found on PATH when it runs (or --custody PATH), with the trust root given here. An existing hook is never overwritten unless --force is given."
    )]
    Install(SourceHookInstallArgs),
}

#[derive(Debug, Args)]
pub struct SourceHookPreReceiveArgs {
    /// The repository (git runs hooks in it).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The commit whose policy is trusted as given (full id).
    #[arg(long, value_name = "COMMIT")]
    pub trust_root: Option<String>,
    /// Skip the secret scan of the pushed files.
    #[arg(long)]
    pub no_secrets: bool,
}

#[derive(Debug, Args)]
pub struct SourceHookPostReceiveArgs {
    /// The repository (git runs hooks in it).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The private key entries are signed with.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    #[command(flatten)]
    pub password: PasswordArgs,
}

#[derive(Debug, Args)]
pub struct SourceHookInstallArgs {
    /// The repository to install into.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// The commit whose policy is trusted as given (full id); recommended.
    #[arg(long, value_name = "COMMIT")]
    pub trust_root: Option<String>,
    /// Also install the post-receive hook that signs the push log with this key.
    #[arg(long, value_name = "KEY")]
    pub log_key: Option<PathBuf>,
    /// The custody binary the hook runs (default: custody on PATH).
    #[arg(long, value_name = "PATH")]
    pub custody: Option<PathBuf>,
    /// Replace existing hooks.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SourceInitArgs {
    /// The repository (a work tree).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The owner's name.
    #[arg(long)]
    pub owner: String,
    /// The owner's email, as their commits carry it.
    #[arg(long)]
    pub email: String,
    /// The owner's public key: an OpenSSH public key file or an OpenPGP certificate.
    #[arg(long, value_name = "PUBKEY_FILE")]
    pub key: PathBuf,
    /// Replace an existing policy.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SourceVerifyArgs {
    /// The repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The ref whose rules apply and whose history is verified (default: the current branch).
    #[arg(long = "ref", value_name = "REF")]
    pub reference: Option<String>,
    /// Report only the commits of A..B (the policy chain is still followed from the trust root).
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// The commit whose policy is trusted as given.
    #[arg(long, value_name = "COMMIT", conflicts_with = "trust_key")]
    pub trust_root: Option<String>,
    /// Trust the first commit with a policy only when an Owner signed it with this key
    /// (SSH `SHA256:…` fingerprint or OpenPGP fingerprint).
    #[arg(long, value_name = "FINGERPRINT")]
    pub trust_key: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Table)]
    pub format: FindingsFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DepsCommand {
    /// Report dependencies that come from sources custody.toml does not trust (MAT-5).
    #[command(
        after_help = "Examples:\n  custody deps sources                       # the public registries are trusted, nothing else\n  custody deps sources services/ --format json\n  custody deps sources --format sarif -o sources.sarif\n\nEvery third-party package of every lockfile under PATH (as `custody sbom generate` reads them) is checked against [materials.sources] of PATH's custody.toml:\n\n  [materials.sources]\n  registries = [\"https://github.com/rust-lang/crates.io-index\", \"https://index.crates.io\", \"https://npm.internal.example\"]\n  git = [\"https://github.com/our-org/\"]      # repositories by URL prefix\n  urls = []                                   # plain tarball/wheel URLs by prefix\n  paths_outside = false                       # directories outside PATH\n\nWithout it, each ecosystem's public registry is trusted (crates.io, registry.npmjs.org, pypi.org, proxy.golang.org, rubygems.org, repo.packagist.org) and every git repository, plain URL, directory outside PATH and package of unknown origin is reported. Listing registries replaces the public ones. Packages of the project itself (workspace members) are not checked.\n\nExit codes: 0 every dependency comes from a trusted source, 1 some do not or a lockfile could not be read, 2 no lockfile, invalid custody.toml or bad arguments."
    )]
    Sources(DepsSourcesArgs),
    /// Check the dependency artefacts on disk against the hashes the lockfiles pin (MAT-1).
    #[command(
        after_help = "Examples:\n  custody deps verify                          # cargo's registry cache, npm's cache and node_modules, Go's module cache\n  custody deps verify --artefacts wheelhouse/  # wheels and sdists downloaded with `pip download -d wheelhouse/`\n  custody deps verify --require-present --format json -o verify.json\n\nFor every third-party package of every lockfile under PATH, custody finds the artefacts a build would use and hashes them again:\n\n  Cargo   .crate files in $CARGO_HOME/registry/cache/*/ against Cargo.lock's checksum; `cargo vendor` directories (vendor/ or `directory` in .cargo/config.toml) file by file against .cargo-checksum.json\n  npm     tarballs in npm's cache ($npm_config_cache, else ~/.npm) against `integrity`, then each package in node_modules file by file against its verified tarball (package-lock.json, yarn.lock and pnpm-lock.yaml alike)\n  Python  wheels and sdists in --artefacts directories against --hash pins (requirements.txt) and the file hashes of poetry.lock, uv.lock and Pipfile.lock; any pinned hash is accepted, as pip does\n  Go      module zips and unpacked modules in $GOMODCACHE (else $GOPATH/pkg/mod, ~/go/pkg/mod) against go.sum's h1: hashes\n\nA cache's own records (npm's index, Go's .ziphash) are never trusted: every digest is computed here. Packages pinned by a git commit are listed, not failed. Ruby, PHP, Maven and Debian packages are listed as not supported.\n\nFindings: a hash mismatch, an unpacked package whose files differ from its archive (install scripts that write into their own package show up here), an artefact that cannot be read, a package the lockfile pins no hash for, and a node_modules package that is not in the lockfile. With --require-present, a package with nothing on disk to check is a finding too.\n\nExit codes: 0 no finding, 1 findings or a lockfile that could not be read, 2 no lockfile or bad arguments."
    )]
    Verify(DepsVerifyArgs),
}

#[derive(Debug, Args)]
pub struct DepsVerifyArgs {
    /// A directory (every lockfile under it) or one lockfile.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// A directory of Python wheels and sdists to check (repeat).
    #[arg(long = "artefacts", visible_alias = "artifacts", value_name = "DIR")]
    pub artefacts: Vec<PathBuf>,
    /// cargo's home, instead of $CARGO_HOME or ~/.cargo.
    #[arg(long, value_name = "DIR")]
    pub cargo_home: Option<PathBuf>,
    /// npm's cache, instead of $npm_config_cache or ~/.npm.
    #[arg(long, value_name = "DIR")]
    pub npm_cache: Option<PathBuf>,
    /// Go's module cache, instead of $GOMODCACHE, $GOPATH/pkg/mod or ~/go/pkg/mod.
    #[arg(long, value_name = "DIR")]
    pub go_mod_cache: Option<PathBuf>,
    /// A package with no artefact on disk to check (or, in node_modules, nothing verified
    /// to compare with) is a finding.
    #[arg(long)]
    pub require_present: bool,
    /// Leave out lockfiles under paths matching this gitignore-style pattern (repeat);
    /// added to `[materials] exclude` of PATH's custody.toml.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Table)]
    pub format: FindingsFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DepsSourcesArgs {
    /// A directory (every lockfile under it) or one lockfile.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Leave out lockfiles under paths matching this gitignore-style pattern (repeat);
    /// added to `[materials] exclude` of PATH's custody.toml.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Table)]
    pub format: FindingsFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Compile advisory data (RustSec advisory-db, OSV records) into one database file.
    #[command(
        after_help = "Examples:\n  custody db build advisory-db/ osv/pypi/ osv/go/ -o advisories.db\n  custody scan vulns --db advisories.db\n  SOURCE_DATE_EPOCH=$(date +%s) custody db build advisory-db/ -o advisories.db\n\nA scan reads the compiled file at once and decodes only the advisories about the packages it meets, instead of parsing thousands of files each run; --db and `[materials] advisories` take a compiled file or advisory directories alike. Each SOURCE is a RustSec advisory-db checkout, a directory of OSV .json/.yaml records, one record, or another compiled database (to merge). The file ends with its SHA-256 digest; a truncated or damaged file is refused, never half-used. The same sources give the same bytes: advisories are sorted, file names are stored relative to their source, and there is no time in the file unless SOURCE_DATE_EPOCH is set.\n\nExit codes: 0 written, 1 written but some advisory files could not be read (each is named on stderr and left out), 2 no advisories or bad arguments."
    )]
    Build(DbBuildArgs),
    /// Show what a compiled advisory database holds and where it came from.
    #[command(
        after_help = "Examples:\n  custody db info advisories.db\n  custody db info advisories.db --format json\n\nExit codes: 0 a usable database, 2 not a database, damaged, or unreadable."
    )]
    Info(DbInfoArgs),
}

#[derive(Debug, Args)]
pub struct DbBuildArgs {
    /// Advisory data to compile (directories, records, compiled databases).
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<PathBuf>,
    /// The database file to write (replaced atomically).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InfoFormat {
    /// For people.
    Table,
    /// For machines.
    Json,
}

#[derive(Debug, Args)]
pub struct DbInfoArgs {
    /// A compiled database (made by `custody db build`).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
    pub format: InfoFormat,
}

#[derive(Debug, Subcommand)]
pub enum ScanCommand {
    /// Match every dependency under PATH against advisory data (RustSec, OSV), offline.
    #[command(
        after_help = "Examples:\n  custody scan vulns --db advisory-db/                    # a RustSec advisory-db checkout\n  custody scan vulns services/ --db osv/pypi --db osv/go --format json\n  custody scan vulns --db advisory-db/ --format sarif -o vulns.sarif\n  custody scan vulns --db advisories.db --ignore accepted.toml --format cyclonedx-vex -o vex.cdx.json\n  custody scan vulns --db advisory-db/ --fail-on high      # only high and critical fail\n  custody db build advisory-db/ osv/ -o advisories.db && custody scan vulns --db advisories.db\n  CUSTODY_VULN_DB=/srv/advisories.db custody scan vulns\n\nAdvisory data: databases compiled by `custody db build` (fastest), directories of RustSec advisories (crates/<crate>/RUSTSEC-*.md) and of OSV records (*.json, *.yaml), in any mix; nothing is fetched. Components come from the same lockfiles as `custody sbom generate` (Cargo, npm, Yarn, pnpm, pip, poetry, uv, Pipfile, Go, Bundler, Composer), or from an SBOM given as PATH; unpinned requirements cannot be checked and are named on stderr. RustSec advisories match as cargo audit matches them (patched and unaffected requirements); OSV ranges with SemVer ordering for crates.io, npm and Go, PEP 440 for PyPI, dpkg's for Debian and Ubuntu, Gem::Version's for RubyGems. Advisories that name each other (aliases) give one finding with every ID. Withdrawn advisories never match. Informational advisories (unmaintained, unsound, notice) are reported and never fail the scan.\n\nExit codes: 0 no vulnerability at or above --fail-on, 1 vulnerabilities found (a vulnerability without a CVSS v3 score counts as failing at every level), a lockfile could not be read or a version could not be compared, 2 unreadable advisory data or bad arguments."
    )]
    Vulns(ScanVulnsArgs),
    /// Judge the declared license of every dependency under PATH against a policy.
    #[command(
        after_help = "Examples:\n  custody scan licenses                         # the policy of ./custody.toml\n  custody scan licenses --deny-category Copyleft --deny AGPL-3.0-only\n  custody scan licenses --allow MIT --allow Apache-2.0 --allow BSD-3-Clause --format json\n  custody scan licenses vendor/supplier.spdx.json --format sarif -o licenses.sarif\n\nDeclared licenses come from the lockfiles (npm, Yarn, pnpm, Composer record them), from SBOMs, and for Rust crates from their manifests in cargo's registry cache ($CARGO_HOME/registry/src, filled by any build). Each is read as an SPDX expression (lax: `MIT/Apache-2.0` and `GPL-2.0+` are understood): a component is allowed when some choice of its OR terms has every AND term allowed. A term is refused when it is in --deny / `deny`, when its ScanCode LicenseDB category is in --deny-category / `deny_categories` (Permissive, Public Domain, Copyleft Limited, Copyleft, Proprietary Free, Source-available, Free Restricted, …), or when an allow list is given and it is not in it. The options add to [materials.licenses] of PATH's custody.toml.\n\nExit codes: 0 every license is allowed, 1 a license is denied or not an SPDX expression, a lockfile could not be read, or (with `unknown = \"deny\"` or --deny-unknown) a component declares none; 2 bad policy or arguments."
    )]
    Licenses(ScanLicensesArgs),
    /// Identify the license texts in a source tree (LICENSE, COPYING, …) and judge them
    /// against the license policy.
    #[command(
        after_help = "Examples:\n  custody scan license-texts                       # ./ and everything under it\n  custody scan license-texts vendor/ --deny-category Copyleft\n  custody scan license-texts --min-confidence 0.8 --format json\n\nFiles named LICENSE, LICENCE, COPYING or UNLICENSE (with any extension or suffix: LICENSE-MIT, COPYING.LESSER, license.txt) and *-LICENSE are read, dependencies' copies in node_modules/ and vendor/ included; .git/ and target/ are skipped. Each is compared with the texts of the SPDX License List (702 licenses, built in: no network) by normalised word pairs; a file holding several licenses gets each with the lines it spans. A match needs --min-confidence (default 0.9, where BSD-2-Clause and BSD-3-Clause are still told apart); below it, the closest license and its score are shown. Identified licenses are judged by the same policy as `custody scan licenses` ([materials.licenses] of PATH's custody.toml and the options).\n\nExit codes: 0 every text is identified and allowed, 1 a denied license text was found, or (with `unknown = \"deny\"` or --deny-unknown) a license file could not be identified; 2 bad policy or arguments."
    )]
    LicenseTexts(ScanLicenseTextsArgs),
}

#[derive(Debug, Args)]
pub struct ScanLicenseTextsArgs {
    /// The directory to search.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The lowest score (0 to 1) taken as a match.
    #[arg(long, value_name = "SCORE", default_value_t = 0.9)]
    pub min_confidence: f32,
    #[command(flatten)]
    pub policy: LicensePolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
    pub format: InfoFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

/// License policy additions to `[materials.licenses]` of custody.toml.
#[derive(Debug, Args)]
pub struct LicensePolicyArgs {
    /// Allow only these licenses (repeat; SPDX IDs).
    #[arg(long = "allow", value_name = "LICENSE")]
    pub allow: Vec<String>,
    /// Never allow this license (repeat).
    #[arg(long = "deny", value_name = "LICENSE")]
    pub deny: Vec<String>,
    /// Never allow licenses of this category (repeat).
    #[arg(long = "deny-category", value_name = "CATEGORY")]
    pub deny_category: Vec<String>,
    /// A component without a declared license, or a license file that cannot be
    /// identified, fails the scan.
    #[arg(long = "deny-unknown")]
    pub deny_unknown: bool,
}

#[derive(Debug, Args)]
pub struct ScanLicensesArgs {
    /// A directory (every lockfile under it), one lockfile, or an SBOM.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub policy: LicensePolicyArgs,
    /// Leave out lockfiles under paths matching this gitignore-style pattern (repeat).
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Table)]
    pub format: FindingsFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    /// Any vulnerability.
    Low,
    /// CVSS 4.0 and above.
    Medium,
    /// CVSS 7.0 and above.
    High,
    /// CVSS 9.0 and above.
    Critical,
    /// Never fail on findings (report only).
    Never,
}

#[derive(Debug, Args)]
pub struct ScanVulnsArgs {
    /// A directory (every lockfile under it), one lockfile, or an SBOM (CycloneDX or SPDX
    /// JSON, ours or a supplier's).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Advisory data: a database compiled by `custody db build`, a RustSec advisory-db
    /// directory, a directory of OSV records, or one record; repeat for several. Default:
    /// `[materials] advisories` of PATH's custody.toml.
    #[arg(
        long = "db",
        value_name = "DB",
        env = "CUSTODY_VULN_DB",
        value_delimiter = ':'
    )]
    pub db: Vec<PathBuf>,
    /// Leave out lockfiles under paths matching this gitignore-style pattern (repeat);
    /// added to `[materials] exclude` of PATH's custody.toml.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VulnsFormat::Table)]
    pub format: VulnsFormat,
    /// The lowest severity that makes the scan fail.
    #[arg(long = "fail-on", value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    /// Accepted findings: a TOML file of `[[ignore]]` entries, each with `id`, `reason`
    /// and `expires` (YYYY-MM-DD; expired entries stop suppressing). Default:
    /// `[materials] ignore` of PATH's custody.toml.
    #[arg(long = "ignore", value_name = "FILE")]
    pub ignore: Option<PathBuf>,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Generate a CycloneDX or SPDX SBOM of every project under PATH.
    #[command(
        after_help = "Examples:\n  custody sbom generate                               # CycloneDX 1.6 JSON of . on stdout\n  custody sbom generate . -o sbom.cdx.json\n  custody sbom generate services/ --format spdx-json -o sbom.spdx.json\n  custody sbom generate Cargo.lock --spec-version 1.5\n  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) custody sbom generate -o sbom.cdx.json\n\nLockfiles are found by name under PATH (every project of a monorepo; node_modules/, target/ and vendor/ are skipped, .gitignore is honoured): Cargo.lock (with the workspace's Cargo.toml files, which say which packages are the project's own and which dependencies are dev, build or optional); npm package-lock.json / npm-shrinkwrap.json (v1-v3), yarn.lock (classic and berry) and pnpm-lock.yaml (5.x-9.0), with package.json; pip requirements*.txt (pins, --hash digests, -r includes, pip-compile's `# via` graph), poetry.lock (with pyproject.toml), uv.lock and Pipfile.lock; go.mod with go.sum; Gemfile.lock; composer.lock (with composer.json); Maven pom.xml (with parent POMs on disk) and Gradle lockfiles (gradle.lockfile, gradle/dependency-locks/); and, found by path, the installed packages of a root file system (var/lib/dpkg/status) and of a Python environment (the *.dist-info directories of site-packages). PATH may also be one SBOM (CycloneDX or SPDX JSON) to convert; see docs/sbom.md. Components carry a package URL, version, scope (CycloneDX: required, optional, excluded for dev and build), direct or transitive, source and the lockfile's hashes; the dependency graph is complete.\n\nThe output is deterministic: the same lockfiles give the same bytes. There is no timestamp unless SOURCE_DATE_EPOCH is set (SPDX, which requires one, then says 1970-01-01), and the serial number (SPDX: document namespace) is derived from the content.\n\nExit codes: 0 written, 1 written but some lockfiles could not be read (each is named on stderr), 2 nothing to describe or bad arguments."
    )]
    Generate(SbomGenerateArgs),
    /// What changed between two SBOMs or trees: packages added, removed, re-versioned,
    /// and the same version with a different digest.
    #[command(
        after_help = "Examples:\n  custody sbom diff release-1.0.cdx.json release-1.1.cdx.json\n  custody sbom diff supplier.spdx.json .                # what the supplier says vs the lockfiles\n  custody sbom diff old/ new/ --format json\n\nOLD and NEW are each an SBOM (CycloneDX or SPDX JSON, from any tool), a lockfile or a directory of lockfiles. Packages are compared by ecosystem and name; a package whose version stayed the same but whose digest (same algorithm) differs is reported as redigested: the same release with other content is what a tampered mirror or a re-published version looks like.\n\nExit codes: 0 no differences, 1 differences (or an input read only in part), 2 unreadable input or bad arguments."
    )]
    Diff(SbomDiffArgs),
    /// Merge SBOMs and trees into one SBOM (one component per package URL).
    #[command(
        visible_alias = "import",
        after_help = "Examples:\n  custody sbom merge app.cdx.json vendor/lib.spdx.json -o all.cdx.json\n  custody sbom merge services/a services/b --format spdx-json -o all.spdx.json\n  custody sbom import supplier.spdx.json -o supplier.cdx.json   # a supplier's SBOM, read into custody's model and written again\n\nEach INPUT is an SBOM (CycloneDX or SPDX JSON), a lockfile or a directory of lockfiles. The same package from several inputs is one component with the strongest scope and every digest; each component names the inputs it comes from. The output is deterministic, as for `custody sbom generate`.\n\nExit codes: 0 written, 1 written but some input could not be read in full (named on stderr), 2 nothing readable or bad arguments."
    )]
    Merge(SbomMergeArgs),
    /// Check SBOM files against the official CycloneDX and SPDX JSON schemas, and their
    /// references.
    #[command(
        after_help = "Examples:\n  custody sbom validate app.cdx.json\n  custody sbom validate vendor/*.spdx.json vendor/*.cdx.json --format json\n\nEach FILE is validated against the official schema of the version it declares (CycloneDX 1.2 to 1.7, SPDX 2.3; SPDX 2.2 documents against 2.3, which only added optional fields), shipped with custody: no network. Formats are asserted (date-time, iri-reference, email). Then what a schema cannot say: bom-refs and SPDXIDs are unique, every dependency and relationship names an element of the document, and every package URL parses. Each problem is given with its JSON pointer.\n\nExit codes: 0 every file is valid, 1 some file is not, 2 a file is not JSON, not an SBOM, of a version custody has no schema for, or unreadable."
    )]
    Validate(SbomValidateArgs),
}

#[derive(Debug, Args)]
pub struct SbomValidateArgs {
    /// SBOM files (CycloneDX or SPDX JSON).
    #[arg(required = true, num_args = 1.., value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
    pub format: InfoFormat,
}

#[derive(Debug, Args)]
pub struct SbomDiffArgs {
    /// The old side: an SBOM, a lockfile or a directory.
    pub old: PathBuf,
    /// The new side: an SBOM, a lockfile or a directory.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
    pub format: InfoFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SbomMergeArgs {
    /// SBOMs, lockfiles or directories to merge.
    #[arg(required = true, num_args = 1.., value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Document format.
    #[arg(long, value_enum, default_value_t = SbomFormat::CyclonedxJson)]
    pub format: SbomFormat,
    /// CycloneDX specification version.
    #[arg(long = "spec-version", value_enum, default_value_t = CycloneDxVersion::V1_6)]
    pub spec_version: CycloneDxVersion,
    /// Write the SBOM to this file (atomically) instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX JSON (1.6 unless --spec-version says 1.5).
    #[value(name = "cyclonedx-json")]
    CyclonedxJson,
    /// SPDX 2.3 JSON.
    #[value(name = "spdx-json")]
    SpdxJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CycloneDxVersion {
    /// CycloneDX 1.6.
    #[value(name = "1.6")]
    V1_6,
    /// CycloneDX 1.5, for consumers that do not read 1.6.
    #[value(name = "1.5")]
    V1_5,
}

#[derive(Debug, Args)]
pub struct SbomGenerateArgs {
    /// A directory (every lockfile under it), one lockfile, or an SBOM to convert.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Document format.
    #[arg(long, value_enum, default_value_t = SbomFormat::CyclonedxJson)]
    pub format: SbomFormat,
    /// CycloneDX specification version.
    #[arg(long = "spec-version", value_enum, default_value_t = CycloneDxVersion::V1_6)]
    pub spec_version: CycloneDxVersion,
    /// Write the SBOM to this file (atomically) instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Leave out lockfiles under paths matching this gitignore-style pattern (repeat);
    /// added to `[materials] exclude` of PATH's custody.toml.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Write a signed in-toto attestation (a DSSE envelope whose statement carries the
    /// SBOM as its predicate) instead of the bare SBOM, signed with this private key.
    #[arg(long, value_name = "KEY")]
    pub attest: Option<PathBuf>,
    /// With --attest: a file the SBOM describes (its SHA-256 becomes a subject); repeat.
    /// Default: the lockfiles read.
    #[arg(long, value_name = "FILE", requires = "attest")]
    pub subject: Vec<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Scan a directory tree (default: the current directory), the staged changes, the git
    /// history or a push for secrets.
    #[command(
        after_help = "Examples:\n  custody secrets scan\n  custody secrets scan src/ --format sarif -o secrets.sarif\n  custody secrets scan . --no-ignore --format json\n  custody secrets scan --staged                  # what the next commit adds (pre-commit)\n  custody secrets scan --git                     # every file version in the history, once\n  custody secrets scan --git --since v1.2.0      # commits after v1.2.0 (or A..B)\n  custody secrets scan --pre-receive < updates   # what a push adds (OLD NEW REF lines)\n  custody secrets scan --write-baseline .custody/secrets-baseline.json   # accept what is there now\n  custody secrets scan --baseline .custody/secrets-baseline.json\n\nA line with `custody:allow` (or `gitleaks:allow`) in it is never reported. Files listed in .gitignore are skipped unless --no-ignore is given; hidden files such as .env are scanned; .git/ never. In history, each distinct file content is scanned once and its findings name the commit and path that added it. Findings show the rule, file, line, column and the secret's first four characters only, never the whole secret.\n\nExit codes: 0 no secrets found, 1 secrets found, 2 unreadable input or bad rules."
    )]
    Scan(SecretsScanArgs),
    /// Install a git hook that runs the scanner: pre-commit (staged changes) in a work
    /// tree, or pre-receive (pushed commits) in a server's bare repository.
    #[command(
        after_help = "Examples:\n  custody secrets install-hook                         # .git/hooks/pre-commit here\n  custody secrets install-hook --pre-receive --repo /srv/git/project.git\n\nThe hook calls the custody found on PATH when it runs (or --custody PATH). An existing hook is never overwritten unless --force is given. With the pre-commit framework, use the `custody-secrets` hook of this repository's .pre-commit-hooks.yaml instead."
    )]
    InstallHook(SecretsInstallHookArgs),
    /// List the rules (built-in and from --rules files).
    Rules(SecretsRulesArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VulnsFormat {
    /// A table for people.
    Table,
    /// JSON for machines.
    Json,
    /// SARIF 2.1.0 for code scanning tools.
    Sarif,
    /// A CycloneDX 1.6 VEX document: the affected components and, per vulnerability,
    /// ratings, fixes and an analysis state (accepted findings: not_affected).
    #[value(name = "cyclonedx-vex")]
    CyclonedxVex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// A table for people.
    Table,
    /// JSON for machines.
    Json,
    /// SARIF 2.1.0 for code scanning tools.
    Sarif,
}

#[derive(Debug, Args)]
pub struct SecretsScanArgs {
    /// The directory or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Table)]
    pub format: FindingsFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Scan files .gitignore (and .ignore) would skip too.
    #[arg(long = "no-ignore")]
    pub no_ignore: bool,
    /// Additional rules: custody rule TOML or a gitleaks configuration; repeat for several
    /// files.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Skip files larger than this many MiB.
    #[arg(long = "max-file-size", default_value_t = 20, value_name = "MIB")]
    pub max_file_size: u64,
    /// Accept findings in paths matching this gitignore-style pattern (repeat), e.g.
    /// test fixtures.
    #[arg(long = "allow-path", value_name = "PATTERN")]
    pub allow_paths: Vec<String>,
    /// Accept the findings listed in this baseline file; report stale entries.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this scan into a baseline file (then review the reasons).
    #[arg(long = "write-baseline", value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Scan what is staged for the next commit in the repository at PATH (files that
    /// differ from HEAD), not the working tree.
    #[arg(long, conflicts_with_all = ["git", "pre_receive"])]
    pub staged: bool,
    /// Scan the history of the repository at PATH: every distinct file content reachable
    /// from any ref, once, attributed to the commit and path that added it.
    #[arg(long, conflicts_with = "pre_receive")]
    pub git: bool,
    /// With --git: only commits after REV (not reachable from it), or a range A..B.
    #[arg(long, value_name = "REV|RANGE", requires = "git")]
    pub since: Option<String>,
    /// Scan what a push adds, reading `OLD NEW REF` lines on standard input as a git
    /// pre-receive hook gets them; the repository is PATH (the hook's current directory).
    #[arg(long = "pre-receive")]
    pub pre_receive: bool,
    /// Ignore the [secrets] section of custody.toml (allowed paths, rule files, baseline),
    /// which is otherwise read from PATH (or the work tree, for git scans; for
    /// --pre-receive, from the custody.toml committed on the repository's HEAD).
    #[arg(long = "no-config")]
    pub no_config: bool,
}

#[derive(Debug, Args)]
pub struct SecretsInstallHookArgs {
    /// The repository.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Install the server-side pre-receive hook instead of pre-commit.
    #[arg(long = "pre-receive")]
    pub pre_receive: bool,
    /// Replace an existing hook.
    #[arg(long)]
    pub force: bool,
    /// The custody executable the hook runs (default: `custody` from PATH).
    #[arg(long, value_name = "PATH")]
    pub custody: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SecretsRulesArgs {
    /// Additional rules (custody rule TOML).
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TufCommand {
    /// Create a repository: root, targets, snapshot and timestamp keys and thresholds.
    #[command(
        after_help = "Example:\n  custody tuf init repo --root-key root1.pub --root-key root2.pub --threshold root=2 \\\n      --targets-key targets.pub --snapshot-key online.pub --timestamp-key online.pub \\\n      --key root1.key --key root2.key --key targets.key --key online.key\n\nThe repository directory gets custody-tuf.toml (expiry policy, hash algorithms), metadata/ and targets/ (serve both with any static web server) and staged/ (edits waiting for signatures). Roles are signed with the --key files they authorise; a role that lacks signatures waits in staged/ for `custody tuf sign`. Consistent snapshots are on unless --no-consistent-snapshot."
    )]
    Init(TufInitArgs),
    /// Add target files (or whole directories) to the repository and publish them.
    #[command(
        after_help = "Examples:\n  custody tuf add repo dist/app-1.0.tar.gz --key targets.key --key online.key\n  custody tuf add repo dist/ --prefix releases/1.0 --custom '{\"channel\": \"stable\"}' --key targets.key --key online.key\n\nTargets go to --role when given, else to the hash bin responsible for them when the top-level targets delegate to hash bins, else to the top-level targets. Without the snapshot and timestamp keys the new targets are published but not yet in a snapshot: run `custody tuf snapshot` with them."
    )]
    Add(TufAddArgs),
    /// Remove targets by name.
    Remove(TufRemoveArgs),
    /// Delegate trust for some target paths to a new role, or to hash bins.
    #[command(
        after_help = "Examples:\n  custody tuf delegate repo --name docs --path 'docs/*' --delegate-key docs.pub --key targets.key --key online.key\n  custody tuf delegate repo --hash-bins 8 --delegate-key bins.pub --key targets.key --key bins.key --key online.key\n\nPatterns match part by part: `*` never crosses `/`. Hash bins (TAP 15) spread targets over 2^BITS roles by the SHA-256 of their path; existing targets of the delegating role move into their bins."
    )]
    Delegate(TufDelegateArgs),
    /// Rotate or revoke keys: add or remove keys of a role, change its threshold. For a
    /// top-level role this makes a new root, which must be signed by a threshold of the
    /// current root keys and of its own; for a delegated role, its delegator changes.
    #[command(
        after_help = "Examples:\n  custody tuf rotate repo --role timestamp --add-key new-online.pub --remove-key old-online.pub --key root.key --key new-online.key --key snapshot.key\n  custody tuf rotate repo --role root --add-key root-b.pub --threshold 2 --key root-a.key\n\nWithout enough root keys at hand the new root waits in staged/root.json: copy it to the machine with the offline keys, run `custody tuf sign-file root.json --key offline.key` there, and bring it back with `custody tuf sign repo root --import root.json`."
    )]
    Rotate(TufRotateArgs),
    /// Add signatures to a role waiting in staged/ (or import an offline-signed copy),
    /// and publish it when its threshold is met.
    Sign(TufSignArgs),
    /// Sign a metadata file on its own (offline signing of a copy of staged/<role>.json).
    #[command(name = "sign-file")]
    SignFile(TufSignFileArgs),
    /// Sign targets roles again with a new version and expiry (content unchanged).
    Resign(TufResignArgs),
    /// Stop delegating to a role.
    Revoke(TufRevokeArgs),
    /// Publish a new snapshot (and timestamp) listing the latest targets roles.
    Snapshot(TufRefreshArgs),
    /// Publish a new timestamp (a fresh expiry), for an online key run on a schedule.
    Timestamp(TufRefreshArgs),
    /// Show every role's version and expiry; exit 1 if one has expired.
    Status(TufStatusArgs),
    /// Copy metadata/ and targets/ into a directory a static web server serves (new
    /// files only, timestamp last).
    Publish(TufPublishArgs),
    /// Fetch and verify TUF metadata and targets (the client workflow of the TUF
    /// specification, section 5).
    #[command(
        after_help = "Examples:\n  custody tuf client --metadata-dir meta init trusted-root.json\n  custody tuf client --metadata-url https://example.org/metadata/ --metadata-dir meta refresh\n  custody tuf client --metadata-url https://example.org/metadata/ --metadata-dir meta \\\n      --target-name app-1.0.tar.gz --target-dir downloads --target-base-url https://example.org/targets/ download\n\nThe metadata directory holds the trusted metadata as <role>.json, exactly as received. Targets are saved in the target directory under their percent-encoded names, and not downloaded again while a file with the right length and hashes is there. Expiry is checked against the system clock at the start of the update.\n\nExit codes: 0 success, 1 any failure (nothing trusted, nothing saved)."
    )]
    Client(TufClientArgs),
}

/// Private keys to sign with, and how to unlock them.
#[derive(Debug, Args)]
pub struct TufKeyArgs {
    /// A private key to sign with (repeat); each role is signed by the keys it authorises.
    #[arg(long = "key", value_name = "PRIVATE_KEY")]
    pub keys: Vec<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
}

#[derive(Debug, Args)]
pub struct TufInitArgs {
    /// The repository directory (created).
    pub repo: PathBuf,
    /// Public key (or private key file) for root; repeat for several.
    #[arg(long = "root-key", value_name = "KEY", required = true)]
    pub root_keys: Vec<PathBuf>,
    /// Public key for the top-level targets role; repeat for several.
    #[arg(long = "targets-key", value_name = "KEY", required = true)]
    pub targets_keys: Vec<PathBuf>,
    /// Public key for snapshot; repeat for several.
    #[arg(long = "snapshot-key", value_name = "KEY", required = true)]
    pub snapshot_keys: Vec<PathBuf>,
    /// Public key for timestamp; repeat for several.
    #[arg(long = "timestamp-key", value_name = "KEY", required = true)]
    pub timestamp_keys: Vec<PathBuf>,
    /// Signatures a role needs, as ROLE=N (default 1).
    #[arg(long = "threshold", value_name = "ROLE=N")]
    pub thresholds: Vec<String>,
    /// How long a role's metadata stays valid, as ROLE=DURATION (root=365d, targets=90d,
    /// snapshot=7d, timestamp=1d by default; units d, h, m, s).
    #[arg(long = "expires", value_name = "ROLE=DURATION")]
    pub expires: Vec<String>,
    /// Hash algorithm recorded for targets (repeat: sha256, sha512); default sha256.
    #[arg(long = "hash", value_name = "ALG")]
    pub hashes: Vec<String>,
    /// Serve metadata and targets under fixed names instead of by version and hash.
    #[arg(long = "no-consistent-snapshot")]
    pub no_consistent_snapshot: bool,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufAddArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// Files or directories to add (directories recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Target name for a single file (default: its file name).
    #[arg(long)]
    pub name: Option<String>,
    /// Put the targets under this directory in the repository.
    #[arg(long)]
    pub prefix: Option<String>,
    /// Custom metadata (a JSON value) recorded with every target added.
    #[arg(long)]
    pub custom: Option<String>,
    /// The targets role to add to (default: top-level targets or its hash bin).
    #[arg(long)]
    pub role: Option<String>,
    /// Hard-link the files into targets/ instead of copying them: much faster for many
    /// files, for build outputs that are never modified in place (a later change to a
    /// source file changes the published target, and clients refuse it). Files on
    /// another file system are copied.
    #[arg(long)]
    pub link: bool,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufRemoveArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// Target names to remove.
    #[arg(required = true)]
    pub names: Vec<String>,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufDelegateArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// The delegating role.
    #[arg(long, default_value = "targets")]
    pub from: String,
    /// Name of the new role.
    #[arg(
        long,
        required_unless_present = "hash_bins",
        conflicts_with = "hash_bins"
    )]
    pub name: Option<String>,
    /// Path pattern the role is trusted for (repeat).
    #[arg(long = "path", value_name = "PATTERN")]
    pub paths: Vec<String>,
    /// Prefix of the hex SHA-256 of paths the role is trusted for (repeat).
    #[arg(
        long = "path-hash-prefix",
        value_name = "HEX",
        conflicts_with = "paths"
    )]
    pub path_hash_prefixes: Vec<String>,
    /// A match in this role ends the search (lower-priority roles are not consulted).
    #[arg(long)]
    pub terminating: bool,
    /// Delegate to 2^BITS hash bins instead of a named role.
    #[arg(long = "hash-bins", value_name = "BITS")]
    pub hash_bins: Option<u32>,
    /// Name prefix of the hash bins.
    #[arg(long = "bin-prefix", default_value = "bins")]
    pub bin_prefix: String,
    /// Public key of the new role (repeat).
    #[arg(long = "delegate-key", value_name = "KEY", required = true)]
    pub delegate_keys: Vec<PathBuf>,
    /// Signatures the new role needs.
    #[arg(long, default_value_t = 1)]
    pub threshold: u64,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufRotateArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// The role whose keys change: root, targets, snapshot, timestamp, or a delegated
    /// role (any bin name stands for all hash bins).
    #[arg(long)]
    pub role: String,
    /// A key to add to the role (repeat).
    #[arg(long = "add-key", value_name = "KEY")]
    pub add_keys: Vec<PathBuf>,
    /// A key to remove: a key file or a key ID (repeat).
    #[arg(long = "remove-key", value_name = "KEY|KEYID")]
    pub remove_keys: Vec<String>,
    /// The role's new threshold.
    #[arg(long)]
    pub threshold: Option<u64>,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufSignArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// The staged role to sign.
    pub role: String,
    /// An offline-signed copy of staged/<role>.json whose signatures to add.
    #[arg(long = "import", value_name = "FILE")]
    pub import: Option<PathBuf>,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufSignFileArgs {
    /// The metadata file (signed in place unless -o is given).
    pub file: PathBuf,
    /// Write the signed file here instead.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufResignArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// Targets roles to sign again.
    #[arg(required = true)]
    pub roles: Vec<String>,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufRevokeArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// The delegated role to stop trusting.
    pub role: String,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufRefreshArgs {
    /// The repository directory.
    pub repo: PathBuf,
    #[command(flatten)]
    pub signing: TufKeyArgs,
}

#[derive(Debug, Args)]
pub struct TufPublishArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// The directory the web server serves (gets metadata/ and targets/).
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct TufStatusArgs {
    /// The repository directory.
    pub repo: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct TufClientArgs {
    /// Directory of trusted metadata (root.json, timestamp.json, …).
    #[arg(long = "metadata-dir", value_name = "DIR")]
    pub metadata_dir: PathBuf,
    /// Base URL of the repository's metadata (http, https or file).
    #[arg(long = "metadata-url", value_name = "URL")]
    pub metadata_url: Option<String>,
    /// A target to download; repeat for several, fetched in order.
    #[arg(long = "target-name", value_name = "NAME")]
    pub target_name: Vec<String>,
    /// Where downloaded targets are saved.
    #[arg(long = "target-dir", value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Base URL of the repository's targets.
    #[arg(long = "target-base-url", value_name = "URL")]
    pub target_base_url: Option<String>,
    #[command(subcommand)]
    pub action: TufClientAction,
}

#[derive(Debug, Subcommand)]
pub enum TufClientAction {
    /// Trust this root: copy it into the metadata directory (no network).
    Init {
        /// The trusted root metadata file, obtained out of band.
        trusted_root: PathBuf,
    },
    /// Update root, timestamp, snapshot and targets metadata from the repository.
    Refresh,
    /// Refresh, then download and verify every --target-name into --target-dir.
    Download,
}

#[derive(Debug, Args)]
pub struct AttestArgs {
    #[command(subcommand)]
    pub verify: Option<AttestCommand>,
    #[command(flatten)]
    pub create: AttestCreateArgs,
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Verify attestations: signatures, the subject's digest, the predicate type; print the predicate.
    #[command(
        after_help = "Exit codes: 0 an attestation verified, 1 none did (the reasons are listed), 2 unreadable input."
    )]
    Verify(AttestVerifyArgs),
}

#[derive(Debug, Args)]
pub struct AttestCreateArgs {
    /// Private key to sign with (required); repeat for several signatures.
    #[arg(short = 'k', long = "key", value_name = "PATH")]
    pub key: Vec<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// A file the attestation is about (its SHA-256 is recorded); repeatable.
    #[arg(long, value_name = "FILE")]
    pub subject: Vec<PathBuf>,
    /// A subject by digest, NAME=ALG:HEX; repeatable.
    #[arg(long = "subject-digest", value_name = "NAME=ALG:HEX")]
    pub subject_digest: Vec<String>,
    /// Predicate type (required): an alias (slsa-provenance, link, cyclonedx, spdx, sarif,
    /// test-result) or a URI.
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub predicate_type: Option<String>,
    /// The predicate (required), a JSON file; for `link`, a link file is converted.
    #[arg(long, value_name = "FILE")]
    pub predicate: Option<PathBuf>,
    /// Write the envelope here (JSON); default standard output unless --bundle is given.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Append the envelope as one line to this JSON Lines bundle (.intoto.jsonl).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AttestVerifyArgs {
    /// Trusted public key; repeatable.
    #[arg(short = 'k', long = "key", required = true, value_name = "PUBKEY")]
    pub key: Vec<PathBuf>,
    /// Number of distinct keys that must have signed.
    #[arg(long, default_value_t = 1)]
    pub threshold: usize,
    /// The artifact: its SHA-256 must be a subject of the statement.
    #[arg(long, value_name = "FILE", conflicts_with = "digest")]
    pub subject: Option<PathBuf>,
    /// The artifact's digest, ALG:HEX, instead of the file.
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,
    /// Required predicate type (alias or URI).
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub predicate_type: Option<String>,
    /// Write the verified predicate here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub predicate_out: Option<PathBuf>,
    /// An envelope (JSON) or a bundle (.intoto.jsonl).
    pub input: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum IntotoCommand {
    /// Run a step's command and record a signed link (like in-toto-run).
    #[command(
        after_help = "Examples:\n  custody intoto run -n build --signing-key build.key -m src -p target/app -- make app\n  custody intoto run -n package --signing-key pkg.key -p dist -x --use-dsse\n\nWrites <step>.<keyid[:8]>.link (a v0.9 Metablock, or a DSSE envelope with --use-dsse) into the metadata directory. Materials are recorded before the command, products after; paths, excludes and symlinks are handled as python in-toto does, so links verify with in-toto-verify.\n\nExit codes: the command's own exit status when it fails (after the link is written, as in-toto-run does), 0 on success, 2 on bad input."
    )]
    Run(IntotoRunArgs),
    /// Record a step done by hand or by another tool: `start` before, `stop` after (like in-toto-record).
    #[command(subcommand)]
    Record(IntotoRecordCommand),
    /// Verify a supply chain: layout, links, thresholds, inspections and artifact rules (like in-toto-verify).
    #[command(
        after_help = "Example:\n  custody intoto verify --layout root.layout --verification-keys owner.pub --link-dir links/\n\nChecks, in order: the layout's signatures (every given key must have signed) and expiry; for each step, links <step>.<keyid[:8]>.link from authorised functionaries, at least the step's threshold of them, all agreeing (sublayouts are verified recursively from <step>.<keyid[:8]>/); inspections (run in the current directory); every step's and inspection's artifact rules.\n\nExit codes: 0 verified, 1 verification failed (the message names the step, rule and artifacts), 2 unreadable input."
    )]
    Verify(IntotoVerifyArgs),
    /// Work with layouts: create one from a readable TOML or YAML description.
    #[command(subcommand)]
    Layout(IntotoLayoutCommand),
    /// Add signatures to a layout or link (several owners sign one layout), or check them.
    #[command(
        after_help = "Examples:\n  custody intoto sign root.layout --signing-key alice.key --signing-key bob.key\n  custody intoto sign root.layout --verify --verification-keys alice.pub bob.pub"
    )]
    Sign(IntotoSignArgs),
}

#[derive(Debug, Args)]
pub struct IntotoVerifyArgs {
    /// The layout (Metablock or DSSE).
    #[arg(short = 'l', long)]
    pub layout: PathBuf,
    /// Public keys that must all have signed the layout.
    #[arg(short = 'k', long = "verification-keys", alias = "layout-keys", num_args = 1.., required = true, value_name = "PUBKEY")]
    pub verification_keys: Vec<PathBuf>,
    /// Directory holding the links; default the current directory.
    #[arg(long = "link-dir", value_name = "DIR")]
    pub link_dir: Option<PathBuf>,
    /// Values for {NAME} placeholders in the layout, as NAME=VALUE.
    #[arg(long = "layout-parameters", num_args = 1.., value_name = "NAME=VALUE")]
    pub layout_parameters: Vec<String>,
    /// Kill an inspection after this many seconds.
    #[arg(
        long = "inspection-timeout",
        default_value_t = 600,
        value_name = "SECONDS"
    )]
    pub inspection_timeout: u64,
    /// Output format of the result.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Subcommand)]
pub enum IntotoLayoutCommand {
    /// Create a signed v0.9 layout from a TOML or YAML description (see docs/intoto.md).
    #[command(
        after_help = "Examples:\n  custody intoto layout create supply-chain.toml --signing-key owner.key -o root.layout\n  custody intoto layout create supply-chain.yaml --signing-key owner.key -o root.layout\n\nFiles ending in .yaml or .yml are read as YAML, anything else as TOML; both take the same fields."
    )]
    Create(IntotoLayoutCreateArgs),
}

#[derive(Debug, Args)]
pub struct IntotoLayoutCreateArgs {
    /// The description: TOML, or YAML when the name ends in .yaml/.yml.
    pub description: PathBuf,
    /// The owner's private key; repeat for several owners. Without one, the layout is
    /// written unsigned (sign it later with `custody intoto sign`).
    #[arg(long = "signing-key", value_name = "PATH")]
    pub signing_key: Vec<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Write a DSSE envelope instead of a v0.9 Metablock.
    #[arg(long = "use-dsse")]
    pub use_dsse: bool,
    /// Where to write the layout.
    #[arg(short = 'o', long, default_value = "root.layout")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct IntotoSignArgs {
    /// The layout or link to sign or check.
    pub file: PathBuf,
    /// Private keys to sign with (each signature is added; an old one by the same key is replaced).
    #[arg(long = "signing-key", value_name = "PATH")]
    pub signing_key: Vec<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Check the signatures instead of signing: every key of --verification-keys must have signed.
    #[arg(long, requires = "verification_keys", conflicts_with = "signing_key")]
    pub verify: bool,
    /// Public keys for --verify.
    #[arg(long = "verification-keys", num_args = 1.., value_name = "PUBKEY")]
    pub verification_keys: Vec<PathBuf>,
    /// Where to write the signed file; default: in place.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum IntotoRecordCommand {
    /// Record materials and write a signed preliminary link `.<step>.<keyid[:8]>.link-unfinished`.
    Start(IntotoRecordStartArgs),
    /// Verify the preliminary link, record products, write `<step>.<keyid[:8]>.link`, remove the preliminary one.
    Stop(IntotoRecordStopArgs),
}

/// Options shared by `intoto run` and `intoto record`.
#[derive(Debug, Args, Clone)]
pub struct IntotoCommonArgs {
    /// Name of the step, as the layout names it.
    #[arg(short = 'n', long = "step-name")]
    pub step_name: String,
    /// The functionary's private key (PKCS#8 PEM, encrypted or not).
    #[arg(long = "signing-key", value_name = "PATH")]
    pub signing_key: PathBuf,
    /// Prompt for the key's passphrase (kept for in-toto compatibility; a passphrase is
    /// asked for anyway when the key is encrypted). A value is refused: use --password-env.
    #[arg(short = 'P', long = "password", num_args = 0..=1, value_name = "REFUSED")]
    pub password: Option<Option<String>>,
    #[command(flatten)]
    pub password_env: PasswordArgs,
    /// gitignore-style patterns of paths not to record; replaces the defaults
    /// ("*.link*", ".git", "*.pyc", "*~"). `--exclude ''` records everything.
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Record artifacts relative to this directory instead of the current one.
    #[arg(long = "base-path", value_name = "DIR")]
    pub base_path: Option<PathBuf>,
    /// Remove these prefixes from recorded paths (no prefix may start another).
    #[arg(long = "lstrip-paths", num_args = 1.., value_name = "PREFIX")]
    pub lstrip_paths: Vec<String>,
    /// Write a DSSE envelope instead of a v0.9 Metablock.
    #[arg(long = "use-dsse")]
    pub use_dsse: bool,
    /// Hash text files with CRLF and CR line endings turned into LF (the python API's
    /// normalize_line_endings).
    #[arg(long = "normalize-line-endings")]
    pub normalize_line_endings: bool,
    /// Also record SHA-512 digests.
    #[arg(long)]
    pub sha512: bool,
    /// Not supported: custody signs with key files. Listed so that the error says so.
    #[arg(short = 'g', long = "gpg", num_args = 0..=1, value_name = "KEYID", hide = true)]
    pub gpg: Option<Option<String>>,
    /// Print what is being recorded.
    #[arg(short = 'v', long, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print nothing but errors.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct IntotoRunArgs {
    #[command(flatten)]
    pub common: IntotoCommonArgs,
    /// Files and directories to record before the command.
    #[arg(short = 'm', long = "materials", num_args = 1.., value_name = "PATH")]
    pub materials: Vec<String>,
    /// Files and directories to record after the command.
    #[arg(short = 'p', long = "products", num_args = 1.., value_name = "PATH")]
    pub products: Vec<String>,
    /// Record the command's standard output and error in the link.
    #[arg(short = 's', long = "record-streams")]
    pub record_streams: bool,
    /// Run no command: record materials and products only.
    #[arg(short = 'x', long = "no-command")]
    pub no_command: bool,
    /// Directory for the link (must exist); default the current directory.
    #[arg(short = 'd', long = "metadata-directory", value_name = "DIR")]
    pub metadata_directory: Option<PathBuf>,
    /// Kill the command after this many seconds (default: no limit; in-toto-run's is 10).
    #[arg(long = "run-timeout", value_name = "SECONDS")]
    pub run_timeout: Option<u64>,
    /// The command and its arguments, after `--`.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct IntotoRecordStartArgs {
    #[command(flatten)]
    pub common: IntotoCommonArgs,
    /// Files and directories to record as materials.
    #[arg(short = 'm', long = "materials", num_args = 1.., value_name = "PATH")]
    pub materials: Vec<String>,
}

#[derive(Debug, Args)]
pub struct IntotoRecordStopArgs {
    #[command(flatten)]
    pub common: IntotoCommonArgs,
    /// Files and directories to record as products.
    #[arg(short = 'p', long = "products", num_args = 1.., value_name = "PATH")]
    pub products: Vec<String>,
    /// Directory for the link (must exist); default the current directory.
    #[arg(short = 'd', long = "metadata-directory", value_name = "DIR")]
    pub metadata_directory: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A table for the terminal.
    Table,
    /// Every control with status, evidence and remediation, for machines.
    Json,
    /// SARIF 2.1.0 for code scanning dashboards.
    Sarif,
    /// A self-contained HTML report.
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The repository to check.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyTypeArg {
    /// Ed25519: small, fast, the default.
    Ed25519,
    /// ECDSA over NIST P-256 (scheme ecdsa-sha2-nistp256).
    Ecdsa,
    /// RSA 3072 bits (scheme rsassa-pss-sha256 unless --scheme says otherwise).
    Rsa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    #[value(name = "ed25519")]
    Ed25519,
    #[value(name = "ecdsa-sha2-nistp256")]
    EcdsaSha2Nistp256,
    #[value(name = "rsassa-pss-sha256")]
    RsassaPssSha256,
    #[value(name = "rsa-pkcs1v15-sha256")]
    RsaPkcs1v15Sha256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PublicFormat {
    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    Pem,
    /// securesystemslib JSON (`{"keytype", "scheme", "keyval": {"public"}}`) with its key ID.
    Json,
}

#[derive(Debug, Args, Clone, Default)]
pub struct PasswordArgs {
    /// Read the passphrase from this environment variable instead of prompting.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key pair: NAME.key (PKCS#8 PEM, encrypted), NAME.pub (SPKI PEM) and
    /// NAME.meta.json (creation time, for rotation checks).
    #[command(
        after_help = "Examples:\n  custody key generate --name release\n  CUSTODY_PASS=… custody key generate --type rsa --password-env CUSTODY_PASS --dir keys\n  custody key generate --type ecdsa --unencrypted --dir /tmp/ci-keys\n\nThe private key is encrypted with a passphrase (PBES2: scrypt + AES-256-CBC) unless --unencrypted is given. Default directory: $CUSTODY_KEY_DIR, else $XDG_DATA_HOME/custody/keys, else ~/.local/share/custody/keys."
    )]
    Generate(KeyGenerateArgs),
    /// List the keys in a directory with type, key ID, age and encryption.
    List(KeyListArgs),
    /// Show a key file: type, scheme, key ID, encrypted or not. Never prints private material.
    Show(KeyShowArgs),
    /// Print the public key of a key file (private or public), as PEM or securesystemslib JSON.
    Public(KeyPublicArgs),
}

#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// Key type.
    #[arg(long = "type", short = 't', value_enum, default_value_t = KeyTypeArg::Ed25519)]
    pub key_type: KeyTypeArg,
    /// Signature scheme (RSA only: rsassa-pss-sha256 or rsa-pkcs1v15-sha256).
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    /// Base name of the files; default: TYPE-KEYID8.
    #[arg(long, short = 'n')]
    pub name: Option<String>,
    /// Directory to write the key files into (created if missing).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Store the private key without a passphrase (for throwaway CI keys).
    #[arg(long)]
    pub unencrypted: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Replace existing files of the same name.
    #[arg(long)]
    pub force: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct KeyListArgs {
    /// Directory to list; default as for `key generate`.
    pub dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct KeyShowArgs {
    /// A private or public key file.
    pub file: PathBuf,
    /// Scheme for RSA keys (default rsassa-pss-sha256).
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct KeyPublicArgs {
    /// A private or public key file.
    pub file: PathBuf,
    /// Scheme for RSA keys (default rsassa-pss-sha256).
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PublicFormat::Pem)]
    pub format: PublicFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The private key (PKCS#8 PEM, encrypted or not).
    #[arg(long, short = 'k')]
    pub key: PathBuf,
    /// Scheme for RSA keys (default rsassa-pss-sha256).
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Where to write the base64 signature; default FILE.sig, `-` for standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// The file to sign (`-` for standard input, then -o is required).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyBlobArgs {
    /// The public key (SPKI PEM or securesystemslib JSON).
    #[arg(long, short = 'k')]
    pub key: PathBuf,
    /// Scheme for RSA PEM keys (default rsassa-pss-sha256).
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    /// The signature file (base64 or raw bytes).
    #[arg(long, short = 's')]
    pub signature: PathBuf,
    /// The signed file (`-` for standard input).
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DsseCommand {
    /// Wrap a payload in a DSSE envelope signed by one or more keys.
    #[command(
        after_help = "Example:\n  custody dsse sign --key a.key --key b.key --payload-type application/vnd.in-toto+json -o stmt.dsse.json statement.json"
    )]
    Sign(DsseSignArgs),
    /// Verify that a threshold of the given public keys signed a DSSE envelope.
    #[command(
        after_help = "Example:\n  custody dsse verify --key a.pub --key b.pub --threshold 2 --payload-out statement.json stmt.dsse.json\n\nOnly the given keys count, each at most once. Exit codes: 0 verified, 1 threshold not met, 2 unreadable or malformed input."
    )]
    Verify(DsseVerifyArgs),
}

#[derive(Debug, Args)]
pub struct DsseSignArgs {
    /// A private key; repeat for several signatures.
    #[arg(long, short = 'k', required = true)]
    pub key: Vec<PathBuf>,
    /// Scheme for RSA keys (default rsassa-pss-sha256).
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// The payload type, e.g. application/vnd.in-toto+json.
    #[arg(long, short = 't')]
    pub payload_type: String,
    /// Where to write the envelope; default standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// The payload file (`-` for standard input).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct DsseVerifyArgs {
    /// A trusted public key; repeat for several.
    #[arg(long, short = 'k', required = true)]
    pub key: Vec<PathBuf>,
    /// Scheme for RSA PEM keys (default rsassa-pss-sha256).
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    /// Number of distinct keys that must have signed.
    #[arg(long, default_value_t = 1)]
    pub threshold: usize,
    /// Require this payload type.
    #[arg(long)]
    pub payload_type: Option<String>,
    /// Write the verified payload here (`-` for standard output).
    #[arg(long)]
    pub payload_out: Option<PathBuf>,
    /// Output format of the summary (on stderr for text, stdout for json).
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// The envelope (`-` for standard input).
    pub envelope: PathBuf,
}
