package server

import (
	"archive/zip"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/markdown"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// API page sizes of the incident list, matching the store's bounds.
const (
	apiIncidentLimit    = 50
	apiIncidentLimitMax = 200
)

// handleAPIIncidents lists postmortems as the incident page does, newest
// first, with the same search and filters, one page at a time.
func (s *Server) handleAPIIncidents(c echo.Context) error {
	q := newQuery(c, "q", "year", "status", "severity", "tag", "owner", "open", "after", "limit")
	f := postmortem.IncidentFilter{
		Query:    strings.TrimSpace(q.str("q")),
		Year:     q.integer("year", 1, 9999, 0),
		Status:   q.str("status"),
		Severity: q.str("severity"),
		Tag:      q.str("tag"),
		Owner:    q.str("owner"),
		HasOpen:  q.boolean("open"),
		After:    q.str("after"),
		Limit:    q.integer("limit", 1, apiIncidentLimitMax, apiIncidentLimit),
	}
	if q.err != nil {
		return q.err
	}
	list, next, err := s.store.ListIncidents(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []postmortem.Incident{}
	}
	return c.JSON(http.StatusOK, page[postmortem.Incident]{Items: list, Next: next})
}

// handleAPIIncident answers one postmortem in the JSON of `hindsight
// parse` and `export`, with the tracking state of its action items.
func (s *Server) handleAPIIncident(c echo.Context) error {
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	p, err := s.store.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// importResult is one uploaded file's outcome in the API's JSON.
type importResult struct {
	Name     string               `json:"name"`
	ID       string               `json:"id,omitempty"`
	Outcome  string               `json:"outcome"`
	Error    string               `json:"error,omitempty"`
	Line     int                  `json:"line,omitempty"`
	Warnings []postmortem.Warning `json:"warnings"`
}

// importResponse is what an API import answers: per file, and counted.
type importResponse struct {
	Results []importResult `json:"results"`
	Counts  map[string]int `json:"counts"`
}

// handleAPIImport imports the files of a multipart upload's "file" parts
// as the import page does, and answers per file what happened. Files that
// fail do not stop the others; the answer is 200 whenever the upload
// could be read, and each result says its outcome.
func (s *Server) handleAPIImport(c echo.Context) error {
	if s.cfg.Import == nil {
		return postmortem.Errorf(postmortem.EUnavailable, "importing over the API is turned off")
	}
	if q := newQuery(c); q.err != nil {
		return q.err
	}
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt != echo.MIMEMultipartForm {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the files as multipart/form-data, each in a part named file")
	}
	uploads, err := s.uploads(c, "file")
	if err != nil {
		return err
	}
	results, err := s.cfg.Import(c.Request().Context(), uploads)
	if err != nil {
		return err
	}
	out := importResponse{Results: make([]importResult, len(results)),
		Counts: map[string]int{"imported": 0, "updated": 0, "unchanged": 0, "failed": 0}}
	for i, r := range results {
		w := r.Warnings
		if w == nil {
			w = []postmortem.Warning{}
		}
		out.Results[i] = importResult{Name: r.Name, ID: r.ID, Outcome: string(r.Outcome), Error: r.Error, Line: r.Line, Warnings: w}
		out.Counts[string(r.Outcome)]++
	}
	return c.JSON(http.StatusOK, out)
}

// uploads reads the files of the multipart form's part name, within the
// upload limits, which a refusal names.
func (s *Server) uploads(c echo.Context, name string) ([]jobs.Upload, error) {
	form, err := c.MultipartForm()
	if err != nil {
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return nil, err
		}
		return nil, invalid(name, "the multipart body could not be read")
	}
	headers := form.File[name]
	switch {
	case len(headers) == 0:
		return nil, invalid(name, "no file: send each file in a multipart part named %s", name)
	case len(headers) > maxUploadFiles:
		return nil, invalid(name, "%d files; at most %d go in one upload", len(headers), maxUploadFiles)
	}
	var total int64
	for _, h := range headers {
		total += h.Size
	}
	if total > maxUploadTotal {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			"the files come to "+sizeLabel(total)+"; at most "+sizeLabel(maxUploadTotal)+" go in one upload")
	}
	out := make([]jobs.Upload, 0, len(headers))
	for _, h := range headers {
		f, err := h.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, jobs.Upload{Name: h.Filename, Data: data})
	}
	return out, nil
}

// handleAPIExport streams every postmortem, tracking included: format
// json (the default) is the array `hindsight export` writes; markdown is
// a zip archive of one canonical <id>.md per postmortem. Once streaming
// has begun an error can only cut the response short (and is logged).
func (s *Server) handleAPIExport(c echo.Context) error {
	q := newQuery(c, "format")
	format := q.oneOf("format", "json", "markdown")
	if q.err != nil {
		return q.err
	}
	ctx := c.Request().Context()
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "no-store")
	if format == "markdown" {
		h.Set(echo.HeaderContentType, "application/zip")
		h.Set(echo.HeaderContentDisposition, `attachment; filename="postmortems.zip"`)
		c.Response().WriteHeader(http.StatusOK)
		zw := zip.NewWriter(c.Response())
		err := s.store.Each(ctx, func(p *postmortem.Postmortem) error {
			w, err := zw.Create(exportName(p.ID))
			if err != nil {
				return err
			}
			_, err = w.Write(markdown.Render(p))
			return err
		})
		if err != nil {
			return err
		}
		return zw.Close()
	}
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set(echo.HeaderContentDisposition, `attachment; filename="postmortems.json"`)
	c.Response().WriteHeader(http.StatusOK)
	return jobs.ExportJSON(ctx, s.store, c.Response())
}

// exportName is the file name of a postmortem in the Markdown archive:
// <id>.md, with an id that could name a path elsewhere escaped.
func exportName(id string) string {
	if id == "" || id != path.Base(id) || strings.HasPrefix(id, ".") || strings.Contains(id, `\`) {
		id = url.PathEscape(strings.ReplaceAll(id, ".", "%2E"))
	}
	return id + ".md"
}
