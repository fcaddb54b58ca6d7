package server

import (
	"container/list"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// DefaultPageCacheSize is how many bytes of rendered pages the server
// keeps when Config.PageCacheSize is 0: the lists most visited (40 to
// 90 KB each) and a few hundred incident pages. More would hold more
// incident pages, but the collector lets the heap grow to twice what is
// live: with 8 MiB, bench/web.sh's server peaked at 95 MB against its
// 80 MB goal; with 4 MiB at 78 MB.
const DefaultPageCacheSize = 4 << 20

// maxCachedPage is the largest page kept; a larger one is rendered for
// every request rather than pushing out dozens of others.
const maxCachedPage = 1 << 20

// entryOverhead is what an entry costs beside its key and body: the map
// slot, the list element and the struct.
const entryOverhead = 160

// hole is a per-request part of a cached page, left out of its body.
type hole uint8

const (
	holeCSRF hole = iota // the CSRF token of the page's forms
	holeUser             // the name of who is signed in
)

// cut is where a hole goes in a cached page's body.
type cut struct {
	at   int
	hole hole
}

// cachedPage is a rendered page without its per-request parts: they go
// back in at the cuts, in order, when it is sent.
type cachedPage struct {
	body []byte
	cuts []cut
}

// pageCache keeps rendered pages by key, for one version of the data: a
// lookup or a store for another version empties it. It is bounded by the
// bytes of its entries and forgets the least recently used first.
type pageCache struct {
	mu      sync.Mutex
	budget  int
	size    int
	version uint64
	entries map[string]*list.Element // of *pageEntry
	lru     list.List                // most recently used at the front
}

type pageEntry struct {
	key  string
	page *cachedPage
	size int
}

func newPageCache(budget int) *pageCache {
	return &pageCache{budget: budget, entries: map[string]*list.Element{}}
}

// get returns the page kept under key for the data version, or nil.
func (c *pageCache) get(key string, version uint64) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		c.reset(version)
		return nil
	}
	el, ok := c.entries[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*pageEntry).page
}

// put keeps p under key when it was rendered at the current data version
// and is small enough, forgetting the least recently used pages to stay
// within the budget.
func (c *pageCache) put(key string, version uint64, p *cachedPage) {
	size := len(key) + len(p.body) + 16*len(p.cuts) + entryOverhead
	if size > maxCachedPage || size > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		// Rendered before a change this cache has already seen, or
		// after one no lookup has: neither may be kept as current.
		return
	}
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	for c.size+size > c.budget {
		c.remove(c.lru.Back())
	}
	c.entries[key] = c.lru.PushFront(&pageEntry{key: key, page: p, size: size})
	c.size += size
}

func (c *pageCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*pageEntry)
	delete(c.entries, e.key)
	c.size -= e.size
}

// reset forgets every page and keeps pages of version from now on.
func (c *pageCache) reset(version uint64) {
	c.version = version
	clear(c.entries)
	c.lru.Init()
	c.size = 0
}

// bytes returns how many bytes the kept pages take, as the budget counts.
func (c *pageCache) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// marks are the stand-ins a page is rendered with for its per-request
// parts. They are random for each server, so no stored text can contain
// them, and plain letters and digits, which no escaping changes.
type marks struct {
	csrf, user string
}

func newMarks() marks {
	b := make([]byte, 12)
	rand.Read(b)
	r := hex.EncodeToString(b)
	return marks{csrf: "hsCSRF" + r + "x", user: "hsUSER" + r + "x"}
}

// cut splits a page rendered with the marks into a cachedPage.
func (m marks) cut(rendered []byte) *cachedPage {
	p := &cachedPage{body: make([]byte, 0, len(rendered))}
	rest := string(rendered)
	for {
		i, j := strings.Index(rest, m.csrf), strings.Index(rest, m.user)
		if i < 0 && j < 0 {
			break
		}
		h, at, n := holeCSRF, i, len(m.csrf)
		if i < 0 || (j >= 0 && j < i) {
			h, at, n = holeUser, j, len(m.user)
		}
		p.body = append(p.body, rest[:at]...)
		p.cuts = append(p.cuts, cut{at: len(p.body), hole: h})
		rest = rest[at+n:]
	}
	p.body = append(p.body, rest...)
	return p
}

