package server

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// personFields are the person form's fields, named as Member's JSON.
var personFields = []string{"name", "aliases", "email", "slack_id", "jira_account_id", "jira_username",
	"team", "manager_email", "timezone", "active"}

// peoplePage is the data of the people directory.
type peoplePage struct {
	People    []postmortem.Member
	Unmatched []OwnerCount
	CanExport bool
}

// handlePersonIndex lists the directory and the owners it does not know.
func (s *Server) handlePersonIndex(c echo.Context) error {
	ctx := c.Request().Context()
	people, err := s.store.ListPeople(ctx)
	if err != nil {
		return err
	}
	unmatched, err := s.store.UnmatchedOwners(ctx)
	if err != nil {
		return err
	}
	page := peoplePage{People: people, Unmatched: unmatched, CanExport: s.may(c, postmortem.RoleAdmin)}
	return s.render(c, http.StatusOK, "people.html", "people", page)
}

// handlePersonExport downloads the directory as CSV.
func (s *Server) handlePersonExport(c echo.Context) error {
	var buf bytes.Buffer
	if err := s.store.ExportPeopleCSV(c.Request().Context(), &buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="people.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// personPage is the data of the add and edit forms.
type personPage struct {
	Member  postmortem.Member // ID 0 for a new person
	Aliases string            // one per line, as the form has them
	Errors  fieldErrors
	// Alias is the unmatched owner name being mapped, offered to add to
	// someone already in People.
	Alias  string
	People []postmortem.Member
	Teams  []string
}

// handlePersonNew shows the add form, with ?alias= (from the unmatched
// owners) filled in as the new person's name and alias, and a form to add
// it to someone already in the directory instead.
func (s *Server) handlePersonNew(c echo.Context) error {
	alias := strings.TrimSpace(c.QueryParam("alias"))
	m := postmortem.Member{Name: alias, Active: true}
	if alias != "" {
		m.Aliases = []string{alias}
	}
	return s.renderPerson(c, http.StatusOK, m, nil, alias)
}

// handlePersonCreate adds a person from the add form.
func (s *Server) handlePersonCreate(c echo.Context) error {
	m := memberForm(c)
	if err := s.store.CreatePerson(c.Request().Context(), &m); err != nil {
		return s.personError(c, err, m)
	}
	return seeOther(c, "/people", "Added "+m.Name+" to the directory.")
}

// handlePersonEdit shows the edit form of one person.
func (s *Server) handlePersonEdit(c echo.Context) error {
	m, err := s.person(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderPerson(c, http.StatusOK, *m, nil, "")
}

// handlePersonUpdate saves the edit form.
func (s *Server) handlePersonUpdate(c echo.Context) error {
	cur, err := s.person(c, c.Param("id"))
	if err != nil {
		return err
	}
	m := memberForm(c)
	m.ID = cur.ID
	if err := s.store.UpdatePerson(c.Request().Context(), &m); err != nil {
		return s.personError(c, err, m)
	}
	return seeOther(c, "/people", "Saved "+m.Name+".")
}

// handlePersonAddAlias adds an unmatched owner name to the aliases of the
// person chosen, so that the owner matches them from then on.
func (s *Server) handlePersonAddAlias(c echo.Context) error {
	alias := strings.TrimSpace(c.FormValue("alias"))
	if alias == "" {
		return postmortem.Errorf(postmortem.EInvalid, "no alias to add")
	}
	m, err := s.person(c, c.FormValue("person"))
	switch {
	case postmortem.ErrorCode(err) == postmortem.ENotFound:
		return s.aliasError(c, alias, "choose who "+alias+" is")
	case err != nil:
		return err
	}
	if !slices.Contains(m.Aliases, alias) {
		m.Aliases = append(m.Aliases, alias)
	}
	if err := s.store.UpdatePerson(c.Request().Context(), m); err != nil {
		errs, ok := fieldError(err)
		if !ok {
			return err
		}
		return s.aliasError(c, alias, errs[""])
	}
	return seeOther(c, "/people", "“"+alias+"” is now an alias of "+m.Name+".")
}

// aliasError shows the page that maps alias again, with msg next to the
// choice of person, the alias form's one field.
func (s *Server) aliasError(c echo.Context, alias, msg string) error {
	m := postmortem.Member{Name: alias, Aliases: []string{alias}, Active: true}
	return s.renderPerson(c, http.StatusUnprocessableEntity, m, fieldErrors{"person": msg}, alias)
}

// personError shows the form again with a store or validation error next
// to its field, or hands other errors to the error handler.
func (s *Server) personError(c echo.Context, err error, m postmortem.Member) error {
	errs, ok := fieldError(err, personFields...)
	if !ok {
		return err
	}
	return s.renderPerson(c, http.StatusUnprocessableEntity, m, errs, "")
}

// person returns the person with the id written in id.
func (s *Server) person(c echo.Context, id string) (*postmortem.Member, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, postmortem.Errorf(postmortem.ENotFound, "no person %q", id)
	}
	return s.store.GetPerson(c.Request().Context(), n)
}

// memberForm reads the person form.
func memberForm(c echo.Context) postmortem.Member {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	m := postmortem.Member{
		Name: v("name"), Email: v("email"), SlackID: v("slack_id"), JiraAccountID: v("jira_account_id"),
		JiraUsername: v("jira_username"), Team: v("team"), ManagerEmail: v("manager_email"), Timezone: v("timezone"),
		Active: c.FormValue("active") != "",
	}
	for _, a := range strings.Split(c.FormValue("aliases"), "\n") {
		if a = strings.TrimSpace(a); a != "" && !slices.Contains(m.Aliases, a) {
			m.Aliases = append(m.Aliases, a)
		}
	}
	return m
}

func (s *Server) renderPerson(c echo.Context, status int, m postmortem.Member, errs fieldErrors, alias string) error {
	page := personPage{Member: m, Aliases: strings.Join(m.Aliases, "\n"), Errors: errs, Alias: alias}
	people, err := s.store.ListPeople(c.Request().Context())
	if err != nil {
		return err
	}
	for _, p := range people {
		if p.Team != "" {
			page.Teams = append(page.Teams, p.Team)
		}
	}
	slices.Sort(page.Teams)
	page.Teams = slices.Compact(page.Teams)
	if alias != "" {
		page.People = people
	}
	return s.render(c, status, "person.html", "people", page)
}
