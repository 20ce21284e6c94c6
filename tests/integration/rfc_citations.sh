#!/usr/bin/env bash
# tests/integration/rfc_citations.sh - every "RFC NNNN §X" in the lessons,
# the docs and the code names a section listed in tests/rfc-sections.tsv,
# whose titles are taken from the RFC texts.
. "$(dirname "$0")/lib.sh"

need python3 "RFC citations resolve" || exit 0
python3 tests/integration/rfc_citations.py
