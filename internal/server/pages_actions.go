package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// itemPageSize is how many action items one page of the list shows.
const itemPageSize = 100

// statusActive is the status filter value for open or in progress.
const statusActive = "active"

// actionsPage is the data of the action item list.
type actionsPage struct {
	Filter                  postmortem.ItemFilter
	Status                  string // the status filter as the form has it
	Items                   []postmortem.Item
	Open, Overdue, Orphaned int
	Filtered                bool
	Next, First             string // URLs of the next and the first page
	Path                    string // this page with its query, for edit forms to come back to
	Teams, Owners           []string
}

// handleActionIndex lists action items across all postmortems, filtered
// and sorted by the query string, with the counts that matter on top.
func (s *Server) handleActionIndex(c echo.Context) error {
	q := c.QueryParams()
	now := s.cfg.Now()
	p := actionsPage{Status: q.Get("status")}
	f := postmortem.ItemFilter{
		Owner:     strings.TrimSpace(q.Get("owner")),
		Team:      q.Get("team"),
		Overdue:   q.Get("overdue") != "",
		OwnerLeft: q.Get("left") != "",
		NoOwner:   q.Get("noowner") != "",
		NoJira:    q.Get("nojira") != "",
		Sort:      "age",
		After:     q.Get("after"),
		Limit:     itemPageSize,
		Now:       now,
	}
	switch {
	case p.Status == statusActive:
		f.OpenOnly = true
	case slices.Contains(itemStatuses, p.Status):
		f.Status = p.Status
	default:
		p.Status = ""
	}
	if q.Get("sort") == "due" {
		f.Sort = "due"
	}
	p.Filter = f

	ctx := c.Request().Context()
	items, next, err := s.store.ListItems(ctx, f)
	if err != nil {
		return err
	}
	p.Items = items
	if p.Open, p.Overdue, p.Orphaned, err = s.store.ItemCounts(ctx, now); err != nil {
		return err
	}
	if p.Teams, p.Owners, err = s.directoryNames(c); err != nil {
		return err
	}
	v := actionQuery(f, p.Status)
	p.Filtered = len(v) > 0 && !(len(v) == 1 && v.Has("sort"))
	p.Path = withQuery("/actions", v, "after", f.After)
	if next != "" {
		p.Next = withQuery("/actions", v, "after", next)
	}
	if f.After != "" {
		p.First = withQuery("/actions", v)
	}
	return s.render(c, http.StatusOK, "actions.html", "actions", p)
}

// actionQuery is an item filter as a query string, without the cursor.
func actionQuery(f postmortem.ItemFilter, status string) url.Values {
	v := url.Values{}
	set := func(k string, on bool, val string) {
		if on {
			v.Set(k, val)
		}
	}
	set("owner", f.Owner != "", f.Owner)
	set("team", f.Team != "", f.Team)
	set("status", status != "", status)
	set("overdue", f.Overdue, "1")
	set("left", f.OwnerLeft, "1")
	set("noowner", f.NoOwner, "1")
	set("nojira", f.NoJira, "1")
	set("sort", f.Sort == "due", "due")
	return v
}

