package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// JiraStore is the part of the database the Jira sync reads and writes.
type JiraStore interface {
	// JiraPending returns the open items without an issue: never tried,
	// left creating, or refused (those only when changed since or when
	// retryFailed is set).
	JiraPending(ctx context.Context, retryFailed bool) ([]postmortem.JiraItem, error)
	// JiraLinked returns the live items with issues, links filled in.
	JiraLinked(ctx context.Context) ([]postmortem.JiraItem, error)
	// BeginJiraCreate records that a create call for the item is about to
	// be made, and when; it must be durable before the call.
	BeginJiraCreate(ctx context.Context, id int64, at time.Time) error
	// AbandonJiraCreate undoes BeginJiraCreate when Jira created nothing.
	AbandonJiraCreate(ctx context.Context, id int64) error
	SaveJiraCreated(ctx context.Context, id int64, is postmortem.JiraIssue, pushed, flag string) error
	FailJiraCreate(ctx context.Context, id int64, reason string) error
	LinkJira(ctx context.Context, id int64, keys []string) error
	SaveJiraPushed(ctx context.Context, id int64, pushed string) error
	// ApplyJira stores issues read from Jira and keys it no longer shows,
	// and returns the items that changed.
	ApplyJira(ctx context.Context, issues []postmortem.JiraIssue, missing []string) ([]int64, error)
	JiraCursor(ctx context.Context) (last, full time.Time, err error)
	SaveJiraCursor(ctx context.Context, start time.Time, full bool) error
	JiraAccount(ctx context.Context, email string) (account string, at time.Time, ok bool, err error)
	SaveJiraAccount(ctx context.Context, personID int64, email, account string, username bool) error
}

// Jira is the part of the Jira client the sync uses.
type Jira interface {
	// Create creates an issue; an unavailable error means the outcome is
	// unknown.
	Create(ctx context.Context, d postmortem.JiraDraft) (postmortem.JiraIssue, error)
	Update(ctx context.Context, key string, d postmortem.JiraDraft) error
	Get(ctx context.Context, keyOrID string) (postmortem.JiraIssue, error)
	// FindByLabel searches the project; the index lags behind writes.
	FindByLabel(ctx context.Context, label string) ([]postmortem.JiraIssue, error)
	// Issues reads issues by key, updated since since (all when zero), and
	// names the keys Jira does not show.
	Issues(ctx context.Context, keys []string, since time.Time) (found []postmortem.JiraIssue, missing []string, err error)
	FindUser(ctx context.Context, email string) (postmortem.JiraUser, error)
	Transition(ctx context.Context, key, name string) error
}

// JiraOptions configure SyncJira. The zero value is the documented default.
type JiraOptions struct {
	BaseURL    string // Hindsight's address, for links back to postmortems
	DataCenter bool   // assignees by username rather than accountId
	// DoneTransition names the transition that closes an issue when its
	// item is marked done here; empty leaves status to Jira alone.
	DoneTransition string
	// RecheckWindow is how long after an unanswered create the sync only
	// looks for the issue by its label, giving Jira's search index time to
	// show it, before it creates again. Default 30 minutes.
	RecheckWindow time.Duration
	FullEvery     time.Duration // between full reconciles; default 24 hours
	Overlap       time.Duration // subtracted from the cursor for clock skew; default 2 minutes
	LookupAgain   time.Duration // before an email Jira did not know is looked up again; default 24 hours
	// DryRun reads from Jira but writes to neither Jira nor the store.
	DryRun bool
	// Report receives each thing the cycle does or, dry, would do. It may
	// be nil.
	Report func(JiraAction)
	Logger *slog.Logger
	Now    func() time.Time
}

