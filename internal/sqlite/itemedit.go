package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Limits on what EditItem accepts.
const (
	MaxNoteLength  = 4000 // characters
	MaxOwnerLength = 200  // characters
)

// ItemEdit changes what Hindsight tracks about an action item; nil fields
// stay as they are. Values are trimmed. An empty Owner means nobody owns
// the item, an empty Due that it has no due date.
type ItemEdit struct {
	Status, Owner, Due, Note *string
	// ResetOwner drops an owner set here, so the item's owner is the
	// document's again; Owner is then ignored.
	ResetOwner bool
}

// EditItem applies e to live action item id, records each field that
// changed (status, owner, due, note) in the item's history under actor
// ("web" when empty), and returns the item as it now is. An owner set
// here overrides the document's, without its annotation, and survives
// re-imports until ResetOwner. A bad value gives invalid with Field set;
// an unknown or removed item gives not_found.
func (d *DB) EditItem(ctx context.Context, id int64, e ItemEdit, actor string) (*postmortem.Item, error) {
	if err := e.tidy(); err != nil {
		return nil, err
	}
	if actor = strings.TrimSpace(actor); actor == "" {
		actor = "web"
	}
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, d.wrap("edit action item", err)
	}
	defer tx.Rollback()

	var cur struct {
		status, due, note, owner, annotation string
		override                             sql.NullString
	}
	err = tx.QueryRowContext(ctx, `
		SELECT status, due, note, owner_name, owner_annotation, owner_override
		FROM action_items
		WHERE id = ? AND removed_at IS NULL`, id).
		Scan(&cur.status, &cur.due, &cur.note, &cur.owner, &cur.annotation, &cur.override)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, itemNotFound(id)
	}
	if err != nil {
		return nil, d.wrap("edit action item", err)
	}

	status, due, note, override := cur.status, cur.due, cur.note, cur.override
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&status, e.Status}, {&due, e.Due}, {&note, e.Note}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	switch {
	case e.ResetOwner:
		override = sql.NullString{}
	case e.Owner == nil:
	case !cur.override.Valid && *e.Owner == cur.owner && cur.annotation == "":
		// Already the document's owner, as written: nothing to pin.
	default:
		override = sql.NullString{String: *e.Owner, Valid: true}
	}
	effective := func(o sql.NullString) string {
		if o.Valid {
			return o.String
		}
		return cur.owner
	}

	var events [][3]string
	if status != cur.status {
		events = append(events, [3]string{"status", cur.status, status})
	}
	if override != cur.override {
		events = append(events, [3]string{"owner", effective(cur.override), effective(override)})
	}
	if due != cur.due {
		events = append(events, [3]string{"due", cur.due, due})
	}
	if note != cur.note {
		events = append(events, [3]string{"note", cur.note, note})
	}
	if len(events) > 0 {
		now := stamp(d.now())
		_, err = tx.ExecContext(ctx, `
			UPDATE action_items
			SET status = ?, due = ?, note = ?, owner_override = ?, owner_key = ?, updated_at = ?
			WHERE id = ?`, status, due, note, override, NameKey(effective(override)), now, id)
		if err != nil {
			return nil, d.wrap("edit action item", err)
		}
		for _, ev := range events {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO item_events (item_id, at, actor, field, old, new)
				VALUES (?, ?, ?, ?, ?, ?)`, id, now, actor, ev[0], ev[1], ev[2])
			if err != nil {
				return nil, d.wrap("edit action item", err)
			}
		}
	}
	it, err := getItem(ctx, tx, id)
	if err != nil {
		return nil, d.wrap("edit action item", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, d.wrap("edit action item", err)
	}
	return it, nil
}

// tidy points e at trimmed copies of its values, leaving the caller's
// alone, and checks them.
func (e *ItemEdit) tidy() error {
	for _, v := range []**string{&e.Status, &e.Owner, &e.Due, &e.Note} {
		if *v != nil {
			t := strings.TrimSpace(**v)
			*v = &t
		}
	}
	invalid := func(field, msg string) error {
		return &postmortem.Error{Code: postmortem.EInvalid, Field: field, Message: msg}
	}
	if e.Status != nil && !postmortem.ValidActionStatus(*e.Status) {
		return invalid("status", "status must be one of "+strings.Join(postmortem.ActionStatuses, ", "))
	}
	if e.Due != nil && *e.Due != "" {
		if _, err := time.Parse("2006-01-02", *e.Due); err != nil {
			return invalid("due", "not a date: use YYYY-MM-DD, or leave it empty for none")
		}
	}
	if e.Note != nil && utf8.RuneCountInString(*e.Note) > MaxNoteLength {
		return invalid("note", "notes are at most 4000 characters")
	}
	if e.Owner != nil && utf8.RuneCountInString(*e.Owner) > MaxOwnerLength {
		return invalid("owner", "owner names are at most 200 characters")
	}
	return nil
}
