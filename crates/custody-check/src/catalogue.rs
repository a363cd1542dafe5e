//! The control catalogue: every control of the CNCF TAG Security "Software Supply Chain
//! Best Practices", with the stable ID used in code, docs and reports.
//!
//! Source: `CONTROLS.md` of the project (`docs/controls.md`). The README coverage table is
//! rendered from this table and a test keeps the two equal.

use serde::Serialize;

/// The stage of the supply chain a control belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Source code (SRC).
    SourceCode,
    /// Materials (MAT).
    Materials,
    /// Build pipelines (BLD).
    BuildPipelines,
    /// Artefacts (ART).
    Artefacts,
    /// Deployments (DEP).
    Deployments,
}

impl Stage {
    /// Human name of the stage.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Stage::SourceCode => "Source code",
            Stage::Materials => "Materials",
            Stage::BuildPipelines => "Build pipelines",
            Stage::Artefacts => "Artefacts",
            Stage::Deployments => "Deployments",
        }
    }
}

/// One control of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Control {
    /// Stable ID, e.g. `SRC-1`.
    pub id: &'static str,
    /// Stage of the supply chain.
    pub stage: Stage,
    /// The control as the source document words it.
    pub title: &'static str,
    /// What custody does to implement it.
    pub capability: &'static str,
}

