package jira

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gojira "github.com/andygrunwald/go-jira"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// readFields are the fields every read asks for: the status with its
// category, the assignee, the resolution date, the last update and the
// labels.
var readFields = []string{"status", "assignee", "resolutiondate", "updated", "labels"}

// Client talks to one Jira site. It is safe for concurrent use.
type Client struct {
	jc  *gojira.Client
	cfg Config

	mu sync.Mutex
	tz *time.Location // the account's zone, in which JQL reads dates
}

// New returns a client for cfg, which must have passed Validate. Requests
// go through the retry policy of cfg.Retry and authenticate as the flavor
// requires: basic auth with the account email and API token on Cloud, the
// personal access token as Bearer on Data Center.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var rt http.RoundTripper = newRetryTransport(cfg.Transport, cfg.Retry)
	if cfg.Flavor == Cloud {
		rt = &gojira.BasicAuthTransport{Username: cfg.User, Password: cfg.Token, Transport: rt}
	} else {
		rt = &gojira.PATAuthTransport{Token: cfg.Token, Transport: rt}
	}
	jc, err := gojira.NewClient(&http.Client{Transport: rt}, cfg.URL)
	if err != nil {
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "HINDSIGHT_JIRA_URL", Message: "bad Jira URL", Err: err}
	}
	return &Client{jc: jc, cfg: cfg, tz: time.UTC}, nil
}

// Flavor returns the configured deployment kind.
func (c *Client) Flavor() Flavor { return c.cfg.Flavor }

// Check asks Jira who the configured account is (GET myself), which
// proves the URL and the credentials, and remembers the account's time
// zone for the dates in JQL.
func (c *Client) Check(ctx context.Context) error {
	req, err := c.jc.NewRequestWithContext(ctx, http.MethodGet, "rest/api/2/myself", nil)
	if err != nil {
		return fmt.Errorf("check jira: %w", err)
	}
	var me struct {
		AccountID string `json:"accountId"`
		Name      string `json:"name"`
		TimeZone  string `json:"timeZone"`
	}
	resp, err := c.jc.Do(req, &me)
	if err != nil {
		return classify("check the Jira account", resp, err)
	}
	if loc, err := time.LoadLocation(me.TimeZone); err == nil && me.TimeZone != "" {
		c.mu.Lock()
		c.tz = loc
		c.mu.Unlock()
	}
	return nil
}

// createRequest is the create payload, built by hand: go-jira's IssueFields
// would send assignee objects with a stray "Password" key.
type createRequest struct {
	Fields map[string]any `json:"fields"`
}

// Create creates an issue in the configured project. A Jira error keeps
// its field errors: a 400 gives an invalid *postmortem.Error whose Field
// lists the offending field ids, comma-separated. An unavailable error
// means the outcome is unknown: the issue may exist.
func (c *Client) Create(ctx context.Context, d postmortem.JiraDraft) (postmortem.JiraIssue, error) {
	fields := map[string]any{}
	for k, v := range c.cfg.Fields {
		fields[k] = v
	}
	fields["project"] = map[string]string{"key": c.cfg.Project}
	fields["issuetype"] = map[string]string{"name": c.cfg.IssueType}
	fields["summary"] = d.Summary
	fields["description"] = d.Description
	fields["labels"] = d.Labels
	if d.Assignee != "" {
		if c.cfg.Flavor == Cloud {
			fields["assignee"] = map[string]string{"accountId": d.Assignee}
		} else {
			fields["assignee"] = map[string]string{"name": d.Assignee}
		}
	}
	if d.Due != "" {
		fields["duedate"] = d.Due
	}
	req, err := c.jc.NewRequestWithContext(ctx, http.MethodPost, "rest/api/2/issue", createRequest{Fields: fields})
	if err != nil {
		return postmortem.JiraIssue{}, fmt.Errorf("create jira issue: %w", err)
	}
	var created struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	resp, err := c.jc.Do(req, &created)
	if err != nil {
		return postmortem.JiraIssue{}, classify("create the Jira issue", resp, err)
	}
	if created.Key == "" {
		return postmortem.JiraIssue{}, &postmortem.Error{Code: postmortem.EUnavailable,
			Message: "Jira answered the create without an issue key"}
	}
	return postmortem.JiraIssue{ID: created.ID, Key: created.Key, Category: postmortem.JiraToDo, Labels: d.Labels}, nil
}

