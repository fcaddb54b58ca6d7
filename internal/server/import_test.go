package server_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/server"
)

// upload builds the import form's multipart request with the given files
// (name and content, in order) and token.
func upload(t *testing.T, token string, files ...[2]string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if token != "" {
		w.WriteField("_csrf", token)
	}
	for _, f := range files {
		part, err := w.CreateFormFile("files", f[0])
		if err != nil {
			t.Fatal(err)
		}
		part.Write([]byte(f[1]))
	}
	w.Close()
	r := httptest.NewRequest(http.MethodPost, "/import", &body)
	r.Header.Set("Content-Type", w.FormDataContentType())
	return r
}

func testdata(t *testing.T, name string) [2]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return [2]string{name, string(b)}
}

func TestImportUpload(t *testing.T) {
	st := openStore(t)
	srv, logs := newServer(t, st, server.Config{MaxFileSize: 4 << 10})
	c := newClient(t, srv)
	body := c.page("/import")
	contains(t, "import page", body, `<label for="import-files">Files</label>`, `enctype="multipart/form-data"`,
		"Up to 50 files at a time, each at most 4 KiB and 50 MiB together.", `<a href="/import" aria-current="page">Import</a>`)
	token := csrfField.FindStringSubmatch(body)[1]

	rec := c.do(upload(t, token, testdata(t, gates), [2]string{"empty.md", "\n"},
		[2]string{"huge.md", "# Huge\n" + string(bytes.Repeat([]byte("x"), 5000))}, testdata(t, billing)))
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /import = %d\n%s", rec.Code, logs)
	}
	contains(t, "import results", rec.Body.String(),
		"2 imported, 0 updated, 0 unchanged, 2 failed.",
		`<a href="/incidents/`+gatesID+`">`+gates+`</a>`, "Line 44: action item has no owner",
		`<td data-label="File" class="title">empty.md</td>`,
		`<td data-label="File" class="title">huge.md</td>`, "over the 4 KiB limit",
	)
	if p, err := st.Get(t.Context(), gatesID); err != nil || p.Source.Path != "upload:"+gates {
		t.Errorf("stored upload: %+v, %v", p, err)
	}

	rec = c.do(upload(t, token, testdata(t, gates)))
	contains(t, "second upload", rec.Body.String(), "0 imported, 0 updated, 1 unchanged, 0 failed.")
}

func TestImportLimits(t *testing.T) {
	srv, _ := newServer(t, openStore(t), server.Config{})
	c := newClient(t, srv)
	token := c.token("/import")

	var many [][2]string
	for i := range 51 {
		many = append(many, [2]string{fmt.Sprintf("incident-%d.md", i), "# Incident\n"})
	}
	rec := c.do(upload(t, token, many...))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("51 files: %d, want 413", rec.Code)
	}
	contains(t, "51 files", rec.Body.String(), "You chose 51 files; at most 50 go in one upload. Nothing was imported.")

	r := upload(t, token, [2]string{"a.md", "# A\n"})
	r.ContentLength = 60 << 20 // what the browser announces is enough to refuse it
	rec = c.do(r)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("60 MiB upload: %d, want 413", rec.Code)
	}
	contains(t, "60 MiB upload", rec.Body.String(), "over the 50 MiB limit for all files together", `<form class="edit" id="import-form" method="post" action="/import"`)

	rec = c.do(upload(t, token))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("no files: %d, want 422", rec.Code)
	}
	contains(t, "no files", rec.Body.String(), "Choose at least one file to import.")

	if rec := newClient(t, srv).do(upload(t, "", [2]string{"a.md", "# A\n"})); rec.Code != http.StatusForbidden {
		t.Errorf("upload without a CSRF token: %d, want 403", rec.Code)
	}
}
