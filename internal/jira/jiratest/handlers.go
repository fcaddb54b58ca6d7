package jiratest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type answer struct {
	status int
	header http.Header
	body   []byte
}

func jsonAnswer(status int, v any) answer {
	var b []byte
	if raw, ok := v.([]byte); ok {
		b = raw
	} else if v != nil {
		b, _ = json.Marshal(v)
	}
	h := http.Header{}
	if b != nil {
		h.Set("Content-Type", "application/json;charset=UTF-8")
	}
	return answer{status: status, header: h, body: b}
}

func jiraError(status int, messages []string, fields map[string]string) answer {
	return jsonAnswer(status, errorBody(messages, fields))
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fault := f.fault(r)
	f.mu.Lock()
	latency := f.opts.Latency
	f.mu.Unlock()
	if latency > 0 {
		pause(r, latency)
	}
	var a answer
	switch fault {
	case TooMany:
		a = jiraError(http.StatusTooManyRequests, []string{"Rate limit exceeded."}, nil)
		a.header.Set("Retry-After", "1")
		a.header.Set("RateLimit-Reason", "jira-burst-based")
		a.header.Set("X-RateLimit-Reset", time.Now().Add(time.Second).UTC().Format(time.RFC3339))
	case Unavailable:
		a = answer{status: http.StatusServiceUnavailable, header: http.Header{"Content-Type": {"text/html"}},
			body: []byte("<html><body><h1>503 Service Unavailable</h1></body></html>")}
	case ServerError:
		a = answer{status: http.StatusInternalServerError, header: http.Header{"Content-Type": {"text/html"}},
			body: []byte("<html><body><h1>Internal server error</h1></body></html>")}
	case Slow:
		// Like a real server, finish the work even when the client has
		// given up waiting: a timed-out create may still have created.
		time.Sleep(f.opts.SlowDelay)
		fallthrough
	default:
		a = f.route(r, body)
	}
	f.record(r, a.status, fault)
	if fault == DropAfter {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	if f.opts.Observe != nil {
		f.opts.Observe(Exchange{Request: r, RequestBody: body, Status: a.status, Header: a.header, ResponseBody: a.body})
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// pause waits d or until the client goes away, and says whether it waited.
func pause(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (f *Fake) fault(r *http.Request) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, in := range f.injected {
		if in.method == r.Method && strings.HasPrefix(r.URL.Path, in.path) {
			f.injected = append(f.injected[:i], f.injected[i+1:]...)
			return in.fault
		}
	}
	if f.opts.FaultRate > 0 && f.rng.Float64() < f.opts.FaultRate {
		return f.opts.Faults[f.rng.IntN(len(f.opts.Faults))]
	}
	return None
}

func (f *Fake) record(r *http.Request, status int, fault Fault) {
	f.mu.Lock()
	f.calls = append(f.calls, Call{Method: r.Method, Path: r.URL.Path, Status: status, Fault: fault})
	f.mu.Unlock()
}

func (f *Fake) authorized(r *http.Request) bool {
	if r.Header.Get("Authorization") == "Bearer "+f.opts.Token {
		return true // a DC personal access token, or a Cloud OAuth token
	}
	if f.opts.DataCenter {
		return false
	}
	u, p, ok := r.BasicAuth()
	return ok && u == f.opts.Email && p == f.opts.Token
}

func (f *Fake) route(r *http.Request, body []byte) answer {
	if !f.authorized(r) {
		return answer{status: http.StatusUnauthorized, header: http.Header{"Content-Type": {"text/plain"}},
			body: []byte("Client must be authenticated to access this resource.")}
	}
	path := strings.TrimPrefix(r.URL.Path, "/rest/api/2/")
	parts := strings.Split(path, "/")
	switch {
	case r.Method == http.MethodGet && path == "myself":
		return f.myself()
	case r.Method == http.MethodPost && path == "issue":
		return f.create(body)
	case len(parts) == 2 && parts[0] == "issue" && r.Method == http.MethodGet:
		return f.get(parts[1], r)
	case len(parts) == 2 && parts[0] == "issue" && r.Method == http.MethodPut:
		return f.edit(parts[1], body)
	case len(parts) == 3 && parts[0] == "issue" && parts[2] == "transitions" && r.Method == http.MethodGet:
		return f.transitions(parts[1])
	case len(parts) == 3 && parts[0] == "issue" && parts[2] == "transitions" && r.Method == http.MethodPost:
		return f.transition(parts[1], body)
	case len(parts) == 3 && parts[0] == "issue" && parts[2] == "comment" && r.Method == http.MethodPost:
		return f.comment(parts[1], body)
	case r.Method == http.MethodGet && path == "user/search":
		return f.userSearch(r)
	case r.Method == http.MethodGet && path == "search/jql":
		if f.opts.DataCenter {
			return jiraError(http.StatusNotFound, []string{"null for uri: " + r.URL.String()}, nil)
		}
		return f.search(r, true)
	case r.Method == http.MethodGet && path == "search":
		if !f.opts.DataCenter {
			return jiraError(http.StatusGone, []string{"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."}, nil)
		}
		return f.search(r, false)
	}
	return jiraError(http.StatusNotFound, []string{"No resource at " + r.Method + " " + r.URL.Path}, nil)
}

func (f *Fake) myself() answer {
	me := map[string]any{"displayName": "Hindsight bot", "active": true, "timeZone": f.opts.TimeZone.String()}
	if f.opts.DataCenter {
		me["name"], me["key"] = "hindsight", "hindsight"
	} else {
		me["accountId"], me["accountType"], me["emailAddress"] = "bot-0001", "atlassian", f.opts.Email
	}
	return jsonAnswer(http.StatusOK, me)
}

var notVisible = []string{"Issue does not exist or you do not have permission to see it."}

func (f *Fake) get(keyOrID string, r *http.Request) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.find(keyOrID)
	if is == nil {
		return jiraError(http.StatusNotFound, notVisible, nil)
	}
	return jsonAnswer(http.StatusOK, f.issueJSON(is, fieldList(r.URL.Query().Get("fields"), nil)))
}

func fieldList(v string, def []string) []string {
	if v == "" {
		return def
	}
	return strings.Split(v, ",")
}

func (f *Fake) create(body []byte) answer {
	if bytes.Contains(body, []byte(`"Password"`)) {
		// Stricter than proven of real Jira, so the go-jira workaround stays.
		return jiraError(http.StatusBadRequest, []string{"Invalid request payload. Refer to the REST API documentation and try again."}, nil)
	}
	var req struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Fields == nil {
		return jiraError(http.StatusBadRequest, []string{"Invalid request payload. Refer to the REST API documentation and try again."}, nil)
	}
	var in struct {
		Project   struct{ Key, ID string }
		Issuetype struct{ Name, ID string }
		Summary   string
		Desc      string `json:"description"`
		Labels    []string
		Assignee  *struct {
			AccountID string `json:"accountId"`
			Name      string `json:"name"`
		}
		Duedate string
	}
	all, _ := json.Marshal(req.Fields)
	if err := json.Unmarshal(all, &in); err != nil {
		return jiraError(http.StatusBadRequest, nil, map[string]string{"fields": "Could not read the fields: " + err.Error()})
	}
	errs := map[string]string{}
	if in.Project.Key != f.opts.Project {
		errs["project"] = "valid project is required"
	}
	if in.Issuetype.Name != "Task" && in.Issuetype.ID == "" {
		errs["issuetype"] = "valid issue type is required"
	}
	switch {
	case strings.TrimSpace(in.Summary) == "":
		errs["summary"] = "You must specify a summary of the issue."
	case len(in.Summary) > 255:
		errs["summary"] = "Summary must be less than 255 characters."
	case strings.ContainsAny(in.Summary, "\r\n"):
		errs["summary"] = "The summary is invalid because it contains newline characters."
	}
	for _, l := range in.Labels {
		if strings.ContainsAny(l, " \t") || len(l) > 255 {
			errs["labels"] = "The label '" + l + "' contains spaces which is invalid."
		}
	}
	if in.Duedate != "" {
		if _, err := time.Parse("2006-01-02", in.Duedate); err != nil {
			errs["duedate"] = "Error parsing date string: " + in.Duedate
		}
	}
	required := f.opts.Required
	if f.opts.RequireIf != nil && !f.opts.RequireIf(in.Summary) {
		required = nil
	}
	for _, id := range required {
		if _, ok := req.Fields[id]; !ok {
			errs[id] = "Team is required."
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var assignee *User
	if in.Assignee != nil {
		switch {
		case f.opts.DataCenter && in.Assignee.Name == "":
			errs["assignee"] = "expected Object containing a 'name' property"
		case f.opts.DataCenter:
			assignee = f.user(func(u *User) bool { return u.Name == in.Assignee.Name && !u.Inactive })
		default:
			assignee = f.user(func(u *User) bool { return u.AccountID == in.Assignee.AccountID && !u.Inactive })
		}
		if assignee == nil && errs["assignee"] == "" {
			errs["assignee"] = "User '" + in.Assignee.AccountID + in.Assignee.Name + "' cannot be assigned issues."
		}
	}
	if len(errs) > 0 {
		return jiraError(http.StatusBadRequest, nil, errs)
	}
	is := f.newIssue(in.Project.Key, in.Summary, in.Labels)
	is.Desc, is.Due, is.Assignee = in.Desc, in.Duedate, assignee
	is.Fields = map[string]any{}
	for _, id := range required {
		var v any
		json.Unmarshal(req.Fields[id], &v)
		is.Fields[id] = v
	}
	if f.opts.OnCreate != nil {
		f.opts.OnCreate(is.Key)
	}
	return jsonAnswer(http.StatusCreated, map[string]string{"id": is.ID, "key": is.Key, "self": f.URL + "/rest/api/2/issue/" + is.ID})
}

func (f *Fake) edit(keyOrID string, body []byte) answer {
	var req struct {
		Fields struct {
			Summary *string `json:"summary"`
			Desc    *string `json:"description"`
			Duedate *string `json:"duedate"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return jiraError(http.StatusBadRequest, []string{"Invalid request payload. Refer to the REST API documentation and try again."}, nil)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.find(keyOrID)
	if is == nil {
		return jiraError(http.StatusNotFound, notVisible, nil)
	}
	if req.Fields.Summary != nil {
		is.Summary = *req.Fields.Summary
	}
	if req.Fields.Desc != nil {
		is.Desc = *req.Fields.Desc
	}
	is.Due = ""
	if req.Fields.Duedate != nil {
		is.Due = *req.Fields.Duedate
	}
	is.Updated = time.Now()
	return answer{status: http.StatusNoContent, header: http.Header{}}
}

func (f *Fake) transitions(keyOrID string) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.find(keyOrID)
	if is == nil {
		return jiraError(http.StatusNotFound, notVisible, nil)
	}
	var ts []map[string]any
	for _, w := range workflow {
		if w.status != is.Status {
			ts = append(ts, map[string]any{"id": w.transition, "name": w.Name, "to": map[string]any{
				"id": w.ID, "name": w.Name, "statusCategory": map[string]any{"key": w.Category}}})
		}
	}
	return jsonAnswer(http.StatusOK, map[string]any{"expand": "transitions", "transitions": ts})
}

func (f *Fake) transition(keyOrID string, body []byte) answer {
	var req struct {
		Transition struct{ ID string } `json:"transition"`
	}
	json.Unmarshal(body, &req)
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.find(keyOrID)
	if is == nil {
		return jiraError(http.StatusNotFound, notVisible, nil)
	}
	for _, w := range workflow {
		if w.transition == req.Transition.ID && w.status != is.Status {
			is.setStatus(w.status, time.Now())
			return answer{status: http.StatusNoContent, header: http.Header{}}
		}
	}
	return jiraError(http.StatusBadRequest, []string{"Transition id '" + req.Transition.ID + "' is not valid for this issue."}, nil)
}

func (f *Fake) userSearch(r *http.Request) answer {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []map[string]any{}
	for i := range f.opts.Users {
		u := &f.opts.Users[i]
		if u.Inactive {
			continue
		}
		if f.opts.DataCenter {
			s := strings.ToLower(q.Get("username"))
			if s != "" && (strings.Contains(strings.ToLower(u.Name), s) || strings.Contains(strings.ToLower(u.Email), s)) {
				out = append(out, f.userJSON(u))
			}
			continue
		}
		s := strings.ToLower(q.Get("query"))
		switch {
		case s == "":
		case u.HideEmail && strings.EqualFold(u.Email, s):
			out = append(out, f.userJSON(u))
		case !u.HideEmail && strings.HasPrefix(strings.ToLower(u.Email), s),
			strings.HasPrefix(strings.ToLower(u.DisplayName), s):
			out = append(out, f.userJSON(u))
		}
	}
	if !f.opts.DataCenter && q.Get("query") == "" {
		return jiraError(http.StatusBadRequest, []string{"The query parameter 'query' is required."}, nil)
	}
	return jsonAnswer(http.StatusOK, out)
}

// search answers both search endpoints: search/jql with page tokens and no
// total (Cloud), the classic search with startAt and total (Data Center).
func (f *Fake) search(r *http.Request, tokens bool) answer {
	q := r.URL.Query()
	jq, err := parseJQL(q.Get("jql"))
	if err != nil {
		return jiraError(http.StatusBadRequest, []string{err.Error()}, nil)
	}
	max := f.opts.MaxPage
	if n, err := strconv.Atoi(q.Get("maxResults")); err == nil && n > 0 && n < max {
		max = n
	}
	start := 0
	if tokens {
		if tok := q.Get("nextPageToken"); tok != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
			if err != nil {
				return jiraError(http.StatusBadRequest, []string{"The provided next page token is invalid or expired."}, nil)
			}
			start = n
		}
	} else if n, err := strconv.Atoi(q.Get("startAt")); err == nil {
		start = n
	}
	defFields := []string{"*all"}
	if tokens {
		defFields = []string{"id"}
	}
	fields := fieldList(q.Get("fields"), defFields)

	f.mu.Lock()
	defer f.mu.Unlock()
	hits, err := f.match(jq, time.Now())
	if err != nil {
		return jiraError(http.StatusBadRequest, []string{err.Error()}, nil)
	}
	page := []map[string]any{}
	for i := start; i < len(hits) && i < start+max; i++ {
		page = append(page, f.issueJSON(hits[i], fields))
	}
	if tokens {
		res := map[string]any{"issues": page, "isLast": start+max >= len(hits)}
		if start+max < len(hits) {
			res["nextPageToken"] = fmt.Sprintf("page-%d", start+max)
		}
		return jsonAnswer(http.StatusOK, res)
	}
	return jsonAnswer(http.StatusOK, map[string]any{"startAt": start, "maxResults": max, "total": len(hits), "issues": page})
}

// match runs a query against the issues visible to search now. A key in
// the query that does not exist fails the whole query, as Jira does.
func (f *Fake) match(q query, now time.Time) ([]*issue, error) {
	for _, c := range q {
		if c.field == "updated" {
			if _, err := since(c.values[0], now, f.opts.TimeZone); err != nil {
				return nil, err
			}
		}
		if c.field != "key" {
			continue
		}
		for _, k := range c.values {
			if f.find(k) == nil {
				return nil, fmt.Errorf("An issue with key '%s' does not exist for field 'key'.", k)
			}
		}
	}
	var out []*issue
next:
	for _, is := range f.issues {
		if now.Before(is.VisibleAt) {
			continue
		}
		for _, c := range q {
			if !f.matches(is, c, now) {
				continue next
			}
		}
		out = append(out, is)
	}
	return out, nil
}

func (f *Fake) matches(is *issue, c clause, now time.Time) bool {
	switch c.field {
	case "key":
		for _, v := range c.values {
			if strings.EqualFold(v, is.Key) {
				return true
			}
		}
	case "labels":
		for _, v := range c.values {
			for _, l := range is.Labels {
				if l == v {
					return true
				}
			}
		}
	case "project":
		for _, v := range c.values {
			if strings.HasPrefix(is.Key, v+"-") {
				return true
			}
		}
	case "updated":
		t, err := since(c.values[0], now, f.opts.TimeZone)
		return err == nil && !is.Updated.Before(t)
	}
	return false
}

// comment adds a comment as Jira Cloud does: only {"body": "…"} is
// accepted; the empty author and visibility objects go-jira's AddComment
// sends are refused with 400, as the real service does.
func (f *Fake) comment(keyOrID string, body []byte) answer {
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		return jiraError(http.StatusBadRequest, []string{"Invalid request payload. Refer to the REST API documentation and try again."}, nil)
	}
	text, _ := req["body"].(string)
	for k := range req {
		if k != "body" || text == "" {
			return jiraError(http.StatusBadRequest, []string{"Invalid request payload. Refer to the REST API documentation and try again."}, nil)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.find(keyOrID)
	if is == nil {
		return jiraError(http.StatusNotFound, notVisible, nil)
	}
	is.Comments = append(is.Comments, text)
	id := fmt.Sprintf("%d", 10000+len(is.Comments))
	return jsonAnswer(http.StatusCreated, map[string]any{"id": id, "body": text})
}
