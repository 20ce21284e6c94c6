#!/usr/bin/env python3
"""tests/integration/rfc_citations.py - every RFC citation resolves.

Reads tests/rfc-sections.tsv (RFC number, section, title, taken from the
RFC text; section "-" stands for the RFC as a whole) and scans the
lessons, the docs, the README and the code (http net proxy origin client
repl, *.c and *.h: comments and the REPL's strings alike) for citations:

    RFC 9110 §11.7.2        RFC 9110, section 11.7.2     RFC 9110 section 11.7
    RFC 9112 Appendix C.2.2 Section 3.2.2 of RFC 9112    RFC 7617

A bare "§X" (as in "RFC 9110 §11.6.1, §11.7.1" or a table column
"(§15.5.2)") belongs to the RFC cited last before it in the same file.
Prints "ok - NAME" when every citation resolves, else one
"not ok - FILE:LINE: ..." line per citation that does not.
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TABLE = os.path.join(ROOT, "tests", "rfc-sections.tsv")
CODE_DIRS = ["http", "net", "proxy", "origin", "client", "repl"]
DOC_DIRS = ["lessons", "docs"]
DOC_EXT = (".md", ".lab", ".1", ".dot", ".py", ".c")

SECTION = r"([A-Z](?:\.[0-9]+)*|[0-9]+(?:\.[0-9]+)*)"
# One pattern, tried left to right; the named group says which form.  A
# citation may be wrapped across lines ("RFC\n9110 §11.4"), or across two
# C string literals ("... RFC "\n "9110 §11.4"): \s and '"' match there.
TOKEN = re.compile(
    r"(?P<secof>[Ss]ection\s+" + SECTION + r"\s+of\s+RFC\s*(?P<secof_rfc>[0-9]{3,5}))"
    r"|(?P<rfc>RFC(?:\s|\")*(?P<num>[0-9]{3,5}))"
    r"(?:(?:,?\s*§\s*|,?\s+[Ss]ection\s+|,?\s+Appendix\s+)" + SECTION + r")?"
    r"|(?P<bare>§\s*" + SECTION + r")"
    r"|(?P<appx>(?<![A-Za-z])Appendix\s+(?P<appx_sec>[A-Z](?:\.[0-9]+)*))")


# A document name right before a bare "§": not an RFC citation.
OTHER_DOC = re.compile(r"(?<![A-Za-z0-9-])(?!RFC)[A-Z][A-Za-z0-9-]*[0-9A-Z]\s*$")


def load_table():
    rows, errors = {}, []
    with open(TABLE, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 3 or not cols[0].isdigit() or not cols[2].strip():
                errors.append("%s:%d: want RFC<TAB>section<TAB>title: %r"
                              % (os.path.relpath(TABLE, ROOT), n, line))
                continue
            key = (cols[0], cols[1])
            if key in rows:
                errors.append("%s:%d: duplicate row RFC %s %s"
                              % (os.path.relpath(TABLE, ROOT), n, *key))
            rows[key] = cols[2]
    return rows, errors


def files():
    for d in CODE_DIRS:
        for dirpath, _, names in os.walk(os.path.join(ROOT, d)):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    yield os.path.join(dirpath, name)
    for d in DOC_DIRS:
        for dirpath, _, names in os.walk(os.path.join(ROOT, d)):
            for name in sorted(names):
                if name.endswith(DOC_EXT):
                    yield os.path.join(dirpath, name)
    yield os.path.join(ROOT, "README.md")


def citations(path):
    """Yield (line, rfc, section or '-', text) for every citation."""
    current = None
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read().replace("\\(sc", "§")  # groff's § in man pages
    starts = [0]  # offset of each line, to number the matches
    for i, c in enumerate(text):
        if c == "\n":
            starts.append(i + 1)

    def line_of(offset):
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    for m in TOKEN.finditer(text):
        g = m.groupdict()
        n = line_of(m.start())
        shown = " ".join(m.group(0).split())
        if g["secof"]:
            current = g["secof_rfc"]
            yield n, current, m.group(2).rstrip("."), shown
        elif g["rfc"]:
            current = g["num"]
            sec = m.group(6)
            yield n, current, sec.rstrip(".") if sec else "-", shown
        elif g["bare"]:
            # "C11 §7.1.4", "MS-NLMP §2.2": a section of another document
            if OTHER_DOC.search(text, max(0, m.start() - 24), m.start()):
                continue
            yield n, current, m.group(8).rstrip("."), shown
        elif g["appx"] and current is not None:
            # "Appendix C.2.2" after an RFC citation's text
            yield n, current, g["appx_sec"], shown


def main():
    rows, errors = load_table()
    for e in errors:
        print("not ok - rfc-sections.tsv parses: %s" % e)
    rfcs = {r for r, _ in rows}
    checked = bad = 0
    for path in files():
        if not os.path.isfile(path):
            continue
        rel = os.path.relpath(path, ROOT)
        for n, rfc, sec, text in citations(path):
            checked += 1
            if rfc is None:
                bad += 1
                print("not ok - %s:%d: '%s' follows no RFC number" % (rel, n, text))
            elif (rfc, sec) not in rows:
                bad += 1
                why = ("RFC %s is not in tests/rfc-sections.tsv" % rfc
                       if rfc not in rfcs else
                       "RFC %s has no section %s in tests/rfc-sections.tsv"
                       % (rfc, sec))
                print("not ok - %s:%d: '%s': %s" % (rel, n, text, why))
    if checked == 0:
        print("not ok - RFC citations found: none at all")
    elif bad == 0 and not errors:
        print("ok - all %d RFC citations resolve to tests/rfc-sections.tsv"
              % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
