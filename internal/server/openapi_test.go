package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hindsight-dev/hindsight/internal/server"
)

// contract is the OpenAPI document with a router over it, loaded once.
var contract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

func loadContract(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	contract.once.Do(func() {
		openapi3filter.RegisterBodyDecoder("application/zip", openapi3filter.FileBodyDecoder)
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(server.OpenAPI())
		if err != nil {
			contract.err = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contract.err = err
			return
		}
		// httptest requests go to example.com; the document's server is
		// relative to wherever Hindsight runs.
		doc.Servers = openapi3.Servers{{URL: "http://example.com"}}
		contract.doc = doc
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	if contract.err != nil {
		t.Fatalf("openapi.json: %v", contract.err)
	}
	return contract.doc, contract.router
}

// api sends requests to a server and checks each request it sends and
// each response it gets against openapi.json: the document must describe
// what the handlers really take and answer. It records which operations
// were called, so that a test can check that all of them were.
type api struct {
	t     *testing.T
	srv   http.Handler
	token string
	seen  map[string]bool
}

func newAPI(t *testing.T, srv http.Handler, token string) *api {
	loadContract(t)
	return &api{t: t, srv: srv, token: token, seen: map[string]bool{}}
}

// as returns a client for the same server that sends token.
func (a *api) as(token string) *api {
	return &api{t: a.t, srv: a.srv, token: token, seen: a.seen}
}

// response is an answered API call.
type response struct {
	*httptest.ResponseRecorder
	t *testing.T
}

// json decodes the body into v, failing the test when it cannot.
func (r response) json(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// apiError is the body of every API error.
type apiError struct {
	Error struct {
		Code, Message, Field string
	}
}

// wantError fails the test unless r is an error with status, code and
// (when not empty) field.
func (r response) wantError(status int, code, field string) {
	r.t.Helper()
	var e apiError
	r.json(&e)
	if r.Code != status || e.Error.Code != code || (field != "" && e.Error.Field != field) || e.Error.Message == "" {
		r.t.Errorf("got %d %s, want %d code %s field %q", r.Code, r.Body, status, code, field)
	}
	if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		r.t.Errorf("error Content-Type %q", ct)
	}
}

// wantStatus fails the test unless r has status.
func (r response) wantStatus(status int) response {
	r.t.Helper()
	if r.Code != status {
		r.t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	return r
}

// call sends a request that the document says is valid, checks that it
// is, and checks the response.
func (a *api) call(method, path, contentType string, body []byte) response {
	a.t.Helper()
	return a.send(method, path, contentType, body, true)
}

// bad sends a request the test means to be wrong; only the response is
// checked against the document.
func (a *api) bad(method, path, contentType string, body []byte) response {
	a.t.Helper()
	return a.send(method, path, contentType, body, false)
}

func (a *api) get(path string) response { a.t.Helper(); return a.call(http.MethodGet, path, "", nil) }

// patch sends v as a JSON merge patch.
func (a *api) patch(path string, v any) response {
	a.t.Helper()
	b, _ := json.Marshal(v)
	return a.call(http.MethodPatch, path, "application/merge-patch+json", b)
}

// post sends v as JSON.
func (a *api) post(path string, v any) response {
	a.t.Helper()
	b, _ := json.Marshal(v)
	return a.call(http.MethodPost, path, "application/json", b)
}

// upload sends files as multipart parts named field.
func (a *api) upload(path, field string, files map[string]string) response {
	a.t.Helper()
	body, ct := multipartBody(field, files)
	return a.call(http.MethodPost, path, ct, body)
}

func multipartBody(field string, files map[string]string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p, _ := w.CreateFormFile(field, n)
		io.WriteString(p, files[n])
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func (a *api) send(method, path, contentType string, body []byte, valid bool) response {
	a.t.Helper()
	doc, router := loadContract(a.t)
	_ = doc
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if a.token != "" {
		r.Header.Set("Authorization", "Bearer "+a.token)
	}
	route, params, err := router.FindRoute(r)
	var in *openapi3filter.RequestValidationInput
	if err == nil {
		a.seen[route.Operation.OperationID] = true
		in = &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
		verr := openapi3filter.ValidateRequest(context.Background(), in)
		switch {
		case valid && verr != nil:
			a.t.Errorf("%s %s: the request does not match openapi.json: %v", method, path, verr)
		case !valid && verr == nil && testing.Verbose():
			a.t.Logf("%s %s: a bad request the document does not rule out", method, path)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	} else if valid {
		a.t.Errorf("%s %s: no operation in openapi.json: %v", method, path, err)
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, r)
	if in != nil {
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
		out.SetBodyBytes(rec.Body.Bytes())
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			a.t.Errorf("%s %s: the %d response does not match openapi.json: %v\n%s", method, path, rec.Code, err, clipBody(rec.Body.String()))
		}
	} else if strings.HasPrefix(path, "/api/") && rec.Code < 400 {
		a.t.Errorf("%s %s: answered %d but is not in openapi.json", method, path, rec.Code)
	}
	return response{rec, a.t}
}

func clipBody(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// checkCovered fails the test for each operation in openapi.json that no
// call checked.
func (a *api) checkCovered() {
	a.t.Helper()
	doc, _ := loadContract(a.t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if !a.seen[op.OperationID] {
				a.t.Errorf("%s %s (%s) is never called by the tests", method, path, op.OperationID)
			}
		}
	}
}
