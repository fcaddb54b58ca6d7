package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// personColumns are the columns scanPerson reads, from people as pe.
const personColumns = `pe.id, pe.name, pe.aliases, pe.email, pe.slack_id, pe.jira_account_id,
	pe.jira_username, pe.team, pe.manager_email, pe.timezone, pe.active, pe.created_at, pe.updated_at`

type scanner interface {
	Scan(dest ...any) error
}

func scanPerson(row scanner) (*postmortem.Member, error) {
	var m postmortem.Member
	var aliases string
	err := row.Scan(&m.ID, &m.Name, &aliases, &m.Email, &m.SlackID, &m.JiraAccountID, &m.JiraUsername,
		&m.Team, &m.ManagerEmail, &m.Timezone, &m.Active, &m.CreatedAt, &m.UpdatedAt)
	if err != nil {
		return nil, err
	}
	m.Aliases = decodeAliases(aliases)
	return &m, nil
}

// decodeAliases reads the aliases column; a value that is not a JSON
// array of strings reads as none.
func decodeAliases(s string) []string {
	out := []string{}
	if s != "" {
		json.Unmarshal([]byte(s), &out)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// personByEmail finds the person with email, compared without case.
func personByEmail(ctx context.Context, tx *sql.Tx, email string) (*postmortem.Member, error) {
	if email == "" {
		return nil, sql.ErrNoRows
	}
	return scanPerson(tx.QueryRowContext(ctx, `
		SELECT `+personColumns+` FROM people pe WHERE lower(pe.email) = lower(?) AND pe.email <> ''`, email))
}

// personByKey finds the person with a name or alias of name key key.
func personByKey(ctx context.Context, tx *sql.Tx, key string) (*postmortem.Member, error) {
	if key == "" {
		return nil, sql.ErrNoRows
	}
	return scanPerson(tx.QueryRowContext(ctx, `
		SELECT `+personColumns+`
		FROM person_names k JOIN people pe ON pe.id = k.person_id
		WHERE k.key = ?`, key))
}

func personNotFound(what string) error {
	return postmortem.Errorf(postmortem.ENotFound, "no person %s in the directory", what)
}

// ListPeople returns everyone in the directory, by name.
func (d *DB) ListPeople(ctx context.Context) ([]postmortem.Member, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("list people", err)
	}
	defer tx.Rollback()
	people, err := listPeople(ctx, tx)
	if err != nil {
		return nil, d.wrap("list people", err)
	}
	return people, nil
}

func listPeople(ctx context.Context, tx *sql.Tx) ([]postmortem.Member, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+personColumns+` FROM people pe ORDER BY pe.name COLLATE NOCASE, pe.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []postmortem.Member{}
	for rows.Next() {
		m, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// GetPerson returns the person with id, or not_found.
func (d *DB) GetPerson(ctx context.Context, id int64) (*postmortem.Member, error) {
	return d.findPerson(ctx, fmt.Sprintf("with id %d", id), func(tx *sql.Tx) (*postmortem.Member, error) {
		return scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people pe WHERE pe.id = ?`, id))
	})
}

// MemberByName returns the person whose name or alias has the same
// NameKey as name, or not_found.
func (d *DB) MemberByName(ctx context.Context, name string) (*postmortem.Member, error) {
	return d.findPerson(ctx, fmt.Sprintf("named %q", name), func(tx *sql.Tx) (*postmortem.Member, error) {
		return personByKey(ctx, tx, NameKey(name))
	})
}

// MemberByEmail returns the person with email, compared without case, or
// not_found.
func (d *DB) MemberByEmail(ctx context.Context, email string) (*postmortem.Member, error) {
	email = strings.TrimSpace(email)
	return d.findPerson(ctx, "with email "+email, func(tx *sql.Tx) (*postmortem.Member, error) {
		return personByEmail(ctx, tx, email)
	})
}

// findPerson runs find in a read transaction, turning no row into
// not_found for the person described by what.
func (d *DB) findPerson(ctx context.Context, what string, find func(*sql.Tx) (*postmortem.Member, error)) (*postmortem.Member, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("find person", err)
	}
	defer tx.Rollback()
	m, err := find(tx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, personNotFound(what)
	}
	if err != nil {
		return nil, d.wrap("find person", err)
	}
	return m, nil
}

// CreatePerson adds m to the directory and sets its ID and timestamps.
// Fields are trimmed and aliases cleaned up (see UpdatePerson); an invalid
// field gives invalid, and a name, alias or email another person already
// has gives conflict, both naming the field.
func (d *DB) CreatePerson(ctx context.Context, m *postmortem.Member) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("create person", err)
	}
	defer tx.Rollback()
	if err := createPerson(ctx, tx, m, stamp(d.now())); err != nil {
		return d.wrap("create person", err)
	}
	return d.wrap("create person", tx.Commit())
}

