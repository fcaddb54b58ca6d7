#!/usr/bin/env bash
# Builds hindsight and one of the load tools under bench/cmd into a work
# directory and runs the tool on that binary; api-load.sh and web.sh call
# it. Run from the project root:
#
#   bench/load.sh TOOL [-keep] [TOOL's flags]
#
# -keep leaves the work directory (binaries, corpus, database, server log)
# behind. The exit status is the tool's: 1 when a goal or check fails.
set -euo pipefail

tool=${1:?usage: bench/load.sh TOOL [-keep] [flags]}
shift
keep=0
args=()
for a in "$@"; do
	if [ "$a" = -keep ]; then keep=1; else args+=("$a"); fi
done

if [ ! -f go.mod ] || [ ! -d cmd/hindsight ] || [ ! -d "bench/cmd/$tool" ]; then
	echo "load.sh: run from the project root with a tool of bench/cmd" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hindsight-$tool.XXXXXX")
if [ "$keep" = 1 ]; then
	echo "load.sh: work directory $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

go build -o "$work/hindsight" ./cmd/hindsight
go build -o "$work/$tool" "./bench/cmd/$tool"
"$work/$tool" -hindsight "$work/hindsight" -work "$work" ${args[@]+"${args[@]}"}
