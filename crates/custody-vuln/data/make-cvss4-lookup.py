#!/usr/bin/env python3
"""Write cvss4-macrovectors.tsv: each CVSS v4.0 MacroVector (EQ1..EQ6 levels as six
digits) and the base score the CVSS v4.0 specification assigns it (FIRST's published
lookup table, as carried by Red Hat's `cvss` package on PyPI):

    pip install cvss==3.6 && make-cvss4-lookup.py
"""
from cvss import constants4

with open("cvss4-macrovectors.tsv", "w") as out:
    out.write("# CVSS v4.0 MacroVector (EQ1-EQ6) and its score; see make-cvss4-lookup.py.\n")
    for macro, score in sorted(constants4.CVSS_LOOKUP_GLOBAL.items()):
        out.write(f"{macro}\t{score}\n")