// Update sets an issue's summary, description and due date (PUT issue);
// due "" clears it.
func (c *Client) Update(ctx context.Context, key string, d postmortem.JiraDraft) error {
	var due any
	if d.Due != "" {
		due = d.Due
	}
	body := map[string]any{"fields": map[string]any{
		"summary": d.Summary, "description": d.Description, "duedate": due,
	}}
	req, err := c.jc.NewRequestWithContext(ctx, http.MethodPut, "rest/api/2/issue/"+url.PathEscape(key), body)
	if err != nil {
		return fmt.Errorf("update jira issue %s: %w", key, err)
	}
	resp, err := c.jc.Do(req, nil)
	if err != nil {
		return classify("update Jira issue "+key, resp, err)
	}
	resp.Body.Close()
	return nil
}

// Get reads one issue by key or id.
func (c *Client) Get(ctx context.Context, keyOrID string) (postmortem.JiraIssue, error) {
	is, resp, err := c.jc.Issue.GetWithContext(ctx, url.PathEscape(keyOrID),
		&gojira.GetQueryOptions{Fields: strings.Join(readFields, ",")})
	if err != nil {
		return postmortem.JiraIssue{}, classify("read Jira issue "+keyOrID, resp, err)
	}
	return fromIssue(is), nil
}

// Transition moves an issue through the transition called name (any case).
// not_found when the issue's workflow offers no such transition now.
func (c *Client) Transition(ctx context.Context, key, name string) error {
	ts, resp, err := c.jc.Issue.GetTransitionsWithContext(ctx, url.PathEscape(key))
	if err != nil {
		return classify("list transitions of "+key, resp, err)
	}
	for _, t := range ts {
		if strings.EqualFold(t.Name, name) || name == "" && t.To.StatusCategory.Key == postmortem.JiraDone {
			resp, err := c.jc.Issue.DoTransitionWithContext(ctx, url.PathEscape(key), t.ID)
			if err != nil {
				return classify("transition "+key, resp, err)
			}
			resp.Body.Close()
			return nil
		}
	}
	if name == "" {
		return postmortem.Errorf(postmortem.ENotFound, "Jira issue %s offers no transition to a done status now", key)
	}
	return postmortem.Errorf(postmortem.ENotFound, "Jira issue %s offers no transition %q now", key, name)
}

// FindUser looks an email up among Jira's users and returns the one
// active account it names: on Cloud a query that must match the whole
// email when the account shows one, on Data Center a username search. No
// match, an inactive match or several give not_found.
func (c *Client) FindUser(ctx context.Context, email string) (postmortem.JiraUser, error) {
	// go-jira does not escape the search value: a "+" would arrive as a
	// space.
	q := url.QueryEscape(email)
	var users []gojira.User
	var resp *gojira.Response
	var err error
	if c.cfg.Flavor == Cloud {
		users, resp, err = c.jc.User.FindWithContext(ctx, q)
	} else {
		users, resp, err = c.jc.User.FindWithContext(ctx, "", gojira.WithUsername(q))
	}
	if err != nil {
		return postmortem.JiraUser{}, classify("search Jira users", resp, err)
	}
	var hits []gojira.User
	for _, u := range users {
		if !u.Active || (u.AccountType != "" && u.AccountType != "atlassian") {
			continue
		}
		if u.EmailAddress != "" && !strings.EqualFold(u.EmailAddress, email) {
			continue
		}
		hits = append(hits, u)
	}
	if len(hits) != 1 {
		return postmortem.JiraUser{}, postmortem.Errorf(postmortem.ENotFound,
			"%d active Jira accounts match %s", len(hits), email)
	}
	u := hits[0]
	return postmortem.JiraUser{AccountID: u.AccountID, Name: u.Name, DisplayName: u.DisplayName,
		Email: u.EmailAddress, Active: u.Active}, nil
}

// fromIssue translates go-jira's issue to the domain's.
func fromIssue(is *gojira.Issue) postmortem.JiraIssue {
	out := postmortem.JiraIssue{ID: is.ID, Key: is.Key}
	f := is.Fields
	if f == nil {
		return out
	}
	if f.Status != nil {
		out.Status = f.Status.Name
		out.Category = f.Status.StatusCategory.Key
	}
	if f.Assignee != nil {
		out.Assignee = f.Assignee.AccountID
		if out.Assignee == "" {
			out.Assignee = f.Assignee.Name
		}
		out.AssigneeName = f.Assignee.DisplayName
	}
	if t := time.Time(f.Resolutiondate); !t.IsZero() {
		out.Resolved = t.UTC().Format(time.RFC3339)
	}
	if t := time.Time(f.Updated); !t.IsZero() {
		out.Updated = t.UTC().Format(time.RFC3339)
	}
	out.Labels = f.Labels
	return out
}
