//! What software is made of: lockfile and manifest readers that produce one component
//! model ([`component`]), the discovery of every project under a path ([`discover`]), and
//! deterministic SBOM documents ([`cyclonedx`]).

pub mod cargo;
pub mod component;
pub mod composer;
pub mod cyclonedx;
pub mod debian;
pub mod diff;
pub mod discover;
pub mod dist_info;
pub mod error;
pub mod golang;
pub mod gradle;
mod graph;
pub mod import;
pub mod maven;
pub mod npm;
pub mod pipenv;
pub mod pnpm;
pub mod poetry;
pub mod purl;
pub mod python;
pub mod ruby;
pub mod sources;
pub mod spdx;
pub mod uv;
pub mod validate;
mod yaml;
pub mod yarn;

pub use component::{Component, Ecosystem, Project, Scope, Source};
pub use discover::{Inventory, Problem, inventory, inventory_excluding};
pub use error::SbomError;
