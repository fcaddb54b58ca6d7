package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// API page sizes of the action item list, matching the store's bounds.
const (
	apiItemLimit    = 100
	apiItemLimitMax = 500
)

// handleAPIItems lists action items with the actions page's filters and
// sorts, one page at a time. status=active means open or in progress.
func (s *Server) handleAPIItems(c echo.Context) error {
	q := newQuery(c, "owner", "team", "status", "overdue", "owner_left", "no_owner", "no_jira", "sort", "after", "limit")
	f := postmortem.ItemFilter{
		Owner:     strings.TrimSpace(q.str("owner")),
		Team:      q.str("team"),
		Overdue:   q.boolean("overdue"),
		OwnerLeft: q.boolean("owner_left"),
		NoOwner:   q.boolean("no_owner"),
		NoJira:    q.boolean("no_jira"),
		Sort:      q.oneOf("sort", "age", "due"),
		After:     q.str("after"),
		Limit:     q.integer("limit", 1, apiItemLimitMax, apiItemLimit),
		Now:       s.cfg.Now(),
	}
	switch status := q.oneOf("status", append([]string{statusActive}, itemStatuses...)...); status {
	case statusActive:
		f.OpenOnly = true
	default:
		f.Status = status
	}
	if f.Sort == "" {
		f.Sort = "age"
	}
	if q.err != nil {
		return q.err
	}
	items, next, err := s.store.ListItems(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []postmortem.Item{}
	}
	return c.JSON(http.StatusOK, page[postmortem.Item]{Items: items, Next: next})
}

// itemDetail is an action item with its history, as the API answers it.
type itemDetail struct {
	*postmortem.Item
	History []postmortem.ItemEvent `json:"history"`
}

// handleAPIItem answers one action item with its history.
func (s *Server) handleAPIItem(c echo.Context) error {
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	id, err := pathID(c, "action item")
	if err != nil {
		return err
	}
	it, err := s.store.GetItem(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.itemDetail(c, http.StatusOK, it)
}

func (s *Server) itemDetail(c echo.Context, status int, it *postmortem.Item) error {
	history, err := s.store.ItemHistory(c.Request().Context(), it.ID)
	if err != nil {
		return err
	}
	if history == nil {
		history = []postmortem.ItemEvent{}
	}
	return c.JSON(status, itemDetail{Item: it, History: history})
}

// itemPatch is the body of PATCH /api/v1/action-items/{id}, a JSON merge
// patch: a field left out stays as it is. status cannot be null; owner ""
// means nobody and null gives the item back its document's owner; due
// and note null or "" clear them.
type itemPatch struct {
	Status optString `json:"status"`
	Owner  optString `json:"owner"`
	Due    optString `json:"due"`
	Note   optString `json:"note"`
}

// handleAPIItemPatch changes an item's status, owner, due date or note,
// recorded in its history under the caller's name, and answers the item
// as it now is.
func (s *Server) handleAPIItemPatch(c echo.Context) error {
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	id, err := pathID(c, "action item")
	if err != nil {
		return err
	}
	var p itemPatch
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	var e ItemEdit
	if p.Status.Set {
		if p.Status.Null || !slices.Contains(itemStatuses, p.Status.V) {
			return invalid("status", "must be one of %s", strings.Join(itemStatuses, ", "))
		}
		e.Status = &p.Status.V
	}
	switch {
	case p.Owner.Null:
		e.ResetOwner = true
	case p.Owner.Set:
		e.Owner = &p.Owner.V
	}
	if p.Due.Set {
		e.Due = &p.Due.V
	}
	if p.Note.Set {
		e.Note = &p.Note.V
	}
	ctx := c.Request().Context()
	var it *postmortem.Item
	if e == (ItemEdit{}) {
		it, err = s.store.GetItem(ctx, id)
	} else {
		it, err = s.store.EditItem(ctx, id, e, apiActor(c))
	}
	if err != nil {
		return err
	}
	return s.itemDetail(c, http.StatusOK, it)
}
