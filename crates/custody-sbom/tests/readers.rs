//! Every lockfile reader on a real lockfile of testdata/materials (made by the tool
//! itself where it runs here, by hand in its exact format where it does not; each
//! directory's README says which), read through discovery as `custody sbom` reads it.

use custody_sbom::component::{Component, HashAlg, Project, Scope, Source};
use custody_sbom::inventory;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn materials(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/materials")
        .join(dir)
}

/// The one project found under `dir`, read from the lockfile named `lockfile`.
fn project(dir: &str, lockfile: &str) -> Project {
    let inv = inventory(&materials(dir)).expect("inventory");
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    let mut found: Vec<Project> = inv
        .projects
        .into_iter()
        .filter(|p| p.lockfile == Path::new(lockfile))
        .collect();
    assert_eq!(found.len(), 1, "{lockfile} under {dir}");
    let p = found.remove(0);
    // The invariants every reader keeps.
    let purls: BTreeSet<&str> = p.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(purls.len(), p.components.len(), "one component per purl");
    let sorted: Vec<&str> = p.components.iter().map(|c| c.purl.as_str()).collect();
    assert!(sorted.is_sorted(), "sorted by purl");
    for c in &p.components {
        for d in &c.dependencies {
            assert!(purls.contains(d.as_str()), "{} → dangling {d}", c.purl);
        }
    }
    p
}

fn find<'a>(p: &'a Project, purl: &str) -> &'a Component {
    p.components
        .iter()
        .find(|c| c.purl.as_str() == purl)
        .unwrap_or_else(|| {
            panic!(
                "{purl} missing from {:?}",
                p.components
                    .iter()
                    .map(|c| c.purl.as_str())
                    .collect::<Vec<_>>()
            )
        })
}

fn deps(c: &Component) -> Vec<&str> {
    c.dependencies.iter().map(|d| d.as_str()).collect()
}

fn has_hash(c: &Component, alg: HashAlg, hex: &str) -> bool {
    c.hashes.iter().any(|h| h.alg == alg && h.hex == hex)
}

#[test]
fn poetry_lock_made_by_poetry() {
    let p = project("python/poetry", "poetry.lock");
    assert_eq!(p.components.len(), 17, "16 locked packages and the project");
    let own = find(&p, "pkg:pypi/fixture-poetry@0.1.0");
    assert!(own.first_party);
    assert_eq!(own.licenses, vec!["MIT".to_owned()]);
    let requests = find(&p, "pkg:pypi/requests@2.31.0");
    assert!(requests.direct);
    assert_eq!(requests.scope, Scope::Runtime);
    assert!(has_hash(
        requests,
        HashAlg::Sha256,
        "942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1"
    ));
    assert_eq!(
        requests.source,
        Source::Registry {
            url: "https://pypi.org/simple".into()
        }
    );
    assert!(
        deps(requests).contains(&"pkg:pypi/idna@3.20"),
        "{:?}",
        deps(requests)
    );
    assert!(!find(&p, "pkg:pypi/idna@3.20").direct);
    let pytest = find(&p, "pkg:pypi/pytest@8.0.0");
    assert_eq!(pytest.scope, Scope::Dev);
    assert!(pytest.direct);
    assert_eq!(find(&p, "pkg:pypi/pyyaml@6.0.1").scope, Scope::Optional);
    assert!(deps(own).contains(&"pkg:pypi/pytest@8.0.0"));
}

#[test]
fn uv_lock_made_by_uv() {
    let p = project("python/uv", "uv.lock");
    assert_eq!(p.components.len(), 25);
    let own = find(&p, "pkg:pypi/fixture-uv@0.1.0");
    assert!(own.first_party);
    assert_eq!(own.source, Source::Path { path: ".".into() });
    let flask = find(&p, "pkg:pypi/flask@2.2.5");
    assert!(flask.direct);
    assert_eq!(flask.scope, Scope::Runtime);
    assert!(has_hash(
        flask,
        HashAlg::Sha256,
        "edee9b0a7ff26621bd5a8c10ff484ae28737a2410d99b0bb9a6850c7fb977aa0"
    ));
    assert!(deps(flask).contains(&"pkg:pypi/click@8.1.7"));
    // click: the `cli` extra (optional) and flask's dependency (runtime).
    let click = find(&p, "pkg:pypi/click@8.1.7");
    assert_eq!(click.scope, Scope::Runtime);
    assert!(click.direct);
    // h2 only through httpx[http2], which the project asks for.
    let h2 = find(&p, "pkg:pypi/h2@4.4.1");
    assert_eq!(h2.scope, Scope::Runtime);
    assert!(!h2.direct);
    let pytest = find(&p, "pkg:pypi/pytest@8.0.0");
    assert_eq!(pytest.scope, Scope::Dev);
    assert!(pytest.direct);
}

