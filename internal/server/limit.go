package server

import (
	"runtime"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// pageSlots is how many page requests run at once: two per processor
// keeps the processors busy while one request waits on the disk. Past
// that, running more only multiplies SQLite connections, each with its
// own page cache, and render buffers: under 32 connections it took the
// server's peak RSS from 60 to 175 MB and made the slowest requests
// slower, not the throughput higher.
func pageSlots() int { return 2 * runtime.GOMAXPROCS(0) }

// limit lets at most n requests through next at once; the others wait
// their turn, or answer unavailable if their deadline comes first.
func limit(n int, next echo.MiddlewareFunc) echo.MiddlewareFunc {
	slots := make(chan struct{}, n)
	return func(h echo.HandlerFunc) echo.HandlerFunc {
		h = next(h)
		return func(c echo.Context) error {
			select {
			case slots <- struct{}{}:
			case <-c.Request().Context().Done():
				return postmortem.Errorf(postmortem.EUnavailable, "the server is busy; try again in a moment")
			}
			defer func() { <-slots }()
			return h(c)
		}
	}
}
