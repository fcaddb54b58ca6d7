package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// itemColumns are the columns scanItem reads, from itemFrom. The owner is
// the effective one: owner_override, without annotation, when someone set
// it here; else what the document says.
const itemColumns = `a.id, a.postmortem_id, p.title, p.date, a.position, a.text,
	coalesce(a.owner_override, a.owner_name),
	CASE WHEN a.owner_override IS NULL THEN a.owner_annotation ELSE '' END,
	a.status, a.doc_status, a.jira_key, a.jira_status, a.due, a.note, a.created_at, a.updated_at,
	a.removed_at IS NOT NULL,
	m.id, coalesce(m.name, ''), coalesce(m.aliases, ''), coalesce(m.email, ''), coalesce(m.slack_id, ''),
	coalesce(m.jira_account_id, ''), coalesce(m.jira_username, ''), coalesce(m.team, ''),
	coalesce(m.manager_email, ''), coalesce(m.timezone, ''), coalesce(m.active, 0),
	coalesce(m.created_at, ''), coalesce(m.updated_at, '')`

// itemFrom joins an item to its postmortem and to the person its owner's
// name key belongs to, if any.
const itemFrom = `
	FROM action_items a
	JOIN postmortems p ON p.id = a.postmortem_id
	LEFT JOIN person_names k ON k.key = a.owner_key
	LEFT JOIN people m ON m.id = k.person_id`

// ownerLeftSQL is true for items whose owner can no longer act on them, as
// postmortem.Item.OwnerLeft decides: the matched person is inactive, or
// no one matched and the document annotates the owner.
const ownerLeftSQL = `(m.active = 0 OR (m.id IS NULL AND a.owner_override IS NULL
	AND a.owner_name <> '' AND a.owner_annotation <> ''))`

func scanItem(row scanner) (postmortem.Item, error) {
	var (
		it       postmortem.Item
		owner    postmortem.Person
		m        postmortem.Member
		memberID sql.NullInt64
		aliases  string
	)
	err := row.Scan(&it.ID, &it.PostmortemID, &it.PostmortemTitle, &it.PostmortemDate, &it.Position, &it.Text,
		&owner.Name, &owner.Annotation, &it.Status, &it.DocStatus, &it.JiraKey, &it.JiraStatus, &it.Due, &it.Note,
		&it.CreatedAt, &it.UpdatedAt, &it.Removed,
		&memberID, &m.Name, &aliases, &m.Email, &m.SlackID, &m.JiraAccountID, &m.JiraUsername, &m.Team,
		&m.ManagerEmail, &m.Timezone, &m.Active, &m.CreatedAt, &m.UpdatedAt)
	if err != nil {
		return it, err
	}
	if owner.Name != "" {
		it.Owner = &owner
	}
	if memberID.Valid {
		m.ID = memberID.Int64
		m.Aliases = decodeAliases(aliases)
		it.Member = &m
	}
	return it, nil
}

func scanItems(rows *sql.Rows) ([]postmortem.Item, error) {
	defer rows.Close()
	out := []postmortem.Item{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func itemNotFound(id int64) error {
	return postmortem.Errorf(postmortem.ENotFound, "action item %d not found", id)
}

// GetItem returns action item id with its postmortem's title and date and
// its owner's person. Items their document no longer lists are returned
// too, with Removed set.
func (d *DB) GetItem(ctx context.Context, id int64) (*postmortem.Item, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("get action item", err)
	}
	defer tx.Rollback()
	it, err := getItem(ctx, tx, id)
	if err != nil {
		return nil, d.wrap("get action item", err)
	}
	return it, nil
}

func getItem(ctx context.Context, tx *sql.Tx, id int64) (*postmortem.Item, error) {
	it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemColumns+itemFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, itemNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// ItemsOf returns the live action items of postmortem postmortemID in
// document order, or not_found when there is no such postmortem.
func (d *DB) ItemsOf(ctx context.Context, postmortemID string) ([]postmortem.Item, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("read action items", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM postmortems WHERE id = ?`, postmortemID).Scan(&n); err != nil {
		return nil, d.wrap("read action items", err)
	}
	if n == 0 {
		return nil, notFound(postmortemID)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+itemColumns+itemFrom+`
		WHERE a.postmortem_id = ? AND a.removed_at IS NULL
		ORDER BY a.position, a.id`, postmortemID)
	if err != nil {
		return nil, d.wrap("read action items", err)
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, d.wrap("read action items", err)
	}
	return items, nil
}