// directoryNames returns the teams in the people directory and the owner
// names to suggest: everyone's name and every owner written in a
// postmortem.
func (s *Server) directoryNames(c echo.Context) (teams, owners []string, err error) {
	ctx := c.Request().Context()
	people, err := s.store.ListPeople(ctx)
	if err != nil {
		return nil, nil, err
	}
	facets, err := s.store.Facets(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range people {
		if m.Team != "" {
			teams = append(teams, m.Team)
		}
		owners = append(owners, m.Name)
	}
	owners = append(owners, facets.Owners...)
	slices.Sort(teams)
	slices.Sort(owners)
	return slices.Compact(teams), slices.Compact(owners), nil
}

// itemForm is the edit form of an action item.
type itemForm struct {
	Status, Owner, Due, Note, Name string
	ResetOwner                     bool
}

// actionPage is the data of an action item's edit page.
type actionPage struct {
	Item    *postmortem.Item
	History []postmortem.ItemEvent
	Form    itemForm
	Errors  fieldErrors
	Back    string // where saving returns to
	Owners  []string
	// OwnerSet is set when someone changed the owner here, which the form
	// then offers to undo.
	OwnerSet bool
	// SignedIn hides the name field: changes are recorded under the
	// signed-in name.
	SignedIn bool
}

// handleActionEdit shows an action item with its history and a form to
// change its status, owner, due date and note.
func (s *Server) handleActionEdit(c echo.Context) error {
	it, err := s.item(c)
	if err != nil {
		return err
	}
	form := itemForm{Status: it.Status, Due: it.Due, Note: it.Note, Name: editorName(c)}
	if p := principal(c); p != nil {
		form.Name = p.Name
	}
	if it.Owner != nil {
		form.Owner = it.Owner.Name
	}
	return s.renderAction(c, http.StatusOK, it, form, nil, localPath(c.QueryParam("back"), "/actions"))
}

// handleActionUpdate saves the edit form: the fields that changed, under
// the editor's name, then back to where the form was opened from with a
// message; a value the store refuses shows the form again with the
// message next to its field.
func (s *Server) handleActionUpdate(c echo.Context) error {
	it, err := s.item(c)
	if err != nil {
		return err
	}
	form := itemForm{
		Status: c.FormValue("status"), Owner: strings.TrimSpace(c.FormValue("owner")),
		Due: strings.TrimSpace(c.FormValue("due")), Note: strings.TrimSpace(c.FormValue("note")), Name: c.FormValue("name"),
		ResetOwner: c.FormValue("reset_owner") != "",
	}
	back := localPath(c.FormValue("back"), "/actions")
	var e ItemEdit
	changed := func(now string, was string) *string {
		if now == was {
			return nil
		}
		return &now
	}
	e.Status = changed(form.Status, it.Status)
	owner := ""
	if it.Owner != nil {
		owner = it.Owner.Name
	}
	e.Owner = changed(form.Owner, owner)
	if form.ResetOwner {
		e.Owner, e.ResetOwner = nil, true
	}
	e.Due = changed(form.Due, it.Due)
	e.Note = changed(form.Note, it.Note)
	var who string
	if p := principal(c); p != nil {
		// Signed in, the change is theirs whatever the form says.
		who, form.Name = p.Name, p.Name
	} else {
		who = actor(c, form.Name)
	}
	if e == (ItemEdit{}) {
		return seeOther(c, back, "Nothing to save: no field was changed.")
	}
	if _, err := s.store.EditItem(c.Request().Context(), it.ID, e, who); err != nil {
		errs, ok := fieldError(err, "status", "owner", "due", "note")
		if !ok {
			return err
		}
		return s.renderAction(c, http.StatusUnprocessableEntity, it, form, errs, back)
	}
	return seeOther(c, back, "Saved the action item “"+clip(it.Text, 80)+"”.")
}

// item returns the action item the :id parameter names.
func (s *Server) item(c echo.Context) (*postmortem.Item, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, postmortem.Errorf(postmortem.ENotFound, "no action item %q", c.Param("id"))
	}
	return s.store.GetItem(c.Request().Context(), id)
}

func (s *Server) renderAction(c echo.Context, status int, it *postmortem.Item, form itemForm, errs fieldErrors, back string) error {
	ctx := c.Request().Context()
	history, err := s.store.ItemHistory(ctx, it.ID)
	if err != nil {
		return err
	}
	_, owners, err := s.directoryNames(c)
	if err != nil {
		return err
	}
	page := actionPage{Item: it, History: history, Form: form, Errors: errs, Back: back, Owners: owners, SignedIn: principal(c) != nil}
	for _, ev := range history {
		if ev.Field == "owner" && ev.Actor != "import" {
			page.OwnerSet = true
		}
	}
	return s.render(c, status, "action.html", "actions", page)
}

// clip shortens s to at most n runes, with an ellipsis when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
