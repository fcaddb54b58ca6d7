// Package jiratest is an in-process Jira for tests: an httptest server that
// speaks the REST v2 calls Hindsight makes, with Jira's error bodies, a
// JQL subset, page tokens, a search index that lags behind writes, Cloud
// and Data Center behaviour, injected faults, and a webhook emitter. It is
// imported only by tests.
package jiratest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"
)

// Fault is what the fake does to a request instead of answering it.
type Fault int

// Faults.
const (
	None        Fault = iota
	TooMany           // 429 with Retry-After
	Unavailable       // 503 without Retry-After
	ServerError       // 500 with an HTML body, as a proxy would send
	Slow              // answer after Options.SlowDelay
	DropAfter         // do what was asked, then close the connection unanswered
)

// User is an account the fake knows.
type User struct {
	AccountID   string // Cloud
	Name        string // Data Center username
	DisplayName string
	Email       string
	HideEmail   bool // Cloud: found only by the exact email, shown without it
	Inactive    bool
}

// Options configure a Fake. The zero value is a Cloud site with project OPS.
type Options struct {
	DataCenter bool
	Project    string // default OPS
	Email      string // Cloud basic-auth user; default bot@example.com
	Token      string // default secret-token
	Users      []User
	// Required lists custom field ids a create must set, e.g.
	// customfield_10020 ("Team").
	Required []string
	// RequireIf, when set, limits Required to the creates whose summary it
	// accepts, as a field configuration can.
	RequireIf func(summary string) bool
	// SearchLag keeps a new issue out of search results for this long.
	SearchLag time.Duration
	Latency   time.Duration // added to every answer
	SlowDelay time.Duration // how long a Slow fault waits; default 2s
	// FaultRate is the share of requests, drawn with Seed, that get one of
	// Faults (all of them when empty).
	FaultRate float64
	Faults    []Fault
	Seed      uint64
	TimeZone  *time.Location // the bot account's zone; default UTC
	MaxPage   int            // largest page a search returns; default 100
	// OnCreate runs after an issue is created, before the answer is sent.
	OnCreate func(key string)
	// Observe sees every exchange, for contract checks.
	Observe func(Exchange)
}

// Exchange is one request and the fake's answer.
type Exchange struct {
	Request      *http.Request
	RequestBody  []byte
	Status       int
	Header       http.Header
	ResponseBody []byte
}

// Call is one request the fake received, for counting.
type Call struct {
	Method, Path string
	Status       int
	Fault        Fault
}

// Fake is the in-process Jira.
type Fake struct {
	URL  string
	opts Options
	srv  *httptest.Server

	mu       sync.Mutex
	rng      *rand.Rand
	issues   []*issue
	nextID   int
	injected []injection
	calls    []Call
}

type injection struct {
	method, path string
	fault        Fault
}

type issue struct {
	ID, Key             string
	Summary, Desc, Due  string
	Labels              []string
	Status              status
	Assignee            *User
	Fields              map[string]any
	Created, Updated    time.Time
	Resolved, VisibleAt time.Time
	Comments            []string
}

type status struct {
	ID, Name, Category string
}

// The workflow: every status can go to every other; transitions are named
// after their target.
var workflow = []struct {
	transition string
	status
}{
	{"11", status{"10000", "To Do", "new"}},
	{"21", status{"3", "In Progress", "indeterminate"}},
	{"31", status{"10001", "Done", "done"}},
}

var categoryNames = map[string]struct {
	id   int
	name string
}{"new": {2, "To Do"}, "indeterminate": {4, "In Progress"}, "done": {3, "Done"}}

// New starts a fake; it stops when the test ends.
func New(t interface{ Cleanup(func()) }, opts Options) *Fake {
	if opts.Project == "" {
		opts.Project = "OPS"
	}
	if opts.Email == "" {
		opts.Email = "bot@example.com"
	}
	if opts.Token == "" {
		opts.Token = "secret-token"
	}
	if opts.SlowDelay == 0 {
		opts.SlowDelay = 2 * time.Second
	}
	if opts.TimeZone == nil {
		opts.TimeZone = time.UTC
	}
	if opts.MaxPage == 0 {
		opts.MaxPage = 100
	}
	if len(opts.Faults) == 0 {
		opts.Faults = []Fault{TooMany, Unavailable, ServerError, Slow, DropAfter}
	}
	f := &Fake{opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 7)), nextID: 10000}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL
	t.Cleanup(f.srv.Close)
	return f
}

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

// Inject makes the next requests with this method whose path starts with
// prefix get the faults, one each, in order.
func (f *Fake) Inject(method, prefix string, faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ft := range faults {
		f.injected = append(f.injected, injection{method, prefix, ft})
	}
}

// SetLatency changes the delay added to every answer.
func (f *Fake) SetLatency(d time.Duration) {
	f.mu.Lock()
	f.opts.Latency = d
	f.mu.Unlock()
}

// SetFaultRate changes the share of requests that fail.
func (f *Fake) SetFaultRate(rate float64) {
	f.mu.Lock()
	f.opts.FaultRate = rate
	f.mu.Unlock()
}