/// The whole catalogue, in document order.
pub const CATALOGUE: &[Control] = &[
    Control {
        id: "SRC-1",
        stage: Stage::SourceCode,
        title: "Require signed commits",
        capability: "Verify every commit in a range is signed (SSH `sshsig`, OpenPGP) by a key the repository's policy trusts for that ref at that point in history",
    },
    Control {
        id: "SRC-2",
        stage: Stage::SourceCode,
        title: "Full attestation for protected branches (`git merge -S --verify-signatures`)",
        capability: "Merges into protected refs must be signed by an authorised key, and every merged commit's signature must verify",
    },
    Control {
        id: "SRC-3",
        stage: Stage::SourceCode,
        title: "Prevent committing secrets",
        capability: "Secret scanner: working tree, staged changes, full git history; pre-commit and pre-receive modes",
    },
    Control {
        id: "SRC-4",
        stage: Stage::SourceCode,
        title: "CODEOWNERS and coding conventions",
        capability: "Parse/validate CODEOWNERS (GitHub semantics); changed paths need an approval from an owner",
    },
    Control {
        id: "SRC-5",
        stage: Stage::SourceCode,
        title: "Automated SAST/DAST, results linked to artefact hash, coverage and results published",
        capability: "Wrap any scanner emitting SARIF; bind results (and coverage) to the artefact digest in a signed attestation; publish in the report",
    },
    Control {
        id: "SRC-6",
        stage: Stage::SourceCode,
        title: "Roles: Developer, Maintainer, Owner, Reviewer, Approver, Guest",
        capability: "Roles declared in the policy; the same roles gate the server API",
    },
    Control {
        id: "SRC-7",
        stage: Stage::SourceCode,
        title: "Four-eyes: author never approves; >= 2 independent approvals, one with write access",
        capability: "Signed approval attestations stored in the git repository; verification enforces independence and thresholds",
    },
    Control {
        id: "SRC-8",
        stage: Stage::SourceCode,
        title: "Branch protection, no force pushes",
        capability: "Per-ref rules (approvals, required checks, signed, fast-forward only) enforced by a pre-receive hook and verified after the fact from a signed reference log",
    },
    Control {
        id: "SRC-9",
        stage: Stage::SourceCode,
        title: "MFA for repository access",
        capability: "Server: TOTP second factor for human accounts",
    },
    Control {
        id: "SRC-10",
        stage: Stage::SourceCode,
        title: "SSH keys for developer access",
        capability: "Server/CLI authenticate with SSH keys (signed challenge); SSH commit signing",
    },
    Control {
        id: "SRC-11",
        stage: Stage::SourceCode,
        title: "Key rotation policy",
        capability: "Keys carry validity periods; policy sets maximum key age; rotation commands; stale keys reported",
    },
    Control {
        id: "SRC-12",
        stage: Stage::SourceCode,
        title: "Short-lived credentials for machines (OAuth 2.0, OIDC)",
        capability: "Server exchanges a verified OIDC ID token for a short-lived access token (minutes)",
    },
    Control {
        id: "MAT-1",
        stage: Stage::Materials,
        title: "Verify third-party artefacts: checksums against a known good source, signatures",
        capability: "Verify downloaded/vendored packages against lockfile hashes (Cargo, npm, PyPI, Go) and signatures where present",
    },
    Control {
        id: "MAT-2",
        stage: Stage::Materials,
        title: "Scan ingested software with SCA",
        capability: "Vulnerability scan of lockfiles, SBOMs and third-party artefacts",
    },
    Control {
        id: "MAT-3",
        stage: Stage::Materials,
        title: "Require SBOM from third-party supplier",
        capability: "Ingest, validate and check signatures of supplier SBOMs (CycloneDX, SPDX); policy can require one per dependency",
    },
    Control {
        id: "MAT-4",
        stage: Stage::Materials,
        title: "Track dependencies; register of components and vulnerabilities to trace deployed artefacts",
        capability: "Dependency register in the store; query which artefacts contain a component or are hit by an advisory",
    },
    Control {
        id: "MAT-5",
        stage: Stage::Materials,
        title: "Trusted package managers and repositories",
        capability: "Policy of allowed sources; lockfile entries from other registries, git, path or plain URLs are reported",
    },
    Control {
        id: "MAT-6",
        stage: Stage::Materials,
        title: "Immutable SBOM of the code",
        capability: "Deterministic CycloneDX 1.6 / SPDX 2.3 generation, content-addressed and signed as an attestation",
    },
    Control {
        id: "MAT-7",
        stage: Stage::Materials,
        title: "Scan for vulnerabilities",
        capability: "Offline OSV-format advisory matching with ecosystem-correct version ordering",
    },
    Control {
        id: "MAT-8",
        stage: Stage::Materials,
        title: "Scan for license implications",
        capability: "License detection (declared and from license texts), SPDX expressions, allow/deny policy",
    },
    Control {
        id: "MAT-9",
        stage: Stage::Materials,
        title: "SCA on ingested software",
        capability: "The same scans on supplier SBOMs and on unpacked artefacts",
    },
    Control {
        id: "BLD-1",
        stage: Stage::BuildPipelines,
        title: "Cryptographically guarantee policy adherence (in-toto)",
        capability: "in-toto layouts and links, full verification; policy over attestations",
    },
    Control {
        id: "BLD-2",
        stage: Stage::BuildPipelines,
        title: "Validate environments and dependencies before use",
        capability: "Workers verify every declared input digest (and pinned commit) before running and again after fetch",
    },
    Control {
        id: "BLD-3",
        stage: Stage::BuildPipelines,
        title: "Runtime security of build workers (seccomp, AppArmor, SELinux)",
        capability: "Workers run under seccomp + landlock + namespaces; the confinement applied is recorded in the attestation",
    },
    Control {
        id: "BLD-4",
        stage: Stage::BuildPipelines,
        title: "Verifiably reproducible builds (lock inputs, remove non-determinism, record and automate the environment, build on different infrastructure)",
        capability: "`rebuild`: independent builds under varied conditions, digests compared, differences reported; environment recorded in provenance",
    },
    Control {
        id: "BLD-5",
        stage: Stage::BuildPipelines,
        title: "Pipeline defined as code",
        capability: "Pipeline file in the repository drives every step",
    },
    Control {
        id: "BLD-6",
        stage: Stage::BuildPipelines,
        title: "Standardise pipelines across projects",
        capability: "Reusable pipeline templates",
    },
    Control {
        id: "BLD-7",
        stage: Stage::BuildPipelines,
        title: "Secured orchestration platform (Kubernetes, GitOps)",
        capability: "Server and workers deployable as containers; manifests documented",
    },
    Control {
        id: "BLD-8",
        stage: Stage::BuildPipelines,
        title: "Single-use build workers",
        capability: "Each step in a fresh sandbox, destroyed afterwards",
    },
    Control {
        id: "BLD-9",
        stage: Stage::BuildPipelines,
        title: "Minimal network connectivity",
        capability: "Workers have no network unless a step declares pinned fetches",
    },
    Control {
        id: "BLD-10",
        stage: Stage::BuildPipelines,
        title: "Segregate duties of build workers",
        capability: "One worker and one signing identity per step; layout authorises each",
    },
    Control {
        id: "BLD-11",
        stage: Stage::BuildPipelines,
        title: "Pass in worker environment and commands (hermetic)",
        capability: "Cleared environment; only declared env, command and inputs enter",
    },
    Control {
        id: "BLD-12",
        stage: Stage::BuildPipelines,
        title: "Output to separate secured storage",
        capability: "Products go to a content-addressed, write-once store",
    },
    Control {
        id: "BLD-13",
        stage: Stage::BuildPipelines,
        title: "Pipeline modifications only through pipeline as code",
        capability: "Pipeline file digest recorded as a material; verification rejects pipelines not from a protected ref",
    },
    Control {
        id: "BLD-14",
        stage: Stage::BuildPipelines,
        title: "Define user roles",
        capability: "As SRC-6",
    },
    Control {
        id: "BLD-15",
        stage: Stage::BuildPipelines,
        title: "Root of trust from an offline source",
        capability: "Offline root key workflow (export unsigned metadata, sign elsewhere, import)",
    },
    Control {
        id: "BLD-16",
        stage: Stage::BuildPipelines,
        title: "Short-lived workload certificates (SPIFFE/SPIRE)",
        capability: "Per-run ephemeral worker keys certified with short-lived X.509 certificates carrying a SPIFFE ID",
    },
    Control {
        id: "ART-1",
        stage: Stage::Artefacts,
        title: "Sign every step (in-toto, TUF)",
        capability: "Every step produces a signed link / attestation",
    },
    Control {
        id: "ART-2",
        stage: Stage::Artefacts,
        title: "Validate the signatures of each step",
        capability: "Verification of every link and attestation against the layout/policy",
    },
    Control {
        id: "ART-3",
        stage: Stage::Artefacts,
        title: "TUF/Notary to manage artefact signing",
        capability: "TUF repository: root, targets, snapshot, timestamp, delegations, thresholds",
    },
    Control {
        id: "ART-4",
        stage: Stage::Artefacts,
        title: "Store for in-toto metadata",
        capability: "Attestation store with lookup by subject digest (server)",
    },
    Control {
        id: "ART-5",
        stage: Stage::Artefacts,
        title: "Limit which artefacts a party may certify",
        capability: "TUF delegations with path patterns; per-step functionaries; per-namespace server permissions",
    },
    Control {
        id: "ART-6",
        stage: Stage::Artefacts,
        title: "Rotate and revoke private keys",
        capability: "Key rotation and revocation in TUF, layouts and policy",
    },
    Control {
        id: "ART-7",
        stage: Stage::Artefacts,
        title: "OCI image-spec registry",
        capability: "Push/pull artefacts, signatures, attestations and SBOMs to OCI registries and OCI layouts",
    },
    Control {
        id: "ART-8",
        stage: Stage::Artefacts,
        title: "Encrypt artefacts; only authorised platforms decrypt",
        capability: "Encryption to recipient platform keys before distribution",
    },
    Control {
        id: "DEP-1",
        stage: Stage::Deployments,
        title: "Clients verify artefacts and metadata",
        capability: "Verification client and admission endpoint",
    },
    Control {
        id: "DEP-2",
        stage: Stage::Deployments,
        title: "Clients verify freshness",
        capability: "TUF expiry, rollback and freeze protection",
    },
    Control {
        id: "DEP-3",
        stage: Stage::Deployments,
        title: "Use The Update Framework",
        capability: "TUF client download workflow",
    },
];

/// Look a control up by ID.
#[must_use]
pub fn control(id: &str) -> Option<&'static Control> {
    CATALOGUE.iter().find(|c| c.id == id)
}
