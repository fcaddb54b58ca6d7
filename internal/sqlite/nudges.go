package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// ClaimNudge records, before anything is sent, that n (its Target, Slot,
// Channel, Name and Lines) is being sent by run by, at at. It reports
// false when the digest for (target, slot) is someone else's: sent, being
// sent by a claim taken after staleBefore, or failed maxAttempts times.
// A failed claim, or one older than staleBefore that was never marked
// sent, is taken over: its attempts go up and its lines are replaced.
// On success n.ID, n.State, n.ClaimedAt and n.Attempts are set. The
// check and the write are one transaction, which takes the write lock as
// it begins, so of two processes claiming at once exactly one wins.
func (d *DB) ClaimNudge(ctx context.Context, n *postmortem.Nudge, by string, at, staleBefore time.Time, maxAttempts int) (bool, error) {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, d.wrap("claim nudge", err)
	}
	defer tx.Rollback()
	cur, err := nudgeAt(ctx, tx, n.Target, n.Slot)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx, `
			INSERT INTO nudges (target, slot, channel, name, state, claimed_at, claimed_by, attempts)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
			n.Target, stamp(n.Slot), n.Channel, n.Name, postmortem.NudgeClaimed, stamp(at), by)
		if err != nil {
			return false, d.wrap("claim nudge", err)
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return false, d.wrap("claim nudge", err)
		}
		n.Attempts = 1
	case err != nil:
		return false, d.wrap("claim nudge", err)
	case !claimable(cur, staleBefore, maxAttempts):
		return false, nil
	default:
		_, err := tx.ExecContext(ctx, `
			UPDATE nudges
			SET channel = ?, name = ?, state = ?, claimed_at = ?, claimed_by = ?, attempts = attempts + 1, error = ''
			WHERE id = ?`, n.Channel, n.Name, postmortem.NudgeClaimed, stamp(at), by, cur.ID)
		if err != nil {
			return false, d.wrap("claim nudge", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM nudge_items WHERE nudge_id = ?`, cur.ID); err != nil {
			return false, d.wrap("claim nudge", err)
		}
		n.ID, n.Attempts = cur.ID, cur.Attempts+1
	}
	for _, l := range n.Lines {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO nudge_items (nudge_id, item_id, reason) VALUES (?, ?, ?)
			ON CONFLICT (nudge_id, item_id) DO NOTHING`, n.ID, l.ItemID, l.Reason)
		if err != nil {
			return false, d.wrap("claim nudge", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, d.wrap("claim nudge", err)
	}
	n.State, n.ClaimedAt = postmortem.NudgeClaimed, at.UTC().Truncate(time.Second)
	return true, nil
}

// NudgeClaimable reports whether ClaimNudge would take (target, slot) now,
// without taking it: what a dry run asks.
func (d *DB) NudgeClaimable(ctx context.Context, target string, slot, staleBefore time.Time, maxAttempts int) (bool, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return false, d.wrap("read nudge", err)
	}
	defer tx.Rollback()
	cur, err := nudgeAt(ctx, tx, target, slot)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, d.wrap("read nudge", err)
	}
	return claimable(cur, staleBefore, maxAttempts), nil
}

// claimable is the rule ClaimNudge applies to an existing claim.
func claimable(n *postmortem.Nudge, staleBefore time.Time, maxAttempts int) bool {
	switch {
	case n.State == postmortem.NudgeSent, n.Attempts >= maxAttempts:
		return false
	case n.State == postmortem.NudgeFailed:
		return true
	}
	return n.ClaimedAt.Before(staleBefore)
}

const nudgeColumns = `id, target, channel, name, slot, state, claimed_at, attempts, posted, ts`

func scanNudge(row scanner) (*postmortem.Nudge, error) {
	var n postmortem.Nudge
	var slot, claimed string
	if err := row.Scan(&n.ID, &n.Target, &n.Channel, &n.Name, &slot, &n.State, &claimed, &n.Attempts, &n.Posted, &n.TS); err != nil {
		return nil, err
	}
	n.Slot, _ = time.Parse(time.RFC3339, slot)
	n.ClaimedAt, _ = time.Parse(time.RFC3339, claimed)
	return &n, nil
}

func nudgeAt(ctx context.Context, tx *sql.Tx, target string, slot time.Time) (*postmortem.Nudge, error) {
	return scanNudge(tx.QueryRowContext(ctx, `SELECT `+nudgeColumns+` FROM nudges WHERE target = ? AND slot = ?`,
		target, stamp(slot)))
}

// NudgeSent records that Slack took nudge id's message, where (posted,
// ts), and adds a "reminder" event, under the actor "slack", to the
// history of each item it listed, saying notes[item id].
func (d *DB) NudgeSent(ctx context.Context, id int64, posted, ts string, at time.Time, notes map[int64]string) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("record nudge sent", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `
		UPDATE nudges SET state = ?, posted = ?, ts = ?, sent_at = ?, error = '' WHERE id = ?`,
		postmortem.NudgeSent, posted, ts, stamp(at), id)
	if err != nil {
		return d.wrap("record nudge sent", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return d.wrap("record nudge sent", errors.Join(err, fmt.Errorf("no nudge %d", id)))
	}
	rows, err := tx.QueryContext(ctx, `SELECT item_id FROM nudge_items WHERE nudge_id = ? ORDER BY item_id`, id)
	if err != nil {
		return d.wrap("record nudge sent", err)
	}
	var items []int64
	for rows.Next() {
		var it int64
		if err := rows.Scan(&it); err != nil {
			rows.Close()
			return d.wrap("record nudge sent", err)
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d.wrap("record nudge sent", err)
	}
	for _, it := range items {
		if err := slackEvent(ctx, tx, it, at, "reminder", "", notes[it]); err != nil {
			return d.wrap("record nudge sent", err)
		}
	}
	return d.wrap("record nudge sent", tx.Commit())
}

// NudgeFailed records that sending nudge id failed, and why; the next run
// takes the claim again.
func (d *DB) NudgeFailed(ctx context.Context, id int64, reason string) error {
	_, err := d.writer.ExecContext(ctx, `UPDATE nudges SET state = ?, error = ? WHERE id = ? AND state <> ?`,
		postmortem.NudgeFailed, reason, id, postmortem.NudgeSent)
	return d.wrap("record nudge failed", err)
}

// NudgeByMessage returns the sent nudge whose message is ts in channel
// posted, with its lines, or not_found.
func (d *DB) NudgeByMessage(ctx context.Context, posted, ts string) (*postmortem.Nudge, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("read nudge", err)
	}
	defer tx.Rollback()
	n, err := scanNudge(tx.QueryRowContext(ctx, `SELECT `+nudgeColumns+` FROM nudges
		WHERE posted = ? AND ts = ? AND ts <> ''`, posted, ts))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, postmortem.Errorf(postmortem.ENotFound, "no reminder was sent as message %s in %s", ts, posted)
	}
	if err != nil {
		return nil, d.wrap("read nudge", err)
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT ni.item_id, ni.reason
		FROM nudge_items ni
		JOIN action_items a ON a.id = ni.item_id
		JOIN postmortems p ON p.id = a.postmortem_id
		WHERE ni.nudge_id = ?
		ORDER BY ni.reason <> '', p.date, p.id, a.position, a.id`, n.ID)
	if err != nil {
		return nil, d.wrap("read nudge", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l postmortem.NudgeLine
		if err := rows.Scan(&l.ItemID, &l.Reason); err != nil {
			return nil, d.wrap("read nudge", err)
		}
		n.Lines = append(n.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap("read nudge", err)
	}
	return n, nil
}

// Nudges returns every recorded nudge, oldest claim first, without lines:
// for tests and reports.
func (d *DB) Nudges(ctx context.Context) ([]postmortem.Nudge, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+nudgeColumns+` FROM nudges ORDER BY id`)
	if err != nil {
		return nil, d.wrap("list nudges", err)
	}
	defer rows.Close()
	var out []postmortem.Nudge
	for rows.Next() {
		n, err := scanNudge(rows)
		if err != nil {
			return nil, d.wrap("list nudges", err)
		}
		out = append(out, *n)
	}
	return out, d.wrap("list nudges", rows.Err())
}

