package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/slack/slackfake"
)

// TestServeSlackHook: with a Slack token, serve's hook hands the server a
// store that takes Slack's requests (forged ones refused with 401, signed
// ones answered), keeps the Jira webhook receiver and the people CSV of
// the store it wraps; without a token the store is left as it was.
func TestServeSlackHook(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{Users: []slackfake.User{
		{ID: "U1", RealName: "Ann Lee", Email: "ann@example.com", TZ: "UTC"}}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := &app{cli: &cli{DB: filepath.Join(t.TempDir(), "hindsight.db")}, ctx: ctx,
		logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	db, err := a.openStore()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreatePerson(ctx, &postmortem.Member{Name: "Ann Lee", SlackID: "U1", Active: true}); err != nil {
		t.Fatal(err)
	}
	p := &postmortem.Postmortem{ID: "pm", Title: "PM", Date: "2024-01-01", Source: &postmortem.Source{Path: "pm.md", Text: "pm"},
		ActionItems: []postmortem.ActionItem{{Text: "Fix it", Owner: &postmortem.Person{Name: "Ann Lee"}, Status: "open"}}}
	if _, err := db.Save(ctx, []*postmortem.Postmortem{p}, 1); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HINDSIGHT_JIRA_URL", "")

	t.Setenv("HINDSIGHT_SLACK_TOKEN", "")
	if off, _ := a.withSlack(db); off != nil {
		t.Fatal("Slack hook without a token")
	}

	t.Setenv("HINDSIGHT_SLACK_TOKEN", fake.Token())
	t.Setenv("HINDSIGHT_SLACK_SIGNING_SECRET", "s3cret")
	t.Setenv("HINDSIGHT_SLACK_API_URL", fake.URL)
	hook, wait := a.withSlack(db)
	defer wait()
	if hook == nil {
		t.Fatal("no Slack hook")
	}

	srv := httptest.NewServer(server.New(serverStore{db}, server.Config{SlackHook: hook}, a.logger))
	defer srv.Close()
	post := func(path string, body []byte, secret string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
		req.Header = slackfake.Sign(secret, time.Now(), body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	click := slackfake.ClickBody(postmortem.ActionDone, 1, "U1", "D1", "1700000000.000001")
	if code, _ := post("/slack/interactions", click, "forged"); code != http.StatusUnauthorized {
		t.Errorf("forged interaction: %d", code)
	}
	if code, body := post("/slack/interactions", click, "s3cret"); code != http.StatusOK || body != "" {
		t.Errorf("signed press on an unknown message: %d %q", code, body)
	}
	if code, body := post("/slack/commands", slackfake.CommandBody("/hindsight", "mine", "U1"), "s3cret"); code != http.StatusOK ||
		!strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "Fix it") {
		t.Errorf("command: %d %s", code, body)
	}
}
