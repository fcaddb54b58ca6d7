package server

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// SlackHook receives Slack's requests: the buttons of reminder digests
// and the /hindsight slash command. Config.SlackHook set turns POST
// /slack/interactions and POST /slack/commands on; without it they answer
// 404, as when Slack is not configured.
type SlackHook interface {
	// SlackInteraction takes one interaction: the request's headers, for
	// the signature, and its raw body. A bad signature or a stale
	// timestamp is an unauthorized error. It must return well within
	// Slack's 3 seconds.
	SlackInteraction(ctx context.Context, header http.Header, body []byte) error
	// SlackCommand takes one slash command likewise and returns the JSON
	// body to answer with.
	SlackCommand(ctx context.Context, header http.Header, body []byte) ([]byte, error)
}

// maxSlackBody bounds a request from Slack; its payloads are a few KiB.
const maxSlackBody = 1 << 20

// slackBody reads a Slack request's body whole, as signature checks need
// the raw bytes; nothing may parse the form before.
func slackBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxSlackBody+1))
	if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
		return nil, err // a body without Content-Length past the limit: 413
	}
	if err != nil {
		return nil, postmortem.Errorf(postmortem.EInvalid, "cannot read the request body")
	}
	if len(body) > maxSlackBody {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "request body too large")
	}
	return body, nil
}

// handleSlackInteraction answers 200 with an empty body once the press is
// verified and applied, 401 when the signature or timestamp is bad.
func (s *Server) handleSlackInteraction(c echo.Context) error {
	hook := s.cfg.SlackHook
	if hook == nil {
		return echo.ErrNotFound
	}
	body, err := slackBody(c)
	if err != nil {
		return err
	}
	if err := hook.SlackInteraction(c.Request().Context(), c.Request().Header, body); err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}

// handleSlackCommand answers a slash command with the hook's JSON, 401
// when the signature or timestamp is bad.
func (s *Server) handleSlackCommand(c echo.Context) error {
	hook := s.cfg.SlackHook
	if hook == nil {
		return echo.ErrNotFound
	}
	body, err := slackBody(c)
	if err != nil {
		return err
	}
	reply, err := hook.SlackCommand(c.Request().Context(), c.Request().Header, body)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, reply)
}
