package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// nudgeColumnsExtra follow itemColumns in the nudge queries, from
// item_slack as s: the snooze, the not-mine flag (set only while the item
// still names the owner who raised it), the last button pressed, and
// how many of the owner's digests listing the item were sent since its
// last change or button press.
const nudgeColumnsExtra = `,
	coalesce(s.snoozed_until, ''),
	coalesce(s.not_mine_owner = a.owner_key, 0),
	coalesce(s.flagged_by, ''),
	coalesce(s.last_action, ''),
	coalesce(s.acted_by, ''),
	(SELECT count(*) FROM nudge_items ni JOIN nudges n ON n.id = ni.nudge_id
	 WHERE ni.item_id = a.id AND ni.reason = '' AND n.state = 'sent'
	   AND n.sent_at > max(a.updated_at, coalesce(s.acted_at, '')))`

const nudgeFrom = itemFrom + `
	LEFT JOIN item_slack s ON s.item_id = a.id`

func scanNudgeItem(row scanner) (postmortem.NudgeItem, error) {
	var n postmortem.NudgeItem
	it, err := scanItem(withExtra{row, []any{&n.SnoozedUntil, &n.NotMine, &n.FlaggedBy, &n.LastAction, &n.ActedBy, &n.Ignored}})
	n.Item = it
	return n, err
}

func (d *DB) nudgeItems(ctx context.Context, op, where string, args ...any) ([]postmortem.NudgeItem, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap(op, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+itemColumns+nudgeColumnsExtra+nudgeFrom+` WHERE `+where+`
		ORDER BY p.date, p.id, a.position, a.id`, args...)
	if err != nil {
		return nil, d.wrap(op, err)
	}
	defer rows.Close()
	out := []postmortem.NudgeItem{}
	for rows.Next() {
		n, err := scanNudgeItem(rows)
		if err != nil {
			return nil, d.wrap(op, err)
		}
		out = append(out, n)
	}
	return out, d.wrap(op, rows.Err())
}

// NudgeItems returns every live open (or in progress) action item with
// its postmortem, its owner's person and its Slack state, oldest
// postmortem first, then in document order.
func (d *DB) NudgeItems(ctx context.Context) ([]postmortem.NudgeItem, error) {
	return d.nudgeItems(ctx, "list items to nudge", `a.removed_at IS NULL AND a.status IN (?, ?)`,
		postmortem.StatusOpen, postmortem.StatusInProgress)
}

// NudgeItemsByID returns the items with the given ids, whatever their
// status, with their Slack state; ids that name no item are left out.
func (d *DB) NudgeItemsByID(ctx context.Context, ids []int64) ([]postmortem.NudgeItem, error) {
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return d.nudgeItems(ctx, "read items", `a.id IN (SELECT value FROM json_each(?))`, string(b))
}

// SlackDone marks live item itemID done because by pressed Done in Slack
// at at, recording the status change and the press under the actor
// "slack". It reports false, changing nothing, when the item was no longer
// open (a second press, or someone was quicker); not_found when there is
// no such live item.
func (d *DB) SlackDone(ctx context.Context, itemID int64, by string, at time.Time) (bool, error) {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, d.wrap("mark item done", err)
	}
	defer tx.Rollback()
	var status string
	err = tx.QueryRowContext(ctx, `SELECT status FROM action_items WHERE id = ? AND removed_at IS NULL`, itemID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, itemNotFound(itemID)
	}
	if err != nil {
		return false, d.wrap("mark item done", err)
	}
	if status != postmortem.StatusOpen && status != postmortem.StatusInProgress {
		return false, nil
	}
	now := stamp(at)
	if _, err := tx.ExecContext(ctx, `UPDATE action_items SET status = ?, updated_at = ? WHERE id = ?`,
		postmortem.StatusDone, now, itemID); err != nil {
		return false, d.wrap("mark item done", err)
	}
	if err := slackEvent(ctx, tx, itemID, at, "status", status, postmortem.StatusDone); err != nil {
		return false, d.wrap("mark item done", err)
	}
	if err := slackAction(ctx, tx, itemID, postmortem.ActionDone, by, at, "marked done by "+by); err != nil {
		return false, d.wrap("mark item done", err)
	}
	return true, d.wrap("mark item done", tx.Commit())
}

// SlackSnooze holds item itemID back from digests until until, because by
// pressed Snooze at at, and records it in the item's history.
func (d *DB) SlackSnooze(ctx context.Context, itemID int64, until time.Time, by string, at time.Time) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("snooze item", err)
	}
	defer tx.Rollback()
	if err := liveItem(ctx, tx, itemID); err != nil {
		return d.wrap("snooze item", err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO item_slack (item_id, snoozed_until) VALUES (?, ?)
		ON CONFLICT (item_id) DO UPDATE SET snoozed_until = excluded.snoozed_until`,
		itemID, stamp(until)); err != nil {
		return d.wrap("snooze item", err)
	}
	note := "snoozed until " + until.UTC().Format("2006-01-02") + " by " + by
	if err := slackAction(ctx, tx, itemID, postmortem.ActionSnooze, by, at, note); err != nil {
		return d.wrap("snooze item", err)
	}
	return d.wrap("snooze item", tx.Commit())
}

// SlackNotMine flags item itemID for reassignment because by (Slack user
// byID) said at at that it is not theirs. The flag holds while the item
// names the owner it names now; the item's history records it.
func (d *DB) SlackNotMine(ctx context.Context, itemID int64, by, byID string, at time.Time) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("flag item", err)
	}
	defer tx.Rollback()
	if err := liveItem(ctx, tx, itemID); err != nil {
		return d.wrap("flag item", err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO item_slack (item_id, not_mine_owner, flagged_by)
		SELECT id, owner_key, ? FROM action_items WHERE id = ?
		ON CONFLICT (item_id) DO UPDATE SET not_mine_owner = excluded.not_mine_owner, flagged_by = excluded.flagged_by`,
		byID, itemID); err != nil {
		return d.wrap("flag item", err)
	}
	if err := slackAction(ctx, tx, itemID, postmortem.ActionNotMine, by, at, "not mine, says "+by+"; escalated for reassignment"); err != nil {
		return d.wrap("flag item", err)
	}
	return d.wrap("flag item", tx.Commit())
}

func liveItem(ctx context.Context, tx *sql.Tx, itemID int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM action_items WHERE id = ? AND removed_at IS NULL`, itemID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return itemNotFound(itemID)
	}
	return nil
}

// slackAction records a button press on an item: who and when, which
// restarts the count of ignored reminders, and a "reminder" event.
func slackAction(ctx context.Context, tx *sql.Tx, itemID int64, action, by string, at time.Time, note string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO item_slack (item_id, last_action, acted_by, acted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (item_id) DO UPDATE SET last_action = excluded.last_action, acted_by = excluded.acted_by,
			acted_at = excluded.acted_at`, itemID, action, by, stamp(at))
	if err != nil {
		return err
	}
	return slackEvent(ctx, tx, itemID, at, "reminder", "", note)
}