// SlackLookup returns what Slack said about key ("email:<address>" or
// "id:<user id>") when it was last asked; ok is false when it never was.
func (d *DB) SlackLookup(ctx context.Context, key string) (l postmortem.SlackLookup, ok bool, err error) {
	var at string
	err = d.db.QueryRowContext(ctx, `
		SELECT user_id, name, tz, deleted, dm, checked_at FROM slack_users WHERE key = ?`, key).
		Scan(&l.User.ID, &l.User.Name, &l.User.TZ, &l.User.Deleted, &l.DM, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	if err != nil {
		return l, false, d.wrap("read slack lookup", err)
	}
	l.At, _ = time.Parse(time.RFC3339, at)
	return l, true, nil
}

// SaveSlackLookup remembers l under key, replacing what was there.
func (d *DB) SaveSlackLookup(ctx context.Context, key string, l postmortem.SlackLookup) error {
	_, err := d.writer.ExecContext(ctx, `
		INSERT INTO slack_users (key, user_id, name, tz, deleted, dm, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET user_id = excluded.user_id, name = excluded.name, tz = excluded.tz,
			deleted = excluded.deleted, dm = excluded.dm, checked_at = excluded.checked_at`,
		key, l.User.ID, l.User.Name, l.User.TZ, l.User.Deleted, l.DM, stamp(l.At))
	return d.wrap("save slack lookup", err)
}

// SaveSlackID stores the Slack user id found for person personID, unless
// the directory already gives one.
func (d *DB) SaveSlackID(ctx context.Context, personID int64, slackID string) error {
	_, err := d.writer.ExecContext(ctx, `UPDATE people SET slack_id = ?, updated_at = ? WHERE id = ? AND slack_id = ''`,
		slackID, stamp(d.now()), personID)
	return d.wrap("save slack id", err)
}

// PersonBySlackID returns the person whose Slack user id is id, or
// not_found.
func (d *DB) PersonBySlackID(ctx context.Context, id string) (*postmortem.Member, error) {
	return d.findPerson(ctx, "with Slack id "+id, func(tx *sql.Tx) (*postmortem.Member, error) {
		if id == "" {
			return nil, sql.ErrNoRows
		}
		return scanPerson(tx.QueryRowContext(ctx, `
			SELECT `+personColumns+` FROM people pe WHERE pe.slack_id = ? ORDER BY pe.active DESC, pe.id LIMIT 1`, id))
	})
}

// slackEvent adds an event under the actor "slack" to item itemID's history.
func slackEvent(ctx context.Context, tx *sql.Tx, itemID int64, at time.Time, field, old, new string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO item_events (item_id, at, actor, field, old, new) VALUES (?, ?, 'slack', ?, ?, ?)`,
		itemID, stamp(at), field, old, new)
	return err
}
