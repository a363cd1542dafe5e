//! The files of an unpacked package.

use std::collections::BTreeSet;
use std::path::Path;

/// Every file under `root`, as `/`-separated relative paths, leaving out the top-level
/// directory `skip` (an npm package's own `node_modules`: other packages). A symbolic
/// link counts as a file: what a build reads through it is checked when it is hashed.
pub(crate) fn walk_files(
    root: &Path,
    skip: Option<&str>,
    out: &mut BTreeSet<String>,
) -> Result<(), String> {
    walk(root, root, skip, out)
}

fn walk(
    root: &Path,
    dir: &Path,
    skip: Option<&str>,
    out: &mut BTreeSet<String>,
) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let file_type = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let rel = path
            .strip_prefix(root)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let name = parts.join("/");
        if file_type.is_dir() {
            if dir == root && skip == Some(name.as_str()) {
                continue;
            }
            walk(root, &path, skip, out)?;
        } else {
            out.insert(name);
        }
    }
    Ok(())
}
