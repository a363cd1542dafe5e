//! Java: Gradle's dependency lockfiles.
//!
//! `gradle.lockfile` (Gradle 6.8 and later, one per project) lists every resolved module
//! as `group:artifact:version=configuration,…`, and `empty=…` the configurations that
//! resolve to nothing. `buildscript-gradle.lockfile` and `settings-gradle.lockfile` lock
//! the build script's and the settings' classpaths. Before 6.8, Gradle wrote one file per
//! configuration, `gradle/dependency-locks/<configuration>.lockfile`, of bare
//! `group:artifact:version` lines; the directory is read as one project.
//!
//! The scope comes from the configurations: a module only in configurations whose name
//! says `test` (`testRuntimeClasspath`, `testCompileClasspath`, …) is dev, one only in
//! annotation processor paths (`annotationProcessor`, `kapt`) or a build script or
//! settings classpath is build, any other is runtime. Lockfiles record neither edges (so
//! every module counts as direct) nor hashes nor the repository each module comes from.

use crate::component::{Component, Ecosystem, Project, Scope, Source};
use crate::error::{SbomError, read_limited};
use crate::graph;
use crate::maven::purl_of;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lockfiles of these names lock a build's own classpath, not the project's.
const BUILD_LOCKFILES: &[&str] = &["buildscript-gradle.lockfile", "settings-gradle.lockfile"];

/// At most this many per-configuration lockfiles are read from one directory.
const MAX_LEGACY_FILES: usize = 10_000;

/// Whether a file name is a Gradle lockfile of the current format.
#[must_use]
pub fn is_lockfile(name: &str) -> bool {
    name == "gradle.lockfile" || BUILD_LOCKFILES.contains(&name)
}

/// Read a project from a `gradle.lockfile` (or `buildscript-`/`settings-gradle.lockfile`).
///
/// # Errors
/// The file cannot be read or is not a Gradle lockfile.
pub fn read_project(path: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let text = read_limited(path, "gradle.lockfile")?;
    project_from_text(&text, shown_as)
}

/// Read a project from the text of a `gradle.lockfile`; `shown_as`'s file name tells a
/// build script's or settings' lockfile.
///
/// # Errors
/// [`SbomError::Malformed`] naming `shown_as` when a line is not a lock entry.
pub fn project_from_text(text: &str, shown_as: &Path) -> Result<Project, SbomError> {
    let build = shown_as
        .file_name()
        .is_some_and(|n| BUILD_LOCKFILES.contains(&n.to_string_lossy().as_ref()));
    let mut locked = Locked::default();
    locked.read(text, None, build, shown_as)?;
    Ok(locked.into_project(shown_as))
}

/// Read the per-configuration lockfiles of a `gradle/dependency-locks` directory as one
/// project.
///
/// # Errors
/// The directory or a lockfile cannot be read, or a line is not a lock entry.
pub fn read_legacy_dir(dir: &Path, shown_as: &Path) -> Result<Project, SbomError> {
    let io = |source| SbomError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".lockfile") && entry.file_type().map_err(io)?.is_file() {
            names.push(name);
        }
        if names.len() > MAX_LEGACY_FILES {
            return Err(SbomError::malformed(
                shown_as,
                format!("more than {MAX_LEGACY_FILES} lockfiles"),
            ));
        }
    }
    names.sort();
    let mut texts = Vec::new();
    for name in &names {
        let text = read_limited(&dir.join(name), "Gradle lockfile")?;
        texts.push((name.as_str(), text));
    }
    let files: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
    project_from_legacy(&files, shown_as)
}

/// Read the per-configuration lockfiles of a `gradle/dependency-locks` directory, given
/// as (file name, text), as one project.
///
/// # Errors
/// [`SbomError::Malformed`] naming the file with a line that is not a lock entry.
pub fn project_from_legacy(files: &[(&str, &str)], shown_as: &Path) -> Result<Project, SbomError> {
    let mut locked = Locked::default();
    for (name, text) in files {
        let configuration = name.strip_suffix(".lockfile").unwrap_or(name);
        // Gradle names the build script's classpath lockfile `buildscript-classpath`.
        let build = configuration.starts_with("buildscript-");
        locked.read(text, Some(configuration), build, &shown_as.join(name))?;
    }
    Ok(locked.into_project(shown_as))
}

/// Modules read so far: (group, artifact, version) → the scope they are locked in.
#[derive(Default)]
struct Locked {
    modules: BTreeMap<(String, String, String), Scope>,
}

