// Package slackfake is an in-process Slack Web API for tests: an httptest
// server that slack-go talks to through slack.OptionAPIURL. It speaks
// the methods Hindsight calls (auth.test, users.lookupByEmail, users.info,
// conversations.open, chat.postMessage, chat.update) with Slack's answers:
// ok:false bodies with Slack's error codes, users_not_found for
// deactivated users, HTTP 429 with Retry-After when told to rate limit,
// unique message timestamps. It checks the bot token (a Bearer header or
// the token form field, as slack-go sends either) and records every call
// and every message for assertions. It is imported only by tests.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User is an account the fake knows.
type User struct {
	ID       string
	Name     string // handle
	RealName string
	Email    string
	TZ       string // IANA zone, as users.info gives it
	Deleted  bool   // deactivated: users.lookupByEmail no longer finds it
	Bot      bool
}

// Options configure a Fake.
type Options struct {
	Token    string // the bot token calls must carry; default xoxb-test
	Users    []User
	Channels []string // channel ids that exist (C…); DMs are made on demand
	Latency  time.Duration
}

// Message is a message as it now stands, after any chat.update.
type Message struct {
	Channel string // D… for a direct message
	User    string // for a direct message, the user it is with
	TS      string
	Text    string
	Blocks  json.RawMessage
	Updates int // how many times chat.update replaced it
}

// Call is one request the fake answered.
type Call struct {
	Method string
	Status int    // HTTP status
	Error  string // Slack's error code when ok was false
}

type fault struct {
	method     string
	code       string // ok:false error; "" with retryAfter for a 429
	retryAfter int    // seconds; -1 for a 429 without the header
}

// Fake is the in-process Slack.
type Fake struct {
	URL string // the API base to give slack.OptionAPIURL, ending in "/"

	srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	users    map[string]*User // by id
	dms      map[string]string
	channels map[string]bool
	messages []*Message
	updates  []Message
	calls    []Call
	faults   []fault
	nextTS   int64
	hold     map[string]chan struct{}
}

// New starts a fake; it stops when the test ends.
func New(t interface{ Cleanup(func()) }, opts Options) *Fake {
	if opts.Token == "" {
		opts.Token = "xoxb-test"
	}
	f := &Fake{opts: opts, users: map[string]*User{}, dms: map[string]string{}, channels: map[string]bool{},
		nextTS: 1, hold: map[string]chan struct{}{}}
	for _, u := range opts.Users {
		f.AddUser(u)
	}
	for _, c := range opts.Channels {
		f.channels[c] = true
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL + "/api/"
	t.Cleanup(func() {
		f.mu.Lock()
		for method, ch := range f.hold {
			close(ch)
			delete(f.hold, method)
		}
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

// Token is the bot token the fake accepts.
func (f *Fake) Token() string { return f.opts.Token }

// AddUser adds or replaces a user.
func (f *Fake) AddUser(u User) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[u.ID] = &u
}

// Deactivate marks a user deleted, as an admin deactivating them would.
func (f *Fake) Deactivate(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u := f.users[id]; u != nil {
		u.Deleted = true
	}
}

// Fail makes the next n calls of method answer ok:false with code.
func (f *Fake) Fail(method, code string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, fault{method: method, code: code})
	}
}

// RateLimit makes the next n calls of method answer HTTP 429 with
// Retry-After: seconds (no header when seconds is negative).
func (f *Fake) RateLimit(method string, n, seconds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if seconds < 0 {
		seconds = -1
	}
	for range n {
		f.faults = append(f.faults, fault{method: method, retryAfter: seconds})
	}
}

// Hold makes calls of method wait until the returned function is called,
// as a slow Slack would: a call held is then applied and answered even if
// its client has gone meanwhile, since Slack acts on what it received.
// Calls still held when the test ends are released.
func (f *Fake) Hold(method string) (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old := f.hold[method]; old != nil {
		close(old)
	}
	ch := make(chan struct{})
	f.hold[method] = ch
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.hold[method] == ch {
			delete(f.hold, method)
			close(ch)
		}
	}
}

// Messages returns every message posted, in order, as it now stands.
func (f *Fake) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Message, len(f.messages))
	for i, m := range f.messages {
		out[i] = *m
	}
	return out
}

