package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/dustin/go-humanize"

	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

type backupCmd struct {
	File  string `arg:"" placeholder:"FILE" help:"Where to write the copy."`
	Force bool   `help:"Replace FILE if it exists."`
}

func (backupCmd) Help() string {
	return `Writes a consistent copy of the database to FILE while the server keeps
running (SQLite's VACUUM INTO): the copy is one snapshot, compacted, and
opens on its own with no -wal file beside it. An existing FILE is left
alone unless --force is given. Prints where the copy went and its size.

Examples:
  hindsight backup /backups/hindsight-$(date +%F).db
  docker exec CONTAINER hindsight backup /data/backup.db`
}

// Run writes the copy and prints its size.
func (c *backupCmd) Run(a *app) error {
	// Opening would create a missing database: there is nothing to back up.
	if _, err := os.Stat(a.DB); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s", a.DB)
	}
	// The copy is of the database as it is: no migration first, so that
	// a backup taken before an upgrade is of the old schema.
	db, err := sqlite.Open(a.ctx, a.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	size, err := db.Backup(a.ctx, c.File, c.Force)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "backed up %s to %s (%s)\n", a.DB, c.File, humanize.IBytes(uint64(size)))
	return nil
}