// pageSlotKey is where cachePages leaves the key and data version a page
// rendered for a request it missed is kept under.
const pageSlotKey = "page_slot"

type pageSlot struct {
	key     string
	version uint64
}

// cachePages answers GET requests for a page from the page cache when it
// holds the page for the request's URL, the viewer's role and the current
// data version, without taking a render slot; otherwise it lets next
// render the page, and render keeps it. It goes after the CSRF check,
// which gives the request its token (and on a first visit sets the
// cookie), and after sign-in, which says who the viewer is. A request
// carrying a flash message always renders: the message is its own.
func (s *Server) cachePages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if s.pageCache == nil || r.Method != http.MethodGet {
			return next(c)
		}
		if _, err := r.Cookie(flashCookie); err == nil {
			return next(c)
		}
		version, err := s.store.DataVersion(r.Context())
		if err != nil {
			return next(c)
		}
		key := s.pageKey(c)
		if p := s.pageCache.get(key, version); p != nil {
			return s.sendPage(c, p)
		}
		c.Set(pageSlotKey, &pageSlot{key: key, version: version})
		return next(c)
	}
}

// pageKey is what a page's HTML depends on beside the data and the parts
// left out of it: the path and query (in canonical order), the viewer's
// role, and the day, which ages and overdue items are counted in.
func (s *Server) pageKey(c echo.Context) string {
	role := "-" // sign-in off: everyone may do everything
	if p := principal(c); p != nil {
		role = p.Role
	}
	var b strings.Builder
	b.WriteString(role)
	b.WriteByte(0)
	b.WriteString(s.cfg.Now().UTC().Format(time.DateOnly))
	b.WriteByte(0)
	b.WriteString(c.Request().URL.EscapedPath())
	if q := c.QueryParams().Encode(); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String()
}

// sendPage answers 200 with p, this request's CSRF token and user name in
// its holes, escaped as the templates escape them.
func (s *Server) sendPage(c echo.Context, p *cachedPage) error {
	var fill [2]string
	if len(p.cuts) > 0 {
		if token, ok := c.Get(csrfContextKey).(string); ok && token != middleware.CSRFUsingSecFetchSite {
			fill[holeCSRF] = escapeText(token)
		}
		if who := principal(c); who != nil {
			fill[holeUser] = escapeText(who.Name)
		}
	}
	n := len(p.body)
	for _, k := range p.cuts {
		n += len(fill[k.hole])
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderContentLength, strconv.Itoa(n))
	h.Set(echo.HeaderCacheControl, "no-cache")
	w := c.Response()
	w.WriteHeader(http.StatusOK)
	at := 0
	for _, k := range p.cuts {
		if _, err := w.Write(p.body[at:k.at]); err != nil {
			return nil // the client has gone; there is no one to answer
		}
		if _, err := io.WriteString(w, fill[k.hole]); err != nil {
			return nil
		}
		at = k.at
	}
	w.Write(p.body[at:])
	return nil
}

// textEscaper escapes as the templates do text and quoted attributes.
var textEscaper = template.Must(template.New("text").Parse("{{.}}"))

func escapeText(s string) string {
	var b strings.Builder
	if err := textEscaper.Execute(&b, s); err != nil {
		return template.HTMLEscapeString(s)
	}
	return b.String()
}

// setsOwnCookie reports whether the response so far sets a cookie other
// than the CSRF token's, which makes it this request's alone.
func setsOwnCookie(c echo.Context) bool {
	for _, k := range c.Response().Header().Values(echo.HeaderSetCookie) {
		if !strings.HasPrefix(k, csrfCookie+"=") {
			return true
		}
	}
	return false
}