// MessagesTo returns the messages posted to channel, or to the direct
// message with user id channel.
func (f *Fake) MessagesTo(channel string) []Message {
	var out []Message
	for _, m := range f.Messages() {
		if m.Channel == channel || m.User == channel {
			out = append(out, m)
		}
	}
	return out
}

// Updates returns every chat.update the fake applied, in order, each as
// the message stood right after it.
func (f *Fake) Updates() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.updates...)
}

// Calls returns the calls of method answered so far ("" for all).
func (f *Fake) Calls(method string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// CallCounts returns how many calls of each method were answered.
func (f *Fake) CallCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, c := range f.calls {
		out[c.Method]++
	}
	return out
}

// ResetCalls forgets the calls answered so far (not the messages).
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

// answer is one response: an HTTP status, headers and a JSON body.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func ok(fields map[string]any) answer {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["ok"] = true
	return answer{status: http.StatusOK, body: fields}
}

func slackError(code string) answer {
	return answer{status: http.StatusOK, body: map[string]any{"ok": false, "error": code}}
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if f.opts.Latency > 0 {
		time.Sleep(f.opts.Latency)
	}
	f.mu.Lock()
	held := f.hold[method]
	f.mu.Unlock()
	if held != nil {
		<-held
	}
	form, err := readForm(r)
	var a answer
	switch {
	case err != nil:
		a = slackError("invalid_form_data")
	case r.Method != http.MethodPost && r.Method != http.MethodGet:
		a = slackError("method_not_supported_for_channel_type")
	default:
		a = f.route(r, method, form)
	}
	f.mu.Lock()
	code, _ := a.body["error"].(string)
	f.calls = append(f.calls, Call{Method: method, Status: a.status, Error: code})
	f.mu.Unlock()
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(a.status)
	json.NewEncoder(w).Encode(a.body)
}

// readForm reads the request's parameters: the query, then a form or a
// JSON object body.
func readForm(r *http.Request) (url.Values, error) {
	form := r.URL.Query()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, err
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				form.Set(k, v)
			default:
				b, _ := json.Marshal(v)
				form.Set(k, string(b))
			}
		}
	case "", "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range values {
			form[k] = v
		}
	}
	return form, nil
}

func (f *Fake) authorized(r *http.Request, form url.Values) (string, bool) {
	token := form.Get("token")
	if h := r.Header.Get("Authorization"); h != "" {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	switch {
	case token == "":
		return "not_authed", false
	case token != f.opts.Token:
		return "invalid_auth", false
	}
	return "", true
}

func (f *Fake) route(r *http.Request, method string, form url.Values) answer {
	if code, ok := f.authorized(r, form); !ok {
		return slackError(code)
	}
	if a, ok := f.fault(method); ok {
		return a
	}
	switch method {
	case "auth.test":
		return ok(map[string]any{"url": "https://hindsight-test.slack.com/", "team": "Hindsight Test",
			"user": "hindsight", "team_id": "T0001", "user_id": "UBOT", "bot_id": "BBOT"})
	case "users.lookupByEmail":
		return f.lookupByEmail(form.Get("email"))
	case "users.info":
		return f.userInfo(form.Get("user"))
	case "conversations.open":
		return f.open(form.Get("users"))
	case "chat.postMessage":
		return f.post(form)
	case "chat.update":
		return f.update(form)
	}
	return answer{status: http.StatusNotFound, body: map[string]any{"ok": false, "error": "unknown_method"}}
}

// fault takes the next scripted failure for method, if any.
func (f *Fake) fault(method string) (answer, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.faults {
		if ft.method != method {
			continue
		}
		f.faults = append(f.faults[:i], f.faults[i+1:]...)
		if ft.code != "" {
			return slackError(ft.code), true
		}
		a := answer{status: http.StatusTooManyRequests, header: http.Header{},
			body: map[string]any{"ok": false, "error": "ratelimited"}}
		if ft.retryAfter >= 0 {
			a.header.Set("Retry-After", strconv.Itoa(ft.retryAfter))
		}
		return a, true
	}
	return answer{}, false
}

func userJSON(u *User) map[string]any {
	tz := u.TZ
	offset := 0
	label := ""
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		name, off := time.Now().In(loc).Zone()
		offset, label = off, name
	}
	return map[string]any{
		"id": u.ID, "team_id": "T0001", "name": u.Name, "real_name": u.RealName, "deleted": u.Deleted,
		"tz": tz, "tz_label": label, "tz_offset": offset, "is_bot": u.Bot,
		"profile": map[string]any{"email": u.Email, "real_name": u.RealName, "display_name": u.Name},
	}
}

