// Command apiload puts `hindsight serve` under a mixed load of readers and
// writers, as a team's browsers and scripts would: -clients concurrent
// clients, each in a closed loop, pick among page views, API reads,
// searches and action item updates (API PATCHes and the edit form) for
// -duration against a database of -n generated postmortems, signed in with
// API tokens (HINDSIGHT_AUTH=token). It prints a Markdown table of
// requests/s and p50/p95/p99 latency per kind, the errors by status, and
// then checks that
//
//   - no request failed (any status but 2xx, or 303 after a form);
//   - "database is locked" (SQLITE_BUSY) never reached a client or the
//     server's log, and the server logged no error;
//   - every update a client was told succeeded is in the item's history,
//     once, and the database passes PRAGMA integrity_check.
//
// bench/api-load.sh builds and runs it:
//
//	apiload -hindsight BIN -work DIR [-n 10000] [-clients 200] [-duration 60s] [-cache DIR]
//
// The imported database is kept in -cache (keyed by -n and -seed) and
// copied for each run, so later runs skip the import. It exits 1 when a
// check fails, 2 on bad flags and 3 when the run itself fails.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

type options struct {
	hindsight, work, cache string
	n                      int
	seed                   int64
	clients                int
	duration, warmup       time.Duration
	fresh                  bool
}

func main() {
	var o options
	flag.StringVar(&o.hindsight, "hindsight", "", "the hindsight binary to load (required)")
	flag.StringVar(&o.work, "work", "", "an empty directory for the corpus, database and logs (required)")
	flag.StringVar(&o.cache, "cache", filepath.Join(os.TempDir(), "hindsight-apiload"), "directory keeping imported databases between runs; empty for none")
	flag.IntVar(&o.n, "n", 10000, "postmortems to generate and import")
	flag.Int64Var(&o.seed, "seed", 1, "seed of the generated corpus")
	flag.IntVar(&o.clients, "clients", 200, "concurrent clients, each with its own connection")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long to measure")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured load before the measured run")
	flag.BoolVar(&o.fresh, "fresh", false, "import again even when the cache holds a database")
	flag.Parse()
	if o.hindsight == "" || o.work == "" || o.n < 1 || o.clients < 1 || o.duration <= 0 || o.warmup < 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(3)
	}
	if !ok {
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "apiload: "+format+"\n", args...)
}

func run(ctx context.Context, o options) (bool, error) {
	h := &hindsight{bin: o.hindsight, db: filepath.Join(o.work, "hindsight.db"), home: filepath.Join(o.work, "home")}
	empty := filepath.Join(o.work, "empty")
	for _, d := range []string{h.home, empty} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return false, err
		}
	}
	if err := prepareDB(ctx, h, o); err != nil {
		return false, err
	}
	editor, err := h.token(ctx, "editor", "apiload editor")
	if err != nil {
		return false, err
	}
	viewer, err := h.token(ctx, "viewer", "apiload viewer")
	if err != nil {
		return false, err
	}

	logPath := filepath.Join(o.work, "serve.log")
	srv, err := h.serve(ctx, empty, logPath)
	if err != nil {
		return false, err
	}
	defer srv.Stop()

	tg, err := discover(ctx, srv.Base, viewer)
	if err != nil {
		return false, err
	}
	logf("%d incidents, %d action items to update, search words %v", len(tg.incidents), len(tg.items), tg.words)

	l := &loader{base: srv.Base, viewer: viewer, editor: editor, targets: tg, seed: o.seed}
	if err := l.connect(ctx, o.clients); err != nil {
		return false, err
	}
	if o.warmup > 0 {
		l.run(ctx, o.warmup)
		logf("warmed up for %v", o.warmup)
	}
	load1 := loadavg()
	st := l.run(ctx, o.duration)
	load2 := loadavg()
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	hwm := peakRSS(srv.Pid())
	srv.Stop()

	rep := report{opts: o, incidents: len(tg.incidents), stats: st, load: [2]string{load1, load2}, peakRSS: hwm}
	rep.serverLog, err = scanLog(logPath)
	if err != nil {
		return false, err
	}
	rep.history, err = checkHistory(ctx, h.db, l.written(), []string{"apiload editor"})
	if err != nil {
		return false, err
	}
	return rep.print(os.Stdout), nil
}
