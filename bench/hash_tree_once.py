"""The floor for recording a tree: read and SHA-256 every file once, on one core, with
OpenSSL's SHA-NI code (python's hashlib) and 256 KiB reads, nothing else.

    python3 bench/hash_tree_once.py DIR

Prints the file count and bytes. bench/intoto_run.sh times it next to the recorders: a
recorder that hashes each file once cannot beat this divided by the number of cores.
"""
import hashlib
import os
import sys


def main():
    files = size = 0
    for dirpath, _dirs, names in os.walk(sys.argv[1]):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                h = hashlib.sha256()
                while chunk := f.read(262144):
                    h.update(chunk)
                    size += len(chunk)
            files += 1
    print(files, size)


if __name__ == "__main__":
    main()
