package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// readBack pushes Hindsight's edits to the issues it created, then reads
// every linked issue updated since since (all when zero) and applies what
// Jira says. Jira owns status and assignee: an item whose status was
// changed here is read in full and put back, unless it was marked done
// and a done transition is configured, when the issue is closed instead.
func (s *jiraSync) readBack(ctx context.Context, since time.Time) error {
	linked, err := s.store.JiraLinked(ctx)
	if err != nil {
		return err
	}
	var keys, stale, exact []string
	stored := map[string]postmortem.JiraLink{}
	for _, it := range linked {
		if err := s.push(ctx, it); err != nil {
			return err
		}
		closed, err := s.close(ctx, it)
		if err != nil {
			return err
		}
		exact = append(exact, closed...)
		jira := postmortem.LinkedStatus(it.Links)
		disagree := jira != "" && jira != it.Status && !(jira == postmortem.StatusDone && it.Status == postmortem.StatusWontDo)
		for _, l := range it.Links {
			stored[l.Key] = l
			if l.Unreachable && !since.IsZero() {
				continue // read again on the full reconcile
			}
			keys = append(keys, l.Key)
			if disagree && len(closed) == 0 {
				stale = append(stale, l.Key)
			}
		}
	}
	found, missing, err := s.jira.Issues(ctx, keys, since)
	if err != nil {
		return err
	}
	if !since.IsZero() && len(stale) > 0 {
		more, gone, err := s.jira.Issues(ctx, stale, time.Time{})
		if err != nil {
			return err
		}
		found, missing = append(found, more...), append(missing, gone...)
	}
	// Search may not show a transition made a moment ago; a read by key
	// does.
	for _, k := range exact {
		is, err := s.jira.Get(ctx, k)
		if err != nil {
			return err
		}
		found = append(found, is)
	}
	if s.o.DryRun {
		for _, is := range found {
			l, ok := stored[is.Key]
			if ok && (l.Category != is.Category || l.Status != is.Status || l.Assignee != is.Assignee) {
				s.report("update", l.ItemID, is.Key, fmt.Sprintf("Jira says %s (%s)", is.Status, is.Category))
				s.sum.Updated++
			}
		}
		return nil
	}
	changed, err := s.store.ApplyJira(ctx, found, missing)
	if err != nil {
		return err
	}
	for _, id := range changed {
		s.report("update", id, "", "status or assignee from Jira")
	}
	s.sum.Updated += len(changed)
	return nil
}

// push sends the item's text and due date to the issue Hindsight created
// for it when they changed since they were last sent. Issues a document
// names belong to someone else and are left alone.
func (s *jiraSync) push(ctx context.Context, it postmortem.JiraItem) error {
	if it.State != postmortem.JiraCreated || it.JiraKey == "" {
		return nil
	}
	d := s.content(it)
	fp := fingerprint(d)
	if fp == it.Pushed {
		return nil
	}
	s.report("push", it.ID, it.JiraKey, "summary, description and due date")
	s.sum.Updated++
	if s.o.DryRun {
		return nil
	}
	if err := s.jira.Update(ctx, it.JiraKey, d); err != nil {
		s.sum.Updated--
		return s.failed(it, err)
	}
	return s.store.SaveJiraPushed(ctx, it.ID, fp)
}

// close runs the done transition on the issues Hindsight created for an
// item marked done here whose issues are not, and returns their keys.
func (s *jiraSync) close(ctx context.Context, it postmortem.JiraItem) ([]string, error) {
	if s.o.DoneTransition == "" || it.Status != postmortem.StatusDone {
		return nil, nil
	}
	var keys []string
	for _, l := range it.Links {
		if l.Origin != postmortem.LinkCreated || l.Unreachable || l.Category == "" || l.Category == postmortem.JiraDone {
			continue
		}
		s.report("transition", it.ID, l.Key, s.o.DoneTransition)
		if s.o.DryRun {
			continue
		}
		if err := s.jira.Transition(ctx, l.Key, s.o.DoneTransition); err != nil {
			return keys, s.failed(it, err)
		}
		keys = append(keys, l.Key)
	}
	return keys, nil
}

// RefreshJira reads one issue, named by a webhook, and applies it: the
// read is authoritative, so deliveries out of order do no harm. An issue
// Jira no longer shows marks its links unreachable.
func RefreshJira(ctx context.Context, store JiraStore, j Jira, keyOrID string) ([]int64, error) {
	is, err := j.Get(ctx, keyOrID)
	switch postmortem.ErrorCode(err) {
	case "":
		return store.ApplyJira(ctx, []postmortem.JiraIssue{is}, nil)
	case postmortem.ENotFound:
		return store.ApplyJira(ctx, nil, []string{keyOrID})
	}
	return nil, err
}
