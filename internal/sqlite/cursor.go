package sqlite

import (
	"encoding/base64"
	"encoding/json"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// cursor is the position after the last row of a page, for keyset
// pagination: the sort keys of that row. Callers see it only as an opaque
// string.
type cursor struct {
	Sort  string `json:"s"`
	Date  string `json:"d,omitempty"` // postmortem date
	Doc   string `json:"p,omitempty"` // postmortem id
	Pos   int    `json:"n,omitempty"` // item position
	NoDue bool   `json:"z,omitempty"` // item has no due date
	Due   string `json:"u,omitempty"`
	Item  int64  `json:"i,omitempty"` // item id
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseCursor reads a cursor made by String for a list sorted by sort; ""
// is the first page.
func parseCursor(s, sort string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := &postmortem.Error{Code: postmortem.EInvalid, Field: "after",
		Message: "not a page position this list gave out; start again from the first page"}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Sort != sort {
		return nil, bad
	}
	return &c, nil
}

// pageSize returns limit bounded to 1..max, def when it is not positive.
func pageSize(limit, def, max int) int {
	switch {
	case limit <= 0:
		return def
	case limit > max:
		return max
	}
	return limit
}
