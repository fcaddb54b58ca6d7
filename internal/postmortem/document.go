package postmortem

// Outcome says what saving a document did to the store.
type Outcome string

// Outcomes of saving one document.
const (
	Imported  Outcome = "imported"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
)

// SaveResult reports one saved document: the id it got (which differs from
// the parsed id when another document already had that one) and what
// happened.
type SaveResult struct {
	Path     string
	ID       string
	Outcome  Outcome
	Warnings []Warning
}

// ActionStatuses lists the valid action item statuses in display order.
var ActionStatuses = []string{StatusOpen, StatusInProgress, StatusDone, StatusWontDo}

// StatusLabel writes an action item status for people ("In progress");
// a value that is not a status comes back as it is.
func StatusLabel(s string) string {
	switch s {
	case StatusOpen:
		return "Open"
	case StatusInProgress:
		return "In progress"
	case StatusDone:
		return "Done"
	case StatusWontDo:
		return "Won't do"
	}
	return s
}

// ValidActionStatus reports whether s is one of the contract's statuses.
func ValidActionStatus(s string) bool {
	for _, v := range ActionStatuses {
		if v == s {
			return true
		}
	}
	return false
}
