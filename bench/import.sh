#!/usr/bin/env bash
# Measures `hindsight import` on the generated benchmark corpus: a first
# import into a fresh SQLite file, a re-import of the unchanged corpus, and
# a re-import after editing 1% of the files. Prints a Markdown table.
#
# Run from the project root:
#
#   bench/import.sh [-n DOCS] [-seed SEED] [-keep]
#
# -keep leaves the work directory (binaries, corpus, database, logs) behind.
# Peak RSS comes from bench/cmd/peakrss (getrusage of the child), so nothing
# needs installing.
set -euo pipefail

n=10000
seed=1
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-seed) seed=$2; shift 2 ;;
	-keep) keep=1; shift ;;
	*) echo "usage: bench/import.sh [-n DOCS] [-seed SEED] [-keep]" >&2; exit 2 ;;
	esac
done

if [ ! -f go.mod ] || [ ! -d cmd/hindsight ] || [ ! -d bench ]; then
	echo "import.sh: run from the project root" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hindsight-bench.XXXXXX")
if [ "$keep" = 1 ]; then
	echo "import.sh: work directory $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

# Keep the run hermetic: no user configuration, no HINDSIGHT_* settings.
mkdir -p "$work/home"
export HOME="$work/home"
while read -r v; do unset "$v"; done < <(compgen -e | grep '^HINDSIGHT_' || true)

go build -o "$work/hindsight" ./cmd/hindsight
go build -o "$work/peakrss" ./bench/cmd/peakrss
go build -o "$work/gencorpus" ./bench/cmd/gencorpus
"$work/gencorpus" -n "$n" -seed "$seed" -out "$work/corpus"
docs=$(find "$work/corpus" -type f | wc -l)
db="$work/hindsight.db"

# measure NAME runs one import and sets secs, rss_mb and summary.
measure() {
	local log="$work/$1.log" usage="$work/$1.rusage"
	"$work/peakrss" -o "$usage" -- "$work/hindsight" import --db "$db" "$work/corpus" >"$log" 2>&1 || true
	if [ ! -s "$usage" ]; then
		echo "import.sh: $1: could not run hindsight import" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	local exit
	secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$usage")
	rss_mb=$(sed -n 's/.*maxrss_kb=\([0-9-]*\).*/\1/p' "$usage" | awk '{ printf "%.1f", $1 / 1024 }')
	exit=$(sed -n 's/.*exit=\([0-9-]*\).*/\1/p' "$usage")
	summary=$(grep -Eo 'imported [0-9]+, updated [0-9]+, unchanged [0-9]+, failed [0-9]+' "$log" | tail -n 1 || true)
	if [ -z "$summary" ]; then
		echo "import.sh: $1: no 'imported N, updated U, unchanged K, failed F' line (exit $exit); last lines:" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	if [ "$exit" != 0 ]; then
		summary="$summary (exit $exit)"
	fi
}

rate() { awk -v d="$docs" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? d / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

measure first
first_secs=$secs first_rss=$rss_mb first_summary=$summary

measure again
again_secs=$secs again_rss=$rss_mb again_summary=$summary

# Edit every hundredth file (1%): append a line, which changes its size,
# its bytes and its last section.
edited=0
while read -r f; do
	printf '\nReviewed again after the quarterly incident review.\n' >>"$f"
	edited=$((edited + 1))
done < <(find "$work/corpus" -type f | LC_ALL=C sort | awk 'NR % 100 == 1')

measure edited
edited_secs=$secs edited_rss=$rss_mb edited_summary=$summary

max_rss=$(printf '%s\n' "$first_rss" "$again_rss" "$edited_rss" | sort -g | tail -n 1)
first_rate=$(rate "$first_secs")
speedup=$(ratio "$first_secs" "$again_secs")
pass() { if awk "BEGIN { exit !($1) }"; then echo pass; else echo FAIL; fi; }

cpu=$(grep -m 1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)
echo "hindsight import, $docs docs (seed $seed), $(go env GOVERSION), $(nproc 2>/dev/null || echo '?') CPUs ${cpu:+($cpu)}, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| run | docs | seconds | docs/s | speed-up | peak RSS MB | result |"
echo "|---|---:|---:|---:|---:|---:|---|"
echo "| first import | $docs | $first_secs | $first_rate | 1.0x | $first_rss | $first_summary |"
echo "| re-import, unchanged | $docs | $again_secs | $(rate "$again_secs") | ${speedup}x | $again_rss | $again_summary |"
echo "| re-import, $edited edited | $docs | $edited_secs | $(rate "$edited_secs") | $(ratio "$first_secs" "$edited_secs")x | $edited_rss | $edited_summary |"
echo
echo "Goals: first import >= 5,000 docs/s: $(pass "$first_rate >= 5000") ($first_rate);" \
	"unchanged re-import >= 10x faster: $(pass "$speedup >= 10") (${speedup}x);" \
	"peak RSS < 150 MB: $(pass "$max_rss < 150") ($max_rss MB)"
