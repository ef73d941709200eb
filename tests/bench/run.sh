#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# make bench: run the benchmarks and write their tables into
# Documentation/performance.rst between ".. BEGIN name" / ".. END name"
# markers.  Figures only; nothing here passes or fails on speed.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
DOC=Documentation/performance.rst

replace_section() {	# replace_section NAME FILE
	/usr/bin/python3 - "$DOC" "$1" "$2" <<'PY'
import sys
doc, name, body = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
s = open(doc).read()
b, e = ".. BEGIN %s\n" % name, ".. END %s\n" % name
i, j = s.index(b) + len(b), s.index(e)
open(doc, "w").write(s[:i] + "\n" + body + "\n" + s[j:])
PY
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$B/tests/bench_classes" "${BENCH_REPEAT:-200000}" | tee "$out"
replace_section bench_classes "$out"
echo "bench: wrote $DOC"
