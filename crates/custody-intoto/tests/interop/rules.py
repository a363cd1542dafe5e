"""Evaluate artifact rules and fnmatch patterns with python in-toto, one verdict per line.

usage: rules.py INPUT.jsonl OUTPUT.txt

Each input line is a JSON object with a "kind":

  {"kind": "rules", "item": NAME, "source_type": "materials" | "products",
   "rules": [[token, ...], ...],
   "links": {NAME: {"materials": {path: {alg: hex}}, "products": {...}}, ...}}

    The rules are first unpacked one by one with in_toto.rulelib.unpack_rule (as layout
    validation does), then verified with in_toto.verifylib.verify_item_rules against Link
    objects built from "links" (which holds the item's own link). Output, one line:
      format <i>                     rule i is malformed (FormatError)
      pass <json>                    verified; <json> is the sorted list of paths no rule
                                     consumed
      fail <i> <json>                rule i raised RuleVerificationError; <json> is the
                                     sorted list of offending paths for DISALLOW, or
                                     [path] for REQUIRE
      error <ExceptionName> <i>      rule i raised something else (KeyError, re.error)

  {"kind": "fnmatch", "pattern": PATTERN, "names": [NAME, ...]}

    Output: one character per name, "1" if fnmatch.fnmatch(name, pattern), else "0"
    (or "error <ExceptionName>").
"""

import fnmatch
import json
import sys

from securesystemslib.exceptions import FormatError

from in_toto import rulelib, verifylib
from in_toto.exceptions import RuleVerificationError
from in_toto.models.link import Link


def dumps(value):
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def run_rules(case):
    rules = case["rules"]
    for i, rule in enumerate(rules):
        try:
            rulelib.unpack_rule(rule)
        except FormatError:
            return f"format {i}"
    links = {
        name: Link(name=name, materials=link["materials"], products=link["products"])
        for name, link in case["links"].items()
    }
    item, source_type = case["item"], case["source_type"]
    initial = list(getattr(links[item], source_type).keys())
    try:
        verifylib.verify_item_rules(item, source_type, rules, links)
    except RuleVerificationError:
        trace = verifylib.RULE_TRACE["trace"]
        index = len(trace)
        queue = trace[-1]["queue"] if trace else initial
        data = rulelib.unpack_rule(rules[index])
        if data["rule_type"] == "disallow":
            offenders = sorted(fnmatch.filter(queue, data["pattern"]))
        else:
            offenders = [data["pattern"]]
        return f"fail {index} {dumps(offenders)}"
    except Exception as e:  # noqa: BLE001 -- any other exception fails verification too
        return f"error {type(e).__name__} {len(verifylib.RULE_TRACE['trace'])}"
    trace = verifylib.RULE_TRACE["trace"]
    queue = trace[-1]["queue"] if trace else initial
    return f"pass {dumps(sorted(queue))}"


def run_fnmatch(case):
    pattern = case["pattern"]
    try:
        return "".join("1" if fnmatch.fnmatch(n, pattern) else "0" for n in case["names"])
    except Exception as e:  # noqa: BLE001
        return f"error {type(e).__name__}"


src, dst = sys.argv[1], sys.argv[2]
# newline="\n": a line ends at LF only (JSON lines escape every CR and LF they contain).
with open(src, encoding="utf-8", newline="\n") as f, open(dst, "w", encoding="ascii") as out:
    for line in f:
        case = json.loads(line)
        if case["kind"] == "rules":
            out.write(run_rules(case) + "\n")
        else:
            out.write(run_fnmatch(case) + "\n")
