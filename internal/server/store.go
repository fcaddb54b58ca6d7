package server

import (
	"context"
	"io"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// IncidentStore is what the incident pages read.
type IncidentStore interface {
	// ListIncidents returns one page of postmortems matching f, newest
	// first, and the cursor of the next page ("" on the last one).
	ListIncidents(ctx context.Context, f postmortem.IncidentFilter) ([]postmortem.Incident, string, error)
	// Facets returns the values the incident filters offer.
	Facets(ctx context.Context) (Facets, error)
	// Get returns one postmortem, or a not_found error.
	Get(ctx context.Context, id string) (*postmortem.Postmortem, error)
	// SourceText returns the path and the text a postmortem was imported
	// from.
	SourceText(ctx context.Context, id string) (path, text string, err error)
	// ItemsOf returns a postmortem's action items in document order.
	ItemsOf(ctx context.Context, postmortemID string) ([]postmortem.Item, error)
	// HistoryOf returns the recorded changes of every item of a
	// postmortem, by item id, oldest first.
	HistoryOf(ctx context.Context, postmortemID string) (map[int64][]postmortem.ItemEvent, error)
	// Each calls fn with every stored postmortem, tracking included, from
	// one snapshot: what the export streams.
	Each(ctx context.Context, fn func(*postmortem.Postmortem) error) error
}

// ItemStore is what the action item pages read and change.
type ItemStore interface {
	// ListItems returns one page of action items matching f and the
	// cursor of the next page ("" on the last one).
	ListItems(ctx context.Context, f postmortem.ItemFilter) ([]postmortem.Item, string, error)
	// ItemCounts counts the open items, the overdue ones and the orphaned
	// ones (owner gone or none) as of now.
	ItemCounts(ctx context.Context, now time.Time) (open, overdue, orphaned int, err error)
	// GetItem returns one action item, or a not_found error.
	GetItem(ctx context.Context, id int64) (*postmortem.Item, error)
	// EditItem changes an item's tracked fields, recording each change
	// under actor; a bad value is an invalid *postmortem.Error with Field
	// set.
	EditItem(ctx context.Context, id int64, e ItemEdit, actor string) (*postmortem.Item, error)
	// ItemHistory returns an item's recorded changes, oldest first.
	ItemHistory(ctx context.Context, itemID int64) ([]postmortem.ItemEvent, error)
}

// PeopleStore is what the people directory pages read and change.
type PeopleStore interface {
	// ListPeople returns everyone in the directory.
	ListPeople(ctx context.Context) ([]postmortem.Member, error)
	// GetPerson returns one person, or a not_found error.
	GetPerson(ctx context.Context, id int64) (*postmortem.Member, error)
	// CreatePerson adds m and sets its ID; a bad or taken value is an
	// invalid or conflict *postmortem.Error with Field set.
	CreatePerson(ctx context.Context, m *postmortem.Member) error
	// UpdatePerson saves m over the person with its ID, with the errors
	// of CreatePerson.
	UpdatePerson(ctx context.Context, m *postmortem.Member) error
	// UnmatchedOwners lists the owner names in postmortems that match
	// nobody in the directory.
	UnmatchedOwners(ctx context.Context) ([]OwnerCount, error)
	// ImportPeopleCSV adds or updates everyone in a people CSV named name,
	// all or nothing; a bad row is an invalid or conflict error.
	ImportPeopleCSV(ctx context.Context, r io.Reader, name string) (created, updated int, err error)
	// ExportPeopleCSV writes the directory as CSV that ImportPeopleCSV
	// reads back.
	ExportPeopleCSV(ctx context.Context, w io.Writer) error
}

// HealthStore is what /readyz asks the database.
type HealthStore interface {
	// SchemaVersion returns the migration the database is at and the
	// newest this build knows; reading it proves the database answers.
	SchemaVersion(ctx context.Context) (current, latest int, err error)
}

// VersionStore tells when the data has changed, for the page cache.
type VersionStore interface {
	// DataVersion returns a number that changes whenever the data does,
	// by a write of this process's or of another's.
	DataVersion(ctx context.Context) (uint64, error)
}

// Store is everything the web interface needs from the database.
type Store interface {
	IncidentStore
	ItemStore
	PeopleStore
	HealthStore
	VersionStore
}

// Facets are the distinct values stored postmortems have, for the filters.
type Facets struct {
	Years                              []int
	Statuses, Severities, Tags, Owners []string
}

// ItemEdit changes an action item's tracked fields; nil ones stay as they
// are. An empty Owner means nobody, an empty Due no due date.
type ItemEdit struct {
	Status, Owner, Due, Note *string
	// ResetOwner gives the item back the owner its document names.
	ResetOwner bool
}

// OwnerCount is an owner name no directory entry matches, with how many
// items name them and how many of those are open.
type OwnerCount struct {
	Name        string
	Items, Open int
}
