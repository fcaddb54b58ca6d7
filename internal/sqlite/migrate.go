package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hindsight-dev/hindsight/migrations"
)

// SchemaVersion returns the highest migration applied to the database (0
// for a new one) and the newest migration this build embeds.
func (d *DB) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	latest, err = migrations.Latest()
	if err != nil {
		return 0, 0, err
	}
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, 0, d.wrap("read schema version", err)
	}
	defer tx.Rollback()
	current, err = schemaVersion(ctx, tx)
	if err != nil {
		return 0, 0, d.wrap("read schema version", err)
	}
	return current, latest, nil
}

// schemaVersion reads the applied version without creating anything, so it
// can run against a database this build must not touch.
func schemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// Migrate applies the embedded migrations the database lacks, in order,
// each in its own transaction, and returns the resulting version. It is
// safe to run repeatedly and from several processes at once. A database
// whose schema is newer than this build is refused before anything is
// changed.
func (d *DB) Migrate(ctx context.Context) (version int, err error) {
	all, err := migrations.All()
	if err != nil {
		return 0, err
	}
	current, _, err := d.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if err := d.refuseNewer(current, len(all)); err != nil {
		return 0, err
	}
	for _, m := range all {
		if m.Version <= current {
			continue
		}
		applied, err := d.apply(ctx, m)
		if err != nil {
			return 0, d.wrap(fmt.Sprintf("apply migration %s", m.Name), err)
		}
		if applied {
			current = m.Version
		}
	}
	v, _, err := d.SchemaVersion(ctx)
	return v, err
}

// backfills are the parts of migrations that SQL cannot do, by version:
// they run right after the migration's SQL, in its transaction.
var backfills = map[int]func(context.Context, *sql.Tx) error{
	2: backfillWeb,
}

// apply runs one migration unless another process got there first, and
// reports whether it ran.
func (d *DB) apply(ctx context.Context, m migrations.Migration) (bool, error) {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	_, err = tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`)
	if err != nil {
		return false, err
	}
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	if current >= m.Version {
		return false, nil
	}
	if current != m.Version-1 {
		return false, fmt.Errorf("database is at version %d, cannot apply %d", current, m.Version)
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if fill := backfills[m.Version]; fill != nil {
		if err := fill(ctx, tx); err != nil {
			return false, fmt.Errorf("fill in new columns: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.Version, stamp(d.now()))
	if err != nil {
		return false, err
	}
	return true, tx.Commit()
}
