package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jira"
	"github.com/hindsight-dev/hindsight/internal/jira/jiratest"
	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/slack"
	"github.com/hindsight-dev/hindsight/internal/slack/slackfake"
)

var _ server.SlackHook = (*jobs.NudgeActions)(nil)

// commentProxy stands in front of the fake Jira, which has no comment
// endpoint: it takes comments itself, recording them, and passes every
// other request on.
type commentProxy struct {
	mu       sync.Mutex
	comments map[string][]string // by issue key
}

func newCommentProxy(t *testing.T, fake *jiratest.Fake) (*commentProxy, string) {
	target, _ := url.Parse(fake.URL)
	p := &commentProxy{comments: map[string][]string{}}
	pass := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, isComment := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/rest/api/2/issue/"), "/comment")
		if r.Method != http.MethodPost || !isComment {
			pass.ServeHTTP(w, r)
			return
		}
		var body struct{ Body string }
		json.NewDecoder(r.Body).Decode(&body)
		p.mu.Lock()
		p.comments[key] = append(p.comments[key], body.Body)
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"10001","body":`+strconv.Quote(body.Body)+`}`)
	}))
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// slackServer sends Ann a digest of two items, the first linked to Jira
// issue OPS-1, and returns a server that takes Slack's requests for it.
type slackServer struct {
	srv      http.Handler
	st       testStore
	slack    *slackfake.Fake
	jira     *jiratest.Fake
	comments *commentProxy
	actions  *jobs.NudgeActions
	items    []postmortem.Item
	dm, ts   string
}

func newSlackServer(t *testing.T) *slackServer {
	st := openStore(t)
	ctx := context.Background()
	s := &slackServer{st: st}
	s.slack = slackfake.New(t, slackfake.Options{Users: []slackfake.User{
		{ID: "U1", RealName: "Ann Lee", Email: "ann@example.com", TZ: "UTC"}}})
	client, err := slack.New(slack.Config{Token: s.slack.Token(), SigningSecret: "s3cret", APIURL: s.slack.URL})
	if err != nil {
		t.Fatal(err)
	}
	s.jira = jiratest.New(t, jiratest.Options{})
	key := s.jira.AddIssue("OPS", "Rotate the keys")
	var jiraURL string
	s.comments, jiraURL = newCommentProxy(t, s.jira)
	jc, err := jira.New(jira.Config{URL: jiraURL, User: "bot@example.com", Token: "secret-token", Project: "OPS"})
	if err != nil {
		t.Fatal(err)
	}

	if err := st.CreatePerson(ctx, &postmortem.Member{Name: "Ann Lee", SlackID: "U1", Active: true}); err != nil {
		t.Fatal(err)
	}
	p := &postmortem.Postmortem{ID: "2024-01-01-keys", Title: "Keys leaked", Date: "2024-01-01",
		ActionItems: []postmortem.ActionItem{
			{Text: "Rotate the keys", Owner: &postmortem.Person{Name: "Ann Lee"}, Status: postmortem.StatusOpen, JiraKey: key},
			{Text: "Scan commits for secrets", Owner: &postmortem.Person{Name: "Ann Lee"}, Status: postmortem.StatusOpen},
		},
		Source: &postmortem.Source{Path: "keys.md", Text: "keys"}}
	if _, err := st.Save(ctx, []*postmortem.Postmortem{p}, 1); err != nil {
		t.Fatal(err)
	}
	if s.items, err = st.ItemsOf(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	at := time.Now().AddDate(0, 0, 8)
	for at.Weekday() != time.Thursday {
		at = at.AddDate(0, 0, 1)
	}
	at = time.Date(at.Year(), at.Month(), at.Day(), 10, 30, 0, 0, time.UTC)
	if sum, err := jobs.Nudge(ctx, st.DB, client, jobs.NudgeOptions{Now: func() time.Time { return at }}); err != nil || sum.Digests != 1 {
		t.Fatalf("nudge: %+v, %v", sum, err)
	}
	m := s.slack.MessagesTo("U1")[0]
	s.dm, s.ts = m.Channel, m.TS
	s.actions = jobs.NewNudgeActions(ctx, st.DB, client, jc, jobs.NudgeActionOptions{DoneTransition: "Done"})
	s.srv, _ = newServer(t, st, server.Config{SlackHook: s.actions})
	return s
}

// send posts body to path, signed at at with secret.
func (s *slackServer) send(path string, body []byte, secret string, at time.Time) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range slackfake.Sign(secret, at, body) {
		r.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, r)
	return rec
}

// TestSlackRefused: forged, stale and unsigned requests are refused with
// 401 and change nothing; without Slack configured the routes are 404.
func TestSlackRefused(t *testing.T) {
	s := newSlackServer(t)
	click := slackfake.ClickBody(postmortem.ActionDone, s.items[0].ID, "U1", s.dm, s.ts)
	command := slackfake.CommandBody("/hindsight", "mine", "U1")
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"forged interaction": s.send("/slack/interactions", click, "guessed", time.Now()),
		"stale interaction":  s.send("/slack/interactions", click, "s3cret", time.Now().Add(-6*time.Minute)),
		"future interaction": s.send("/slack/interactions", click, "s3cret", time.Now().Add(6*time.Minute)),
		"forged command":     s.send("/slack/commands", command, "guessed", time.Now()),
		"stale command":      s.send("/slack/commands", command, "s3cret", time.Now().Add(-10*time.Minute)),
	} {
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/slack/interactions", bytes.NewReader(click))
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", rec.Code)
	}
	s.actions.Wait()
	it, _ := s.st.GetItem(context.Background(), s.items[0].ID)
	if it.Status != postmortem.StatusOpen || len(s.slack.Updates()) != 0 || s.jira.Issues()[0].Category != "new" {
		t.Errorf("refused requests changed things: %s", it.Status)
	}

	plain, _ := newServer(t, s.st, server.Config{})
	for _, path := range []string{"/slack/interactions", "/slack/commands"} {
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(click))
		for k, v := range slackfake.Sign("s3cret", time.Now(), click) {
			r.Header[k] = v
		}
		rec := httptest.NewRecorder()
		plain.ServeHTTP(rec, r)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s without Slack: %d", path, rec.Code)
		}
	}
}

// TestSlackDone: pressing Done answers 200 at once; the item is done, its
// Jira issue moved to Done with a comment, the message updated, and the
// item's page shows it all in its history.
func TestSlackDone(t *testing.T) {
	s := newSlackServer(t)
	id := s.items[0].ID
	start := time.Now()
	rec := s.send("/slack/interactions", slackfake.ClickBody(postmortem.ActionDone, id, "U1", s.dm, s.ts), "s3cret", time.Now())
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || time.Since(start) > 3*time.Second {
		t.Fatalf("press: %d %q in %v", rec.Code, rec.Body, time.Since(start))
	}
	s.actions.Wait()
	it, _ := s.st.GetItem(context.Background(), id)
	if it.Status != postmortem.StatusDone {
		t.Errorf("status = %s", it.Status)
	}
	is := s.jira.Issues()[0]
	if is.Status != "Done" || is.Category != "done" {
		t.Errorf("jira issue = %+v", is)
	}
	if c := s.comments.comments[is.Key]; len(c) != 1 || !strings.Contains(c[0], "Marked done in Slack by Ann Lee") {
		t.Errorf("comments = %q", c)
	}
	up := s.slack.Updates()
	if len(up) != 1 || up[0].TS != s.ts || !strings.Contains(up[0].Text, "Done: marked by Ann Lee.") {
		t.Errorf("updates = %+v", up)
	}
	page := newClient(t, s.srv).page("/actions/" + strconv.FormatInt(id, 10))
	contains(t, "item page", page, "slack", "reminder to “sent to Ann Lee”", "reminder to “marked done by Ann Lee”", "to “Done”")
}

// TestSlackCommand: /hindsight mine answers with the caller's items, only
// to them.
func TestSlackCommand(t *testing.T) {
	s := newSlackServer(t)
	rec := s.send("/slack/commands", slackfake.CommandBody("/hindsight", "mine", "U1"), "s3cret", time.Now())
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("command: %d %s", rec.Code, rec.Body)
	}
	var reply struct {
		ResponseType string `json:"response_type"`
		Text         string
	}
	json.Unmarshal(rec.Body.Bytes(), &reply)
	if reply.ResponseType != "ephemeral" || !strings.Contains(reply.Text, "Rotate the keys") || !strings.Contains(reply.Text, "Scan commits") {
		t.Errorf("reply = %+v", reply)
	}
}
