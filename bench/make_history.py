#!/usr/bin/env python3
"""Generate a git repository with a long history for the secret-scanning benchmark.

    bench/make_history.py DIR [COMMITS] [FILES]

One branch, COMMITS commits (default 100,000); each changes one or two of FILES source
files (default 4,000, in 80 directories) with a few lines of code-like text. Every 2,000th
commit plants a credential of a well-known shape (AWS access key ID, GitHub token), later
removed again, so a history scanner has something to find that the last tree no longer
shows. Written with `git fast-import`, deterministic (fixed seed and dates).
"""
import os
import random
import subprocess
import sys

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
WORDS = ("config value handler request response client server token user item cache "
         "index buffer stream parse render update delete create fetch store").split()


def line(rng):
    kind = rng.randrange(4)
    a, b = rng.choice(WORDS), rng.choice(WORDS)
    if kind == 0:
        return f"def {a}_{b}(x, y):\n    return x + y * {rng.randrange(1000)}\n"
    if kind == 1:
        return f"{a.upper()}_{b.upper()} = \"{a}-{b}-{rng.randrange(10**6)}\"\n"
    if kind == 2:
        return f"# {a} {b}: sha256 {rng.getrandbits(256):064x}\n"
    return f"logger.info(\"{a} {b} %s\", {a}_{b})\n"


def content(rng, n_lines):
    return "".join(line(rng) for _ in range(n_lines))


def main():
    target = sys.argv[1]
    commits = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    files = int(sys.argv[3]) if len(sys.argv) > 3 else 4_000
    rng = random.Random(42)
    os.makedirs(target, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", target], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=target,
                            stdin=subprocess.PIPE)
    out = proc.stdin
    paths = [f"src/mod{i % 80:02d}/file{i:05d}.py" for i in range(files)]
    planted = 0
    t0 = 1_700_000_000
    for c in range(commits):
        changes = []
        if c < files // 20 or c == 0:
            # The first commits create the files, 20 per commit.
            for p in paths[c * 20:(c + 1) * 20]:
                changes.append((p, content(rng, 6)))
        else:
            for _ in range(1 + (rng.random() < 0.3)):
                changes.append((rng.choice(paths), content(rng, rng.randrange(3, 10))))
        if c > files // 20 and c % 2000 == 0:
            if planted % 2 == 0:
                secret = "AKIA" + "".join(rng.choice(UPPER) for _ in range(16))
                text = f"AWS_ACCESS_KEY_ID = \"{secret}\"\n"
            else:
                secret = "ghp_" + "".join(rng.choice(ALNUM) for _ in range(36))
                text = f"GITHUB_TOKEN = \"{secret}\"\n"
            planted += 1
            changes.append(("deploy/settings.py", text))
        elif c > files // 20 and c % 2000 == 1:
            changes.append(("deploy/settings.py", "GITHUB_TOKEN = os.environ['TOKEN']\n"))
        msg = f"change {c}\n".encode()
        out.write(b"commit refs/heads/main\n")
        out.write(f"committer Bench <bench@example.org> {t0 + c * 60} +0000\n".encode())
        out.write(b"data %d\n%s\n" % (len(msg), msg))
        for path, text in changes:
            data = text.encode()
            out.write(f"M 100644 inline {path}\n".encode())
            out.write(b"data %d\n%s\n" % (len(data), data))
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=target, check=True)
    print(f"{commits} commits, {files} files, {planted} planted credentials")


if __name__ == "__main__":
    main()
