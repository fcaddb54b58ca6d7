package jira_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hindsight-dev/hindsight/internal/jira"
	"github.com/hindsight-dev/hindsight/internal/jira/jiratest"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// contract validates exchanges against the vendored subset of Atlassian's
// OpenAPI description, mapping REST v2 paths onto the v3 operations it
// describes.
type contract struct {
	router routers.Router

	mu       sync.Mutex
	problems []string
	seen     map[string]bool // "GET /rest/api/3/…" operations validated
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("testdata/jira-openapi-subset.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the vendored subset is not a valid OpenAPI document: %v", err)
	}
	// Jira sends null for fields an issue does not have ("resolutiondate":
	// null) and takes null to clear one; the document's "fields" maps use
	// the empty schema {}, which kin-openapi reads, as OpenAPI 3.0 allows,
	// as not nullable. Say what Jira does.
	for _, name := range []string{"IssueBean", "IssueUpdateDetails"} {
		doc.Components.Schemas[name].Value.Properties["fields"].Value.AdditionalProperties.Schema.Value.Nullable = true
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{router: router, seen: map[string]bool{}}
}

// observe is a jiratest Observe func.
func (c *contract) observe(ex jiratest.Exchange) {
	ctx := context.Background()
	u := *ex.Request.URL
	u.Scheme, u.Host = "https", "your-domain.atlassian.net"
	u.Path = strings.Replace(u.Path, "/rest/api/2/", "/rest/api/3/", 1)
	req, _ := http.NewRequestWithContext(ctx, ex.Request.Method, u.String(), bytes.NewReader(ex.RequestBody))
	req.Header = ex.Request.Header.Clone()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.fail(ex, "no operation: "+err.Error())
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		c.fail(ex, "request: "+err.Error())
	}
	if ex.Status == http.StatusNoContent {
		// The document gives 204s a JSON content; Jira sends none, and no
		// Content-Type with it.
		opts = &openapi3filter.Options{AuthenticationFunc: opts.AuthenticationFunc, MultiError: true, ExcludeResponseBody: true}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: ex.Status,
		Header: ex.Header, Body: io.NopCloser(bytes.NewReader(ex.ResponseBody)), Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.fail(ex, "response: "+err.Error())
	}
	c.mu.Lock()
	c.seen[route.Method+" "+route.Path] = true
	c.mu.Unlock()
}

func (c *contract) fail(ex jiratest.Exchange, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problems = append(c.problems, ex.Request.Method+" "+ex.Request.URL.String()+" → "+
		http.StatusText(ex.Status)+": "+msg+"\n  sent: "+string(ex.RequestBody)+"\n  got: "+string(ex.ResponseBody))
}

// TestContract runs every call the client makes, on both flavors and with
// the errors the sync handles, and checks that what the client sends and
// what the fake answers fit Atlassian's description of those operations.
func TestContract(t *testing.T) {
	c := loadContract(t)
	users := []jiratest.User{
		{AccountID: "acc-1", Name: "jane", DisplayName: "Jane Doe", Email: "jane+oncall@example.com"},
		{AccountID: "acc-2", Name: "hid", DisplayName: "Hidden", Email: "hidden@example.com", HideEmail: true},
	}
	for _, dc := range []bool{false, true} {
		fake := jiratest.New(t, jiratest.Options{DataCenter: dc, Users: users, Observe: c.observe,
			Required: []string{"customfield_10020"}, RequireIf: func(s string) bool { return strings.Contains(s, "team") }})
		cl := newClient(t, fake, dc)
		ctx := context.Background()
		if err := cl.Check(ctx); err != nil {
			t.Fatal(err)
		}
		u, err := cl.FindUser(ctx, "jane+oncall@example.com")
		if err != nil {
			t.Fatalf("find user: %v", err)
		}
		assignee := u.AccountID
		if dc {
			assignee = u.Name
		}
		is, err := cl.Create(ctx, postmortem.JiraDraft{Summary: "Rotate keys", Description: "*wiki* text",
			Labels: []string{"hindsight", "hindsight-item-1"}, Assignee: assignee, Due: "2026-12-01"})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		_, err = cl.Create(ctx, postmortem.JiraDraft{Summary: "Ask the team", Labels: []string{"hindsight"}})
		if postmortem.ErrorCode(err) != postmortem.EInvalid {
			t.Errorf("create without a required field: %v", err)
		}
		if err := cl.Update(ctx, is.Key, postmortem.JiraDraft{Summary: "Rotate all keys", Description: "x"}); err != nil {
			t.Fatal(err)
		}
		if err := cl.Transition(ctx, is.Key, "In Progress"); err != nil {
			t.Fatal(err)
		}
		got, err := cl.Get(ctx, is.Key)
		if err != nil || got.Category != postmortem.JiraInProgress || got.Assignee != assignee {
			t.Errorf("get: %+v %v", got, err)
		}
		if _, err := cl.Get(ctx, "OPS-999"); postmortem.ErrorCode(err) != postmortem.ENotFound {
			t.Errorf("get of a missing issue: %v", err)
		}
		found, missing, err := cl.Issues(ctx, []string{is.Key, "OPS-404"}, time.Now().Add(-time.Hour))
		if err != nil || len(found) != 1 || len(missing) != 1 || missing[0] != "OPS-404" {
			t.Errorf("issues: %+v %q %v", found, missing, err)
		}
		if list, err := cl.FindByLabel(ctx, "hindsight-item-1"); err != nil || len(list) != 1 {
			t.Errorf("find by label: %+v %v", list, err)
		}
	}
	for _, p := range c.problems {
		t.Error(p)
	}
	for _, op := range []string{
		"GET /rest/api/3/myself", "GET /rest/api/3/user/search", "POST /rest/api/3/issue",
		"GET /rest/api/3/issue/{issueIdOrKey}", "PUT /rest/api/3/issue/{issueIdOrKey}",
		"GET /rest/api/3/issue/{issueIdOrKey}/transitions", "POST /rest/api/3/issue/{issueIdOrKey}/transitions",
		"GET /rest/api/3/search/jql", "GET /rest/api/3/search",
	} {
		if !c.seen[op] {
			t.Errorf("%s never validated", op)
		}
	}
}

func newClient(t testing.TB, fake *jiratest.Fake, dc bool) *jira.Client {
	t.Helper()
	cfg := jira.Config{URL: fake.URL, Flavor: jira.Cloud, User: "bot@example.com", Token: "secret-token", Project: "OPS",
		Retry: jira.Retry{Base: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 5 * time.Millisecond,
			Jitter: time.Millisecond, Timeout: time.Second}}
	if dc {
		cfg.Flavor, cfg.User = jira.DataCenter, ""
	}
	cl, err := jira.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}
