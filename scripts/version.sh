#!/bin/sh
# Prints the version stamped into the binary: `git describe` of the nearest
# v* tag (v0.2.0, or v0.2.0-5-g1a2b3c4d5e6f five commits after it), and
# before any tag v0.0.0-N-gHASH (N commits in the history); -dirty with
# uncommitted changes; "dev" outside git.
cd "$(dirname "$0")/.." || exit 1
if v=$(git describe --tags --match 'v[0-9]*' --abbrev=12 --dirty 2>/dev/null); then
	echo "$v"
elif h=$(git rev-parse --short=12 HEAD 2>/dev/null); then
	d=
	git diff --quiet HEAD -- 2>/dev/null || d=-dirty
	echo "v0.0.0-$(git rev-list --count HEAD)-g$h$d"
else
	echo dev
fi