#[test]
fn pipfile_lock_made_by_pipenv() {
    let p = project("python/pipenv", "Pipfile.lock");
    assert_eq!(p.components.len(), 11);
    let django = find(&p, "pkg:pypi/django@4.2.7");
    assert_eq!(django.scope, Scope::Runtime);
    assert!(django.direct);
    assert_eq!(django.hashes.len(), 2);
    assert_eq!(
        django.source,
        Source::Registry {
            url: "https://pypi.org/simple".into()
        }
    );
    let cffi = find(&p, "pkg:pypi/cffi@2.1.1");
    assert_eq!(cffi.hashes.len(), 100);
    assert!(
        cffi.hashes
            .iter()
            .all(|h| h.alg == HashAlg::Sha256 && h.hex.len() == 64)
    );
    assert_eq!(find(&p, "pkg:pypi/pytest@8.0.0").scope, Scope::Dev);
    assert!(p.components.iter().all(|c| c.dependencies.is_empty()));
}

#[test]
fn go_mod_and_go_sum_written_after_the_format() {
    let p = project("go", "go.mod");
    // 26 required modules, the main one.
    assert_eq!(p.components.len(), 27);
    let main = find(&p, "pkg:golang/github.com/acme/orders");
    assert!(main.first_party);
    assert_eq!(main.dependencies.len(), 26);
    let gin = find(&p, "pkg:golang/github.com/gin-gonic/gin@v1.9.1");
    assert!(gin.direct);
    assert_eq!(gin.scope, Scope::Runtime);
    // h1:4idEAncQnU5cB7BeOkPtxjfCSye0AAm1R0RVIqJ+Jmg=
    assert!(has_hash(
        gin,
        HashAlg::Sha256,
        "e227440277109d4e5c07b05e3a43edc637c24b27b40009b547445522a27e2668"
    ));
    let validator = find(
        &p,
        "pkg:golang/github.com/go-playground/validator/v10@v10.14.1",
    );
    assert!(!validator.direct);
    assert_eq!(validator.name, "github.com/go-playground/validator/v10");
    assert_eq!(validator.hashes.len(), 1);
    // The replace: x/crypto v0.9.0 is v0.10.0, with v0.10.0's hash.
    assert!(p.components.iter().all(|c| c.version != "v0.9.0"));
    let crypto = find(&p, "pkg:golang/golang.org/x/crypto@v0.10.0");
    assert_eq!(crypto.hashes.len(), 1);
    let money = find(
        &p,
        "pkg:golang/github.com/acme/orders/internal/money@v0.0.0-00010101000000-000000000000",
    );
    assert_eq!(
        money.source,
        Source::Path {
            path: "./internal/money".into()
        }
    );
    assert!(money.hashes.is_empty());
}

#[test]
fn gemfile_lock_made_by_bundler() {
    let p = project("ruby", "Gemfile.lock");
    assert_eq!(p.components.len(), 16);
    let sinatra = find(&p, "pkg:gem/sinatra@3.0.5");
    assert!(sinatra.direct);
    assert_eq!(sinatra.scope, Scope::Runtime);
    assert_eq!(
        sinatra.source,
        Source::Registry {
            url: "https://rubygems.org/".into()
        }
    );
    assert_eq!(
        deps(sinatra),
        vec![
            "pkg:gem/mustermann@3.0.0",
            "pkg:gem/rack-protection@3.0.5",
            "pkg:gem/rack@2.2.22",
            "pkg:gem/tilt@2.0.11"
        ]
    );
    // rack: from sinatra, rack-protection and the path gem ledger.
    let rack = find(&p, "pkg:gem/rack@2.2.22");
    assert!(!rack.direct);
    let ledger = find(&p, "pkg:gem/ledger@0.3.0");
    assert!(ledger.direct && !ledger.first_party);
    assert_eq!(
        ledger.source,
        Source::Path {
            path: "vendor/gems/ledger".into()
        }
    );
    assert_eq!(deps(ledger), vec!["pkg:gem/rack@2.2.22"]);
    assert!(find(&p, "pkg:gem/rspec@3.12.0").direct);
    assert!(!find(&p, "pkg:gem/diff-lcs@1.5.0").direct);
}

