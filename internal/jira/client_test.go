package jira_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jira"
	"github.com/hindsight-dev/hindsight/internal/jira/jiratest"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

func TestErrors(t *testing.T) {
	ctx := context.Background()
	fake := jiratest.New(t, jiratest.Options{Required: []string{"customfield_10020"}})
	cl := newClient(t, fake, false)

	_, err := cl.Create(ctx, postmortem.JiraDraft{Summary: "x", Labels: []string{"has space"}})
	var pe *postmortem.Error
	if postmortem.ErrorCode(err) != postmortem.EInvalid || !strings.Contains(err.Error(), "customfield_10020: Team is required.") {
		t.Errorf("400: %v", err)
	} else if pe, _ = err.(*postmortem.Error); pe.Field != "customfield_10020,labels" {
		t.Errorf("400 fields %q", pe.Field)
	}

	bad, _ := jira.New(jira.Config{URL: fake.URL, User: "bot@example.com", Token: "wrong", Project: "OPS"})
	if err := bad.Check(ctx); postmortem.ErrorCode(err) != postmortem.EUnauthorized {
		t.Errorf("401: %v", err)
	}

	// A Data Center client against Cloud uses the classic search: 410.
	dc, _ := jira.New(jira.Config{URL: fake.URL, Flavor: jira.DataCenter, Token: "secret-token", Project: "OPS"})
	_, err = dc.FindByLabel(ctx, "x")
	if postmortem.ErrorCode(err) != postmortem.EInvalid || !strings.Contains(err.Error(), "410") || !strings.Contains(err.Error(), "FLAVOR") {
		t.Errorf("410: %v", err)
	}

	// An unanswered POST is unavailable: the caller must not assume
	// either outcome.
	fake.Inject("POST", "/rest/api/2/issue", jiratest.DropAfter)
	_, err = cl.Create(ctx, postmortem.JiraDraft{Summary: "y"})
	if postmortem.ErrorCode(err) != postmortem.EUnavailable {
		t.Errorf("dropped create: %v", err)
	}
}

// TestIssuesBatches: keys go 100 to a search, and a key Jira does not know
// is found by splitting the batch Jira refused.
func TestIssuesBatches(t *testing.T) {
	fake := jiratest.New(t, jiratest.Options{})
	cl := newClient(t, fake, false)
	var keys []string
	for range 250 {
		keys = append(keys, fake.AddIssue("OPS", "s"))
	}
	fake.Delete(keys[130])
	found, missing, err := cl.Issues(context.Background(), keys, time.Time{})
	if err != nil || len(found) != 249 || len(missing) != 1 || missing[0] != keys[130] {
		t.Fatalf("found %d, missing %q, %v", len(found), missing, err)
	}
	searches := len(fake.Calls("GET", "/rest/api/2/search/jql"))
	if searches > 3+2*7 {
		t.Errorf("%d searches", searches)
	}
}

func TestFindUser(t *testing.T) {
	fake := jiratest.New(t, jiratest.Options{Users: []jiratest.User{
		{AccountID: "a1", DisplayName: "Jane", Email: "jane+oncall@example.com"},
		{AccountID: "a2", DisplayName: "Hidden", Email: "hidden@example.com", HideEmail: true},
		{AccountID: "a3", DisplayName: "Gone", Email: "gone@example.com", Inactive: true},
	}})
	cl := newClient(t, fake, false)
	ctx := context.Background()
	for email, want := range map[string]string{"jane+oncall@example.com": "a1", "hidden@example.com": "a2"} {
		if u, err := cl.FindUser(ctx, email); err != nil || u.AccountID != want {
			t.Errorf("%s: %+v %v", email, u, err)
		}
	}
	for _, email := range []string{"gone@example.com", "nobody@example.com"} {
		if _, err := cl.FindUser(ctx, email); postmortem.ErrorCode(err) != postmortem.ENotFound {
			t.Errorf("%s: %v", email, err)
		}
	}
}

func TestWebhook(t *testing.T) {
	fake := jiratest.New(t, jiratest.Options{})
	key := fake.AddIssue("OPS", "s")
	fake.SetStatus(key, "Done")
	d := fake.Event(key)
	cfg := jira.Config{URL: fake.URL, User: "u@example.com", Token: "t", Project: "OPS", Secret: "s3cret"}
	cl, _ := jira.New(cfg)
	ev, err := cl.Webhook(d.Body, jira.Sign(d.Body, "s3cret"))
	if err != nil || ev.Issue.Key != key || ev.Issue.Category != postmortem.JiraDone || ev.Type != "jira:issue_updated" {
		t.Errorf("signed: %+v %v", ev, err)
	}
	for _, sig := range []string{"", "sha256=00", jira.Sign(d.Body, "other"), strings.TrimPrefix(jira.Sign(d.Body, "s3cret"), "sha256=")} {
		if _, err := cl.Webhook(d.Body, sig); postmortem.ErrorCode(err) != postmortem.EUnauthorized {
			t.Errorf("signature %q accepted: %v", sig, err)
		}
	}
	if !jira.Verify(d.Body, jira.Sign(d.Body, "new"), "old", "new") {
		t.Error("rotation: the second secret is not accepted")
	}
	if _, err := cl.Webhook([]byte(`{"webhookEvent":"x"}`), jira.Sign([]byte(`{"webhookEvent":"x"}`), "s3cret")); postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("event without issue: %v", err)
	}
}
