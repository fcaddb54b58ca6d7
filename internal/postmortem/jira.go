package postmortem

import "strconv"

// JiraLabel is on every issue Hindsight creates.
const JiraLabel = "hindsight"

// JiraItemLabel is the label that makes the issue of item id findable
// when its key was never stored.
func JiraItemLabel(id int64) string { return "hindsight-item-" + strconv.FormatInt(id, 10) }

// Jira status category keys. Jira gives every status one of these; item
// status follows the category, never the workflow-specific status name.
const (
	JiraToDo       = "new"
	JiraInProgress = "indeterminate"
	JiraDone       = "done"
)

// How an item came to be linked to a Jira issue.
const (
	LinkCreated  = "created"  // Hindsight created the issue
	LinkDocument = "document" // the postmortem names the issue
)

// Jira sync states of an action item. An item starts in JiraNone; the
// sync records JiraCreating before it asks Jira to create an issue, so a
// crash or an unanswered call leaves a trace that makes the next cycle
// look for the issue before it asks again.
const (
	JiraNone     = "none"     // no issue yet
	JiraCreating = "creating" // a create call was or is being made
	JiraCreated  = "created"  // Hindsight created the issue and stored its key
	JiraLinked   = "linked"   // linked to issues the document names
	JiraFailed   = "failed"   // Jira refused to create the issue; see the error
)

// Flags the sync puts on an item for people to act on.
const (
	FlagOwnerUnmapped = "owner_unmapped" // no Jira account for the owner: unassigned
	FlagOwnerLeft     = "owner_left"     // the owner has left: unassigned
	FlagUnreachable   = "jira_unreachable"
)

// JiraIssue is a Jira issue as Hindsight reads it back.
type JiraIssue struct {
	ID           string   `json:"id"`
	Key          string   `json:"key"`
	Category     string   `json:"category"` // status category key
	Status       string   `json:"status"`   // status name, as the workflow calls it
	Assignee     string   `json:"assignee"` // Cloud accountId or Data Center username
	AssigneeName string   `json:"assignee_name"`
	Resolved     string   `json:"resolved"` // resolution date as Jira gives it
	Updated      string   `json:"updated"`
	Labels       []string `json:"labels,omitempty"`
}

// JiraDraft is an issue Hindsight asks Jira to create.
type JiraDraft struct {
	Summary     string
	Description string // wiki markup (REST v2)
	Labels      []string
	Assignee    string // Cloud accountId or Data Center username; "" for none
	Due         string // YYYY-MM-DD or ""
}

// JiraUser is a Jira account found by email.
type JiraUser struct {
	AccountID   string // Cloud
	Name        string // Data Center username
	DisplayName string
	Email       string
	Active      bool
}

// JiraEvent is one verified Jira webhook delivery.
type JiraEvent struct {
	Type      string // jira:issue_updated and the like
	Timestamp int64  // epoch milliseconds
	Issue     JiraIssue
}

// JiraLink is one issue an item is linked to, with what the last sync read
// from it.
type JiraLink struct {
	ItemID       int64
	Key          string
	IssueID      string
	Origin       string // LinkCreated or LinkDocument
	Category     string
	Status       string
	Assignee     string
	AssigneeName string
	Resolved     string
	Unreachable  bool
}

// JiraItem is an action item as the Jira sync sees it: the item, the keys
// its document names, its sync state and its links.
type JiraItem struct {
	Item
	DocKeys   []string
	State     string
	AttemptAt string // when the first unanswered create call was made
	Pushed    string // fingerprint of the summary, description and due date Jira has
	Flag      string
	Error     string
	Links     []JiraLink
}

// StatusFromJira maps a status category key to an item status, "" for a
// category it does not know.
func StatusFromJira(category string) string {
	switch category {
	case JiraDone:
		return StatusDone
	case JiraInProgress:
		return StatusInProgress
	case JiraToDo:
		return StatusOpen
	}
	return ""
}

// LinkedStatus is the item status an item's read links add up to: done
// when all are done, open when none has started, in progress otherwise;
// "" when none has been read. Unreachable links do not count.
func LinkedStatus(links []JiraLink) string {
	var done, todo, n int
	for _, l := range links {
		s := StatusFromJira(l.Category)
		if l.Unreachable || s == "" {
			continue
		}
		n++
		switch s {
		case StatusDone:
			done++
		case StatusOpen:
			todo++
		}
	}
	switch {
	case n == 0:
		return ""
	case done == n:
		return StatusDone
	case todo == n:
		return StatusOpen
	}
	return StatusInProgress
}
