#!/usr/bin/env bash
# Measures `hindsight serve` under load: 10,000 generated postmortems with
# 50,000 action items, imported with the real `hindsight import`, then 32
# connections for 20 s on each of the incident list, a search, incident
# pages, the action items and, as the floor, the stylesheet. Prints a
# Markdown table and a pass/FAIL per goal.
#
# Run from the project root:
#
#   bench/web.sh [-keep] [webload flags: -n 10000 -items 5 -duration 20s -conns 32 ...]
#
# -keep leaves the work directory (binaries, corpus, database, server log)
# behind. The exit status is webload's: 1 when a goal is missed.
exec "$(dirname "$0")/load.sh" webload "$@"
