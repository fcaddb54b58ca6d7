package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// minutes returns the whole minutes to detection and to resolution that
// postmortem.Derive finds in p's timeline, -1 for each it cannot tell.
func minutes(p *postmortem.Postmortem) (detect, resolve int) {
	d := postmortem.Derive(p)
	detect = between(d.Start, d.Detected)
	if d.Detected == d.Start {
		detect = -1 // the timeline opens with the report: the start is not known
	}
	return detect, between(d.Start, d.Resolved)
}

// between is the whole minutes from a to b, -1 when either is missing or
// has no readable time, or b comes first.
func between(a, b *postmortem.TimelineEntry) int {
	if a == nil || b == nil {
		return -1
	}
	ta, ok1 := postmortem.ParseAt(a.At)
	tb, ok2 := postmortem.ParseAt(b.At)
	if !ok1 || !ok2 || tb.Before(ta) {
		return -1
	}
	return int(tb.Sub(ta) / time.Minute)
}

// tagSet returns p's tags trimmed, without empty ones and without repeats
// that differ only in ASCII case (as postmortem_tags compares them), in
// document order.
func tagSet(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

// backfillWeb fills what migration 0002 adds and only Go can compute: the
// durations of stored postmortems and the owner keys of their items.
func backfillWeb(ctx context.Context, tx *sql.Tx) error {
	if err := backfillMinutes(ctx, tx); err != nil {
		return err
	}
	return backfillOwnerKeys(ctx, tx)
}

func backfillMinutes(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, doc FROM postmortems`)
	if err != nil {
		return err
	}
	type row struct {
		id              string
		detect, resolve int
	}
	var todo []row
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return err
		}
		var p postmortem.Postmortem
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			rows.Close()
			return fmt.Errorf("decode stored document %s: %w", id, err)
		}
		r := row{id: id}
		r.detect, r.resolve = minutes(&p)
		if r.detect >= 0 || r.resolve >= 0 {
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range todo {
		_, err := tx.ExecContext(ctx, `UPDATE postmortems SET detect_minutes = ?, resolve_minutes = ? WHERE id = ?`,
			r.detect, r.resolve, r.id)
		if err != nil {
			return err
		}
	}
	return nil
}

func backfillOwnerKeys(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT owner_name FROM action_items WHERE owner_name <> ''`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	keys := make(map[string]string, len(names))
	for _, n := range names {
		keys[n] = NameKey(n)
	}
	b, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE action_items SET owner_key = k.value
		FROM (SELECT key, value FROM json_each(?)) AS k
		WHERE k.key = action_items.owner_name`, string(b))
	return err
}
