//! `custody.toml`: the one project configuration file. Every key is optional; unknown
//! keys are errors, so a typo cannot silently switch a control off.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Name of the configuration file at the project root.
pub const CONFIG_FILE: &str = "custody.toml";

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The project directory does not exist or is not a directory.
    #[error("{0}: not a directory")]
    NotADirectory(PathBuf),
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path}: {message}\nhint: every key is documented in docs/configuration.md")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
}

/// The parsed `custody.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Signing keys the project keeps (SRC-11).
    #[serde(default)]
    pub keys: KeysConfig,
    /// The project's in-toto layout and links (BLD-1, ART-1, ART-2).
    #[serde(default)]
    pub intoto: IntotoConfig,
    /// The project's TUF repository (ART-3, ART-5, ART-6, BLD-15, DEP-1..3).
    #[serde(default)]
    pub tuf: TufConfig,
    /// Secret scanning (SRC-3).
    #[serde(default)]
    pub secrets: SecretsConfig,
    /// Source history verified against the repository policy (SRC-1, SRC-2, SRC-6).
    #[serde(default)]
    pub source: SourceConfig,
    /// Dependencies: SBOM, artefact verification, trusted sources, vulnerabilities and
    /// licenses (MAT-1, MAT-2, MAT-5, MAT-6, MAT-7, MAT-8).
    #[serde(default)]
    pub materials: MaterialsConfig,
}

/// `[materials]`: which lockfiles are the project's, and the advisory data to scan them
/// against.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialsConfig {
    /// Lockfiles under paths matching these gitignore-style patterns are not the
    /// project's (test fixtures, examples).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Advisory data (RustSec advisory-db directories, OSV record directories), relative
    /// to the project root or absolute. None: MAT-2 and MAT-7 are not configured.
    #[serde(default)]
    pub advisories: Vec<PathBuf>,
    /// Accepted vulnerability findings (`[[ignore]]` entries with reason and expiry),
    /// relative to the project root.
    #[serde(default)]
    pub ignore: Option<PathBuf>,
    /// The license policy (MAT-8): allowed and denied licenses and categories.
    #[serde(default)]
    pub licenses: custody_license::LicensePolicy,
    /// Trusted sources of dependencies (MAT-5); default: the public registries only.
    #[serde(default)]
    pub sources: custody_sbom::sources::SourcePolicy,
    /// Directories of Python wheels and sdists checked against the lockfiles' hashes
    /// (MAT-1), relative to the project root; cargo's, npm's and Go's caches are found
    /// as the package managers find them.
    #[serde(default)]
    pub artefacts: Vec<PathBuf>,
    /// SBOMs from suppliers (MAT-3, MAT-9).
    #[serde(default)]
    pub suppliers: SuppliersConfig,
}

/// `[materials.suppliers]`: the SBOMs suppliers deliver, the keys they sign them with,
/// and which dependencies must have one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppliersConfig {
    /// Supplier SBOM files or directories of them (`*.json`, `*.jsonl`), relative to the
    /// project root: CycloneDX or SPDX JSON, or in-toto attestations carrying one.
    #[serde(default)]
    pub sboms: Vec<PathBuf>,
    /// Public keys of the suppliers; when set, only SBOMs in attestations signed by one
    /// of them count.
    #[serde(default)]
    pub keys: Vec<PathBuf>,
    /// Dependencies that must have a supplier SBOM describing their exact version:
    /// package URL patterns, `*` matching anything (`pkg:npm/%40acme/*`).
    #[serde(default)]
    pub required: Vec<String>,
}

/// `[source]`: how `custody check` verifies the repository's history against
/// `.custody/policy.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The commit whose policy is trusted as given (a full commit id). Without it the
    /// first commit with a policy is trusted, and SRC-1 warns.
    #[serde(default)]
    pub trust_root: Option<String>,
    /// Instead of a commit: the fingerprint of an Owner's key that must have signed the
    /// first commit with a policy.
    #[serde(default)]
    pub trust_key: Option<String>,
    /// The ref whose history and rules are checked; default: the current branch.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
}

/// `[secrets]`: what the secret scan of the project accepts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Paths whose findings are accepted (gitignore-style patterns): test fixtures,
    /// documentation of credential formats.
    #[serde(default)]
    pub allow_paths: Vec<String>,
    /// Extra rule files (custody rule TOML), relative to the project root.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Baseline of accepted findings; used when the file exists.
    #[serde(default = "default_secrets_baseline")]
    pub baseline: PathBuf,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        Self {
            allow_paths: Vec::new(),
            rules: Vec::new(),
            baseline: default_secrets_baseline(),
        }
    }
}

fn default_secrets_baseline() -> PathBuf {
    PathBuf::from(".custody/secrets-baseline.json")
}

