"""python-tuf's client (ngclient) against a repository: refresh, then download targets.

    python tuf_client.py METADATA_DIR TRUSTED_ROOT METADATA_URL TARGETS_URL OUT_DIR [TARGET...]

Bootstraps METADATA_DIR from TRUSTED_ROOT on first use (python-tuf 7 takes the trusted
root as `bootstrap`). Exits 0 when every target was
found and downloaded, 1 otherwise (the exception is printed).
"""
import os
import sys

from tuf.ngclient import Updater


def main():
    md, root, meta_url, targets_url, out = sys.argv[1:6]
    targets = sys.argv[6:]
    os.makedirs(md, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    bootstrap = None
    if not os.path.exists(os.path.join(md, "root.json")):
        with open(root, "rb") as f:
            bootstrap = f.read()
    try:
        updater = Updater(md, meta_url, out, targets_url, bootstrap=bootstrap)
        updater.refresh()
        for name in targets:
            info = updater.get_targetinfo(name)
            if info is None:
                print(f"{name}: not found", file=sys.stderr)
                return 1
            if updater.find_cached_target(info) is None:
                updater.download_target(info)
    except Exception as e:  # noqa: BLE001 - report any failure as exit 1
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
