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
type DB struct {
	db    *sql.DB
	path  string
	now   func() time.Time
	cache readCache
}

type config struct {
	busyTimeout time.Duration
}

// Option changes how Open opens the database.
type Option func(*config)

// BusyTimeout sets how long statements wait for a lock held elsewhere;
// the default is DefaultBusyTimeout.
func BusyTimeout(d time.Duration) Option {
	return func(c *config) { c.busyTimeout = d }
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
	}

	db, err := sql.Open("sqlite", dsn(path, cfg))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	d := &DB{db: db, path: path, now: time.Now}
	if err := d.check(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// dsn builds a modernc.org/sqlite URI for path. Characters that SQLite's
// URI parser treats specially are escaped; the _pragma and _txlock keys
// are read by the driver on every new connection.
func dsn(path string, cfg config) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)"+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate",
		esc, cfg.busyTimeout.Milliseconds())
}

// check connects once, which applies the pragmas and so reads the file
// header, and refuses a schema newer than the embedded migrations.
func (d *DB) check(ctx context.Context) error {
	if err := d.db.PingContext(ctx); err != nil {
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
	return d.db.Close()
}

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
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL:
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
