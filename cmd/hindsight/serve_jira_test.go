package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jira"
	"github.com/hindsight-dev/hindsight/internal/jira/jiratest"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// TestServeJiraHook: with Jira configured, serve's hook starts the sync
// (issues get created without anyone asking) and the store it hands the
// server takes webhooks: forged ones are refused, signed ones applied at
// once. Without HINDSIGHT_JIRA_URL the store is left as it was.
func TestServeJiraHook(t *testing.T) {
	fake := jiratest.New(t, jiratest.Options{})
	dbPath := filepath.Join(t.TempDir(), "hindsight.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := &app{cli: &cli{DB: dbPath}, ctx: ctx, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	db, err := a.openStore()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := &postmortem.Postmortem{ID: "pm", Title: "PM", ActionItems: []postmortem.ActionItem{{Text: "Fix it", Status: "open"}},
		Source: &postmortem.Source{Path: "pm.md", Text: "pm"}}
	if _, err := db.Save(ctx, []*postmortem.Postmortem{p}, 1); err != nil {
		t.Fatal(err)
	}

	t.Setenv("HINDSIGHT_JIRA_URL", "")
	if a.withJira(db) != nil {
		t.Fatal("Jira hook without Jira")
	}

	t.Setenv("HINDSIGHT_JIRA_URL", fake.URL)
	t.Setenv("HINDSIGHT_JIRA_USER", "bot@example.com")
	t.Setenv("HINDSIGHT_JIRA_TOKEN", "secret-token")
	t.Setenv("HINDSIGHT_JIRA_PROJECT", "OPS")
	t.Setenv("HINDSIGHT_JIRA_WEBHOOK_SECRET", "s3cret")
	hook := a.withJira(db)
	if hook == nil {
		t.Fatal("no Jira hook")
	}
	var key string
	waitUntil(t, func() bool {
		items, _ := db.ItemsOf(ctx, "pm")
		key = items[0].JiraKey
		return key != ""
	})

	// Through the route: 401 for a forged delivery, 204 for a signed one.
	srv := httptest.NewServer(server.New(serverStore{db}, server.Config{JiraHook: a.withJira(db)}, a.logger))
	defer srv.Close()
	fake.SetStatus(key, "In Progress")
	d := fake.Event(key)
	d.Secret = "forged"
	if code, err := jiratest.Send(srv.URL+"/hooks/jira", d); err != nil || code != http.StatusUnauthorized {
		t.Errorf("forged webhook over HTTP: %d %v", code, err)
	}
	d.Secret = "s3cret"
	if code, err := jiratest.Send(srv.URL+"/hooks/jira", d); err != nil || code != http.StatusNoContent {
		t.Errorf("signed webhook over HTTP: %d %v", code, err)
	}
	waitUntil(t, func() bool {
		items, _ := db.ItemsOf(ctx, "pm")
		return items[0].Status == postmortem.StatusInProgress
	})

	fake.SetStatus(key, "Done")
	d = fake.Event(key)
	if err := hook.JiraWebhook(ctx, d.ID, jira.Sign(d.Body, "forged"), d.Body); postmortem.ErrorCode(err) != postmortem.EUnauthorized {
		t.Errorf("forged webhook: %v", err)
	}
	if err := hook.JiraWebhook(ctx, d.ID, jira.Sign(d.Body, "s3cret"), d.Body); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		items, _ := db.ItemsOf(ctx, "pm")
		return items[0].Status == postmortem.StatusDone
	})
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("timed out")
		}
	}
}
