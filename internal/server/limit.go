package server

import (
	"runtime"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// pageSlots is how many page renders run at once: two per processor
// keeps the processors busy while one request waits on the disk. Past
// that, running more only multiplies SQLite connections, each with its
// own page cache, and render buffers: under 32 connections it took the
// server's peak RSS from 60 to 175 MB and made the slowest requests
// slower, not the throughput higher. Pages answered from the page cache
// (pagecache.go) do not take a slot.
func pageSlots() int { return 2 * runtime.GOMAXPROCS(0) }

// slots is a number of requests allowed to run at once: its capacity.
type slots chan struct{}

// around lets at most cap(s) requests through next at once, counted
// together with every other middleware s is around; the others wait
// their turn, or answer unavailable if their deadline comes first.
func (s slots) around(next echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(h echo.HandlerFunc) echo.HandlerFunc {
		h = next(h)
		return func(c echo.Context) error {
			select {
			case s <- struct{}{}:
			case <-c.Request().Context().Done():
				return postmortem.Errorf(postmortem.EUnavailable, "the server is busy; try again in a moment")
			}
			defer func() { <-s }()
			return h(c)
		}
	}
}

// limit lets at most n requests through next at once, with slots of its
// own.
func limit(n int, next echo.MiddlewareFunc) echo.MiddlewareFunc {
	return make(slots, n).around(next)
}

// pass is the middleware that adds nothing.
func pass(next echo.HandlerFunc) echo.HandlerFunc { return next }
