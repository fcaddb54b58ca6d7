package postmortem

import (
	"strings"
	"time"
)

// Member is one person in the people directory: who owners in postmortems
// are, and how Jira and Slack reach them. Names and Aliases are matched to
// owners as written in documents, ignoring case and accents.
type Member struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Aliases       []string `json:"aliases"`
	Email         string   `json:"email"`
	SlackID       string   `json:"slack_id"`
	JiraAccountID string   `json:"jira_account_id"`
	JiraUsername  string   `json:"jira_username"`
	Team          string   `json:"team"`
	ManagerEmail  string   `json:"manager_email"`
	Timezone      string   `json:"timezone"`
	Active        bool     `json:"active"`
	CreatedAt     string   `json:"created_at,omitempty"`
	UpdatedAt     string   `json:"updated_at,omitempty"`
}

// Validate checks a member's fields and returns an invalid *Error naming
// the first bad field.
func (m *Member) Validate() error {
	m.Name = strings.TrimSpace(m.Name)
	m.Email = strings.TrimSpace(m.Email)
	switch {
	case m.Name == "":
		return &Error{Code: EInvalid, Field: "name", Message: "a name is required"}
	case len(m.Name) > 200:
		return &Error{Code: EInvalid, Field: "name", Message: "names are at most 200 characters"}
	case m.Email != "" && (!strings.Contains(m.Email, "@") || strings.ContainsAny(m.Email, " \t<>")):
		return &Error{Code: EInvalid, Field: "email", Message: "not an email address"}
	case m.ManagerEmail != "" && !strings.Contains(m.ManagerEmail, "@"):
		return &Error{Code: EInvalid, Field: "manager_email", Message: "not an email address"}
	}
	if m.Timezone != "" {
		if _, err := time.LoadLocation(m.Timezone); err != nil {
			return &Error{Code: EInvalid, Field: "timezone", Message: "unknown time zone (use an IANA name such as Europe/London)"}
		}
	}
	return nil
}

// Item is an action item as the pages, the API and the jobs see it: what
// the document says, what Hindsight tracks, and where it comes from.
type Item struct {
	ID              int64   `json:"id"`
	PostmortemID    string  `json:"postmortem_id"`
	PostmortemTitle string  `json:"postmortem_title"`
	PostmortemDate  string  `json:"postmortem_date"`
	Position        int     `json:"position"`
	Text            string  `json:"text"`
	Owner           *Person `json:"owner"`            // as written in the document
	Member          *Member `json:"member,omitempty"` // the owner matched in the directory
	Status          string  `json:"status"`           // tracked status
	DocStatus       string  `json:"doc_status"`       // what the document says
	JiraKey         string  `json:"jira_key"`
	JiraStatus      string  `json:"jira_status"`
	Due             string  `json:"due"`
	Note            string  `json:"note"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
	Removed         bool    `json:"removed"`
}

// Open reports whether the item still needs doing.
func (it *Item) Open() bool {
	return it.Status == StatusOpen || it.Status == StatusInProgress
}

// OwnerLeft reports whether the owner can no longer act on the item: the
// directory marks them inactive, or the document annotates them as
// Deactivated, Unlicensed or the like.
func (it *Item) OwnerLeft() bool {
	if it.Member != nil {
		return !it.Member.Active
	}
	return it.Owner != nil && it.Owner.Annotation != ""
}

// Overdue reports whether an open item's due date has passed by now.
func (it *Item) Overdue(now time.Time) bool {
	if !it.Open() || it.Due == "" {
		return false
	}
	due, err := time.Parse("2006-01-02", it.Due)
	if err != nil {
		return false
	}
	return now.After(due.Add(24 * time.Hour))
}

// Age is how long the item has existed: since the postmortem's date when
// known, else since it was first imported.
func (it *Item) Age(now time.Time) time.Duration {
	for _, s := range []string{it.PostmortemDate, it.CreatedAt} {
		if len(s) >= 10 {
			if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
				return now.Sub(t)
			}
		}
	}
	return 0
}

// ItemEvent is one change to an item: who, when, which field, from what to
// what. Actor is a user, "import", "jira" or "slack".
type ItemEvent struct {
	ID     int64  `json:"id"`
	ItemID int64  `json:"item_id"`
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Field  string `json:"field"`
	Old    string `json:"old"`
	New    string `json:"new"`
}

// ItemFilter selects action items for the actions page and the API.
type ItemFilter struct {
	Owner     string // owner name as written, or a member's name
	Team      string
	Status    string // one of the statuses, "open" meaning open or in progress when OpenOnly
	OpenOnly  bool
	Overdue   bool
	OwnerLeft bool
	NoOwner   bool
	NoJira    bool
	Sort      string // "age" (oldest first, the default) or "due" (soonest first)
	After     string // keyset cursor from the previous page
	Limit     int
	Now       time.Time
}

// IncidentFilter selects postmortems for the incident list and the API.
type IncidentFilter struct {
	Query    string // full-text search
	Year     int
	Status   string
	Severity string
	Tag      string
	Owner    string
	HasOpen  bool
	After    string // keyset cursor from the previous page
	Limit    int
}

// Incident is one row of the incident list.
type Incident struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Date       string `json:"date"`
	Status     string `json:"status"`
	Severity   string `json:"severity"`
	OpenItems  int    `json:"open_items"`
	TotalItems int    `json:"total_items"`
	// Minutes from the start to detection and to resolution, -1 when the
	// timeline does not allow it.
	DetectMinutes  int    `json:"detect_minutes"`
	ResolveMinutes int    `json:"resolve_minutes"`
	Snippet        string `json:"snippet,omitempty"` // search match, with «» around hits
	Missing        bool   `json:"missing,omitempty"`
}
