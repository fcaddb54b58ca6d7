package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// maxSummary is Jira's limit on an issue summary, in characters.
const maxSummary = 255

// draft is the issue to create for an item, with its assignee and the
// flag the item gets when there is none to give.
func (s *jiraSync) draft(ctx context.Context, it postmortem.JiraItem) (postmortem.JiraDraft, string, error) {
	d := s.content(it)
	var flag string
	var err error
	d.Assignee, flag, err = s.assignee(ctx, it)
	return d, flag, err
}

// content is what Hindsight owns of an issue: summary, description, labels
// and due date.
func (s *jiraSync) content(it postmortem.JiraItem) postmortem.JiraDraft {
	d := postmortem.JiraDraft{
		Summary:     summary(it.Text, it.ID),
		Description: description(it, s.o.BaseURL),
		Labels:      []string{postmortem.JiraLabel, postmortem.JiraItemLabel(it.ID)},
	}
	if _, err := time.Parse("2006-01-02", it.Due); err == nil {
		d.Due = it.Due
	}
	return d
}

// summary is the item's text on one line, cut to Jira's limit.
func summary(text string, id int64) string {
	s := strings.Join(strings.Fields(text), " ")
	if s == "" {
		return fmt.Sprintf("Action item %d", id)
	}
	if r := []rune(s); len(r) > maxSummary {
		s = string(r[:maxSummary-1]) + "…"
	}
	return s
}

var wikiEscaper = strings.NewReplacer(`\`, `\\`, "{", `\{`, "}", `\}`, "[", `\[`, "]", `\]`, "|", `\|`)

// description is the issue body in wiki markup (REST v2): a link back to
// the postmortem, the item quoted, its owner and due date, and who owns
// what between Hindsight and Jira.
func description(it postmortem.JiraItem, baseURL string) string {
	var b strings.Builder
	title := wikiEscaper.Replace(it.PostmortemTitle)
	if title == "" {
		title = wikiEscaper.Replace(it.PostmortemID)
	}
	if baseURL != "" {
		link := strings.TrimRight(baseURL, "/") + "/incidents/" + url.PathEscape(it.PostmortemID)
		fmt.Fprintf(&b, "Action item from the postmortem [%s|%s]", title, link)
	} else {
		fmt.Fprintf(&b, "Action item from the postmortem %s", title)
	}
	if it.PostmortemDate != "" {
		fmt.Fprintf(&b, " (%s)", it.PostmortemDate)
	}
	b.WriteString(":\n\n{quote}\n")
	b.WriteString(wikiEscaper.Replace(strings.TrimSpace(it.Text)))
	b.WriteString("\n{quote}\n\n")
	if it.Owner != nil && it.Owner.Name != "" {
		owner := it.Owner.Name
		if it.Owner.Annotation != "" {
			owner += " (" + it.Owner.Annotation + ")"
		}
		fmt.Fprintf(&b, "Owner in the postmortem: %s\n", wikiEscaper.Replace(owner))
	}
	if it.Due != "" {
		fmt.Fprintf(&b, "Due: %s\n", wikiEscaper.Replace(it.Due))
	}
	b.WriteString("\n----\n_Created by Hindsight, which keeps this issue's summary, description and due date " +
		"in step with the action item. The item follows this issue's status and assignee._")
	return b.String()
}

// fingerprint identifies the summary, description and due date of a
// draft, to tell whether Jira has them.
func fingerprint(d postmortem.JiraDraft) string {
	h := sha256.Sum256([]byte(d.Summary + "\x00" + d.Description + "\x00" + d.Due))
	return hex.EncodeToString(h[:12])
}

// assignee maps the item's owner to a Jira account: the one stored on the
// person, else found by email (and then stored on the person). An owner
// who left, is not in the directory or has no Jira account gets an
// unassigned issue and a flag on the item.
func (s *jiraSync) assignee(ctx context.Context, it postmortem.JiraItem) (string, string, error) {
	switch {
	case it.Owner == nil && it.Member == nil:
		return "", "", nil
	case it.OwnerLeft():
		return "", postmortem.FlagOwnerLeft, nil
	case it.Member == nil:
		return "", postmortem.FlagOwnerUnmapped, nil
	}
	m := it.Member
	if s.o.DataCenter && m.JiraUsername != "" {
		return m.JiraUsername, "", nil
	}
	if !s.o.DataCenter && m.JiraAccountID != "" {
		return m.JiraAccountID, "", nil
	}
	if m.Email == "" {
		return "", postmortem.FlagOwnerUnmapped, nil
	}
	account, at, ok, err := s.store.JiraAccount(ctx, m.Email)
	if err != nil {
		return "", "", err
	}
	if ok && account != "" {
		return account, "", nil
	}
	if ok && s.start.Sub(at) < s.o.LookupAgain {
		return "", postmortem.FlagOwnerUnmapped, nil
	}
	u, err := s.jira.FindUser(ctx, m.Email)
	switch postmortem.ErrorCode(err) {
	case "":
		account = u.AccountID
		if s.o.DataCenter {
			account = u.Name
		}
	case postmortem.ENotFound:
	default:
		return "", "", err
	}
	if !s.o.DryRun {
		if err := s.store.SaveJiraAccount(ctx, m.ID, m.Email, account, s.o.DataCenter); err != nil {
			return "", "", err
		}
	}
	if account == "" {
		return "", postmortem.FlagOwnerUnmapped, nil
	}
	return account, "", nil
}