func (f *Fake) lookupByEmail(email string) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	if email == "" {
		return slackError("invalid_arguments")
	}
	for _, u := range f.users {
		// Slack does not find deactivated users by email.
		if strings.EqualFold(u.Email, email) && !u.Deleted {
			return ok(map[string]any{"user": userJSON(u)})
		}
	}
	return slackError("users_not_found")
}

func (f *Fake) userInfo(id string) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[id]
	if u == nil {
		return slackError("user_not_found")
	}
	return ok(map[string]any{"user": userJSON(u)})
}

func (f *Fake) open(users string) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	if users == "" || strings.Contains(users, ",") {
		return slackError("invalid_arguments") // Hindsight only opens one-to-one DMs
	}
	u := f.users[users]
	switch {
	case u == nil:
		return slackError("user_not_found")
	case u.Deleted:
		return slackError("user_disabled")
	case u.Bot:
		return slackError("cannot_dm_bot")
	}
	id, already := f.dmWith(u.ID)
	return ok(map[string]any{"already_open": already, "no_op": already, "channel": map[string]any{"id": id}})
}

// dmWith returns the DM channel with user id, making it when new. f.mu
// must be held.
func (f *Fake) dmWith(id string) (string, bool) {
	for ch, u := range f.dms {
		if u == id {
			return ch, true
		}
	}
	ch := "D" + strings.TrimPrefix(id, "U")
	f.dms[ch] = id
	return ch, false
}

// checkContent validates text and blocks as chat.postMessage does.
func checkContent(form url.Values) (json.RawMessage, string) {
	text, blocks := form.Get("text"), form.Get("blocks")
	if text == "" && blocks == "" {
		return nil, "no_text"
	}
	if len(text) > 40000 {
		return nil, "msg_too_long"
	}
	if blocks == "" {
		return nil, ""
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(blocks), &list); err != nil || len(list) > 50 {
		return nil, "invalid_blocks"
	}
	ids := map[string]bool{}
	for _, b := range list {
		t, _ := b["type"].(string)
		if t == "" {
			return nil, "invalid_blocks"
		}
		if id, _ := b["block_id"].(string); id != "" {
			if ids[id] || len(id) > 255 {
				return nil, "invalid_blocks"
			}
			ids[id] = true
		}
	}
	return json.RawMessage(blocks), ""
}

func (f *Fake) post(form url.Values) answer {
	blocks, code := checkContent(form)
	if code != "" {
		return slackError(code)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	channel := form.Get("channel")
	var user string
	switch {
	case strings.HasPrefix(channel, "U"):
		u := f.users[channel]
		if u == nil {
			return slackError("channel_not_found")
		}
		if u.Deleted {
			return slackError("user_disabled")
		}
		channel, _ = f.dmWith(u.ID)
		user = u.ID
	case f.dms[channel] != "":
		user = f.dms[channel]
		if f.users[user].Deleted {
			return slackError("user_disabled")
		}
	case !f.channels[channel]:
		return slackError("channel_not_found")
	}
	ts := fmt.Sprintf("%d.%06d", 1700000000+f.nextTS/1000000, f.nextTS%1000000)
	f.nextTS++
	m := &Message{Channel: channel, User: user, TS: ts, Text: form.Get("text"), Blocks: blocks}
	f.messages = append(f.messages, m)
	return ok(map[string]any{"channel": channel, "ts": ts,
		"message": map[string]any{"type": "message", "text": m.Text, "ts": ts, "bot_id": "BBOT"}})
}

func (f *Fake) update(form url.Values) answer {
	blocks, code := checkContent(form)
	if code != "" {
		return slackError(code)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	channel, ts := form.Get("channel"), form.Get("ts")
	for _, m := range f.messages {
		if m.Channel == channel && m.TS == ts {
			m.Text, m.Blocks = form.Get("text"), blocks
			m.Updates++
			f.updates = append(f.updates, *m)
			return ok(map[string]any{"channel": channel, "ts": ts, "text": m.Text})
		}
	}
	if !f.channels[channel] && f.dms[channel] == "" {
		return slackError("channel_not_found")
	}
	return slackError("message_not_found")
}
