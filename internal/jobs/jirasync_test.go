package jobs_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jira"
	"github.com/hindsight-dev/hindsight/internal/jira/jiratest"
	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// jiraEnv is a store, a fake Jira and a real client talking to it.
type jiraEnv struct {
	db     *sqlite.DB
	fake   *jiratest.Fake
	client *jira.Client
	opts   jobs.JiraOptions
}

// fastRetry scales the retry policy down for tests: the same decisions,
// milliseconds instead of seconds.
var fastRetry = jira.Retry{Attempts: 4, Base: time.Millisecond, Max: 10 * time.Millisecond,
	MaxRetryAfter: 10 * time.Millisecond, Jitter: time.Millisecond, Timeout: 150 * time.Millisecond}

func newJiraEnv(t testing.TB, fo jiratest.Options) *jiraEnv {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hindsight.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake := jiratest.New(t, fo)
	cfg := jira.Config{URL: fake.URL, Flavor: jira.Cloud, User: "bot@example.com", Token: "secret-token",
		Project: "OPS", Retry: fastRetry, Secret: "s3cret"}
	if fo.DataCenter {
		cfg.Flavor, cfg.User = jira.DataCenter, ""
	}
	client, err := jira.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &jiraEnv{db: db, fake: fake, client: client, opts: jobs.JiraOptions{
		BaseURL: "https://hindsight.example.com", DataCenter: fo.DataCenter,
		RecheckWindow: 1500 * time.Millisecond, Overlap: time.Minute,
	}}
}

