package server

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// handleAPIPeople lists everyone in the directory, by name. The directory
// is small enough to answer whole; Next is always "".
func (s *Server) handleAPIPeople(c echo.Context) error {
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	people, err := s.store.ListPeople(c.Request().Context())
	if err != nil {
		return err
	}
	if people == nil {
		people = []postmortem.Member{}
	}
	return c.JSON(http.StatusOK, page[postmortem.Member]{Items: people})
}

// personInput is the body of POST /api/v1/people and, as a merge patch,
// of PATCH /api/v1/people/{id}: a Member without what the store sets.
type personInput struct {
	Name          optString  `json:"name"`
	Aliases       optStrings `json:"aliases"`
	Email         optString  `json:"email"`
	SlackID       optString  `json:"slack_id"`
	JiraAccountID optString  `json:"jira_account_id"`
	JiraUsername  optString  `json:"jira_username"`
	Team          optString  `json:"team"`
	ManagerEmail  optString  `json:"manager_email"`
	Timezone      optString  `json:"timezone"`
	Active        optBool    `json:"active"`
}

// apply writes the fields in to m: a field left out stays, null clears a
// text field or the aliases. name and active cannot be null.
func (in *personInput) apply(m *postmortem.Member) error {
	if in.Name.Null {
		return invalid("name", "a name is required")
	}
	if in.Active.Null {
		return invalid("active", "must be true or false")
	}
	for _, f := range []struct {
		o *optString
		v *string
	}{
		{&in.Name, &m.Name}, {&in.Email, &m.Email}, {&in.SlackID, &m.SlackID}, {&in.JiraAccountID, &m.JiraAccountID},
		{&in.JiraUsername, &m.JiraUsername}, {&in.Team, &m.Team}, {&in.ManagerEmail, &m.ManagerEmail},
		{&in.Timezone, &m.Timezone},
	} {
		if f.o.Set {
			*f.v = f.o.V
		}
	}
	if in.Aliases.Set {
		m.Aliases = in.Aliases.V
		if m.Aliases == nil {
			m.Aliases = []string{}
		}
	}
	if in.Active.Set {
		m.Active = in.Active.V
	}
	return nil
}

// handleAPIPersonCreate adds a person; active defaults to true. It
// answers 201 with the person and where to find them.
func (s *Server) handleAPIPersonCreate(c echo.Context) error {
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	var in personInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m := postmortem.Member{Active: true, Aliases: []string{}}
	if err := in.apply(&m); err != nil {
		return err
	}
	if err := s.store.CreatePerson(c.Request().Context(), &m); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/people/"+strconv.FormatInt(m.ID, 10))
	return c.JSON(http.StatusCreated, m)
}

// handleAPIPersonPatch changes the fields of a person that the body
// names, as a JSON merge patch.
func (s *Server) handleAPIPersonPatch(c echo.Context) error {
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	id, err := pathID(c, "person")
	if err != nil {
		return err
	}
	var in personInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := s.store.GetPerson(ctx, id)
	if err != nil {
		return err
	}
	if err := in.apply(m); err != nil {
		return err
	}
	if err := s.store.UpdatePerson(ctx, m); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// peopleImportResult is what a people CSV import answers.
type peopleImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// handleAPIPeopleImport adds or updates the people of a CSV sent as the
// body (text/csv) or as the multipart part "file": every row or none.
func (s *Server) handleAPIPeopleImport(c echo.Context) error {
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	var body io.Reader
	name := "people.csv"
	switch mt {
	case "text/csv":
		body = c.Request().Body
	case echo.MIMEMultipartForm:
		files, err := s.uploads(c, "file")
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return invalid("file", "send one CSV file")
		}
		body, name = bytes.NewReader(files[0].Data), files[0].Name
	default:
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the CSV as text/csv, or as multipart/form-data in a part named file")
	}
	created, updated, err := s.store.ImportPeopleCSV(c.Request().Context(), body, name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, peopleImportResult{Created: created, Updated: updated})
}

// handleAPIPeopleExport answers the directory as CSV, the file the import
// reads back.
func (s *Server) handleAPIPeopleExport(c echo.Context) error {
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	return s.handlePersonExport(c)
}
