// Package postmortem holds Hindsight's domain types: a postmortem as the
// parser reads it, its action items and their tracking state, and the one
// application error type. It imports nothing but the standard library.
package postmortem

// Postmortem is one incident write-up in structured form. Its JSON shape is
// the public contract of `hindsight parse` and `hindsight export`: field
// names are stable and new fields are only ever added.
type Postmortem struct {
	ID             string          `json:"id"`
	Title          string          `json:"title"`
	Date           string          `json:"date"`
	Status         string          `json:"status"`
	Severity       string          `json:"severity"`
	Authors        []Person        `json:"authors"`
	Summary        string          `json:"summary"`
	Impact         string          `json:"impact"`
	Description    string          `json:"description"`
	Trigger        string          `json:"trigger"`
	Detection      string          `json:"detection"`
	Resolution     string          `json:"resolution"`
	Timezone       string          `json:"timezone"`
	Timeline       []TimelineEntry `json:"timeline"`
	RootCauses     []string        `json:"root_causes"`
	ActionItems    []ActionItem    `json:"action_items"`
	LessonsLearned []string        `json:"lessons_learned"`
	Sections       []Section       `json:"sections"`
	Links          []Link          `json:"links"`
	Tags           []string        `json:"tags"`
	Warnings       []Warning       `json:"warnings"`

	// Source is where the document came from; set by the store and the
	// importer, never by the parser.
	Source *Source `json:"source,omitempty"`
}

// Person is a name as written in a postmortem, with the bracketed account
// note (Deactivated, Unlicensed, …) split off into Annotation.
type Person struct {
	Name       string `json:"name"`
	Annotation string `json:"annotation"`
}

// TimelineEntry is one event. At is ISO 8601 with exactly the precision the
// document gives (date, minute or second), with an offset only when the zone
// is known; it is empty when no date or time could be read.
type TimelineEntry struct {
	At   string `json:"at"`
	Text string `json:"text"`
	// End is the end of a range ("14:03-14:36"), as hh:mm[:ss].
	End string `json:"end,omitempty"`
	// Approximate is set for times written with a tilde ("~15:10").
	Approximate bool `json:"approximate,omitempty"`
	Line        int  `json:"line,omitempty"`
}

// Action item statuses, as the contract spells them.
const (
	StatusOpen       = "open"
	StatusInProgress = "in_progress"
	StatusDone       = "done"
	StatusWontDo     = "wont_do"
)

// ActionItem is one follow-up from a postmortem. Text, Owner, Status,
// JiraKey and Due are what the document says; Tracking is what Hindsight
// knows beyond it and only the store fills it.
type ActionItem struct {
	Text    string  `json:"text"`
	Owner   *Person `json:"owner"`
	Status  string  `json:"status"`
	JiraKey string  `json:"jira_key"`
	Due     string  `json:"due"`
	// Owners lists every owner the item names when there is more than one;
	// Owner is always the first of them.
	Owners []Person `json:"owners,omitempty"`
	// JiraKeys lists every issue key the item names when there is more
	// than one; JiraKey is the preferred one.
	JiraKeys []string  `json:"jira_keys,omitempty"`
	Line     int       `json:"line,omitempty"`
	Tracking *Tracking `json:"tracking,omitempty"`
}

// Section is a part of the document that has no field of its own, kept with
// its heading and its text as written.
type Section struct {
	Heading string `json:"heading"`
	Text    string `json:"text"`
}

// Link is a labelled URL found in the document.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Warning is something the parser had to guess or could not read, with the
// 1-based line of the source it concerns.
type Warning struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Source is an imported document's origin: path, verbatim text and content
// hash.
type Source struct {
	Path       string `json:"path"`
	Hash       string `json:"hash"`
	ImportedAt string `json:"imported_at,omitempty"`
	UpdatedAt  string `json:"updated_at,omitempty"`
	Missing    bool   `json:"missing,omitempty"`
	Text       string `json:"-"`
}

// Tracking is an action item's state that lives only in Hindsight. It
// survives re-imports of the document the item came from.
type Tracking struct {
	ID int64 `json:"id"`
	// Status is the item's current status: the document's until someone
	// changes it here or Jira reports another one.
	Status     string `json:"status"`
	JiraKey    string `json:"jira_key,omitempty"`
	JiraStatus string `json:"jira_status,omitempty"`
	// Owner is set when someone reassigned the item here; a Person with
	// an empty name means "no owner". The document's owner stays in Owner.
	Owner *Person `json:"owner,omitempty"`
	// Due is the due date Hindsight tracks, edited here or the document's.
	Due       string `json:"due,omitempty"`
	Note      string `json:"note,omitempty"`
	Removed   bool   `json:"removed,omitempty"`
	RemovedAt string `json:"removed_at,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
	UpdatedAt string `json:"updated_at,omitempty"`
}

// Warnf appends a warning for a source line.
func (p *Postmortem) Warnf(line int, format string, args ...any) {
	p.Warnings = append(p.Warnings, Warning{Line: line, Message: sprintf(format, args...)})
}
