//! TUF metadata from untrusted bytes: parsing any role type never panics, and what parses
//! can be asked every question the client asks (delegations for a path, bin names).
#![no_main]

use custody_tuf::metadata::{self, RoleType, Root, Snapshot, Targets, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = metadata::parse::<Root>(data, RoleType::Root);
    let _ = metadata::parse::<Timestamp>(data, RoleType::Timestamp);
    let _ = metadata::parse::<Snapshot>(data, RoleType::Snapshot);
    if let Ok(targets) = metadata::parse::<Targets>(data, RoleType::Targets) {
        if let Some(d) = &targets.payload.delegations {
            for path in ["", "a", "a/b", "dir/file.txt", "../x", "é/?#"] {
                for (role, _) in d.roles_for_target(path) {
                    let _ = d.role_keys(&role);
                }
            }
        }
        if let Ok(entries) = targets.payload.targets.entries() {
            for (path, file) in entries {
                let _ = file.check(path, data);
            }
        }
    }
});
