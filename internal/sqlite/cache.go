package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"sync"
)

// readCache keeps the results of the reads that aggregate the whole
// database, the filter facets and the action item counts, which every
// list page shows, until the data changes. It learns of changes from
// SQLite's data_version, asked on a connection of its own that never
// writes: the number changes whenever any other connection, of this
// process or of another (a `hindsight import` beside `serve`), commits.
type readCache struct {
	mu     sync.Mutex
	conn   *sql.Conn // opened on first use; nil again after a failure
	facets cached[Facets]
	counts cached[itemCounts]
}

// cached is one cached result, for the data version and key it was read at.
type cached[T any] struct {
	ok      bool
	version int64
	key     string
	value   T
}

type itemCounts struct{ open, overdue, orphaned int }

// version returns the database's data version, or ok false when it cannot
// be read, in which case nothing is cached.
func (c *readCache) version(ctx context.Context, db *sql.DB) (v int64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		conn, err := db.Conn(ctx)
		if err != nil {
			return 0, false
		}
		c.conn = conn
	}
	if err := c.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		c.conn.Close()
		c.conn = nil
		return 0, false
	}
	return v, true
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
