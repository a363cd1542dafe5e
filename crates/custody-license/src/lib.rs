//! Licenses of dependencies (MAT-8): the declared license of every component, read as an
//! SPDX expression (`MIT OR Apache-2.0`, `GPL-2.0-or-later WITH Classpath-exception-2.0`),
//! evaluated against a policy of allowed and denied licenses and license categories
//! (the ScanCode LicenseDB's: Permissive, Copyleft, Copyleft Limited, …).
//!
//! ```
//! use custody_license::{LicensePolicy, Verdict};
//! let policy = LicensePolicy {
//!     deny_categories: vec!["Copyleft".into()],
//!     ..LicensePolicy::default()
//! };
//! assert!(matches!(policy.judge(&["MIT OR GPL-3.0-only".to_owned()]), Verdict::Allowed { .. }));
//! assert!(matches!(policy.judge(&["GPL-3.0-only".to_owned()]), Verdict::Denied { .. }));
//! ```

pub mod cargo_metadata;
pub mod categories;
pub mod policy;
pub mod scan;
pub mod texts;

pub use policy::{LicensePolicy, Unknown, Verdict};
pub use scan::{LicenseFinding, LicenseReport, scan};
