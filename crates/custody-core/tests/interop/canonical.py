"""Canonicalise JSON lines with securesystemslib, one hex line out per line in.

usage: canonical.py INPUT.jsonl OUTPUT.hex

Each input line is parsed with json.loads and encoded with
securesystemslib.formats.encode_canonical; the output line is the hex of its UTF-8
bytes, or "ERROR <reason>" when securesystemslib refuses the value (floats).
"""

import json
import sys

from securesystemslib.exceptions import FormatError
from securesystemslib.formats import encode_canonical

src, dst = sys.argv[1], sys.argv[2]
# newline="\n": a line ends at LF only (JSON lines escape every CR and LF they contain).
with open(src, encoding="utf-8", newline="\n") as f, open(dst, "w", encoding="ascii") as out:
    for line in f:
        value = json.loads(line)
        try:
            text = encode_canonical(value)
        except FormatError as e:
            out.write("ERROR " + " ".join(str(e).split())[:200] + "\n")
            continue
        out.write(text.encode("utf-8").hex() + "\n")