#[test]
fn composer_lock_written_after_the_format() {
    let p = project("php", "composer.lock");
    assert_eq!(p.components.len(), 5, "four packages and the project");
    let own = find(&p, "pkg:composer/acme/invoicing");
    assert!(own.first_party);
    assert_eq!(own.licenses, vec!["proprietary".to_owned()]);
    assert_eq!(own.dependencies.len(), 3);
    let monolog = find(&p, "pkg:composer/monolog/monolog@3.5.0");
    assert!(monolog.direct);
    assert_eq!(monolog.scope, Scope::Runtime);
    assert_eq!(monolog.licenses, vec!["MIT".to_owned()]);
    assert_eq!(
        monolog.source,
        Source::Registry {
            url: "https://repo.packagist.org".into()
        }
    );
    assert_eq!(deps(monolog), vec!["pkg:composer/psr/log@3.0.0"]);
    // psr/log: from monolog, the path package and the dev package.
    let log = find(&p, "pkg:composer/psr/log@3.0.0");
    assert!(!log.direct);
    assert_eq!(log.scope, Scope::Runtime);
    let standard = find(&p, "pkg:composer/acme/coding-standard@2.1.4");
    assert_eq!(standard.scope, Scope::Dev);
    assert!(has_hash(
        standard,
        HashAlg::Sha1,
        "9f2d3c1b7e4a6f8d0c5b2a9e7d4c1f3b6a8e0d2c"
    ));
    assert_eq!(deps(standard), vec!["pkg:composer/psr/log@3.0.0"]);
    assert_eq!(
        find(&p, "pkg:composer/acme/shared-kernel@dev-main").source,
        Source::Path {
            path: "packages/shared-kernel".into()
        }
    );
}

#[test]
fn yarn_classic_lock_made_by_yarn_1() {
    let p = project("yarn-classic", "yarn.lock");
    assert_eq!(p.components.len(), 87, "86 packages and the project");
    let own = find(&p, "pkg:npm/fixture-yarn-classic@0.1.0");
    assert!(own.first_party);
    assert_eq!(own.licenses, vec!["MIT".to_owned()]);
    let express = find(&p, "pkg:npm/express@4.18.2");
    assert!(express.direct);
    assert_eq!(express.scope, Scope::Runtime);
    assert!(has_hash(
        express,
        HashAlg::Sha1,
        "3fabe08296e930c796c19e3c516979386ba9fd59"
    ));
    assert!(express.hashes.iter().any(|h| h.alg == HashAlg::Sha512));
    assert_eq!(
        express.source,
        Source::Registry {
            url: "https://registry.yarnpkg.com".into()
        }
    );
    // express keeps its own debug 2.6.9; the project's ^4.3.4 is 4.4.3.
    assert!(deps(express).contains(&"pkg:npm/debug@2.6.9"));
    assert!(deps(own).contains(&"pkg:npm/debug@4.4.3"));
    assert!(!find(&p, "pkg:npm/debug@2.6.9").direct);
    assert_eq!(find(&p, "pkg:npm/minimist@1.2.8").scope, Scope::Dev);
    assert_eq!(find(&p, "pkg:npm/ms@2.1.2").scope, Scope::Optional);
    assert_eq!(find(&p, "pkg:npm/ms@2.1.3").scope, Scope::Runtime);
    let frame = find(&p, "pkg:npm/%40babel/code-frame@7.22.13");
    assert!(frame.direct);
}

#[test]
fn yarn_berry_lock_made_by_yarn_4() {
    let p = project("yarn-berry", "yarn.lock");
    assert_eq!(p.components.len(), 87, "86 packages and the workspace");
    let own = find(&p, "pkg:npm/fixture-yarn-berry@0.1.0");
    assert!(own.first_party);
    assert_eq!(own.source, Source::Path { path: ".".into() });
    let express = find(&p, "pkg:npm/express@4.18.2");
    assert!(express.direct);
    assert_eq!(express.scope, Scope::Runtime);
    assert!(has_hash(
        express,
        HashAlg::Sha512,
        "75af556306b9241bc1d7bdd40c9744b516c38ce50ae3210658efcbf96e3aed4ab83b3432f06215eae5610c123bc4136957dc06e50dfc50b7d4d775af56c4c59c"
    ));
    assert!(deps(express).contains(&"pkg:npm/debug@2.6.9"));
    // Berry lists devDependencies with the others; package.json tells them apart.
    let minimist = find(&p, "pkg:npm/minimist@1.2.8");
    assert_eq!(minimist.scope, Scope::Dev);
    assert!(minimist.direct);
    assert_eq!(find(&p, "pkg:npm/ms@2.1.2").scope, Scope::Optional);
    assert_eq!(find(&p, "pkg:npm/ms@2.0.0").scope, Scope::Runtime);
}

