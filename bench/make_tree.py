"""Generate a deterministic tree of files of mixed sizes for the in-toto benchmarks.

    python3 bench/make_tree.py DIR [--files 100000] [--total-gb 2]

Sizes follow a rough source-tree-plus-binaries mix: most files are small (1-16 KiB),
some medium (32-128 KiB), a few large; the large ones are scaled so the tree totals
about --total-gb. Content is pseudo-random (fixed seed), so hashes are stable
across runs and machines, and written with a fast generator so making the tree is quick.
"""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--total-gb", type=float, default=2.0)
    args = ap.parse_args()

    rng = random.Random(20261125)
    sizes = []
    for _ in range(args.files):
        r = rng.random()
        if r < 0.90:
            sizes.append(rng.randint(1 << 10, 16 << 10))
        elif r < 0.999:
            sizes.append(rng.randint(32 << 10, 128 << 10))
        else:
            sizes.append(-1)  # large, sized below
    small_total = sum(s for s in sizes if s > 0)
    large = sizes.count(-1) or 1
    remaining = max(int(args.total_gb * (1 << 30)) - small_total, 0)
    large_size = max(remaining // large, 1 << 20)
    sizes = [s if s > 0 else large_size for s in sizes]

    block = rng.randbytes(64 << 20)
    written = 0
    for i, size in enumerate(sizes):
        sub = os.path.join(args.dir, f"d{i % 100:02d}", f"e{(i // 100) % 10}")
        os.makedirs(sub, exist_ok=True)
        offset = (i * 7919) % (len(block) - min(size, len(block)) + 1)
        with open(os.path.join(sub, f"f{i:06d}.bin"), "wb") as f:
            left = size
            while left > 0:
                n = min(left, len(block) - offset)
                f.write(block[offset:offset + n])
                left -= n
                offset = 0
        written += size
    print(f"{len(sizes)} files, {written / (1 << 30):.2f} GiB in {args.dir}")


if __name__ == "__main__":
    main()
