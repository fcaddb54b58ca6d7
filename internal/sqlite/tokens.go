package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// tokenColumns are the columns scanToken reads.
const tokenColumns = `id, name, role, hint, created_at, coalesce(last_used_at, ''), coalesce(revoked_at, '')`

func scanToken(row scanner) (*postmortem.Token, error) {
	var t postmortem.Token
	if err := row.Scan(&t.ID, &t.Name, &t.Role, &t.Hint, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt); err != nil {
		return nil, err
	}
	return &t, nil
}

// tokenTouchEvery is how stale LastUsedAt may get: TouchToken writes only
// when the stored time is older, so that a busy client costs a write a
// minute rather than one per request.
const tokenTouchEvery = time.Minute

// CreateToken stores a token with the given name and role under the hash
// of its secret (see postmortem.NewToken) and returns it with its ID and
// creation time set. A role outside postmortem.Roles, an empty or overlong
// name or an empty hash gives invalid naming the field.
func (d *DB) CreateToken(ctx context.Context, name, role, hash, hint string) (*postmortem.Token, error) {
	name = strings.TrimSpace(name)
	switch {
	case postmortem.RoleRank(role) == 0:
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "role",
			Message: fmt.Sprintf("unknown role %q: use %s", role, strings.Join(postmortem.Roles, ", "))}
	case name == "":
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "name", Message: "a token needs a name"}
	case len(name) > 100:
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "name", Message: "token names are at most 100 characters"}
	case hash == "":
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "hash", Message: "no token hash"}
	}
	t := &postmortem.Token{Name: name, Role: role, Hint: hint, CreatedAt: stamp(d.now())}
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, d.wrap("create token", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO tokens (name, role, hash, hint, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.Name, t.Role, hash, t.Hint, t.CreatedAt)
	if err != nil {
		return nil, d.wrap("create token", err)
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return nil, d.wrap("create token", err)
	}
	return t, d.wrap("create token", tx.Commit())
}

// TokenByHash returns the token whose secret hashes to hash, revoked or
// not, or not_found.
func (d *DB) TokenByHash(ctx context.Context, hash string) (*postmortem.Token, error) {
	return d.findToken(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash)
}

// Token returns token id, or not_found.
func (d *DB) Token(ctx context.Context, id int64) (*postmortem.Token, error) {
	return d.findToken(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id)
}

func (d *DB) findToken(ctx context.Context, query string, arg any) (*postmortem.Token, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("find token", err)
	}
	defer tx.Rollback()
	t, err := scanToken(tx.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, postmortem.Errorf(postmortem.ENotFound, "no such token")
	}
	return t, d.wrap("find token", err)
}

// ListTokens returns every token, revoked ones included, oldest first.
func (d *DB) ListTokens(ctx context.Context) ([]postmortem.Token, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("list tokens", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
	if err != nil {
		return nil, d.wrap("list tokens", err)
	}
	defer rows.Close()
	out := []postmortem.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, d.wrap("list tokens", err)
		}
		out = append(out, *t)
	}
	return out, d.wrap("list tokens", rows.Err())
}

// RevokeToken revokes token id from now on and returns it; revoking a
// revoked token changes nothing. An unknown id gives not_found.
func (d *DB) RevokeToken(ctx context.Context, id int64) (*postmortem.Token, error) {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, d.wrap("revoke token", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, stamp(d.now()), id)
	if err != nil {
		return nil, d.wrap("revoke token", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = postmortem.Errorf(postmortem.ENotFound, "no token with id %d", id)
		}
		return nil, d.wrap("revoke token", err)
	}
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
	if err != nil {
		return nil, d.wrap("revoke token", err)
	}
	return t, d.wrap("revoke token", tx.Commit())
}

// TouchToken records that t was used at at, unless its LastUsedAt is less
// than a minute older: a cheap no-op for a token in steady use.
func (d *DB) TouchToken(ctx context.Context, t *postmortem.Token, at time.Time) error {
	if last, err := time.Parse(time.RFC3339, t.LastUsedAt); err == nil && at.Sub(last) < tokenTouchEvery {
		return nil
	}
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("touch token", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, stamp(at), t.ID); err != nil {
		return d.wrap("touch token", err)
	}
	return d.wrap("touch token", tx.Commit())
}
