// Package jira is Hindsight's client for Jira Cloud and Data Center: a thin
// layer over github.com/andygrunwald/go-jira v1.17.0 that makes only the
// calls the sync needs, routes around that version's known bugs (stray
// Password keys in user objects, undecoded create errors, unescaped user
// searches), retries what is safe to retry, and translates to and from the
// domain types of package postmortem. It also verifies and parses Jira's
// webhook deliveries.
package jira

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Flavor is the kind of Jira deployment; it selects the search endpoint,
// the authentication and how users are named.
type Flavor string

// Flavors.
const (
	Cloud      Flavor = "cloud"
	DataCenter Flavor = "datacenter"
)

// Config is how Hindsight reaches Jira. URL empty means Jira sync is off.
type Config struct {
	URL       string
	Flavor    Flavor
	User      string // Cloud: the account's email; unused with a DC token
	Token     string // Cloud: API token (basic auth); DC: personal access token (Bearer)
	Project   string
	IssueType string         // default Task
	Fields    map[string]any // extra fields set on every created issue
	Secret    string         // webhook secret; "" accepts unsigned deliveries
	Retry     Retry          // zero value: DefaultRetry
	PageSize  int            // search page size; default 100
	// Transport is the round tripper under the retries; nil means
	// http.DefaultTransport.
	Transport http.RoundTripper
}

// Enabled reports whether Jira sync is configured at all.
func (c Config) Enabled() bool { return c.URL != "" }

// Validate fills defaults and checks that everything a sync needs is set.
func (c *Config) Validate() error {
	if c.Flavor == "" {
		c.Flavor = Cloud
	}
	if c.IssueType == "" {
		c.IssueType = "Task"
	}
	if c.PageSize <= 0 {
		c.PageSize = 100
	}
	invalid := func(field, msg string) error {
		return &postmortem.Error{Code: postmortem.EInvalid, Field: field, Message: msg}
	}
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return invalid("HINDSIGHT_JIRA_URL", "no Jira URL given")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return invalid("HINDSIGHT_JIRA_URL", "not an http(s) URL")
	case c.Flavor != Cloud && c.Flavor != DataCenter:
		return invalid("HINDSIGHT_JIRA_FLAVOR", "must be cloud or datacenter")
	case c.Token == "":
		return invalid("HINDSIGHT_JIRA_TOKEN", "no Jira token given")
	case c.Flavor == Cloud && c.User == "":
		return invalid("HINDSIGHT_JIRA_USER", "Jira Cloud needs the account's email with its API token")
	case c.Project == "":
		return invalid("HINDSIGHT_JIRA_PROJECT", "no Jira project given")
	}
	return nil
}

// ParseFields reads HINDSIGHT_JIRA_FIELDS: a JSON object of extra fields
// set on every created issue, such as {"customfield_10020":{"value":"SRE"}}.
// Fields Hindsight sets itself may not be overridden.
func ParseFields(s string) (map[string]any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "HINDSIGHT_JIRA_FIELDS",
			Message: "not a JSON object of field ids to values", Err: err}
	}
	for _, own := range []string{"project", "issuetype", "summary", "description", "labels", "assignee", "duedate"} {
		if _, ok := m[own]; ok {
			return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "HINDSIGHT_JIRA_FIELDS",
				Message: "Hindsight sets " + own + " itself"}
		}
	}
	return m, nil
}

// Retry is the retry policy of the transport under go-jira.
type Retry struct {
	Attempts      int           // tries per call, first included; default 4
	Base          time.Duration // first backoff; default 1s
	Max           time.Duration // backoff cap; default 30s
	MaxRetryAfter time.Duration // longest Retry-After honoured; default 5m
	Jitter        time.Duration // up to this much is added to each wait; default 1s
	Timeout       time.Duration // per attempt; default 15s
}

// DefaultRetry is the policy integrations.md §6.5 recommends.
var DefaultRetry = Retry{Attempts: 4, Base: time.Second, Max: 30 * time.Second,
	MaxRetryAfter: 5 * time.Minute, Jitter: time.Second, Timeout: 15 * time.Second}

func (r Retry) withDefaults() Retry {
	d := DefaultRetry
	if r.Attempts > 0 {
		d.Attempts = r.Attempts
	}
	if r.Base > 0 {
		d.Base = r.Base
	}
	if r.Max > 0 {
		d.Max = r.Max
	}
	if r.MaxRetryAfter > 0 {
		d.MaxRetryAfter = r.MaxRetryAfter
	}
	if r.Jitter != 0 {
		d.Jitter = max(r.Jitter, 0)
	}
	if r.Timeout > 0 {
		d.Timeout = r.Timeout
	}
	return d
}
