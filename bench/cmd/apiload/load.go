package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A kind is one sort of request in the mix. Clients draw a kind by
// weight; do sends its request(s) and records each with c.record under
// the kinds' indexes.
type kind struct {
	name   string
	weight int
	do     func(c *client, k int)
}

// The mix: what a team of readers, searchers and editors does, with the
// scripts that poll and update through the API. Weights are in percent;
// writes are 19% of the draws.
var kinds = []kind{
	{"page GET /", 8, func(c *client, k int) { c.get(k, "/", false) }},
	{"page GET /?q=WORD (search)", 5, func(c *client, k int) { c.get(k, "/?q="+url.QueryEscape(c.word()), false) }},
	{"page GET /incidents/ID", 10, func(c *client, k int) { c.get(k, "/incidents/"+url.PathEscape(c.incident()), false) }},
	{"page GET /actions", 5, func(c *client, k int) { c.get(k, "/actions", false) }},
	{"API GET /postmortems", 8, func(c *client, k int) { c.get(k, "/api/v1/postmortems"+pick(c.rng, listQueries), true) }},
	{"API GET /postmortems?q=WORD (search)", 10, func(c *client, k int) {
		c.get(k, "/api/v1/postmortems?limit=20&q="+url.QueryEscape(c.word()), true)
	}},
	{"API GET /postmortems/ID", 15, func(c *client, k int) { c.get(k, "/api/v1/postmortems/"+url.PathEscape(c.incident()), true) }},
	{"API GET /action-items", 8, func(c *client, k int) { c.get(k, "/api/v1/action-items"+pick(c.rng, itemQueries), true) }},
	{"API GET /action-items/ID", 12, func(c *client, k int) { c.get(k, fmt.Sprintf("/api/v1/action-items/%d", c.item()), true) }},
	{"API PATCH /action-items/ID", 15, (*client).patch},
	{"page POST /actions/ID (edit form)", 4, (*client).editForm},
	{"page GET /actions/ID (before the form)", 0, nil}, // recorded by editForm
}

// Indexes of the kinds that other kinds record.
const kindFormGet = 11

var (
	listQueries = []string{"", "?limit=50&open=true", "?year=2023", "?limit=100&year=2021&open=false"}
	itemQueries = []string{"?status=active", "?status=active&overdue=true&sort=due", "?status=done&limit=200", "?no_jira=true"}
	statuses    = []string{"open", "in_progress", "done"}
)

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// loader holds the clients and what they share.
type loader struct {
	base, viewer, editor string
	targets              targets
	seed                 int64
	clients              []*client
	writes               atomic.Int64 // updates the server said it made, over all runs
}

// client is one user: its own cookie jar (signed in to the pages with the
// editor token), its own random stream and, during a run, its own stats.
type client struct {
	l     *loader
	id    int
	http  *http.Client
	rng   *rand.Rand
	seq   int
	stats *stats
}

// connect creates n clients on one transport that keeps a connection per
// client, and signs each in to the pages as a browser would.
func (l *loader) connect(ctx context.Context, n int) error {
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n, DisableCompression: true}
	for i := range n {
		jar, _ := cookiejar.New(nil)
		c := &client{l: l, id: i, rng: rand.New(rand.NewPCG(uint64(l.seed), uint64(i))),
			http: &http.Client{Transport: tr, Jar: jar, Timeout: 2 * time.Minute,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		if err := c.signIn(ctx); err != nil {
			return fmt.Errorf("client %d: sign in: %w", i, err)
		}
		l.clients = append(l.clients, c)
	}
	return nil
}

var (
	csrfField  = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
	ownerField = regexp.MustCompile(`name="owner" type="text" value="([^"]*)"`)
	dueField   = regexp.MustCompile(`name="due" type="date" value="([^"]*)"`)
)

func (c *client) signIn(ctx context.Context) error {
	page, err := c.fetch(ctx, http.MethodGet, "/signin", nil, "")
	if err != nil {
		return err
	}
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("no CSRF field on /signin")
	}
	form := url.Values{"_csrf": {html.UnescapeString(m[1])}, "token": {c.l.editor}, "next": {"/"}}
	resp, err := c.http.PostForm(c.l.base+"/signin", form)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST /signin: %s", resp.Status)
	}
	return nil
}

// fetch is an unmeasured request that must answer 200.
func (c *client) fetch(ctx context.Context, method, path string, body io.Reader, token string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.l.base+path, body)
	if err != nil {
		return "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return string(b), err
}

func (c *client) word() string     { return pick(c.rng, c.l.targets.words) }
func (c *client) incident() string { return pick(c.rng, c.l.targets.incidents) }
func (c *client) item() int64      { return pick(c.rng, c.l.targets.items) }