/// `[tuf]`: the TUF repository the project publishes through, and the root its users
/// trust.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TufConfig {
    /// The repository directory (holding `metadata/` and `targets/`).
    #[serde(default = "default_tuf_repository")]
    pub repository: PathBuf,
    /// The root clients are given out of band. Default: the repository's `1.root.json`
    /// (trust on first use, reported as a warning under BLD-15).
    #[serde(default)]
    pub trusted_root: Option<PathBuf>,
    /// Most targets downloaded and verified for DEP-1.
    #[serde(default = "default_tuf_max_targets")]
    pub max_targets: usize,
}

impl Default for TufConfig {
    fn default() -> Self {
        Self {
            repository: default_tuf_repository(),
            trusted_root: None,
            max_targets: default_tuf_max_targets(),
        }
    }
}

fn default_tuf_repository() -> PathBuf {
    PathBuf::from(".custody/tuf")
}
fn default_tuf_max_targets() -> usize {
    1000
}

/// `[intoto]`: where the layout, its owners' public keys and the links are.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntotoConfig {
    /// The signed layout, relative to the project root.
    #[serde(default = "default_layout")]
    pub layout: PathBuf,
    /// Public keys that must all have signed the layout; default: every key file in
    /// `.custody/intoto/owners/`.
    #[serde(default)]
    pub layout_keys: Vec<PathBuf>,
    /// Directory of the links.
    #[serde(default = "default_link_dir")]
    pub link_dir: PathBuf,
    /// Values for `{NAME}` placeholders in the layout.
    #[serde(default)]
    pub parameters: std::collections::BTreeMap<String, String>,
    /// Run the layout's inspections. Off by default: an inspection runs a command named
    /// by the layout, and `custody check` should not run commands from a repository
    /// unless asked to.
    #[serde(default)]
    pub run_inspections: bool,
}

impl Default for IntotoConfig {
    fn default() -> Self {
        Self {
            layout: default_layout(),
            layout_keys: Vec::new(),
            link_dir: default_link_dir(),
            parameters: std::collections::BTreeMap::new(),
            run_inspections: false,
        }
    }
}

fn default_layout() -> PathBuf {
    PathBuf::from(".custody/intoto/root.layout")
}
fn default_link_dir() -> PathBuf {
    PathBuf::from(".custody/intoto/links")
}

/// Where layout owner keys are looked for when `layout_keys` is empty.
pub const DEFAULT_OWNER_KEY_DIR: &str = ".custody/intoto/owners";

/// `[keys]`: where the project keeps its public keys and how old they may get.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysConfig {
    /// Key directory relative to the project root.
    #[serde(default = "default_key_dir")]
    pub dir: PathBuf,
    /// Keys older than this many days fail SRC-11.
    #[serde(default = "default_max_age_days")]
    pub max_age_days: u64,
    /// Keys within this many days of the maximum age are warned about.
    #[serde(default = "default_warn_days")]
    pub warn_days: u64,
}

impl Default for KeysConfig {
    fn default() -> Self {
        Self {
            dir: default_key_dir(),
            max_age_days: default_max_age_days(),
            warn_days: default_warn_days(),
        }
    }
}

fn default_key_dir() -> PathBuf {
    PathBuf::from(".custody/keys")
}
fn default_max_age_days() -> u64 {
    365
}
fn default_warn_days() -> u64 {
    30
}

/// A project: its root directory and configuration.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
    config: Config,
    config_present: bool,
}

impl Project {
    /// Open the project at `root`, reading `custody.toml` if there is one.
    ///
    /// # Errors
    /// [`ConfigError`] when `root` is not a directory or the file is invalid.
    pub fn open(root: &Path) -> Result<Self, ConfigError> {
        if !root.is_dir() {
            return Err(ConfigError::NotADirectory(root.to_path_buf()));
        }
        let path = root.join(CONFIG_FILE);
        let (config, config_present) = match std::fs::read_to_string(&path) {
            Ok(text) => (parse(&path, &text)?, true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), false),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        Ok(Self {
            root: root.to_path_buf(),
            config,
            config_present,
        })
    }

    /// The project root.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The configuration (defaults when there is no file).
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether a `custody.toml` was found.
    #[must_use]
    pub fn has_config_file(&self) -> bool {
        self.config_present
    }
}

/// Parse configuration text; `path` is only used in messages.
///
/// # Errors
/// [`ConfigError::Invalid`] with the parser's location and message.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = parse(Path::new("custody.toml"), "").expect("empty is fine");
        assert_eq!(c.keys.max_age_days, 365);
        let c = parse(Path::new("custody.toml"), "[keys]\nmax_age_days = 90\n").expect("valid");
        assert_eq!(c.keys.max_age_days, 90);
        assert_eq!(c.keys.dir, PathBuf::from(".custody/keys"));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_hint() {
        let e = parse(Path::new("custody.toml"), "[keys]\nmax_age = 90\n").expect_err("typo");
        let msg = e.to_string();
        assert!(msg.contains("max_age"), "{msg}");
        assert!(msg.contains("docs/configuration.md"), "{msg}");
    }
}
