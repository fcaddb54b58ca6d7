package jobs_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/slack"
	"github.com/hindsight-dev/hindsight/internal/slack/slackfake"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// nudgeEnv is a store, a fake Slack, a real client talking to it, and a
// clock the runs read.
type nudgeEnv struct {
	db     *sqlite.DB
	path   string
	fake   *slackfake.Fake
	client *slack.Client
	now    time.Time
	opts   jobs.NudgeOptions
}

const escalations = "CESCALATE"

func newNudgeEnv(t testing.TB, users ...slackfake.User) *nudgeEnv {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hindsight.db")
	e := &nudgeEnv{path: path, db: openNudgeDB(t, path)}
	e.fake = slackfake.New(t, slackfake.Options{Users: users, Channels: []string{escalations}})
	e.client = newSlack(t, e.fake)
	e.now = nextWeekday(time.Thursday, 10, 30, time.UTC)
	e.opts = jobs.NudgeOptions{Channel: escalations, Now: func() time.Time { return e.now }}
	return e
}

func openNudgeDB(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func newSlack(t testing.TB, fake *slackfake.Fake) *slack.Client {
	t.Helper()
	c, err := slack.New(slack.Config{Token: fake.Token(), SigningSecret: "s3cret", APIURL: fake.URL,
		Format: slack.Format{BaseURL: "https://hindsight.example.com", JiraURL: "https://jira.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nextWeekday is hour:min on the first wd at least eight days from now:
// later than anything the tests store at the real time.
func nextWeekday(wd time.Weekday, hour, min int, loc *time.Location) time.Time {
	d := time.Now().In(loc).AddDate(0, 0, 8)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hour, min, 0, 0, loc)
}

// doc stores a postmortem of date with items.
func (e *nudgeEnv) doc(t testing.TB, id, date string, items ...postmortem.ActionItem) []postmortem.Item {
	t.Helper()
	p := &postmortem.Postmortem{ID: id, Title: "Incident " + id, Date: date, ActionItems: items,
		Source: &postmortem.Source{Path: id + ".md", Text: fmt.Sprintf("%s %+v", id, items)}}
	if _, err := e.db.Save(context.Background(), []*postmortem.Postmortem{p}, 1); err != nil {
		t.Fatal(err)
	}
	got, err := e.db.ItemsOf(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func owned(text, owner string) postmortem.ActionItem {
	it := postmortem.ActionItem{Text: text, Status: postmortem.StatusOpen}
	if owner != "" {
		name, note, _ := strings.Cut(owner, " (")
		it.Owner = &postmortem.Person{Name: name, Annotation: strings.TrimSuffix(note, ")")}
	}
	return it
}

func (e *nudgeEnv) person(t testing.TB, m postmortem.Member) {
	t.Helper()
	if err := e.db.CreatePerson(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
}

func (e *nudgeEnv) run(t testing.TB) jobs.NudgeSummary {
	t.Helper()
	sum, err := jobs.Nudge(context.Background(), e.db, e.client, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// texts returns the text of every message to a user or channel.
func (e *nudgeEnv) texts(to string) []string {
	var out []string
	for _, m := range e.fake.MessagesTo(to) {
		out = append(out, m.Text)
	}
	return out
}

func containsInOrder(t testing.TB, what, text string, parts ...string) {
	t.Helper()
	rest := text
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("%s lacks %q (or has it out of order):\n%s", what, p, text)
			return
		}
		rest = rest[i+len(p):]
	}
}

var threeOwners = []slackfake.User{
	{ID: "U1", Name: "ann", RealName: "Ann Lee", Email: "ann@example.com", TZ: "Europe/London"},
	{ID: "U2", Name: "bob", RealName: "Bob Stone", Email: "bob@example.com", TZ: "UTC"},
	{ID: "U3", Name: "cy", RealName: "Cy Young", Email: "cy@example.com", TZ: "UTC"},
}

// seedThree gives Ann, Bob and Cy three, two and four items over three
// postmortems, and the directory knows Ann by Slack id, Bob by email only
// and Cy by both.
func seedThree(t testing.TB, e *nudgeEnv) {
	e.person(t, postmortem.Member{Name: "Ann Lee", SlackID: "U1", Active: true})
	e.person(t, postmortem.Member{Name: "Bob Stone", Email: "bob@example.com", Active: true})
	e.person(t, postmortem.Member{Name: "Cy Young", Email: "cy@example.com", SlackID: "U3", Active: true})
	e.doc(t, "2024-05-01-db", "2024-05-01", owned("Add a replica lag alert", "Ann Lee"),
		owned("Document the failover", "Bob Stone"), owned("Test restores monthly", "Cy Young"))
	e.doc(t, "2023-01-10-dns", "2023-01-10", owned("Lower DNS TTLs", "Ann Lee"), owned("Audit zone files", "Cy Young"),
		owned("Page on NXDOMAIN spikes", "Cy Young"))
	e.doc(t, "2025-02-02-cdn", "2025-02-02", owned("Pin the CDN config", "Ann Lee"), owned("Add a CDN runbook", "Bob Stone"),
		owned("Cache warmup job", "Cy Young"))
}

// TestNudgeDigests: three owners with several items each get exactly one
// DM each listing all their items, oldest postmortem first; a second run
// the same day sends nothing, and each item's history shows the reminder.
func TestNudgeDigests(t *testing.T) {
	e := newNudgeEnv(t, threeOwners...)
	seedThree(t, e)
	sum := e.run(t)
	if sum.Digests != 3 || sum.Lines != 9 || sum.Failed != 0 {
		t.Errorf("first run: %+v", sum)
	}
	if n := len(e.fake.Messages()); n != 3 {
		t.Fatalf("%d messages, want 3", n)
	}
	ann := e.texts("U1")
	if len(ann) != 1 {
		t.Fatalf("Ann got %d messages", len(ann))
	}
	containsInOrder(t, "Ann's digest", ann[0], "Hi Ann, you have 3 open action items", "Lower DNS TTLs",
		"Add a replica lag alert", "Pin the CDN config")
	if bob := e.texts("U2"); len(bob) != 1 || !strings.Contains(bob[0], "2 open action items") {
		t.Errorf("Bob's digests: %q", bob)
	}
	if cy := e.texts("U3"); len(cy) != 1 || strings.Contains(cy[0], "Lower DNS TTLs") {
		t.Errorf("Cy's digests: %q", cy)
	}
	// Bob was found by email, and the directory now has his Slack id.
	if m, err := e.db.MemberByName(context.Background(), "Bob Stone"); err != nil || m.SlackID != "U2" {
		t.Errorf("Bob = %+v, %v", m, err)
	}

	calls := len(e.fake.Calls(""))
	e.now = e.now.Add(3 * time.Hour)
	sum = e.run(t)
	if sum.Digests != 0 || sum.Already != 3 || len(e.fake.Messages()) != 3 {
		t.Errorf("second run: %+v, %d messages", sum, len(e.fake.Messages()))
	}
	if extra := len(e.fake.Calls("")) - calls; extra != 0 {
		t.Errorf("second run made %d Slack calls, want 0 (lookups and DMs are remembered)", extra)
	}

	items, _ := e.db.NudgeItems(context.Background())
	hist, err := e.db.ItemHistory(context.Background(), items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Actor != "slack" || last.Field != "reminder" || last.New != "sent to Ann Lee" {
		t.Errorf("history ends with %+v", last)
	}
}

// errKilled is what killingSlack panics with: the process dying.
var errKilled = fmt.Errorf("killed")

// killingSlack is Slack in a process that dies just before its nth post
// reaches Slack, after the digest's claim was recorded.
type killingSlack struct {
	jobs.Slack
	posts, at int
}

func (k *killingSlack) PostDigest(ctx context.Context, channel string, d postmortem.Digest) (string, string, error) {
	k.posts++
	if k.posts == k.at {
		panic(errKilled)
	}
	return k.Slack.PostDigest(ctx, channel, d)
}

// TestNudgeKilledMidRun: a run killed between recording a digest and
// sending it, then restarted, sends every digest exactly once: at once
// those it had not reached, and the interrupted one once its claim's
// lease has run out.
func TestNudgeKilledMidRun(t *testing.T) {
	e := newNudgeEnv(t, threeOwners...)
	seedThree(t, e)
	func() {
		defer func() {
			if v := recover(); v != errKilled {
				t.Fatalf("recovered %v", v)
			}
		}()
		jobs.Nudge(context.Background(), e.db, &killingSlack{Slack: e.client, at: 2}, e.opts)
	}()
	if n := len(e.fake.Messages()); n != 1 {
		t.Fatalf("%d messages before the restart, want 1", n)
	}
	// The restarted process, a minute later: the third digest goes; the
	// interrupted claim is still within its lease.
	e.now = e.now.Add(time.Minute)
	sum := e.run(t)
	if sum.Digests != 1 || sum.Already != 2 {
		t.Errorf("restart: %+v", sum)
	}
	e.now = e.now.Add(31 * time.Minute)
	sum = e.run(t)
	if sum.Digests != 1 || sum.Already != 2 {
		t.Errorf("after the lease: %+v", sum)
	}
	e.now = e.now.Add(time.Hour)
	e.run(t)
	for _, u := range []string{"U1", "U2", "U3"} {
		if n := len(e.fake.MessagesTo(u)); n != 1 {
			t.Errorf("%s got %d digests, want 1", u, n)
		}
	}
	nudges, _ := e.db.Nudges(context.Background())
	for _, n := range nudges {
		if n.State != postmortem.NudgeSent || n.TS == "" {
			t.Errorf("nudge %+v", n)
		}
	}
}

// TestNudgeTwoProcesses: two processes on one database, running at the
// same moment, send each digest once between them.
func TestNudgeTwoProcesses(t *testing.T) {
	e := newNudgeEnv(t, threeOwners...)
	seedThree(t, e)
	other := openNudgeDB(t, e.path)
	var wg sync.WaitGroup
	sums := make([]jobs.NudgeSummary, 2)
	for i, db := range []*sqlite.DB{e.db, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			sums[i], err = jobs.Nudge(context.Background(), db, e.client, e.opts)
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(e.fake.Messages()); n != 3 || sums[0].Digests+sums[1].Digests != 3 {
		t.Errorf("%d messages; runs %+v and %+v", n, sums[0], sums[1])
	}
}

// TestNudgeEscalation: items whose owner cannot act go to the owner's
// manager when the directory names one, else to the escalation channel,
// one digest per recipient, each item with its reason.
func TestNudgeEscalation(t *testing.T) {
	e := newNudgeEnv(t,
		slackfake.User{ID: "U1", RealName: "Ann Lee", Email: "ann@example.com", TZ: "UTC"},
		slackfake.User{ID: "U2", RealName: "Bob Stone", Email: "bob@example.com", TZ: "UTC", Deleted: true},
		slackfake.User{ID: "U3", RealName: "Carol King", Email: "carol@example.com", TZ: "UTC"},
		slackfake.User{ID: "U4", RealName: "Dan Ray", Email: "dan@example.com", TZ: "UTC", Deleted: true},
	)
	e.person(t, postmortem.Member{Name: "Ann Lee", Email: "ann@example.com", Active: true})
	e.person(t, postmortem.Member{Name: "Bob Stone", SlackID: "U2", ManagerEmail: "carol@example.com", Active: true})
	e.person(t, postmortem.Member{Name: "Carol King", Email: "carol@example.com", Active: true})
	e.person(t, postmortem.Member{Name: "Dan Ray", Email: "dan@example.com", Active: true})
	e.person(t, postmortem.Member{Name: "Fay Wu", Email: "fay@example.com", Active: false, ManagerEmail: "carol@example.com"})
	e.doc(t, "2024-01-01-a", "2024-01-01",
		owned("Ann's own item", "Ann Lee"),
		owned("Bob's first item", "Bob Stone"),
		owned("Bob's second item", "Bob Stone"),
		owned("Nobody's item", ""),
		owned("Dan's item", "Dan Ray"),
		owned("Erin's item", "Erin Hale (Deactivated)"),
		owned("Fay's item", "Fay Wu"),
		owned("Gus's item", "Gus Unknown"),
	)
	sum := e.run(t)
	if sum.Digests != 3 || sum.Lines != 8 {
		t.Errorf("run: %+v", sum)
	}
	if ann := e.texts("U1"); len(ann) != 1 || strings.Contains(ann[0], "Escalated") {
		t.Errorf("Ann: %q", ann)
	}
	carol := e.texts("U3")
	if len(carol) != 1 {
		t.Fatalf("Carol got %d messages", len(carol))
	}
	containsInOrder(t, "Carol's digest", carol[0], "Hi Carol, 3 action items are escalated to you",
		"Bob's first item", "Owner: Bob Stone. Why you see it: Bob Stone's Slack account is deactivated",
		"Bob's second item", "Fay's item", "Fay Wu has left (the people directory says so)")
	ch := e.texts(escalations)
	if len(ch) != 1 {
		t.Fatalf("channel got %d messages", len(ch))
	}
	containsInOrder(t, "channel digest", ch[0], "4 action items need someone to act",
		"Nobody's item", "Owner: nobody. Why you see it: nobody owns it",
		"Dan's item", "Slack has no active account for Dan Ray",
		"Erin's item", "Owner: Erin Hale (Deactivated). Why you see it: Erin Hale has left (the postmortem marks them Deactivated)",
		"Gus's item", "Gus Unknown is not in the people directory")
	// Escalations repeat on the schedule until someone acts.
	e.now = e.now.AddDate(0, 0, 4) // Monday
	if sum := e.run(t); sum.Digests != 3 {
		t.Errorf("Monday: %+v", sum)
	}
}

// TestNudgeIgnored: an item whose owner had EscalateAfter reminders
// without acting goes to their manager as well, until someone acts.
func TestNudgeIgnored(t *testing.T) {
	e := newNudgeEnv(t,
		slackfake.User{ID: "U1", RealName: "Ann Lee", Email: "ann@example.com", TZ: "UTC"},
		slackfake.User{ID: "U3", RealName: "Carol King", Email: "carol@example.com", TZ: "UTC"})
	e.opts.EscalateAfter = 2
	e.person(t, postmortem.Member{Name: "Ann Lee", SlackID: "U1", ManagerEmail: "carol@example.com", Active: true})
	e.person(t, postmortem.Member{Name: "Carol King", SlackID: "U3", Active: true})
	items := e.doc(t, "2024-01-01-a", "2024-01-01", owned("Rotate the keys", "Ann Lee"))
	for range 2 {
		if sum := e.run(t); sum.Digests != 1 {
			t.Fatalf("run: %+v", sum)
		}
		e.now = e.now.AddDate(0, 0, 4) // Thursday to Monday, then to Friday
	}
	if n := len(e.fake.MessagesTo("U3")); n != 0 {
		t.Fatalf("Carol had %d messages before the second reminder was ignored", n)
	}
	e.now = e.now.AddDate(0, 0, 3) // Monday again
	if sum := e.run(t); sum.Digests != 2 {
		t.Errorf("third run: %+v", sum)
	}
	carol := e.texts("U3")
	if len(carol) != 1 || !strings.Contains(carol[0], "Ann Lee has had 2 reminders of it without acting") {
		t.Errorf("Carol: %q", carol)
	}
	if n := len(e.fake.MessagesTo("U1")); n != 3 {
		t.Errorf("Ann had %d reminders, want 3", n)
	}
	// Ann acts: the count starts again, and the escalation stops.
	if err := e.db.SlackSnooze(context.Background(), items[0].ID, e.now.Add(time.Hour), "Ann Lee", e.now); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.AddDate(0, 0, 3) // Thursday
	if sum := e.run(t); sum.Digests != 1 || len(e.fake.MessagesTo("U3")) != 1 {
		t.Errorf("after Ann acted: %+v, Carol has %d", sum, len(e.fake.MessagesTo("U3")))
	}
}

// TestNudgeWorkingHours: owners are messaged only between 09:00 and 17:00
// on working days of their own zone, from the directory or else Slack,
// and get the digest of the slot that passed once their day begins.
func TestNudgeWorkingHours(t *testing.T) {
	e := newNudgeEnv(t,
		slackfake.User{ID: "U1", RealName: "Ann Lee", Email: "ann@example.com", TZ: "UTC"},
		slackfake.User{ID: "U5", RealName: "Kenji Sato", Email: "kenji@example.com", TZ: "UTC"},
		slackfake.User{ID: "U6", RealName: "Lupe Diaz", Email: "lupe@example.com", TZ: "America/Los_Angeles"})
	e.person(t, postmortem.Member{Name: "Ann Lee", SlackID: "U1", Active: true})
	e.person(t, postmortem.Member{Name: "Kenji Sato", SlackID: "U5", Timezone: "Asia/Tokyo", Active: true})
	e.person(t, postmortem.Member{Name: "Lupe Diaz", Email: "lupe@example.com", Active: true})
	e.doc(t, "2024-01-01-a", "2024-01-01", owned("Ann's", "Ann Lee"), owned("Kenji's", "Kenji Sato"), owned("Lupe's", "Lupe Diaz"))

	// Thursday 10:30 UTC: 19:30 in Tokyo, the small hours in Los Angeles.
	if sum := e.run(t); sum.Digests != 1 || sum.Resting != 2 || len(e.fake.MessagesTo("U1")) != 1 {
		t.Errorf("Thursday 10:30 UTC: %+v", sum)
	}
	// Friday 01:30 UTC: 10:30 in Tokyo; Kenji gets Thursday's digest.
	e.now = e.now.Add(15 * time.Hour)
	if sum := e.run(t); sum.Digests != 1 || len(e.fake.MessagesTo("U5")) != 1 {
		t.Errorf("Friday 01:30 UTC: %+v", sum)
	}
	// Friday 17:30 UTC: the morning in Los Angeles.
	e.now = e.now.Add(16 * time.Hour)
	if sum := e.run(t); sum.Digests != 1 || len(e.fake.MessagesTo("U6")) != 1 {
		t.Errorf("Friday 17:30 UTC: %+v", sum)
	}
	if n := len(e.fake.Messages()); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
}

// TestNudgeSendFailure: a send Slack refuses is released and retried by
// the next run; Slack's rate limit is waited out within the run.
func TestNudgeSendFailure(t *testing.T) {
	e := newNudgeEnv(t, threeOwners[0])
	e.person(t, postmortem.Member{Name: "Ann Lee", SlackID: "U1", Active: true})
	e.doc(t, "2024-01-01-a", "2024-01-01", owned("Ann's", "Ann Lee"))
	e.fake.Fail("chat.postMessage", "internal_error", 1)
	if sum := e.run(t); sum.Failed != 1 || sum.Digests != 0 {
		t.Errorf("first run: %+v", sum)
	}
	e.fake.RateLimit("chat.postMessage", 1, 1)
	e.now = e.now.Add(5 * time.Minute)
	start := time.Now()
	if sum := e.run(t); sum.Digests != 1 || time.Since(start) < time.Second {
		t.Errorf("second run: %+v in %v", sum, time.Since(start))
	}
	if n := len(e.fake.MessagesTo("U1")); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// TestNudgeDryRun: a dry run prints what is due and changes nothing.
func TestNudgeDryRun(t *testing.T) {
	e := newNudgeEnv(t, threeOwners...)
	seedThree(t, e)
	var printed []postmortem.Digest
	e.opts.DryRun = true
	e.opts.Print = func(d postmortem.Digest) { printed = append(printed, d) }
	if sum := e.run(t); sum.Digests != 3 || len(printed) != 3 {
		t.Errorf("dry run: %+v", sum)
	}
	if n := len(e.fake.Messages()); n != 0 {
		t.Errorf("dry run sent %d messages", n)
	}
	if nudges, _ := e.db.Nudges(context.Background()); len(nudges) != 0 {
		t.Errorf("dry run recorded %d nudges", len(nudges))
	}
	if m, _ := e.db.MemberByName(context.Background(), "Bob Stone"); m.SlackID != "" {
		t.Errorf("dry run stored Bob's Slack id")
	}
}

// TestNudgeDeactivatedSince: an owner deactivated after Slack's answer
// about them was remembered makes the send fail; the next run asks Slack
// again and escalates their items.
func TestNudgeDeactivatedSince(t *testing.T) {
	e := newNudgeEnv(t, threeOwners[0])
	e.person(t, postmortem.Member{Name: "Ann Lee", SlackID: "U1", Active: true})
	e.doc(t, "2024-01-01-a", "2024-01-01", owned("Ann's", "Ann Lee"))
	if sum := e.run(t); sum.Digests != 1 {
		t.Fatalf("first run: %+v", sum)
	}
	e.fake.Deactivate("U1")
	e.now = e.now.AddDate(0, 0, 4)        // Monday
	e.opts.LookupTTL = 7 * 24 * time.Hour // the lookup is still trusted
	if sum := e.run(t); sum.Failed != 1 {
		t.Errorf("Monday: %+v", sum)
	}
	e.now = e.now.Add(5 * time.Minute)
	sum := e.run(t)
	ch := e.texts(escalations)
	if sum.Digests != 1 || len(ch) != 1 || !strings.Contains(ch[0], "Ann Lee's Slack account is deactivated") {
		t.Errorf("next run: %+v, channel %q", sum, ch)
	}
}