// send makes one measured request and records it under kind k; want is
// the status that counts as success. It returns the body of a success.
func (c *client) send(k int, req *http.Request, want int) (string, bool) {
	t0 := time.Now()
	resp, err := c.http.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	took := time.Since(t0)
	switch {
	case err != nil:
		c.stats.fail(k, 0, err.Error())
		return "", false
	case resp.StatusCode != want:
		c.stats.fail(k, resp.StatusCode, string(body))
		return "", false
	}
	c.stats.ok(k, took)
	return string(body), true
}

// get reads a page, or the API with the viewer token.
func (c *client) get(k int, path string, api bool) {
	req, _ := http.NewRequest(http.MethodGet, c.l.base+path, nil)
	if api {
		req.Header.Set("Authorization", "Bearer "+c.l.viewer)
	}
	c.send(k, req, http.StatusOK)
}

// note is unique to each update, so that every update changes the item
// and leaves exactly one "note" event in its history.
func (c *client) note() string {
	c.seq++
	return fmt.Sprintf("apiload client %d update %d", c.id, c.seq)
}

// patch updates an item's status and note through the API with the
// editor token.
func (c *client) patch(k int) {
	body := fmt.Sprintf(`{"status":%q,"note":%q}`, pick(c.rng, statuses), c.note())
	req, _ := http.NewRequest(http.MethodPatch, fmt.Sprintf("%s/api/v1/action-items/%d", c.l.base, c.item()), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.l.editor)
	req.Header.Set("Content-Type", "application/merge-patch+json")
	if _, ok := c.send(k, req, http.StatusOK); ok {
		c.l.writes.Add(1)
	}
}

// editForm opens an item's edit page and saves it with a new note and
// status, keeping its owner and due date, as a person in a browser would.
func (c *client) editForm(k int) {
	path := fmt.Sprintf("/actions/%d", c.item())
	req, _ := http.NewRequest(http.MethodGet, c.l.base+path, nil)
	page, ok := c.send(kindFormGet, req, http.StatusOK)
	if !ok {
		return
	}
	field := func(re *regexp.Regexp) string {
		if m := re.FindStringSubmatch(page); m != nil {
			return html.UnescapeString(m[1])
		}
		return ""
	}
	form := url.Values{"_csrf": {field(csrfField)}, "status": {pick(c.rng, statuses)}, "owner": {field(ownerField)},
		"due": {field(dueField)}, "note": {c.note()}, "back": {"/actions"}}
	req, _ = http.NewRequest(http.MethodPost, c.l.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, ok := c.send(k, req, http.StatusSeeOther); ok {
		c.l.writes.Add(1)
	}
}

// written is how many updates the server reported as made.
func (l *loader) written() int64 { return l.writes.Load() }

// run lets every client loop for d and returns what they measured. A
// client finishes the request it has in flight when d is up, so that no
// update is cut off with its outcome unknown.
func (l *loader) run(ctx context.Context, d time.Duration) *stats {
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	var stop atomic.Bool
	timer := time.AfterFunc(d, func() { stop.Store(true) })
	defer timer.Stop()
	var wg sync.WaitGroup
	start := time.Now()
	for _, c := range l.clients {
		c.stats = newStats()
		wg.Go(func() {
			for !stop.Load() && ctx.Err() == nil {
				n := c.rng.IntN(total)
				for i, k := range kinds {
					if n < k.weight {
						k.do(c, i)
						break
					}
					n -= k.weight
				}
			}
		})
	}
	wg.Wait()
	all := newStats()
	for _, c := range l.clients {
		all.merge(c.stats)
	}
	all.elapsed = time.Since(start)
	return all
}

// stats are the latencies of the successes and the failures by status
// (0 for a request that got no answer), per kind.
type stats struct {
	lat      [][]time.Duration
	failures []map[int]int
	first    map[int]failure // status → the first failure
	locked   int             // failures whose body speaks of a locked or busy database
	elapsed  time.Duration
}

// failure is one failed request: its kind and its body or error.
type failure struct {
	kind int
	body string
}

func newStats() *stats {
	s := &stats{lat: make([][]time.Duration, len(kinds)), failures: make([]map[int]int, len(kinds)), first: map[int]failure{}}
	for i := range s.failures {
		s.failures[i] = map[int]int{}
	}
	return s
}

func (s *stats) ok(k int, d time.Duration) { s.lat[k] = append(s.lat[k], d) }

var lockedWords = regexp.MustCompile(`(?i)locked|busy`)

func (s *stats) fail(k, status int, body string) {
	s.failures[k][status]++
	if lockedWords.MatchString(body) {
		s.locked++
	}
	if _, seen := s.first[status]; !seen {
		s.first[status] = failure{k, lastBytes([]byte(strings.TrimSpace(body)), 300)}
	}
}

func (s *stats) merge(o *stats) {
	for k := range kinds {
		s.lat[k] = append(s.lat[k], o.lat[k]...)
		for st, n := range o.failures[k] {
			s.failures[k][st] += n
		}
	}
	for st, msg := range o.first {
		if _, seen := s.first[st]; !seen {
			s.first[st] = msg
		}
	}
	s.locked += o.locked
}
