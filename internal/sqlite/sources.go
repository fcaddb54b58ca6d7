package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"strings"
)

// Known is what the store holds about a document's source: enough for an
// importer to skip a file whose bytes and parser have not changed without
// parsing it.
type Known struct {
	Hash          string
	ParserVersion int
	// Missing reports that the file was gone at the last import. Save (or
	// MarkMissing with the path in seen) marks it present again.
	Missing bool
}

// Hashes returns the Known state of every stored document by path.
func (d *DB) Hashes(ctx context.Context) (map[string]Known, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("read hashes", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT path, hash, parser_version, missing FROM postmortems`)
	if err != nil {
		return nil, d.wrap("read hashes", err)
	}
	defer rows.Close()
	out := map[string]Known{}
	for rows.Next() {
		var path string
		var k Known
		if err := rows.Scan(&path, &k.Hash, &k.ParserVersion, &k.Missing); err != nil {
			return nil, d.wrap("read hashes", err)
		}
		out[path] = k
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap("read hashes", err)
	}
	return out, nil
}

// MarkMissing records the outcome of a scan of root: every stored document
// under root whose path is not in seen is marked missing (and kept), and
// every missing one that is in seen again is marked present. It returns
// the paths newly marked missing, sorted. Paths are compared as the
// importer stored them, after filepath.Clean.
func (d *DB) MarkMissing(ctx context.Context, root string, seen map[string]bool) ([]string, error) {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, d.wrap("mark missing", err)
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT path, missing FROM postmortems`)
	if err != nil {
		return nil, d.wrap("mark missing", err)
	}
	var gone, back []string
	for rows.Next() {
		var path string
		var missing bool
		if err := rows.Scan(&path, &missing); err != nil {
			rows.Close()
			return nil, d.wrap("mark missing", err)
		}
		if !under(root, path) {
			continue
		}
		present := seen[path] || seen[filepath.Clean(path)]
		switch {
		case !missing && !present:
			gone = append(gone, path)
		case missing && present:
			back = append(back, path)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, d.wrap("mark missing", err)
	}

	for _, set := range []struct {
		paths   []string
		missing int
	}{{gone, 1}, {back, 0}} {
		for _, path := range set.paths {
			_, err := tx.ExecContext(ctx, `UPDATE postmortems SET missing = ? WHERE path = ?`, set.missing, path)
			if err != nil {
				return nil, d.wrap("mark missing", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, d.wrap("mark missing", err)
	}
	sort.Strings(gone)
	return gone, nil
}

// under reports whether path is root or inside it, comparing cleaned
// paths component by component (so /a/bc is not under /a/b).
func under(root, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(path))
	if err != nil {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
