package jira_test

import (
	"context"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/jira/jiratest"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// TestCompleteWithoutTransitionName closes an issue through the workflow's
// transition into a done status when no transition is configured, so that
// the next sync agrees with the Done button.
func TestCompleteWithoutTransitionName(t *testing.T) {
	ctx := context.Background()
	fake := jiratest.New(t, jiratest.Options{})
	cl := newClient(t, fake, false)
	key := fake.AddIssue("OPS", "Rotate the keys")
	if err := cl.Complete(ctx, key, "", "Done in Slack by Ana"); err != nil {
		t.Fatal(err)
	}
	is, err := cl.Get(ctx, key)
	if err != nil || is.Category != postmortem.JiraDone {
		t.Errorf("issue after Complete: %+v, %v", is, err)
	}
	if c := fake.Issues()[0].Comments; len(c) != 1 || c[0] != "Done in Slack by Ana" {
		t.Errorf("comments = %q", c)
	}
	// A second press finds the issue done and only comments.
	if err := cl.Complete(ctx, key, "", "again"); err != nil {
		t.Errorf("second Complete: %v", err)
	}
}
