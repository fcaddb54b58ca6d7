package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// page is one page of a keyset-paginated API list: Next is the cursor to
// pass as ?after= for the following page, "" on the last one.
type page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// invalid returns an invalid error about field.
func invalid(field, format string, args ...any) error {
	return &postmortem.Error{Code: postmortem.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// query reads an API request's query string strictly: a parameter it does
// not know, one given twice or a value of the wrong form is an invalid
// error naming the parameter. The first problem is kept in err.
type query struct {
	v   url.Values
	err error
}

// newQuery checks that c's query has only the parameters known.
func newQuery(c echo.Context, known ...string) *query {
	q := &query{v: c.QueryParams()}
	names := make([]string, 0, len(q.v))
	for k := range q.v {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		switch {
		case !slices.Contains(known, k):
			q.fail(invalid(k, "unknown query parameter; this endpoint takes %s", strings.Join(known, ", ")))
		case len(q.v[k]) > 1:
			q.fail(invalid(k, "given more than once"))
		}
	}
	return q
}

func (q *query) fail(err error) {
	if q.err == nil {
		q.err = err
	}
}

// str returns a parameter, "" when absent.
func (q *query) str(name string) string {
	s := q.v.Get(name)
	if len(s) > 1000 {
		q.fail(invalid(name, "at most 1000 characters"))
		return ""
	}
	return s
}

// oneOf returns a parameter that must be one of allowed, or "" when
// absent.
func (q *query) oneOf(name string, allowed ...string) string {
	s := q.v.Get(name)
	if s != "" && !slices.Contains(allowed, s) {
		q.fail(invalid(name, "must be one of %s", strings.Join(allowed, ", ")))
		return ""
	}
	return s
}

// integer returns a parameter that must be a whole number from lo to hi,
// or def when absent.
func (q *query) integer(name string, lo, hi, def int) int {
	s := q.v.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		q.fail(invalid(name, "must be a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

// boolean returns a parameter that must be true or false (1 or 0), false
// when absent.
func (q *query) boolean(name string) bool {
	switch q.v.Get(name) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	q.fail(invalid(name, "must be true or false"))
	return false
}

// jsonTypes are the media types a JSON request body may be sent as.
var jsonTypes = []string{echo.MIMEApplicationJSON, "application/merge-patch+json"}

// decodeJSON reads c's body, which must be one JSON object, into v. A
// field v does not have, a value of the wrong type, malformed JSON or
// anything after the object is an invalid error naming the field where
// there is one; a body that is not JSON is 415.
func decodeJSON(c echo.Context, v any) error {
	r := c.Request()
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || !slices.Contains(jsonTypes, mt) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send a JSON object with Content-Type: application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return err
		}
		return invalid("", "the body must hold one JSON object and nothing after it")
	}
	return nil
}

// jsonError explains a decoding error in the API's terms.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var pe *postmortem.Error
	switch {
	case errors.Is(err, echo.ErrStatusRequestEntityTooLarge):
		return err
	case errors.As(err, &pe):
		return err
	case errors.Is(err, io.EOF):
		return invalid("", "the body is empty; send a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("", "the body is not valid JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalid("", "the body must be a JSON object")
		}
		return invalid(typ.Field, "must be %s", jsonKind(typ.Type.Kind().String()))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return invalid(name, "unknown field")
	}
	return invalid("", "the body is not a JSON object this endpoint takes")
}

// jsonKind names a Go kind as JSON calls it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// optString is a field of a JSON merge patch (RFC 7396): Set when the
// field was present, Null when it was null.
type optString struct {
	Set, Null bool
	V         string
}

// UnmarshalJSON records that the field was present and its value.
func (o *optString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// optStrings is an array field of a merge patch.
type optStrings struct {
	Set, Null bool
	V         []string
}

// UnmarshalJSON records that the field was present and its value.
func (o *optStrings) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// optBool is a true-or-false field of a merge patch.
type optBool struct {
	Set, Null bool
	V         bool
}

// UnmarshalJSON records that the field was present and its value.
func (o *optBool) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// pathID reads a numeric :id, answering not_found for anything else, as
// for an id that names nothing.
func pathID(c echo.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, postmortem.Errorf(postmortem.ENotFound, "no %s %q", what, c.Param("id"))
	}
	return id, nil
}

// apiActor is who an API change is recorded under: the signed-in name,
// or, with sign-in off, the caller's address.
func apiActor(c echo.Context) string {
	if p := principal(c); p != nil {
		return p.Name
	}
	return "anonymous (" + c.RealIP() + ")"
}
