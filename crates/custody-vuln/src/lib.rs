//! Known vulnerabilities, offline: advisories from RustSec and OSV data ([`db`]), version
//! ordering per ecosystem ([`version`]), matching an inventory of components ([`scan`]),
//! and CVSS severity ([`cvss`]).

pub mod advisory;
pub mod compiled;
pub mod cvss;
pub mod cvss4;
pub mod db;
pub mod error;
pub mod ignore;
pub mod ordering;
pub mod osv;
pub mod pep440;
pub mod rustsec;
pub mod scan;
pub mod version;

pub use db::Database;
pub use error::VulnError;
pub use scan::{Finding, Report, Undecided, scan};