#[test]
fn pnpm_lock_made_by_pnpm_9() {
    let p = project("pnpm", "pnpm-lock.yaml");
    assert_eq!(p.components.len(), 87, "86 packages and the project");
    let own = find(&p, "pkg:npm/fixture-pnpm@0.1.0");
    assert!(own.first_party);
    assert_eq!(own.licenses, vec!["MIT".to_owned()]);
    assert_eq!(own.dependencies.len(), 5);
    let express = find(&p, "pkg:npm/express@4.18.2");
    assert!(express.direct);
    assert_eq!(express.scope, Scope::Runtime);
    assert!(has_hash(express, HashAlg::Sha512, EXPRESS_SHA512));
    assert_eq!(
        express.source,
        Source::Registry {
            url: "https://registry.npmjs.org".into()
        }
    );
    assert!(deps(express).contains(&"pkg:npm/debug@2.6.9"));
    assert!(!find(&p, "pkg:npm/debug@2.6.9").direct);
    assert!(find(&p, "pkg:npm/debug@4.4.3").direct);
    assert_eq!(find(&p, "pkg:npm/minimist@1.2.8").scope, Scope::Dev);
    assert_eq!(find(&p, "pkg:npm/ms@2.1.2").scope, Scope::Optional);
    assert_eq!(find(&p, "pkg:npm/ms@2.1.3").scope, Scope::Runtime);
}

/// The SHA-512 of express 4.18.2's npm tarball (its `integrity`).
const EXPRESS_SHA512: &str = "e7f3ec2fa8863dd7d0fe528cd54ba27a5620bf7054a097f3d5a53053dbc767e27b832bf07505c510120421ac5e19fd0621cade013372044c6d6a58ac0dbb8ca9";

#[test]
fn pom_xml_with_its_parent_written_after_the_format() {
    let p = project("maven", "service/pom.xml");
    assert_eq!(p.components.len(), 10, "nine dependencies and the module");
    let own = find(&p, "pkg:maven/com.example.shop/shop-service@1.4.0-SNAPSHOT");
    assert!(own.first_party);
    assert_eq!(own.dependencies.len(), 9);
    // Managed by the parent, with the parent's property.
    let jackson = find(
        &p,
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2",
    );
    assert!(jackson.direct);
    assert_eq!(jackson.scope, Scope::Runtime);
    assert_eq!(
        jackson.source,
        Source::Registry {
            url: "https://repo.maven.apache.org/maven2".into()
        }
    );
    // Inherited from the parent.
    find(&p, "pkg:maven/org.slf4j/slf4j-api@2.0.9");
    find(&p, "pkg:maven/com.google.guava/guava@32.1.2-jre");
    find(&p, "pkg:maven/com.example.shop/shop-model@1.4.0-SNAPSHOT");
    assert_eq!(
        find(&p, "pkg:maven/org.postgresql/postgresql@42.6.0").scope,
        Scope::Optional
    );
    assert_eq!(
        find(&p, "pkg:maven/org.junit.jupiter/junit-jupiter@5.10.0").scope,
        Scope::Dev
    );
    find(
        &p,
        "pkg:maven/io.netty/netty-transport-native-epoll@4.1.97.Final?classifier=linux-x86_64",
    );
    assert_eq!(
        find(&p, "pkg:maven/org.apache.commons/commons-text").version,
        "",
        "an undefined property is not guessed"
    );
    let parent = project("maven", "pom.xml");
    assert_eq!(parent.components.len(), 2);
    let own = find(
        &parent,
        "pkg:maven/com.example.shop/shop-parent@1.4.0-SNAPSHOT",
    );
    assert_eq!(own.licenses, vec!["Apache-2.0".to_owned()]);
}

#[test]
fn gradle_lockfiles_written_after_the_format() {
    let p = project("gradle", "app/gradle.lockfile");
    assert_eq!(p.components.len(), 21);
    let guava = find(&p, "pkg:maven/com.google.guava/guava@32.1.2-jre");
    assert!(guava.direct);
    assert_eq!(guava.scope, Scope::Runtime);
    assert_eq!(guava.name, "com.google.guava:guava");
    assert_eq!(guava.source, Source::Unknown);
    assert_eq!(
        find(
            &p,
            "pkg:maven/org.junit.jupiter/junit-jupiter-engine@5.10.0"
        )
        .scope,
        Scope::Dev
    );
    // Compiled against, though not in the runtime classpath.
    assert_eq!(
        find(&p, "pkg:maven/com.google.j2objc/j2objc-annotations@2.8").scope,
        Scope::Runtime
    );
    let build = project("gradle", "app/buildscript-gradle.lockfile");
    assert_eq!(build.components.len(), 2);
    assert!(build.components.iter().all(|c| c.scope == Scope::Build));
    let legacy = project("gradle", "legacy/gradle/dependency-locks");
    assert_eq!(legacy.components.len(), 4);
    assert_eq!(
        find(&legacy, "pkg:maven/org.slf4j/slf4j-api@1.7.36").scope,
        Scope::Runtime
    );
    assert_eq!(
        find(&legacy, "pkg:maven/junit/junit@4.13.2").scope,
        Scope::Dev
    );
}