// seed stores one postmortem with the given action items.
func (e *jiraEnv) seed(t testing.TB, id string, items ...postmortem.ActionItem) []postmortem.Item {
	t.Helper()
	p := &postmortem.Postmortem{ID: id, Title: "Incident " + id, Date: "2024-03-01", ActionItems: items,
		Source: &postmortem.Source{Path: id + ".md", Text: fmt.Sprintf("%s %d %v", id, len(items), time.Now().UnixNano())}}
	if _, err := e.db.Save(context.Background(), []*postmortem.Postmortem{p}, 1); err != nil {
		t.Fatal(err)
	}
	got, err := e.db.ItemsOf(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (e *jiraEnv) sync(t testing.TB, ctx context.Context) (jobs.JiraSummary, error) {
	t.Helper()
	return jobs.SyncJira(ctx, e.db, e.client, e.opts)
}

func (e *jiraEnv) item(t testing.TB, id int64) *postmortem.Item {
	t.Helper()
	it, err := e.db.GetItem(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func openItem(text, owner string) postmortem.ActionItem {
	it := postmortem.ActionItem{Text: text, Status: postmortem.StatusOpen}
	if owner != "" {
		it.Owner = &postmortem.Person{Name: owner}
	}
	return it
}

// TestJiraExactlyOnce is the acceptance test for creating: 200 items, a
// fifth of all calls failing with 429, 503, 500, a slow answer past the
// client's timeout or a dropped connection after the work was done, a
// search index 300 ms behind, and a crash right after Jira created one of
// the issues. Cycles run until every item has its issue; then every item
// has exactly one, a further cycle creates nothing and reads the 200
// issues in ceil(200/100) searches. Cloud and Data Center alike.
func TestJiraExactlyOnce(t *testing.T) {
	for _, dc := range []bool{false, true} {
		name := "cloud"
		if dc {
			name = "datacenter"
		}
		t.Run(name, func(t *testing.T) {
			const n = 200
			var crash context.CancelFunc
			creates := 0
			e := newJiraEnv(t, jiratest.Options{DataCenter: dc, SearchLag: 300 * time.Millisecond,
				SlowDelay: 300 * time.Millisecond, FaultRate: 0.2, Seed: 42,
				OnCreate: func(string) {
					if creates++; creates == 50 {
						crash() // the process dies after Jira created, before the key is saved
					}
				}})
			var items []postmortem.ActionItem
			for i := range n {
				items = append(items, openItem(fmt.Sprintf("Fix thing %d", i), ""))
			}
			stored := e.seed(t, "pm-load", items...)

			deadline := time.Now().Add(15 * time.Second)
			crashed := false
			for cycle := 1; ; cycle++ {
				ctx, cancel := context.WithCancel(context.Background())
				crash = cancel
				_, err := e.sync(t, ctx)
				cancel()
				if err != nil {
					crashed = crashed || ctx.Err() != nil
					t.Logf("cycle %d: %v", cycle, err)
				}
				pending, perr := e.db.JiraPending(context.Background(), false)
				if perr != nil {
					t.Fatal(perr)
				}
				if len(pending) == 0 && err == nil {
					t.Logf("settled after %d cycles", cycle)
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d items still without an issue after %d cycles", len(pending), cycle)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if !crashed {
				t.Error("the simulated crash did not happen")
			}

			perLabel := map[string]int{}
			for _, is := range e.fake.Issues() {
				for _, l := range is.Labels {
					perLabel[l]++
				}
			}
			if got := len(e.fake.Issues()); got != n {
				t.Errorf("Jira has %d issues for %d items", got, n)
			}
			for _, it := range stored {
				if c := perLabel[postmortem.JiraItemLabel(it.ID)]; c != 1 {
					t.Errorf("item %d has %d issues", it.ID, c)
				}
				if k := e.item(t, it.ID).JiraKey; k == "" {
					t.Errorf("item %d has no key stored", it.ID)
				}
			}

			e.fake.SetFaultRate(0)
			e.fake.ResetCalls()
			sum, err := e.sync(t, context.Background())
			if err != nil || sum.Created != 0 || sum.Failed != 0 {
				t.Errorf("second cycle: %v, %v", sum, err)
			}
			searches := len(e.fake.Calls("GET", "/rest/api/2/search"))
			if searches > n/100+2 {
				t.Errorf("a steady cycle made %d searches for %d linked items", searches, n)
			}
			if creates := len(e.fake.Calls("POST", "/rest/api/2/issue")); creates != 0 {
				t.Errorf("a steady cycle made %d create calls", creates)
			}
		})
	}
}

// TestJiraStatusFlowsBack: a status change in Jira reaches the item on the
// next cycle, with history under "jira"; by webhook it arrives at once;
// a forged delivery is refused and a repeated one ignored.
func TestJiraStatusFlowsBack(t *testing.T) {
	e := newJiraEnv(t, jiratest.Options{})
	ctx := context.Background()
	items := e.seed(t, "pm-status", openItem("Rotate the keys", ""), openItem("Add an alert", ""))
	if sum, err := e.sync(t, ctx); err != nil || sum.Created != 2 {
		t.Fatalf("first cycle: %v %v", sum, err)
	}
	key := e.item(t, items[0].ID).JiraKey

	e.fake.SetStatus(key, "In Progress")
	sum, err := e.sync(t, ctx)
	if err != nil || sum.Updated != 1 {
		t.Fatalf("cycle after the change: %v %v", sum, err)
	}
	it := e.item(t, items[0].ID)
	if it.Status != postmortem.StatusInProgress || it.JiraStatus != "In Progress" {
		t.Errorf("item is %s / %q, want in_progress / In Progress", it.Status, it.JiraStatus)
	}
	hist, _ := e.db.History(ctx, items[0].ID)
	if !hasEvent(hist, "jira", "status", "open", "in_progress") {
		t.Errorf("no status event from jira in %+v", hist)
	}

	loop := jobs.NewJiraLoop(e.db, e.client, e.opts, time.Hour)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	searches := len(e.fake.Calls("GET", "/rest/api/2/search"))
	go func() { loop.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()
	// Let the loop's first cycle pass, so only the webhook can bring the
	// change below.
	waitFor(t, 2*time.Second, func() bool { return len(e.fake.Calls("GET", "/rest/api/2/search")) > searches })
	time.Sleep(50 * time.Millisecond)

	e.fake.SetStatus(key, "Done")
	d := e.fake.Event(key)
	forged := d
	forged.Secret = "not the secret"
	if err := loop.JiraWebhook(ctx, forged.ID, jira.Sign(d.Body, "wrong"), d.Body); postmortem.ErrorCode(err) != postmortem.EUnauthorized {
		t.Errorf("forged delivery: %v, want unauthorized", err)
	}
	if err := loop.JiraWebhook(ctx, d.ID, jira.Sign(d.Body, "s3cret"), d.Body); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, func() bool { return e.item(t, items[0].ID).Status == postmortem.StatusDone })

	// Jira redelivers: the same identifier is dropped without a read.
	e.fake.ResetCalls()
	if err := loop.JiraWebhook(ctx, d.ID, jira.Sign(d.Body, "s3cret"), d.Body); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if calls := e.fake.Calls("GET", "/rest/api/2/issue/"); len(calls) != 0 {
		t.Errorf("a repeated delivery was read again: %v", calls)
	}
}

func hasEvent(hist []sqlite.ItemEvent, actor, field, old, new string) bool {
	for _, h := range hist {
		if h.Actor == actor && h.Field == field && h.Old == old && h.New == new {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestJiraRequiredField: a create Jira refuses for a missing required
// field fails that item alone, with Jira's words, and is not retried
// every cycle; the other items get their issues.
func TestJiraRequiredField(t *testing.T) {
	e := newJiraEnv(t, jiratest.Options{Required: []string{"customfield_10020"},
		RequireIf: func(summary string) bool { return strings.Contains(summary, "payments") }})
	ctx := context.Background()
	items := e.seed(t, "pm-field", openItem("Page the payments team on errors", ""), openItem("Add a dashboard", ""))
	sum, err := e.sync(t, ctx)
	if err != nil || sum.Created != 1 || sum.Failed != 1 {
		t.Fatalf("cycle: %v %v", sum, err)
	}
	pending, _ := e.db.JiraPending(ctx, true)
	if len(pending) != 1 || pending[0].ID != items[0].ID || pending[0].State != postmortem.JiraFailed ||
		!strings.Contains(pending[0].Error, "customfield_10020: Team is required.") {
		t.Errorf("failed item: %+v", pending)
	}
	e.fake.ResetCalls()
	if sum, err := e.sync(t, ctx); err != nil || sum.Failed != 0 || sum.Created != 0 {
		t.Errorf("next cycle retried the refused item: %v %v", sum, err)
	}
	if creates := e.fake.Calls("POST", "/rest/api/2/issue"); len(creates) != 0 {
		t.Errorf("refused item created again: %v", creates)
	}
}

// TestJiraOwnersAndLinks: owners map to accounts through the directory,
// found by email and stored on the person; an owner who left, or whom
// Jira does not know, gets an unassigned issue and a flagged item; items
// whose document names issues are linked (several keys, several links)
// and follow those issues.
func TestJiraOwnersAndLinks(t *testing.T) {
	e := newJiraEnv(t, jiratest.Options{Users: []jiratest.User{
		{AccountID: "acc-eb", DisplayName: "Edward Barclay", Email: "edward+sre@example.com"},
	}})
	ctx := context.Background()
	for _, m := range []postmortem.Member{
		{Name: "Edward Barclay", Email: "edward+sre@example.com", Active: true},
		{Name: "John Simmons", Email: "john@example.com", Active: false},
		{Name: "Nadia Okafor", Email: "nadia@example.com", Active: true},
	} {
		if err := e.db.CreatePerson(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	other1 := e.fake.AddIssue("OPS", "Older work")
	other2 := e.fake.AddIssue("OPS", "More older work")
	linked := openItem("Finish the migration", "Nadia Okafor")
	linked.JiraKey, linked.JiraKeys = other1, []string{other1, other2}
	items := e.seed(t, "pm-owners",
		openItem("Check keycloak users", "Edward Barclay"),
		postmortem.ActionItem{Text: "Update emails", Status: "open", Owner: &postmortem.Person{Name: "John Simmons", Annotation: "Deactivated"}},
		openItem("Write the runbook", "Nadia Okafor"),
		linked,
	)
	sum, err := e.sync(t, ctx)
	if err != nil || sum.Created != 3 || sum.Linked != 1 {
		t.Fatalf("cycle: %v %v", sum, err)
	}
	byKey := map[string]jiratest.Issue{}
	for _, is := range e.fake.Issues() {
		byKey[is.Key] = is
	}
	if got := byKey[e.item(t, items[0].ID).JiraKey].Assignee; got != "acc-eb" {
		t.Errorf("Edward's issue assigned to %q", got)
	}
	if p, _ := e.db.MemberByName(ctx, "Edward Barclay"); p.JiraAccountID != "acc-eb" {
		t.Errorf("account not stored on the person: %+v", p)
	}
	for i, flag := range map[int]string{1: postmortem.FlagOwnerLeft, 2: postmortem.FlagOwnerUnmapped} {
		key := e.item(t, items[i].ID).JiraKey
		if byKey[key].Assignee != "" {
			t.Errorf("item %d assigned to %q", i, byKey[key].Assignee)
		}
		hist, _ := e.db.History(ctx, items[i].ID)
		if !hasEvent(hist, "jira", "jira_flag", "", flag) {
			t.Errorf("item %d not flagged %s: %+v", i, flag, hist)
		}
	}
	desc := byKey[e.item(t, items[0].ID).JiraKey].Description
	if !strings.Contains(desc, "https://hindsight.example.com/incidents/pm-owners") || !strings.Contains(desc, "{quote}\nCheck keycloak users\n{quote}") {
		t.Errorf("description:\n%s", desc)
	}

	e.fake.SetStatus(other1, "Done")
	e.fake.SetStatus(other2, "In Progress")
	if _, err := e.sync(t, ctx); err != nil {
		t.Fatal(err)
	}
	it := e.item(t, items[3].ID)
	if it.Status != postmortem.StatusInProgress || !strings.Contains(it.JiraStatus, other1+": Done") {
		t.Errorf("linked item: %s %q", it.Status, it.JiraStatus)
	}
	e.fake.SetStatus(other2, "Done")
	e.sync(t, ctx)
	if it := e.item(t, items[3].ID); it.Status != postmortem.StatusDone {
		t.Errorf("both issues done, item %s", it.Status)
	}
}

// TestJiraConflictRule: Hindsight's edits of text and due date reach the
// issue it created; a status set here is put back from Jira, or, with a
// done transition configured, closes the issue.
func TestJiraConflictRule(t *testing.T) {
	e := newJiraEnv(t, jiratest.Options{})
	ctx := context.Background()
	first := openItem("Tune the alert", "")
	first.Due = "2024-04-01"
	items := e.seed(t, "pm-conflict", first)
	if _, err := e.sync(t, ctx); err != nil {
		t.Fatal(err)
	}
	key := e.item(t, items[0].ID).JiraKey

	edited := first
	edited.Text, edited.Due = "Tune the alert thresholds", "2024-05-01"
	p := &postmortem.Postmortem{ID: "pm-conflict", Title: "Incident pm-conflict", Date: "2024-03-01",
		ActionItems: []postmortem.ActionItem{edited}, Source: &postmortem.Source{Path: "pm-conflict.md", Text: "edited"}}
	if _, err := e.db.Save(ctx, []*postmortem.Postmortem{p}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sync(t, ctx); err != nil {
		t.Fatal(err)
	}
	is := e.fake.Issues()[0]
	if is.Summary != "Tune the alert thresholds" || is.Due != "2024-05-01" {
		t.Errorf("issue not updated: %q %q", is.Summary, is.Due)
	}

	done := postmortem.StatusDone
	if err := e.db.UpdateItem(ctx, items[0].ID, sqlite.ItemUpdate{Status: &done}, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sync(t, ctx); err != nil {
		t.Fatal(err)
	}
	if it := e.item(t, items[0].ID); it.Status != postmortem.StatusOpen {
		t.Errorf("status set here survived a cycle: %s", it.Status)
	}
	e.opts.DoneTransition = "Done"
	if err := e.db.UpdateItem(ctx, items[0].ID, sqlite.ItemUpdate{Status: &done}, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sync(t, ctx); err != nil {
		t.Fatal(err)
	}
	if it := e.item(t, items[0].ID); it.Status != postmortem.StatusDone || e.fake.Issues()[0].Category != "done" {
		t.Errorf("done transition: item %s, issue %s", it.Status, e.fake.Issues()[0].Category)
	}
	hist, _ := e.db.History(ctx, items[0].ID)
	if !hasEvent(hist, "alice", "status", "open", "done") || !hasEvent(hist, "jira", "status", "done", "open") {
		t.Errorf("history: %+v", hist)
	}
	_ = key
}

// TestJiraDryRun reads but writes nothing.
func TestJiraDryRun(t *testing.T) {
	e := newJiraEnv(t, jiratest.Options{})
	e.seed(t, "pm-dry", openItem("One", ""), openItem("Two", ""))
	e.opts.DryRun = true
	var lines []string
	e.opts.Report = func(a jobs.JiraAction) { lines = append(lines, a.String()) }
	sum, err := e.sync(t, context.Background())
	if err != nil || sum.Created != 2 || len(lines) != 2 || !strings.HasPrefix(lines[0], "create item ") {
		t.Errorf("dry run: %v %v %q", sum, err, lines)
	}
	if len(e.fake.Issues()) != 0 || len(e.fake.Calls("POST", "")) != 0 {
		t.Error("dry run wrote to Jira")
	}
	if pending, _ := e.db.JiraPending(context.Background(), false); len(pending) != 2 || pending[0].State != postmortem.JiraNone {
		t.Errorf("dry run wrote to the store: %+v", pending)
	}
}

// BenchmarkJiraCycle1000 measures a steady cycle over 1,000 linked items
// against a Jira that takes 50 ms to answer each call:
//
//	go test ./internal/jobs -run '^$' -bench JiraCycle1000 -benchtime 5x
func BenchmarkJiraCycle1000(b *testing.B) {
	e := newJiraEnv(b, jiratest.Options{})
	var items []postmortem.ActionItem
	for i := range 1000 {
		items = append(items, openItem(fmt.Sprintf("Fix thing %d", i), ""))
	}
	e.seed(b, "pm-bench", items...)
	if sum, err := e.sync(b, context.Background()); err != nil || sum.Created != 1000 {
		b.Fatalf("setup: %v %v", sum, err)
	}
	e.fake.SetLatency(50 * time.Millisecond)
	for _, full := range []bool{false, true} {
		name := "incremental"
		if full {
			name = "full"
		}
		b.Run(name, func(b *testing.B) {
			e.opts.FullEvery = 24 * time.Hour
			if full {
				e.opts.FullEvery = time.Nanosecond
			}
			e.fake.ResetCalls()
			for b.Loop() {
				if _, err := e.sync(b, context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			calls := float64(len(e.fake.Calls("", ""))) / float64(b.N)
			b.ReportMetric(calls, "calls/cycle")
			b.ReportMetric(float64(len(e.fake.Calls("GET", "/rest/api/2/search")))/float64(b.N), "searches/cycle")
		})
	}
}