impl Locked {
    /// Read one lockfile's lines; `configuration` is the file's own (legacy format),
    /// `build` says every configuration of the file is a build classpath.
    fn read(
        &mut self,
        text: &str,
        configuration: Option<&str>,
        build: bool,
        shown_as: &Path,
    ) -> Result<(), SbomError> {
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |m: String| SbomError::malformed(shown_as, format!("line {}: {m}", n + 1));
            let (coordinates, configurations) = match (line.split_once('='), configuration) {
                (Some((c, confs)), _) => (c.trim(), confs.trim()),
                (None, Some(own)) => (line, own),
                (None, None) => {
                    return Err(bad(format!(
                        "{line:?} is not `group:artifact:version=configurations`"
                    )));
                }
            };
            if coordinates == "empty" {
                continue;
            }
            let parts: Vec<&str> = coordinates.split(':').collect();
            let [group, artifact, version] = parts[..] else {
                return Err(bad(format!(
                    "{coordinates:?} is not `group:artifact:version`"
                )));
            };
            let ok = |s: &str| {
                !s.is_empty()
                    && !s
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | ','))
            };
            if !(ok(group) && ok(artifact) && ok(version)) {
                return Err(bad(format!(
                    "{coordinates:?} is not `group:artifact:version`"
                )));
            }
            let confs: Vec<&str> = configurations
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            if confs.is_empty() {
                return Err(bad(format!("{coordinates} is locked in no configuration")));
            }
            let scope = confs
                .iter()
                .map(|c| if build { Scope::Build } else { scope_of(c) })
                .min()
                .unwrap_or(Scope::Runtime);
            let entry = self
                .modules
                .entry((group.to_owned(), artifact.to_owned(), version.to_owned()))
                .or_insert(scope);
            *entry = (*entry).min(scope);
        }
        Ok(())
    }

    fn into_project(self, shown_as: &Path) -> Project {
        let components = self
            .modules
            .into_iter()
            .map(|((group, artifact, version), scope)| Component {
                ecosystem: Ecosystem::Maven,
                name: format!("{group}:{artifact}"),
                purl: purl_of(&group, &artifact, &version, "jar", ""),
                version,
                scope,
                direct: true,
                first_party: false,
                source: Source::Unknown,
                hashes: Vec::new(),
                licenses: Vec::new(),
                dependencies: BTreeSet::new(),
            })
            .collect();
        Project {
            lockfile: shown_as.to_owned(),
            ecosystem: Ecosystem::Maven,
            components: graph::settle(components),
        }
    }
}

/// The scope of what one configuration resolves.
fn scope_of(configuration: &str) -> Scope {
    let lower = configuration.to_ascii_lowercase();
    if lower.contains("test") {
        Scope::Dev
    } else if lower.ends_with("annotationprocessor") || lower.starts_with("kapt") {
        Scope::Build
    } else {
        Scope::Runtime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "\
# This is a Gradle generated file for dependency locking.
# Manual edits can break the build and are not advised.
# This file is expected to be part of source control.
com.fasterxml.jackson.core:jackson-databind:2.15.2=compileClasspath,runtimeClasspath,testCompileClasspath,testRuntimeClasspath
com.google.errorprone:error_prone_annotations:2.21.1=annotationProcessor
junit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath
org.hamcrest:hamcrest-core:1.3=testRuntimeClasspath
org.projectlombok:lombok:1.18.30=annotationProcessor,compileOnly
empty=testAnnotationProcessor
";

    #[test]
    fn configurations_give_the_scope() {
        let p = project_from_text(LOCK, Path::new("app/gradle.lockfile")).expect("parses");
        assert_eq!(p.components.len(), 5);
        let jackson =
            p.expect_component("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2");
        assert_eq!(jackson.scope, Scope::Runtime);
        assert!(jackson.direct);
        assert_eq!(jackson.name, "com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(jackson.source, Source::Unknown);
        assert_eq!(
            p.expect_component("pkg:maven/junit/junit@4.13.2").scope,
            Scope::Dev
        );
        assert_eq!(
            p.expect_component("pkg:maven/org.hamcrest/hamcrest-core@1.3")
                .scope,
            Scope::Dev
        );
        assert_eq!(
            p.expect_component("pkg:maven/com.google.errorprone/error_prone_annotations@2.21.1")
                .scope,
            Scope::Build
        );
        assert_eq!(
            p.expect_component("pkg:maven/org.projectlombok/lombok@1.18.30")
                .scope,
            Scope::Runtime,
            "compileOnly is compiled against"
        );
        let build =
            project_from_text(LOCK, Path::new("buildscript-gradle.lockfile")).expect("parses");
        assert!(build.components.iter().all(|c| c.scope == Scope::Build));
    }

    #[test]
    fn legacy_per_configuration_files() {
        let p = project_from_legacy(
            &[
                (
                    "compileClasspath.lockfile",
                    "# comment\ncom.google.guava:guava:32.1.2-jre\n",
                ),
                (
                    "testRuntimeClasspath.lockfile",
                    "com.google.guava:guava:32.1.2-jre\njunit:junit:4.13.2\n",
                ),
                ("buildscript-classpath.lockfile", "org.ow2.asm:asm:9.5\n"),
            ],
            Path::new("gradle/dependency-locks"),
        )
        .expect("parses");
        assert_eq!(p.components.len(), 3);
        assert_eq!(
            p.expect_component("pkg:maven/com.google.guava/guava@32.1.2-jre")
                .scope,
            Scope::Runtime
        );
        assert_eq!(
            p.expect_component("pkg:maven/junit/junit@4.13.2").scope,
            Scope::Dev
        );
        assert_eq!(
            p.expect_component("pkg:maven/org.ow2.asm/asm@9.5").scope,
            Scope::Build
        );
    }

    #[test]
    fn malformed_lockfiles_are_named() {
        for (text, expect) in [
            (
                "junit:junit:4.13.2\n",
                "line 1: \"junit:junit:4.13.2\" is not",
            ),
            ("# x\njunit:junit=testCompileClasspath\n", "line 2"),
            ("a:b:c:d=x\n", "is not `group:artifact:version`"),
            ("a:b:1 0=x\n", "is not `group:artifact:version`"),
            ("a::1=x\n", "is not `group:artifact:version`"),
            ("a:b:1=\n", "locked in no configuration"),
            ("a:b:1= , \n", "locked in no configuration"),
        ] {
            let err = project_from_text(text, Path::new("gradle.lockfile")).expect_err(text);
            let s = err.to_string();
            assert!(
                s.starts_with("gradle.lockfile: ") && s.contains(expect),
                "{s}"
            );
        }
        let err = project_from_legacy(
            &[("x.lockfile", "a:b\n")],
            Path::new("gradle/dependency-locks"),
        )
        .expect_err("two parts");
        assert!(
            err.to_string()
                .starts_with("gradle/dependency-locks/x.lockfile: line 1"),
            "{err}"
        );
    }
}
