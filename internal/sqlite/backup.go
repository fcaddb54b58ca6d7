package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Backup writes a consistent copy of the database to path with VACUUM
// INTO, while other connections and processes go on reading and writing:
// the copy is one read transaction's snapshot, compacted, and needs no WAL
// file beside it. It is written to a temporary file next to path and only
// then put in place, so path never holds half a copy. Unless force, an
// existing path is a conflict error and is left alone. It returns the size
// of the copy in bytes.
func (d *DB) Backup(ctx context.Context, path string, force bool) (int64, error) {
	if path == "" {
		return 0, postmortem.Errorf(postmortem.EInvalid, "no backup file given")
	}
	if abs, err := filepath.Abs(path); err == nil {
		if self, err := filepath.Abs(d.path); err == nil && abs == self {
			return 0, postmortem.Errorf(postmortem.EInvalid, "the backup file is the database itself")
		}
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return 0, postmortem.Errorf(postmortem.EConflict, "%s already exists (use --force to replace it)", path)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	name := tmp.Name()
	tmp.Close()
	// VACUUM INTO refuses a file that exists, even an empty one.
	os.Remove(name)
	defer os.Remove(name)
	if _, err := d.db.ExecContext(ctx, `VACUUM INTO ?`, name); err != nil {
		return 0, d.wrap("backup", err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	if force {
		err = os.Rename(name, path)
	} else {
		// Link fails when path appeared meanwhile, where Rename would
		// silently replace it.
		err = os.Link(name, path)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			// A file system without hard links: check again and rename.
			if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
				err = os.Rename(name, path)
			}
		}
		if errors.Is(err, fs.ErrExist) {
			return 0, postmortem.Errorf(postmortem.EConflict, "%s already exists (use --force to replace it)", path)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	return fi.Size(), nil
}