// Calls returns the requests received so far with this method whose path
// starts with prefix ("" matches all).
func (f *Fake) Calls(method, prefix string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if (method == "" || c.Method == method) && strings.HasPrefix(c.Path, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the requests received so far.
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

// Issue is what tests see of an issue.
type Issue struct {
	ID, Key, Summary, Description, Due, Status, Category, Assignee string
	Labels                                                         []string
	Fields                                                         map[string]any
	Comments                                                       []string
}

// Issues returns every issue, oldest first.
func (f *Fake) Issues() []Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Issue, len(f.issues))
	for i, is := range f.issues {
		out[i] = Issue{ID: is.ID, Key: is.Key, Summary: is.Summary, Description: is.Desc, Due: is.Due,
			Status: is.Status.Name, Category: is.Status.Category, Labels: is.Labels, Fields: is.Fields,
			Comments: append([]string(nil), is.Comments...)}
		if is.Assignee != nil {
			out[i].Assignee = is.Assignee.AccountID + is.Assignee.Name
		}
	}
	return out
}

// AddIssue creates an issue directly, as a person in Jira would, visible to
// search at once, and returns its key.
func (f *Fake) AddIssue(project, summary string, labels ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.newIssue(project, summary, labels)
	is.VisibleAt = time.Time{}
	return is.Key
}

// SetStatus moves an issue to the status named (To Do, In Progress, Done),
// as a person in Jira would.
func (f *Fake) SetStatus(key, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, w := range workflow {
		if w.Name == name {
			f.find(key).setStatus(w.status, time.Now())
			return
		}
	}
	panic("jiratest: no status " + name)
}

// Delete removes an issue, as a person in Jira would.
func (f *Fake) Delete(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, is := range f.issues {
		if is.Key == key {
			f.issues = append(f.issues[:i], f.issues[i+1:]...)
			return
		}
	}
}

func (is *issue) setStatus(st status, now time.Time) {
	is.Status = st
	is.Updated = now
	is.Resolved = time.Time{}
	if st.Category == "done" {
		is.Resolved = now
	}
}

func (f *Fake) newIssue(project, summary string, labels []string) *issue {
	f.nextID++
	n := 1
	for _, is := range f.issues {
		if strings.HasPrefix(is.Key, project+"-") {
			n++
		}
	}
	now := time.Now()
	is := &issue{ID: fmt.Sprint(f.nextID), Key: fmt.Sprintf("%s-%d", project, n), Summary: summary,
		Labels: labels, Status: workflow[0].status, Created: now, Updated: now, VisibleAt: now.Add(f.opts.SearchLag)}
	f.issues = append(f.issues, is)
	return is
}

// find returns the issue with this key or id, or nil. f.mu must be held.
func (f *Fake) find(keyOrID string) *issue {
	for _, is := range f.issues {
		if is.Key == keyOrID || is.ID == keyOrID {
			return is
		}
	}
	return nil
}

func (f *Fake) user(pred func(*User) bool) *User {
	for i := range f.opts.Users {
		if pred(&f.opts.Users[i]) {
			return &f.opts.Users[i]
		}
	}
	return nil
}

// issueJSON renders an issue as REST v2 does, with only the fields asked
// for ("*all" or nil for all of them).
func (f *Fake) issueJSON(is *issue, fields []string) map[string]any {
	all := map[string]any{
		"summary":     is.Summary,
		"description": nullable(is.Desc),
		"duedate":     nullable(is.Due),
		"labels":      append([]string{}, is.Labels...),
		"project":     map[string]any{"key": strings.SplitN(is.Key, "-", 2)[0]},
		"issuetype":   map[string]any{"name": "Task"},
		"created":     jiraTime(is.Created),
		"updated":     jiraTime(is.Updated),
		"status": map[string]any{"id": is.Status.ID, "name": is.Status.Name,
			"statusCategory": map[string]any{"id": categoryNames[is.Status.Category].id, "key": is.Status.Category,
				"name": categoryNames[is.Status.Category].name}},
		"assignee":       nil,
		"resolutiondate": nil,
	}
	if is.Assignee != nil {
		all["assignee"] = f.userJSON(is.Assignee)
	}
	if !is.Resolved.IsZero() {
		all["resolutiondate"] = jiraTime(is.Resolved)
	}
	for k, v := range is.Fields {
		all[k] = v
	}
	out := map[string]any{"id": is.ID, "key": is.Key, "self": f.URL + "/rest/api/2/issue/" + is.ID}
	if fields == nil || (len(fields) == 1 && fields[0] == "*all") {
		out["fields"] = all
		return out
	}
	chosen := map[string]any{}
	for _, name := range fields {
		if v, ok := all[name]; ok {
			chosen[name] = v
		}
	}
	if len(chosen) > 0 {
		out["fields"] = chosen
	}
	return out
}

func (f *Fake) userJSON(u *User) map[string]any {
	m := map[string]any{"displayName": u.DisplayName, "active": !u.Inactive}
	if f.opts.DataCenter {
		m["name"], m["key"], m["emailAddress"] = u.Name, u.Name, u.Email
		return m
	}
	m["accountId"], m["accountType"] = u.AccountID, "atlassian"
	if !u.HideEmail {
		m["emailAddress"] = u.Email
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jiraTime formats t as Jira's REST API does.
func jiraTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000-0700")
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// errorBody is Jira's ErrorCollection.
func errorBody(messages []string, fields map[string]string) []byte {
	if messages == nil {
		messages = []string{}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	b, _ := json.Marshal(map[string]any{"errorMessages": messages, "errors": fields})
	return b
}
