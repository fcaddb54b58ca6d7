// Package sqlite is Hindsight's store: postmortems, their action items and
// the tracking state that survives re-imports, in one SQLite file opened
// through modernc.org/sqlite.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	modernc "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultBusyTimeout is how long a statement waits for another connection
// or process to release the database before failing as unavailable.
const DefaultBusyTimeout = 5 * time.Second

// DB is an open Hindsight database. It is safe for concurrent use.
//
// It keeps two pools on the file: readers, several connections kept open
// (a new SQLite connection has to read the schema again), and the writer,
// one connection that every write transaction of this process takes in
// turn. SQLite lets one writer in at a time anyway; waiting for the
// writer connection in Go, in order and within the request's deadline,
// replaces waiting in SQLite's busy handler, which polls and sleeps and
// under many concurrent writers let some wait past busy_timeout and fail
// as "database is locked". busy_timeout still bounds the wait for
// another process's write.
type DB struct {
	db     *sql.DB // readers
	writer *sql.DB // the one write connection; the readers too when read-only
	path   string
	now    func() time.Time
	cache  readCache
}

type config struct {
	busyTimeout  time.Duration
	maxPageCount int64
	readOnly     bool
}

// Option changes how Open opens the database.
type Option func(*config)

// BusyTimeout sets how long statements wait for a lock held elsewhere;
// the default is DefaultBusyTimeout.
func BusyTimeout(d time.Duration) Option {
	return func(c *config) { c.busyTimeout = d }
}

// ReadOnly opens the database for reading only: the file must exist, it
// is opened read-only with query_only set on every connection, nothing
// (not even the journal mode) is changed, and every write fails as
// unavailable with a message saying the database is read-only. For
// serving a replica or a backup copy.
func ReadOnly() Option {
	return func(c *config) { c.readOnly = true }
}

// MaxPageCount caps the database at n pages (SQLite's max_page_count), so
// that a write needing more fails as it would on a full disk. Tests use
// it; a cap below the current size leaves the file at its current size.
func MaxPageCount(n int64) Option {
	return func(c *config) { c.maxPageCount = n }
}

// Open opens the SQLite database at path, creating the file (but not its
// directory) when it does not exist. Every pooled connection gets WAL
// journaling, foreign keys, a busy timeout and synchronous=NORMAL, and
// write transactions take the write lock when they begin. Open refuses a
// database whose schema is newer than this build knows; call Migrate to
// bring an older one up to date.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	cfg := config{busyTimeout: DefaultBusyTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	if path == "" {
		return nil, postmortem.Errorf(postmortem.EInvalid, "no database path given")
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, postmortem.Errorf(postmortem.EInvalid, "database directory %s does not exist", dir)
		}
		return nil, &postmortem.Error{Code: postmortem.EUnavailable, Message: fmt.Sprintf("cannot open database directory %s", dir), Err: err}
	} else if !fi.IsDir() {
		return nil, postmortem.Errorf(postmortem.EInvalid, "database directory %s is not a directory", dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, postmortem.Errorf(postmortem.EInvalid, "database path %s is a directory", path)
	} else if errors.Is(err, os.ErrNotExist) && cfg.readOnly {
		return nil, postmortem.Errorf(postmortem.EInvalid, "database %s does not exist; read-only mode never creates one", path)
	}

	readers, err := sql.Open("sqlite", dsn(path, cfg))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	readers.SetMaxOpenConns(maxReaders)
	readers.SetMaxIdleConns(maxReaders)
	d := &DB{db: readers, writer: readers, path: path, now: time.Now}
	if !cfg.readOnly {
		if d.writer, err = sql.Open("sqlite", dsn(path, cfg)); err != nil {
			readers.Close()
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		d.writer.SetMaxOpenConns(1)
		d.writer.SetMaxIdleConns(1)
	}
	if err := d.check(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// maxReaders bounds the reading connections, which all stay open between
// requests. Bounded, because queries run on the CPU: past a few per core
// more only slow one another down, and the transaction holding the
// writer with them, so requests beyond wait for a connection, within
// their deadline. Kept open, because database/sql's default keeps 2 and
// opening one costs the pragmas and reading the schema again, which under
// load was most of a cheap request. Each caches up to 2 MB of pages.
var maxReaders = max(16, 8*runtime.GOMAXPROCS(0))

// dsn builds a modernc.org/sqlite URI for path. Characters that SQLite's
// URI parser treats specially are escaped; the _pragma and _txlock keys
// are read by the driver on every new connection. Read-only, the file is
// opened with mode=ro and query_only, and its journal mode is left as it
// is (WAL or not), since setting it would write.
func dsn(path string, cfg config) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	s := fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", esc, cfg.busyTimeout.Milliseconds())
	if cfg.readOnly {
		return s + "&mode=ro&_pragma=query_only(1)"
	}
	s += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if cfg.maxPageCount > 0 {
		s += fmt.Sprintf("&_pragma=max_page_count(%d)", cfg.maxPageCount)
	}
	return s
}

// check connects once, which applies the pragmas and so reads the file
// header, and refuses a schema newer than the embedded migrations.
func (d *DB) check(ctx context.Context) error {
	if err := d.db.PingContext(ctx); err != nil {
		return d.wrap("open database", err)
	}
	if err := d.writer.PingContext(ctx); err != nil {
		return d.wrap("open database", err)
	}
	current, latest, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	return d.refuseNewer(current, latest)
}

func (d *DB) refuseNewer(current, latest int) error {
	if current > latest {
		return postmortem.Errorf(postmortem.EInvalid,
			"database schema version %d is newer than this hindsight (%d); upgrade hindsight (database %s)",
			current, latest, d.path)
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error {
	d.cache.close()
	err := d.db.Close()
	if d.writer != d.db {
		err = errors.Join(err, d.writer.Close())
	}
	return err
}

// ReadOnly reports whether the database was opened with ReadOnly.
func (d *DB) ReadOnly() bool { return d.writer == d.db }

// Path returns the file the database was opened from.
func (d *DB) Path() string { return d.path }

// wrap turns SQLite's lock and file-format errors into *postmortem.Error
// values that name the database, and prefixes anything else with op. An
// error that already is a *postmortem.Error passes through unchanged.
func (d *DB) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *postmortem.Error
	if errors.As(err, &pe) {
		return err
	}
	var se *modernc.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &postmortem.Error{
				Code:    postmortem.EUnavailable,
				Message: fmt.Sprintf("database %s is locked: another process holds it; try again when it has finished", d.path),
				Err:     err,
			}
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return &postmortem.Error{
				Code:    postmortem.EInvalid,
				Message: fmt.Sprintf("%s is not a valid SQLite database", d.path),
				Err:     err,
			}
		case sqlite3.SQLITE_FULL:
			return &postmortem.Error{
				Code:    postmortem.EUnavailable,
				Message: fmt.Sprintf("database %s is full: the disk has no room left for this change, which was not made; free some space and try again", d.path),
				Err:     err,
			}
		case sqlite3.SQLITE_READONLY:
			return &postmortem.Error{
				Code:    postmortem.EUnavailable,
				Message: fmt.Sprintf("database %s is read-only: changes are refused (a server started with --read-only, or a file that cannot be written)", d.path),
				Err:     err,
			}
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_IOERR:
			return &postmortem.Error{
				Code:    postmortem.EUnavailable,
				Message: fmt.Sprintf("cannot use database %s", d.path),
				Err:     err,
			}
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// stamp formats t as the store's timestamps: RFC 3339, UTC, seconds.
func stamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
