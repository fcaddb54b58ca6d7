package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Upload limits: how many files one upload may hold and how many bytes
// they may come to together. The limit per file is Config.MaxFileSize.
const (
	maxUploadFiles = 50
	maxUploadTotal = 50 << 20
	// uploadOverhead is room for the multipart framing around the files,
	// so that files just under the total are not refused for it.
	uploadOverhead = 1 << 20
)

// importPage is the data of the import page.
type importPage struct {
	Enabled  bool
	MaxFiles int
	MaxFile  int64
	MaxTotal int64
	Error    string
	Results  []jobs.FileResult
	Counts   map[string]int // by outcome
}

func (s *Server) importPage() importPage {
	return importPage{Enabled: s.cfg.Import != nil, MaxFiles: maxUploadFiles, MaxFile: s.cfg.MaxFileSize, MaxTotal: maxUploadTotal}
}

// handleImportNew shows the upload form.
func (s *Server) handleImportNew(c echo.Context) error {
	return s.render(c, http.StatusOK, "import.html", "import", s.importPage())
}

// uploadLimit refuses an upload whose body is over the total limit before
// anything reads it, showing the import page with the reason.
func (s *Server) uploadLimit(next echo.HandlerFunc) echo.HandlerFunc {
	limited := middleware.BodyLimit(strconv.Itoa(maxUploadTotal + uploadOverhead))(next)
	return func(c echo.Context) error {
		err := limited(c)
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return s.importError(c, http.StatusRequestEntityTooLarge, fmt.Sprintf(
				"This upload is over the %s limit for all files together. Nothing was imported: upload fewer files at a time.",
				sizeLabel(maxUploadTotal)))
		}
		return err
	}
}

// handleImportCreate imports the uploaded files and shows, per file, what
// happened, the incident it became and the parser's warnings. An upload
// over the limits is refused whole, saying which limit and which file.
func (s *Server) handleImportCreate(c echo.Context) error {
	if s.cfg.Import == nil {
		return postmortem.Errorf(postmortem.EUnavailable, "importing from the browser is turned off")
	}
	form, err := c.MultipartForm()
	if err != nil {
		return s.importError(c, http.StatusBadRequest, "The upload could not be read. Choose the files again and retry.")
	}
	headers := form.File["files"]
	if len(headers) == 0 {
		return s.importError(c, http.StatusUnprocessableEntity, "Choose at least one file to import.")
	}
	if len(headers) > maxUploadFiles {
		return s.importError(c, http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"You chose %d files; at most %d go in one upload. Nothing was imported.", len(headers), maxUploadFiles))
	}
	var total int64
	for _, h := range headers {
		total += h.Size
	}
	if total > maxUploadTotal {
		return s.importError(c, http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"The files come to %s; at most %s go in one upload. Nothing was imported.", sizeLabel(total), sizeLabel(maxUploadTotal)))
	}
	uploads := make([]jobs.Upload, 0, len(headers))
	for _, h := range headers {
		f, err := h.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return err
		}
		uploads = append(uploads, jobs.Upload{Name: h.Filename, Data: data})
	}
	results, err := s.cfg.Import(c.Request().Context(), uploads)
	if err != nil {
		return err
	}
	page := s.importPage()
	page.Results = results
	page.Counts = map[string]int{}
	for _, r := range results {
		page.Counts[string(r.Outcome)]++
	}
	return s.render(c, http.StatusOK, "import.html", "import", page)
}

func (s *Server) importError(c echo.Context, status int, msg string) error {
	page := s.importPage()
	page.Error = msg
	return s.render(c, status, "import.html", "import", page)
}

// sizeLabel writes a number of bytes in binary units: "10 MiB", "1.5 MiB".
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return plural(int(n), "byte")
}
