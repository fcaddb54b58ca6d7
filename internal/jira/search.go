package jira

import (
	"context"
	"strings"
	"time"

	gojira "github.com/andygrunwald/go-jira"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// search calls fn with every issue jql matches, page by page: on Cloud
// through GET search/jql with page tokens (the classic endpoint is gone
// there), on Data Center through the classic search with startAt.
func (c *Client) search(ctx context.Context, jql string, fn func(postmortem.JiraIssue)) error {
	if c.cfg.Flavor == Cloud {
		opts := &gojira.SearchOptionsV2{MaxResults: c.cfg.PageSize, Fields: readFields}
		for {
			issues, resp, err := c.jc.Issue.SearchV2JQLWithContext(ctx, jql, opts)
			if err != nil {
				return classify("search Jira", resp, err)
			}
			for i := range issues {
				fn(fromIssue(&issues[i]))
			}
			if resp.IsLast || resp.NextPageToken == "" || len(issues) == 0 {
				return nil
			}
			opts.NextPageToken = resp.NextPageToken
		}
	}
	opts := &gojira.SearchOptions{MaxResults: c.cfg.PageSize, Fields: readFields}
	for {
		issues, resp, err := c.jc.Issue.SearchWithContext(ctx, jql, opts)
		if err != nil {
			return classify("search Jira", resp, err)
		}
		for i := range issues {
			fn(fromIssue(&issues[i]))
		}
		opts.StartAt += len(issues)
		if len(issues) == 0 || opts.StartAt >= resp.Total {
			return nil
		}
	}
}

// FindByLabel returns the issues of the configured project that carry
// label. Jira's search index lags behind its writes, so an issue created
// seconds ago may not be found yet.
func (c *Client) FindByLabel(ctx context.Context, label string) ([]postmortem.JiraIssue, error) {
	jql := "project = " + quote(c.cfg.Project) + " AND labels = " + quote(label)
	var out []postmortem.JiraIssue
	err := c.search(ctx, jql, func(is postmortem.JiraIssue) { out = append(out, is) })
	return out, err
}

// Issues reads the issues with the given keys, PageSize keys to a search,
// only those updated at or after since unless since is zero. Jira refuses
// a whole search when one key in it does not exist or is hidden from the
// account; Issues then splits the batch until it has the keys to blame,
// and returns them in missing.
func (c *Client) Issues(ctx context.Context, keys []string, since time.Time) (found []postmortem.JiraIssue, missing []string, err error) {
	add := func(is postmortem.JiraIssue) { found = append(found, is) }
	var batch func(keys []string) error
	batch = func(keys []string) error {
		err := c.search(ctx, c.keysJQL(keys, since), add)
		if postmortem.ErrorCode(err) != postmortem.EInvalid {
			return err
		}
		if len(keys) == 1 {
			missing = append(missing, keys[0])
			return nil
		}
		half := len(keys) / 2
		if err := batch(keys[:half]); err != nil {
			return err
		}
		return batch(keys[half:])
	}
	for start := 0; start < len(keys); start += c.cfg.PageSize {
		if err := batch(keys[start:min(start+c.cfg.PageSize, len(keys))]); err != nil {
			return found, missing, err
		}
	}
	return found, missing, nil
}

// keysJQL builds `key in (…) [AND updated >= "…"]`. The date is written
// in the account's zone, which is how Jira reads it, and to the minute,
// which rounds it down.
func (c *Client) keysJQL(keys []string, since time.Time) string {
	var b strings.Builder
	b.WriteString("key in (")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(k))
	}
	b.WriteString(")")
	if !since.IsZero() {
		c.mu.Lock()
		tz := c.tz
		c.mu.Unlock()
		b.WriteString(` AND updated >= "` + since.In(tz).Format("2006-01-02 15:04") + `"`)
	}
	b.WriteString(" ORDER BY key ASC")
	return b.String()
}

// quote makes s a JQL string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
