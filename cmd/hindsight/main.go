// Command hindsight imports incident postmortems into SQLite, checks and
// exports them, and serves them on the web. main.go holds the global flags,
// the logger and the dispatch; each subcommand has a file of its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/alecthomas/kong"
	"golang.org/x/term"

	"github.com/hindsight-dev/hindsight/internal/metrics"
)

// cli is the command line: global flags, accepted before or after the
// subcommand, and the subcommands. Every flag of substance has a
// HINDSIGHT_* environment variable.
type cli struct {
	DB          string     `name:"db" env:"HINDSIGHT_DB" default:"./hindsight.db" placeholder:"PATH" help:"SQLite database file, created if absent (default ${default})."`
	Timezone    string     `env:"HINDSIGHT_TIMEZONE" placeholder:"ZONE" help:"Zone label (UTC, BST, Europe/London) for timeline times in documents that name none; unset leaves such times without an offset."`
	DateOrder   string     `env:"HINDSIGHT_DATE_ORDER" enum:"day,month," default:"" placeholder:"day|month" help:"How to read ambiguous numeric dates such as 03/04/2024 when the document does not say; unset reads day first and warns."`
	MaxFileSize byteSize   `env:"HINDSIGHT_MAX_FILE_SIZE" default:"10MiB" placeholder:"SIZE" help:"Largest document read, as 10MiB, 512KiB or bytes (default ${default})."`
	LogLevel    slog.Level `env:"HINDSIGHT_LOG_LEVEL" default:"info" placeholder:"LEVEL" help:"Log level: debug, info, warn or error (default ${default})."`

	Serve       serveCmd       `cmd:"" help:"Import ./postmortems and serve the web interface."`
	Import      importCmd      `cmd:"" help:"Import postmortem files and directories into the database."`
	Parse       parseCmd       `cmd:"" help:"Print one postmortem as JSON."`
	Lint        lintCmd        `cmd:"" help:"Check postmortem files without storing them."`
	Export      exportCmd      `cmd:"" help:"Write every stored postmortem as JSON or Markdown."`
	People      peopleCmd      `cmd:"" help:"Import or export the people directory as CSV."`
	Sync        syncCmd        `cmd:"" help:"Sync action items with Jira."`
	Nudge       nudgeCmd       `cmd:"" help:"Remind owners of open action items on Slack, and escalate."`
	Token       tokenCmd       `cmd:"" help:"Create, list and revoke API tokens for HINDSIGHT_AUTH=token."`
	Backup      backupCmd      `cmd:"" help:"Copy the database, consistently, while it is in use."`
	Migrate     migrateCmd     `cmd:"" help:"Bring the database schema up to date."`
	Healthcheck healthcheckCmd `cmd:"" help:"Ask a running server whether it is healthy."`
	Version     versionCmd     `cmd:"" help:"Print the version."`
}

// app is what every subcommand's Run receives.
type app struct {
	*cli
	ctx    context.Context
	logger *slog.Logger
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stderrTerminal is set when stderr is a terminal (progress bars).
	stderrTerminal bool
	// metrics is set by serve; the clients it builds count their calls
	// there (see callTransport).
	metrics *metrics.Metrics
	// background holds serve's Jira and Slack loops, waited for at exit.
	background sync.WaitGroup
}

// errReported ends a command with exit status 1 after it has printed its
// own messages.
var errReported = errors.New("failures reported")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the first signal shuts down gracefully; a second one kills
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitCode carries kong's requested exit (after --help) out of Parse.
type exitCode int

// run is the whole program with its inputs explicit, for tests: it parses
// args, runs the subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	var c cli
	parser, err := kong.New(&c,
		kong.Name("hindsight"),
		kong.Description("Hindsight turns incident postmortems into structured data and follows their action items to done."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitCode(code)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		fmt.Fprintln(stderr, "hindsight:", err)
		return 2
	}
	defer func() {
		if v := recover(); v != nil {
			ec, ok := v.(exitCode)
			if !ok {
				panic(v)
			}
			code = int(ec)
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "hindsight: %s\n", err)
		return 2
	}
	terminal := isTerminal(stderr)
	a := &app{cli: &c, ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, stderrTerminal: terminal,
		logger: newLogger(stderr, terminal, c.LogLevel)}
	if err := kctx.Run(a); err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintf(stderr, "hindsight: %s\n", err)
		}
		return 1
	}
	return 0
}

// newLogger returns the one logger: text for people at a terminal, JSON
// for log collectors otherwise.
func newLogger(w io.Writer, terminal bool, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if terminal {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
