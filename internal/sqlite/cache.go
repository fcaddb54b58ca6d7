package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"sync"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// readCache keeps the results of the reads that aggregate the whole
// database, the filter facets and the action item counts, which every
// list page shows, until the data changes. It learns of changes from
// SQLite's data_version, asked on a connection of its own that never
// writes: the number changes whenever any other connection, of this
// process or of another (a `hindsight import` beside `serve`), commits.
type readCache struct {
	mu   sync.Mutex
	conn *sql.Conn // opened on first use; nil again after a failure
	// conns counts the connections opened: data_version is a number of
	// one connection's, which a new one may start again from.
	conns  uint64
	facets cached[Facets]
	counts cached[itemCounts]
}

// cached is one cached result, for the data version and key it was read at.
type cached[T any] struct {
	ok      bool
	version uint64
	key     string
	value   T
}

type itemCounts struct{ open, overdue, orphaned int }

// version returns the database's data version, or ok false when it cannot
// be read, in which case nothing is cached. It is SQLite's data_version
// with the number of the cache's connection above it, so that a new
// connection, whose data_version may start again from where an earlier
// one's was, never repeats an earlier version.
func (c *readCache) version(ctx context.Context, db *sql.DB) (v uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		conn, err := db.Conn(ctx)
		if err != nil {
			return 0, false
		}
		c.conn = conn
		c.conns++
	}
	var dv int64
	if err := c.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&dv); err != nil {
		c.conn.Close()
		c.conn = nil
		return 0, false
	}
	return c.conns<<40 | uint64(dv)&(1<<40-1), true
}

// DataVersion returns a number that changes whenever the data changes:
// after every commit of this process's or of another process's on the
// database file. Equal numbers from one DB mean unchanged data; the
// number says nothing else (it is not a count of changes). For caches
// of what is read from the database, such as the web pages'.
func (d *DB) DataVersion(ctx context.Context) (uint64, error) {
	v, ok := d.cache.version(ctx, d.db)
	if !ok {
		return 0, &postmortem.Error{Code: postmortem.EUnavailable, Message: "cannot read the database's data version"}
	}
	return v, nil
}

func (c *readCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// through returns slot's value when it was read at the current data
// version under key, and otherwise reads it with read and keeps it. The
// version is taken before the read, so a change committed during the read
// makes the next call read again.
func through[T any](ctx context.Context, d *DB, slot *cached[T], key string, read func(context.Context) (T, error)) (T, error) {
	v, ok := d.cache.version(ctx, d.db)
	if ok {
		d.cache.mu.Lock()
		hit := *slot
		d.cache.mu.Unlock()
		if hit.ok && hit.version == v && hit.key == key {
			return hit.value, nil
		}
	}
	val, err := read(ctx)
	if err != nil || !ok {
		return val, err
	}
	d.cache.mu.Lock()
	*slot = cached[T]{ok: true, version: v, key: key, value: val}
	d.cache.mu.Unlock()
	return val, nil
}

// clone returns a copy of f whose lists callers may change.
func (f Facets) clone() Facets {
	return Facets{Years: slices.Clone(f.Years), Statuses: slices.Clone(f.Statuses),
		Severities: slices.Clone(f.Severities), Tags: slices.Clone(f.Tags), Owners: slices.Clone(f.Owners)}
}
