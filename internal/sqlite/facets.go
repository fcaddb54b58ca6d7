package sqlite

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// MaxFacetOwners caps Facets.Owners.
const MaxFacetOwners = 500

// Facets are the values the incident filters offer.
type Facets struct {
	Years []int // newest first
	// Statuses and Severities are distinct without (ASCII) case, as the
	// filters compare them, each in its most used spelling; all lists are
	// sorted without case.
	Statuses, Severities, Tags []string
	// Owners are the effective owners of live items: a person's name when
	// the owner matches one, else the name as first written; the
	// MaxFacetOwners owning the most items.
	Owners []string
}

// OwnerCount is an owner name that matches nobody in the directory, with
// how many live items name them and how many of those are open.
type OwnerCount struct {
	Name        string
	Items, Open int
}

// ownerName is the effective owner of some live item with owner key
// o.owner_key, as one of them writes it.
const ownerName = `(SELECT coalesce(a.owner_override, a.owner_name) FROM action_items a
	WHERE a.owner_key = o.owner_key AND a.removed_at IS NULL LIMIT 1)`

// Facets returns the distinct years, statuses, severities, tags and
// owners of the stored postmortems for the filter dropdowns. Every list
// page asks for them, so they are read once per change of the data.
func (d *DB) Facets(ctx context.Context) (Facets, error) {
	f, err := through(ctx, d, &d.cache.facets, "", d.readFacets)
	return f.clone(), err
}

func (d *DB) readFacets(ctx context.Context) (Facets, error) {
	var f Facets
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, d.wrap("read facets", err)
	}
	defer tx.Rollback()

	years, err := strings1(ctx, tx, `
		SELECT DISTINCT substr(date, 1, 4) FROM postmortems
		WHERE date GLOB '[0-9][0-9][0-9][0-9]*' ORDER BY 1 DESC`)
	if err != nil {
		return f, d.wrap("read facets", err)
	}
	f.Years = []int{}
	for _, y := range years {
		if n, err := strconv.Atoi(y); err == nil {
			f.Years = append(f.Years, n)
		}
	}
	for _, q := range []struct {
		dst   *[]string
		query string
	}{
		{&f.Statuses, `SELECT status FROM postmortems WHERE status <> ''
			GROUP BY status ORDER BY count(*) DESC, status DESC`},
		{&f.Severities, `SELECT severity FROM postmortems WHERE severity <> ''
			GROUP BY severity ORDER BY count(*) DESC, severity DESC`},
		{&f.Tags, `SELECT DISTINCT tag FROM postmortem_tags`},
	} {
		list, err := strings1(ctx, tx, q.query)
		if err != nil {
			return f, d.wrap("read facets", err)
		}
		*q.dst = foldSort(list)
	}
	if f.Owners, err = facetOwners(ctx, tx); err != nil {
		return f, d.wrap("read facets", err)
	}
	return f, nil
}

// facetOwners returns the names of the MaxFacetOwners owners with the
// most live items, one per person, sorted.
func facetOwners(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT coalesce(m.name, `+ownerName+`)
		FROM (SELECT owner_key, count(*) AS n FROM action_items
			WHERE removed_at IS NULL AND owner_key <> '' GROUP BY owner_key) o
		LEFT JOIN person_names k ON k.key = o.owner_key
		LEFT JOIN people m ON m.id = k.person_id
		ORDER BY o.n DESC, o.owner_key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	seen := map[string]bool{}
	for rows.Next() && len(out) < MaxFacetOwners {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if k := NameKey(name); !seen[k] {
			seen[k] = true
			out = append(out, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return NameKey(out[i]) < NameKey(out[j]) })
	return out, nil
}

// UnmatchedOwners returns the effective owners of live items that match
// nobody in the directory, one per name key, with the most open items
// first.
func (d *DB) UnmatchedOwners(ctx context.Context) ([]OwnerCount, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("list unmatched owners", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT `+ownerName+`, o.n, o.open
		FROM (SELECT owner_key, count(*) AS n, sum(status IN (?, ?)) AS open
			FROM action_items INDEXED BY action_items_owner_key
			WHERE removed_at IS NULL AND owner_key <> '' GROUP BY owner_key) o
		WHERE NOT EXISTS (SELECT 1 FROM person_names k WHERE k.key = o.owner_key)
		ORDER BY o.open DESC, o.n DESC, o.owner_key`,
		postmortem.StatusOpen, postmortem.StatusInProgress)
	if err != nil {
		return nil, d.wrap("list unmatched owners", err)
	}
	defer rows.Close()
	out := []OwnerCount{}
	for rows.Next() {
		var c OwnerCount
		if err := rows.Scan(&c.Name, &c.Items, &c.Open); err != nil {
			return nil, d.wrap("list unmatched owners", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap("list unmatched owners", err)
	}
	return out, nil
}

// strings1 runs a query of one text column and returns its values.
func strings1(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// foldSort drops values that repeat an earlier one but for case and sorts
// the rest without case.
func foldSort(list []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range list {
		k := strings.ToLower(s)
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i]), strings.ToLower(out[j])
		if a != b {
			return a < b
		}
		return out[i] < out[j]
	})
	return out
}