#[test]
fn dpkg_status_of_a_debian_root_file_system() {
    // notes/status is not dpkg's database: one project only.
    let inv = inventory(&materials("debian")).expect("inventory");
    assert_eq!(inv.projects.len(), 1);
    let p = project("debian", "rootfs/var/lib/dpkg/status");
    assert_eq!(p.components.len(), 11, "not the removed or half-configured");
    let libc = find(
        &p,
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&upstream=glibc",
    );
    assert_eq!(libc.version, "2.36-9+deb12u14");
    assert_eq!(libc.scope, Scope::Runtime);
    assert!(!libc.direct);
    assert_eq!(
        deps(libc),
        vec!["pkg:deb/debian/libgcc-s1@12.2.0-14%2Bdeb12u1?arch=amd64&upstream=gcc-12"]
    );
    let bash = find(
        &p,
        "pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&upstream=bash%405.2.15-2",
    );
    assert!(bash.direct);
    assert_eq!(bash.dependencies.len(), 4);
    // The epoch stays; only installed dependencies are edges.
    let ssh = find(
        &p,
        "pkg:deb/debian/openssh-client@1:9.2p1-2%2Bdeb12u6?arch=amd64&upstream=openssh",
    );
    assert_eq!(ssh.version, "1:9.2p1-2+deb12u6");
    assert_eq!(ssh.dependencies.len(), 3);
    // base-files pre-depends on awk, which mawk provides.
    let base = find(&p, "pkg:deb/debian/base-files@12.4%2Bdeb12u11?arch=amd64");
    assert_eq!(
        deps(base),
        vec!["pkg:deb/debian/mawk@1.3.4.20200120-3.1?arch=amd64"]
    );
    assert!(
        p.components
            .iter()
            .all(|c| c.name != "vim-tiny" && c.name != "tzdata")
    );
}

#[test]
fn site_packages_of_a_virtual_environment_made_by_pip() {
    let p = project("python-installed", "venv/lib/python3.11/site-packages");
    assert_eq!(p.components.len(), 7);
    let own = find(&p, "pkg:pypi/shop-api@0.3.0");
    assert!(own.first_party && !own.direct);
    assert_eq!(own.licenses, vec!["Apache-2.0".to_owned()]);
    assert_eq!(
        own.source,
        Source::Path {
            path: "/srv/shop-api".into()
        }
    );
    assert_eq!(deps(own), vec!["pkg:pypi/requests@2.34.2"]);
    let requests = find(&p, "pkg:pypi/requests@2.34.2");
    assert!(requests.direct);
    assert_eq!(requests.scope, Scope::Runtime);
    assert_eq!(requests.licenses, vec!["Apache-2.0".to_owned()]);
    assert_eq!(
        requests.source,
        Source::Registry {
            url: "https://pypi.org/simple".into()
        }
    );
    assert_eq!(
        deps(requests),
        vec![
            "pkg:pypi/certifi@2026.10.19.post1",
            "pkg:pypi/charset-normalizer@3.5.3",
            "pkg:pypi/idna@3.21",
            "pkg:pypi/urllib3@2.8.0"
        ]
    );
    let idna = find(&p, "pkg:pypi/idna@3.21");
    assert!(!idna.direct);
    assert_eq!(idna.licenses, vec!["BSD-3-Clause".to_owned()]);
    assert_eq!(
        find(&p, "pkg:pypi/certifi@2026.10.19.post1").licenses,
        vec!["MPL-2.0".to_owned()]
    );
    let tiny = p
        .components
        .iter()
        .find(|c| c.name == "tinyutil")
        .expect("tinyutil");
    assert!(tiny.direct);
    assert_eq!(tiny.licenses, vec!["MIT".to_owned()], "from the classifier");
    assert!(has_hash(
        tiny,
        HashAlg::Sha256,
        "9c1d6e1b3a0f5e2d7c4b8a6f0e3d2c1b5a4f7e6d9c8b0a1f2e3d4c5b6a7f8e9d"
    ));
    assert_eq!(
        tiny.source,
        Source::Url {
            url: "https://files.example.com/wheels/tinyutil-1.2.0-py3-none-any.whl".into()
        }
    );
}
