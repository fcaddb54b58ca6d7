package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

func TestSessions(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	start := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	session := func(subject string, begins time.Time) *postmortem.Session {
		return &postmortem.Session{
			Identity:  postmortem.Identity{Subject: subject, Email: subject + "@example.com", Name: "Ann " + subject, Role: postmortem.RoleEditor},
			IDToken:   "eyJ.id.token",
			CreatedAt: begins, ExpiresAt: begins.Add(12 * time.Hour),
		}
	}
	old := postmortem.HashToken("old")
	if err := d.CreateSession(ctx, old, session("old", start)); err != nil {
		t.Fatal(err)
	}
	got, err := d.SessionByHash(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	want := session("old", start)
	want.LastSeenAt = start
	if *got != *want {
		t.Errorf("SessionByHash = %+v, want %+v", got, want)
	}
	if err := d.TouchSession(ctx, old, start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.SessionByHash(ctx, old); !got.LastSeenAt.Equal(start.Add(time.Hour)) {
		t.Errorf("last seen %v", got.LastSeenAt)
	}
	if _, err := d.SessionByHash(ctx, postmortem.HashToken("other")); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("unknown hash: %v", err)
	}

	// A session begun after the first expired clears it away.
	fresh := postmortem.HashToken("fresh")
	if err := d.CreateSession(ctx, fresh, session("fresh", start.Add(13*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SessionByHash(ctx, old); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("expired session kept: %v", err)
	}
	if err := d.DeleteSession(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SessionByHash(ctx, fresh); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("deleted session found: %v", err)
	}
	if err := d.DeleteSession(ctx, fresh); err != nil {
		t.Errorf("deleting again: %v", err)
	}

	for field, s := range map[string]*postmortem.Session{
		"role":       {Identity: postmortem.Identity{Subject: "x", Role: "owner"}, CreatedAt: start, ExpiresAt: start.Add(time.Hour)},
		"subject":    {Identity: postmortem.Identity{Role: postmortem.RoleViewer}, CreatedAt: start, ExpiresAt: start.Add(time.Hour)},
		"expires_at": {Identity: postmortem.Identity{Subject: "x", Role: postmortem.RoleViewer}, CreatedAt: start, ExpiresAt: start},
	} {
		err := d.CreateSession(ctx, postmortem.HashToken(field), s)
		if pe, ok := err.(*postmortem.Error); !ok || pe.Code != postmortem.EInvalid || pe.Field != field {
			t.Errorf("bad %s: %v", field, err)
		}
	}
}
