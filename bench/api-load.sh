#!/usr/bin/env bash
# Puts `hindsight serve` under a mixed load of readers and writers: 200
# clients for 60 s reading pages and the API, searching and updating action
# items (API PATCHes with an editor token and the edit form), against
# 10,000 generated postmortems imported with the real `hindsight import`.
# Prints a Markdown table (requests/s, p50/p95/p99 per kind, errors by
# status) and the checks: no failed request, no "database is locked"
# reaching a client or the log, every acknowledged update in the history,
# integrity_check ok. The exit status is apiload's: 1 when a check fails.
#
# Run from the project root:
#
#   bench/api-load.sh [-keep] [apiload flags: -n 10000 -clients 200 -duration 60s -cache DIR -fresh ...]
#   bench/api-load.sh -n 2000 -clients 50 -duration 10s     # the short run CI makes
#
# The imported database is cached (by -n and -seed) in
# ${TMPDIR:-/tmp}/hindsight-apiload unless -cache says otherwise, so only
# the first run of a size pays for the import. -keep leaves the work
# directory (binaries, database, server log) behind.
exec "$(dirname "$0")/load.sh" apiload "$@"
