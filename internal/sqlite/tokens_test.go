package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	secret, hash, err := postmortem.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := d.CreateToken(ctx, " ci ", postmortem.RoleEditor, hash, postmortem.TokenHint(secret))
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 || tok.Name != "ci" || tok.Role != postmortem.RoleEditor || tok.CreatedAt == "" {
		t.Errorf("created %+v", tok)
	}
	got, err := d.TokenByHash(ctx, postmortem.HashToken(secret))
	if err != nil || got.ID != tok.ID || got.Revoked() || got.Hint != secret[:9] {
		t.Fatalf("TokenByHash = %+v, %v", got, err)
	}
	if _, err := d.TokenByHash(ctx, postmortem.HashToken("hs_other")); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("unknown hash: %v", err)
	}

	at := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	if err := d.TouchToken(ctx, got, at); err != nil {
		t.Fatal(err)
	}
	got, _ = d.Token(ctx, tok.ID)
	if got.LastUsedAt != "2025-01-01T10:00:00Z" {
		t.Errorf("last used %q", got.LastUsedAt)
	}
	d.TouchToken(ctx, got, at.Add(30*time.Second)) // within the minute: no write
	if got, _ = d.Token(ctx, tok.ID); got.LastUsedAt != "2025-01-01T10:00:00Z" {
		t.Errorf("touched again within a minute: %q", got.LastUsedAt)
	}

	for _, bad := range []struct{ name, role, field string }{
		{"x", "root", "role"}, {"", postmortem.RoleViewer, "name"},
	} {
		_, err := d.CreateToken(ctx, bad.name, bad.role, "h"+bad.field, "")
		var e *postmortem.Error
		if postmortem.ErrorCode(err) != postmortem.EInvalid || !errors.As(err, &e) || e.Field != bad.field {
			t.Errorf("CreateToken(%q, %q) = %v", bad.name, bad.role, err)
		}
	}

	revoked, err := d.RevokeToken(ctx, tok.ID)
	if err != nil || !revoked.Revoked() {
		t.Fatalf("RevokeToken = %+v, %v", revoked, err)
	}
	again, err := d.RevokeToken(ctx, tok.ID)
	if err != nil || again.RevokedAt != revoked.RevokedAt {
		t.Errorf("revoking twice = %+v, %v", again, err)
	}
	if _, err := d.RevokeToken(ctx, 999); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("revoke unknown: %v", err)
	}
	list, err := d.ListTokens(ctx)
	if err != nil || len(list) != 1 || !list[0].Revoked() {
		t.Errorf("ListTokens = %+v, %v", list, err)
	}
}
