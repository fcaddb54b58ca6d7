package sqlite

import (
	"context"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// storedItem is an action item row as a re-import sees it.
type storedItem struct {
	id              int64
	position        int
	text            string
	owner           string
	ownerAnnotation string
	overridden      bool
	docStatus       string
	docJiraKey      string
	status          string
	jiraKey         string
	docDue          string
	due             string
	removed         bool
}

// docItem is an action item as the document now gives it, flattened to
// the columns it is stored in.
type docItem struct {
	position        int
	text            string
	owner           string
	ownerAnnotation string
	docStatus       string
	jiraKey         string
	due             string
}

func flatten(items []postmortem.ActionItem) []docItem {
	out := make([]docItem, len(items))
	for i, it := range items {
		out[i] = docItem{position: i, text: it.Text, docStatus: it.Status, jiraKey: it.JiraKey, due: it.Due}
		if it.Owner != nil {
			out[i].owner, out[i].ownerAnnotation = it.Owner.Name, it.Owner.Annotation
		}
	}
	return out
}

// trackedStatus is the tracked status an item starts with or moves to when
// the document's status is docStatus: the same, or open when the document
// gives none the contract knows.
func trackedStatus(docStatus string) string {
	if postmortem.ValidActionStatus(docStatus) {
		return docStatus
	}
	return postmortem.StatusOpen
}

// insertItems stores a new document's action items, with no history row:
// an item's created_at already says when it appeared, and one event per
// item was a fifth of a first import's writes. It inserts them one
// row at a time on purpose: a multi-row INSERT … SELECT (from json_each,
// say) opens a statement savepoint, which makes FTS5 flush its pending
// index to disk for every document instead of once per batch, and that
// measured twice as slow.
func (s *saver) insertItems(ctx context.Context, docID string, items []postmortem.ActionItem) error {
	for _, it := range flatten(items) {
		if _, err := s.insert(ctx, docID, it); err != nil {
			return err
		}
	}
	return nil
}

// insert stores one item and returns its id.
func (s *saver) insert(ctx context.Context, docID string, it docItem) (int64, error) {
	r, err := s.insertItem.ExecContext(ctx, docID, it.position, it.text, it.owner, it.ownerAnnotation,
		NameKey(it.owner), it.docStatus, it.jiraKey, trackedStatus(it.docStatus), it.jiraKey, it.due, it.due,
		s.now, s.now)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

func (s *saver) record(ctx context.Context, itemID int64, field, old, new string) error {
	_, err := s.event.ExecContext(ctx, itemID, s.now, importActor, field, old, new)
	return err
}

// loadItems returns every item stored for a document, removed ones too.
func (s *saver) loadItems(ctx context.Context, docID string) ([]storedItem, error) {
	rows, err := s.items.QueryContext(ctx, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedItem
	for rows.Next() {
		var it storedItem
		err := rows.Scan(&it.id, &it.position, &it.text, &it.owner, &it.ownerAnnotation, &it.overridden,
			&it.docStatus, &it.docJiraKey, &it.status, &it.jiraKey, &it.docDue, &it.due, &it.removed)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// syncItems brings a re-imported document's stored items in line with its
// new list: matched items take the document's fields and keep their
// tracking state, stored items left unmatched are marked removed, and new
// ones are inserted. Every change is recorded in item_events.
func (s *saver) syncItems(ctx context.Context, docID string, items []postmortem.ActionItem) error {
	stored, err := s.loadItems(ctx, docID)
	if err != nil {
		return err
	}
	news := flatten(items)
	match := matchItems(stored, news)
	used := make([]bool, len(stored))
	for i, it := range news {
		j := match[i]
		if j < 0 {
			// An item added by an edit of the document is recorded, so that
			// its history shows it appeared later than the others.
			id, err := s.insert(ctx, docID, it)
			if err != nil {
				return err
			}
			if err := s.record(ctx, id, "created", "", it.text); err != nil {
				return err
			}
			continue
		}
		used[j] = true
		if err := s.refresh(ctx, stored[j], it); err != nil {
			return err
		}
	}
	for j, old := range stored {
		if used[j] || old.removed {
			continue
		}
		if _, err := s.removeItem.ExecContext(ctx, s.now, s.now, old.id); err != nil {
			return err
		}
		if err := s.record(ctx, old.id, "removed", old.text, ""); err != nil {
			return err
		}
	}
	return nil
}

// refresh updates a stored item from the document item it matched. The
// tracked status and due date follow the document only when the
// document's own changed; the tracked Jira key is filled from the document
// only when it is empty; an owner set in Hindsight stays.
func (s *saver) refresh(ctx context.Context, old storedItem, it docItem) error {
	status := old.status
	if it.docStatus != old.docStatus {
		status = trackedStatus(it.docStatus)
	}
	due := old.due
	if it.due != old.docDue {
		due = it.due
	}
	jiraKey := old.jiraKey
	if jiraKey == "" {
		jiraKey = it.jiraKey
	}
	if !old.removed && old.position == it.position && old.text == it.text && old.owner == it.owner &&
		old.ownerAnnotation == it.ownerAnnotation && old.docStatus == it.docStatus &&
		old.docJiraKey == it.jiraKey && old.docDue == it.due && old.due == due &&
		old.status == status && old.jiraKey == jiraKey {
		return nil
	}
	_, err := s.updateItem.ExecContext(ctx, it.position, it.text, it.owner, it.ownerAnnotation, NameKey(it.owner),
		it.docStatus, it.jiraKey, status, jiraKey, it.due, due, s.now, old.id)
	if err != nil {
		return err
	}
	var events [][3]string
	if old.removed {
		events = append(events, [3]string{"restored", "", it.text})
	}
	if old.text != it.text {
		events = append(events, [3]string{"text", old.text, it.text})
	}
	if old.owner != it.owner && !old.overridden {
		events = append(events, [3]string{"owner", old.owner, it.owner})
	}
	if old.status != status {
		events = append(events, [3]string{"status", old.status, status})
	}
	if old.due != due {
		events = append(events, [3]string{"due", old.due, due})
	}
	if old.jiraKey != jiraKey {
		events = append(events, [3]string{"jira_key", old.jiraKey, jiraKey})
	}
	for _, e := range events {
		if err := s.record(ctx, old.id, e[0], e[1], e[2]); err != nil {
			return err
		}
	}
	return nil
}