func (o JiraOptions) withDefaults() JiraOptions {
	if o.RecheckWindow <= 0 {
		o.RecheckWindow = 30 * time.Minute
	}
	if o.FullEvery <= 0 {
		o.FullEvery = 24 * time.Hour
	}
	if o.Overlap <= 0 {
		o.Overlap = 2 * time.Minute
	}
	if o.LookupAgain <= 0 {
		o.LookupAgain = 24 * time.Hour
	}
	if o.Report == nil {
		o.Report = func(JiraAction) {}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// JiraAction is one thing a sync cycle did to an item.
type JiraAction struct {
	Kind   string // create, found, link, push, transition, update, wait, fail
	ItemID int64
	Key    string
	Detail string
}

func (a JiraAction) String() string {
	s := fmt.Sprintf("%s item %d", a.Kind, a.ItemID)
	if a.Key != "" {
		s += " " + a.Key
	}
	if a.Detail != "" {
		s += ": " + a.Detail
	}
	return s
}

// JiraSummary counts what a cycle did.
type JiraSummary struct {
	Created, Linked, Updated, Failed int
	Waiting                          int // creates still looked for by label
	Full                             bool
}

func (s JiraSummary) String() string {
	return fmt.Sprintf("created %d, linked %d, updated %d, failed %d", s.Created, s.Linked, s.Updated, s.Failed)
}

// SyncJira runs one cycle: it links items to the issues their documents
// name, creates an issue for every other open item that has none, pushes
// Hindsight's edits of item text and due date to the issues it created,
// and reads back every linked issue's status and assignee (those updated
// since the last cycle, or all of them once a day) in batched searches.
//
// Creating is exactly once: the intent is stored before the call, and an
// item found still creating is first looked up by its label and only
// created again once RecheckWindow has passed without Jira's search
// showing the issue. Errors about one item are counted in Failed and
// reported; an error that stops the cycle (Jira refusing the credentials,
// the store failing, ctx ending) is returned, and the cursor is left
// where it was so the next cycle reads the same changes again.
func SyncJira(ctx context.Context, store JiraStore, j Jira, opts JiraOptions) (JiraSummary, error) {
	s := &jiraSync{store: store, jira: j, o: opts.withDefaults()}
	return s.sum, s.run(ctx)
}

type jiraSync struct {
	store JiraStore
	jira  Jira
	o     JiraOptions
	sum   JiraSummary
	start time.Time
}

func (s *jiraSync) run(ctx context.Context) error {
	s.start = s.o.Now()
	last, full, err := s.store.JiraCursor(ctx)
	if err != nil {
		return err
	}
	s.sum.Full = last.IsZero() || s.start.Sub(full) >= s.o.FullEvery
	pending, err := s.store.JiraPending(ctx, s.sum.Full)
	if err != nil {
		return err
	}
	for _, it := range pending {
		if err := s.item(ctx, it); err != nil {
			return err
		}
	}
	since := time.Time{}
	if !s.sum.Full {
		since = last.Add(-s.o.Overlap)
	}
	if err := s.readBack(ctx, since); err != nil {
		return err
	}
	if s.o.DryRun {
		return nil
	}
	return s.store.SaveJiraCursor(ctx, s.start, s.sum.Full)
}

// item links or creates the issue of one pending item.
func (s *jiraSync) item(ctx context.Context, it postmortem.JiraItem) error {
	if len(it.DocKeys) > 0 {
		s.report("link", it.ID, it.DocKeys[0], fmt.Sprintf("%d issue(s) the document names", len(it.DocKeys)))
		s.sum.Linked++
		if s.o.DryRun {
			return nil
		}
		return s.store.LinkJira(ctx, it.ID, it.DocKeys)
	}
	if it.State == postmortem.JiraCreating {
		done, err := s.recheck(ctx, it)
		if done || err != nil {
			return err
		}
	}
	return s.create(ctx, it)
}

// recheck looks for the issue an unanswered create may have made, and
// adopts it. It reports whether the item is settled for this cycle.
func (s *jiraSync) recheck(ctx context.Context, it postmortem.JiraItem) (bool, error) {
	found, err := s.jira.FindByLabel(ctx, postmortem.JiraItemLabel(it.ID))
	if err != nil {
		return true, s.failed(it, err)
	}
	if len(found) > 0 {
		is := oldest(found)
		if len(found) > 1 {
			s.o.Logger.Warn("duplicate jira issues for one item", "item", it.ID, "kept", is.Key, "count", len(found))
		}
		s.report("found", it.ID, is.Key, "the issue an unanswered create made")
		s.sum.Created++
		if s.o.DryRun {
			return true, nil
		}
		d, flag, err := s.draft(ctx, it)
		if err != nil {
			return true, s.failed(it, err)
		}
		return true, s.store.SaveJiraCreated(ctx, it.ID, is, fingerprint(d), flag)
	}
	at, err := time.Parse(time.RFC3339, it.AttemptAt)
	if err == nil && s.start.Sub(at) < s.o.RecheckWindow {
		s.report("wait", it.ID, "", "an earlier create went unanswered; looking for its issue until "+
			at.Add(s.o.RecheckWindow).UTC().Format(time.RFC3339))
		s.sum.Waiting++
		return true, nil
	}
	return false, nil
}

// oldest returns the issue with the lowest numeric id: the first created.
func oldest(list []postmortem.JiraIssue) postmortem.JiraIssue {
	sort.Slice(list, func(a, b int) bool {
		x, _ := strconv.ParseInt(list[a].ID, 10, 64)
		y, _ := strconv.ParseInt(list[b].ID, 10, 64)
		return x < y
	})
	return list[0]
}

func (s *jiraSync) create(ctx context.Context, it postmortem.JiraItem) error {
	d, flag, err := s.draft(ctx, it)
	if err != nil {
		return s.failed(it, err)
	}
	// What Jira is meant to have, even when it refuses the optional
	// fields below: pushing them again would only be refused again.
	pushed := fingerprint(d)
	if s.o.DryRun {
		who := d.Assignee
		if who == "" {
			who = "nobody"
		}
		s.report("create", it.ID, "", fmt.Sprintf("%q assigned to %s", d.Summary, who))
		s.sum.Created++
		return nil
	}
	if err := s.store.BeginJiraCreate(ctx, it.ID, s.o.Now()); err != nil {
		return err
	}
	is, err := s.jira.Create(ctx, d)
	if fields := fieldErrors(err); len(fields) > 0 && optionalOnly(fields) {
		// Jira refused the assignee or the due date (not assignable, not
		// on the create screen): create without them rather than not at all.
		if d.Assignee != "" && flag == "" {
			flag = postmortem.FlagOwnerUnmapped
		}
		d.Assignee, d.Due = "", ""
		is, err = s.jira.Create(ctx, d)
	}
	switch postmortem.ErrorCode(err) {
	case "":
		s.report("create", it.ID, is.Key, d.Summary)
		s.sum.Created++
		return s.store.SaveJiraCreated(ctx, it.ID, is, pushed, flag)
	case postmortem.EInvalid, postmortem.ENotFound:
		s.report("fail", it.ID, "", postmortem.ErrorMessage(err))
		s.sum.Failed++
		return s.store.FailJiraCreate(ctx, it.ID, postmortem.ErrorMessage(err))
	case postmortem.EUnauthorized:
		if aerr := s.store.AbandonJiraCreate(ctx, it.ID); aerr != nil {
			return aerr
		}
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Unknown outcome: the item stays creating, and a later cycle looks
	// for the issue before it asks again.
	s.report("fail", it.ID, "", "no answer from Jira, will look for the issue before trying again: "+err.Error())
	s.sum.Failed++
	return nil
}

// failed counts an error about one item, or returns it when it stops the
// cycle.
func (s *jiraSync) failed(it postmortem.JiraItem, err error) error {
	switch postmortem.ErrorCode(err) {
	case postmortem.EUnauthorized:
		return err
	case postmortem.EInternal:
		var pe *postmortem.Error
		if !errors.As(err, &pe) {
			return err // the store, or ctx
		}
	}
	s.report("fail", it.ID, "", err.Error())
	s.sum.Failed++
	return nil
}

func (s *jiraSync) report(kind string, id int64, key, detail string) {
	a := JiraAction{Kind: kind, ItemID: id, Key: key, Detail: detail}
	s.o.Report(a)
	s.o.Logger.Debug("jira sync", "action", kind, "item", id, "key", key, "detail", detail)
}

// fieldErrors returns the field ids a Jira 400 named.
func fieldErrors(err error) []string {
	var e *postmortem.Error
	if !errors.As(err, &e) || e.Code != postmortem.EInvalid || e.Field == "" {
		return nil
	}
	return strings.Split(e.Field, ",")
}

func optionalOnly(fields []string) bool {
	for _, f := range fields {
		if f != "assignee" && f != "duedate" {
			return false
		}
	}
	return true
}
