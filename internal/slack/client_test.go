package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/slack"
	"github.com/hindsight-dev/hindsight/internal/slack/slackfake"
)

func newClient(t *testing.T, fake *slackfake.Fake, token string, waits *[]time.Duration) *slack.Client {
	t.Helper()
	c, err := slack.New(slack.Config{Token: token, SigningSecret: "shh", APIURL: fake.URL,
		Format: slack.Format{BaseURL: "https://hindsight.example.com", JiraURL: "https://jira.example.com"},
		Sleep: func(ctx context.Context, d time.Duration) error {
			*waits = append(*waits, d)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var users = []slackfake.User{
	{ID: "U1", Name: "edward", RealName: "Edward Barclay", Email: "edward@example.com", TZ: "Europe/London"},
	{ID: "U2", Name: "john", RealName: "John Simmons", Email: "john@example.com", TZ: "America/New_York", Deleted: true},
}

// TestUsers: users.lookupByEmail finds active users only, as Slack does;
// users.info still shows a deactivated one, with deleted and tz.
func TestUsers(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{Users: users})
	var waits []time.Duration
	c := newClient(t, fake, fake.Token(), &waits)
	ctx := context.Background()

	u, err := c.LookupByEmail(ctx, "EDWARD@example.com")
	if err != nil || u.ID != "U1" || u.TZ != "Europe/London" || u.Name != "Edward Barclay" || u.Deleted {
		t.Errorf("lookup edward = %+v, %v", u, err)
	}
	_, err = c.LookupByEmail(ctx, "john@example.com")
	if postmortem.ErrorCode(err) != postmortem.ENotFound || slack.SlackCode(err) != "users_not_found" {
		t.Errorf("lookup deactivated john: %v (code %s)", err, postmortem.ErrorCode(err))
	}
	u, err = c.UserInfo(ctx, "U2")
	if err != nil || !u.Deleted || u.TZ != "America/New_York" {
		t.Errorf("info john = %+v, %v", u, err)
	}
	if _, err := c.UserInfo(ctx, "U404"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("info unknown: %v", err)
	}
}

// TestToken: a wrong token is unauthorized, whatever the method.
func TestToken(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{Users: users})
	var waits []time.Duration
	c := newClient(t, fake, "xoxb-wrong", &waits)
	_, err := c.LookupByEmail(context.Background(), "edward@example.com")
	if postmortem.ErrorCode(err) != postmortem.EUnauthorized || slack.SlackCode(err) != "invalid_auth" {
		t.Errorf("wrong token: %v", err)
	}
	if calls := fake.Calls("users.lookupByEmail"); len(calls) != 1 || calls[0].Error != "invalid_auth" {
		t.Errorf("calls = %+v", calls)
	}
}

// TestPostAndUpdate: a digest goes to the DM conversations.open gives,
// with unique timestamps, Block Kit buttons and a plain-text fallback;
// chat.update replaces it.
func TestPostAndUpdate(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{Users: users, Channels: []string{"C1"}})
	var waits []time.Duration
	c := newClient(t, fake, fake.Token(), &waits)
	ctx := context.Background()
	dm, err := c.OpenDM(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OpenDM(ctx, "U2"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("open DM with deactivated user: %v", err)
	}
	now := time.Date(2026, 11, 19, 10, 30, 0, 0, time.UTC)
	d := postmortem.Digest{Target: "U1", Name: "Edward Barclay", Now: now, Own: []postmortem.DigestLine{
		{Item: postmortem.Item{ID: 7, PostmortemID: "2021-03-18-bulk", PostmortemTitle: "Bulk upload <failures>",
			PostmortemDate: "2021-03-18", Text: "Check keycloak for stale emails", JiraKey: "OPS-7", JiraStatus: "In Progress",
			Due: "2026-11-01", Status: postmortem.StatusOpen}},
	}}
	posted, ts1, err := c.PostDigest(ctx, dm, d)
	if err != nil || posted != dm {
		t.Fatalf("post = %s %s, %v", posted, ts1, err)
	}
	_, ts2, err := c.PostDigest(ctx, "C1", d)
	if err != nil || ts2 == ts1 {
		t.Fatalf("second post ts %s (first %s), %v", ts2, ts1, err)
	}
	msgs := fake.MessagesTo("U1")
	if len(msgs) != 1 {
		t.Fatalf("messages to U1 = %d", len(msgs))
	}
	m := msgs[0]
	for _, want := range []string{"Hi Edward, you have 1 open action item", "Check keycloak for stale emails",
		"Postmortem: Bulk upload <failures> (https://hindsight.example.com/incidents/2021-03-18-bulk)",
		"Jira: OPS-7, In Progress (https://jira.example.com/browse/OPS-7)", "5 years old, overdue by 18 days"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	var blocks []map[string]any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	raw := string(m.Blocks)
	for _, want := range []string{`"action_id":"done","value":"7"`, `"action_id":"snooze"`, `"action_id":"not_mine"`,
		`"block_id":"item:7"`, `Bulk upload \u0026lt;failures\u0026gt;`, `\u003chttps://jira.example.com/browse/OPS-7|OPS-7\u003e`} {
		if !strings.Contains(raw, want) {
			t.Errorf("blocks lack %s:\n%s", want, raw)
		}
	}

	d.Own[0].Outcome = "Done: marked by Edward Barclay."
	if err := c.UpdateDigest(ctx, dm, ts1, d); err != nil {
		t.Fatal(err)
	}
	up := fake.Updates()
	if len(up) != 1 || up[0].TS != ts1 || !strings.Contains(string(up[0].Blocks), "Done: marked by Edward Barclay.") ||
		strings.Contains(string(up[0].Blocks), `"action_id":"done"`) {
		t.Errorf("update = %+v", up)
	}
	if err := c.UpdateDigest(ctx, dm, "1.000000", d); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("update of unknown message: %v", err)
	}
}

// TestRateLimited: a 429 is waited out for as long as Retry-After says,
// then the call is made again, once; a 429 that persists past the
// retries is unavailable.
func TestRateLimited(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{Users: users, Channels: []string{"C1"}})
	var waits []time.Duration
	c := newClient(t, fake, fake.Token(), &waits)
	ctx := context.Background()
	fake.RateLimit("chat.postMessage", 2, 7)
	d := postmortem.Digest{Target: "C1", Channel: true, Now: time.Now()}
	if _, _, err := c.PostDigest(ctx, "C1", d); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 2 || waits[0] != 7*time.Second || waits[1] != 7*time.Second {
		t.Errorf("waits = %v", waits)
	}
	if n := len(fake.MessagesTo("C1")); n != 1 {
		t.Errorf("messages = %d, want 1", n)
	}
	calls := fake.Calls("chat.postMessage")
	if len(calls) != 3 || calls[0].Status != 429 || calls[2].Status != 200 {
		t.Errorf("calls = %+v", calls)
	}

	waits = nil
	fake.RateLimit("users.info", 4, -1) // no Retry-After header
	_, err := c.UserInfo(ctx, "U1")
	if postmortem.ErrorCode(err) != postmortem.EUnavailable || len(waits) != 3 || waits[0] != 5*time.Second {
		t.Errorf("persistent 429: %v, waits %v", err, waits)
	}
}

// TestRealWait: without a replaced Sleep, the client really waits out
// Retry-After, so slack-go's RateLimitedError is honoured end to end.
func TestRealWait(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{Users: users})
	c, err := slack.New(slack.Config{Token: fake.Token(), APIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	fake.RateLimit("users.info", 1, 1)
	start := time.Now()
	if _, err := c.UserInfo(context.Background(), "U1"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < time.Second || took > 5*time.Second {
		t.Errorf("took %v, want about 1s", took)
	}
}

// TestVerify: signatures are checked on the raw body, with Slack's
// 5-minute window both ways.
func TestVerify(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{})
	var waits []time.Duration
	c := newClient(t, fake, fake.Token(), &waits)
	body := slackfake.ClickBody("done", 7, "U1", "D1", "1700000000.000001")
	if err := c.Verify(slackfake.Sign("shh", time.Now(), body), body); err != nil {
		t.Errorf("good signature: %v", err)
	}
	for name, h := range map[string]map[string][]string{
		"wrong secret": slackfake.Sign("guess", time.Now(), body),
		"stale":        slackfake.Sign("shh", time.Now().Add(-6*time.Minute), body),
		"future":       slackfake.Sign("shh", time.Now().Add(6*time.Minute), body),
		"unsigned":     {},
	} {
		if err := c.Verify(h, body); postmortem.ErrorCode(err) != postmortem.EUnauthorized {
			t.Errorf("%s: %v", name, err)
		}
	}
	tampered := append([]byte{}, body...)
	tampered[len(tampered)-3] ^= 1
	if err := c.Verify(slackfake.Sign("shh", time.Now(), body), tampered); postmortem.ErrorCode(err) != postmortem.EUnauthorized {
		t.Errorf("tampered body: %v", err)
	}
	click, err := c.ParseClick(body)
	if err != nil || click != (postmortem.SlackClick{Action: "done", ItemID: 7, UserID: "U1", UserName: "user-U1",
		Channel: "D1", MessageTS: "1700000000.000001"}) {
		t.Errorf("click = %+v, %v", click, err)
	}
}

// TestLongDigest: a digest longer than a message holds shows 20 items
// with buttons, sums up the rest, and keeps its text under Slack's
// limit; the fake accepts it (50 blocks at most, unique block ids).
func TestLongDigest(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{Channels: []string{"C1"}})
	var waits []time.Duration
	c := newClient(t, fake, fake.Token(), &waits)
	d := postmortem.Digest{Target: "C1", Channel: true, Now: time.Now()}
	for i := range 60 {
		d.Escalated = append(d.Escalated, postmortem.DigestLine{Reason: postmortem.EscalateNoOwner, Why: "nobody owns it",
			Item: postmortem.Item{ID: int64(i + 1), PostmortemTitle: "Incident", Text: strings.Repeat("long text ", 40)}})
	}
	if _, _, err := c.PostDigest(context.Background(), "C1", d); err != nil {
		t.Fatal(err)
	}
	m := fake.MessagesTo("C1")[0]
	if len(m.Text) > 4000 || !strings.Contains(string(m.Blocks), "… and 40 more.") {
		t.Errorf("text %d chars; blocks %d bytes without the summary", len(m.Text), len(m.Blocks))
	}
	if n := strings.Count(string(m.Blocks), `"type":"actions"`); n != 20 {
		t.Errorf("%d items with buttons, want 20", n)
	}
}