// UpdatePerson stores m over the person with m.ID (not_found when there is
// none) and sets m's timestamps. Like CreatePerson it trims fields, drops
// empty aliases and those that repeat the name or another alias, and
// refuses a name, alias or email another person has.
func (d *DB) UpdatePerson(ctx context.Context, m *postmortem.Member) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("update person", err)
	}
	defer tx.Rollback()
	if err := updatePerson(ctx, tx, m, stamp(d.now())); err != nil {
		return d.wrap("update person", err)
	}
	return d.wrap("update person", tx.Commit())
}

func createPerson(ctx context.Context, tx *sql.Tx, m *postmortem.Member, now string) error {
	keys, err := checkPerson(ctx, tx, m, 0)
	if err != nil {
		return err
	}
	aliases, err := json.Marshal(m.Aliases)
	if err != nil {
		return err
	}
	r, err := tx.ExecContext(ctx, `
		INSERT INTO people (name, aliases, email, slack_id, jira_account_id, jira_username, team,
			manager_email, timezone, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Name, string(aliases), m.Email, m.SlackID, m.JiraAccountID, m.JiraUsername, m.Team,
		m.ManagerEmail, m.Timezone, m.Active, now, now)
	if err != nil {
		return err
	}
	if m.ID, err = r.LastInsertId(); err != nil {
		return err
	}
	m.CreatedAt, m.UpdatedAt = now, now
	return addNames(ctx, tx, m.ID, keys)
}

func updatePerson(ctx context.Context, tx *sql.Tx, m *postmortem.Member, now string) error {
	var created string
	err := tx.QueryRowContext(ctx, `SELECT created_at FROM people WHERE id = ?`, m.ID).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return personNotFound(fmt.Sprintf("with id %d", m.ID))
	}
	if err != nil {
		return err
	}
	keys, err := checkPerson(ctx, tx, m, m.ID)
	if err != nil {
		return err
	}
	aliases, err := json.Marshal(m.Aliases)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE people
		SET name = ?, aliases = ?, email = ?, slack_id = ?, jira_account_id = ?, jira_username = ?,
			team = ?, manager_email = ?, timezone = ?, active = ?, updated_at = ?
		WHERE id = ?`,
		m.Name, string(aliases), m.Email, m.SlackID, m.JiraAccountID, m.JiraUsername,
		m.Team, m.ManagerEmail, m.Timezone, m.Active, now, m.ID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_names WHERE person_id = ?`, m.ID); err != nil {
		return err
	}
	m.CreatedAt, m.UpdatedAt = created, now
	return addNames(ctx, tx, m.ID, keys)
}

func addNames(ctx context.Context, tx *sql.Tx, id int64, keys []string) error {
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_names (key, person_id) VALUES (?, ?)`, k, id); err != nil {
			return err
		}
	}
	return nil
}

// checkPerson tidies and validates m and checks that no person other than
// self has its email, name or aliases. It returns the name keys to store,
// the name's first.
func checkPerson(ctx context.Context, tx *sql.Tx, m *postmortem.Member, self int64) ([]string, error) {
	keys, err := tidyPerson(m)
	if err != nil {
		return nil, err
	}
	if m.Email != "" {
		var other string
		err := tx.QueryRowContext(ctx, `
			SELECT name FROM people WHERE lower(email) = lower(?) AND email <> '' AND id <> ?`,
			m.Email, self).Scan(&other)
		if err == nil {
			return nil, &postmortem.Error{Code: postmortem.EConflict, Field: "email",
				Message: fmt.Sprintf("%s is already the email of %s", m.Email, other)}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	for i, k := range keys {
		var other string
		err := tx.QueryRowContext(ctx, `
			SELECT pe.name FROM person_names k JOIN people pe ON pe.id = k.person_id
			WHERE k.key = ? AND k.person_id <> ?`, k, self).Scan(&other)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		field, written := "name", m.Name
		if i > 0 {
			field, written = "aliases", m.Aliases[i-1]
		}
		return nil, &postmortem.Error{Code: postmortem.EConflict, Field: field,
			Message: fmt.Sprintf("%q is already a name or alias of %s", written, other)}
	}
	return keys, nil
}

// tidyPerson trims m's fields, validates it and cleans its aliases up:
// empty ones and those with the name's key or an earlier alias's are
// dropped. It returns the keys of the name and of each remaining alias,
// in that order.
func tidyPerson(m *postmortem.Member) ([]string, error) {
	for _, f := range []*string{&m.SlackID, &m.JiraAccountID, &m.JiraUsername, &m.Team, &m.ManagerEmail, &m.Timezone} {
		*f = strings.TrimSpace(*f)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	key := NameKey(m.Name)
	if key == "" {
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "name", Message: "a name needs more than an @"}
	}
	keys := []string{key}
	seen := map[string]bool{key: true}
	aliases := []string{}
	for _, a := range m.Aliases {
		a = strings.TrimSpace(a)
		k := NameKey(a)
		switch {
		case strings.Contains(a, ";"):
			return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "aliases", Message: "an alias cannot contain ;"}
		case len(a) > 200:
			return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "aliases", Message: "aliases are at most 200 characters"}
		case k == "" || seen[k]:
			continue
		}
		seen[k] = true
		keys = append(keys, k)
		aliases = append(aliases, a)
	}
	m.Aliases = aliases
	return keys, nil
}
