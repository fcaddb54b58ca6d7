package server

import (
	"bytes"
	"fmt"
	"testing"
)

// TestPageCacheBudget checks that the cache stays within its byte budget
// by forgetting the least recently used pages, refuses pages over the
// size limit, and forgets everything when the data version changes.
func TestPageCacheBudget(t *testing.T) {
	const budget = 20_000
	c := newPageCache(budget)
	page := func(n int) *cachedPage { return &cachedPage{body: bytes.Repeat([]byte("x"), n)} }
	c.get("/", 1) // a lookup sets the version pages are kept for
	for i := range 100 {
		c.put(fmt.Sprint("/p", i), 1, page(1000))
		if got := c.bytes(); got > budget {
			t.Fatalf("after %d pages the cache holds %d bytes, over its budget of %d", i+1, got, budget)
		}
		c.get("/p0", 1) // kept in use, so never the least recently used
	}
	if c.get("/p0", 1) == nil {
		t.Error("the page used most was forgotten")
	}
	if c.get("/p1", 1) != nil {
		t.Error("an old unused page is still kept")
	}
	if c.get("/p99", 1) == nil {
		t.Error("the newest page was forgotten")
	}

	c.put("/big", 1, page(budget))
	if c.get("/big", 1) != nil || c.get("/p99", 1) == nil {
		t.Error("a page over the budget was kept, or pushed others out")
	}
	c.put("/stale", 0, page(10))
	if c.get("/stale", 1) != nil {
		t.Error("a page of an earlier version was kept")
	}
	if c.get("/p99", 2) != nil || c.bytes() != 0 {
		t.Errorf("after a change of the data, %d bytes are still kept", c.bytes())
	}
}

// TestMarksCut checks that a page rendered with the marks is cut at them.
func TestMarksCut(t *testing.T) {
	m := newMarks()
	p := m.cut([]byte("a" + m.csrf + "b" + m.user + m.csrf + "c"))
	if string(p.body) != "abc" || len(p.cuts) != 3 ||
		p.cuts[0] != (cut{1, holeCSRF}) || p.cuts[1] != (cut{2, holeUser}) || p.cuts[2] != (cut{2, holeCSRF}) {
		t.Errorf("cut = %q %v", p.body, p.cuts)
	}
}
