package server

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// JiraHook receives Jira's webhook deliveries. Config.JiraHook set turns
// POST /hooks/jira on; without it the route answers 404, as when Jira sync
// is off.
type JiraHook interface {
	// JiraWebhook takes one delivery: its X-Atlassian-Webhook-Identifier,
	// its X-Hub-Signature and the raw body. A bad signature is an
	// unauthorized error; a repeated delivery is no error.
	JiraWebhook(ctx context.Context, delivery, signature string, body []byte) error
}

// maxJiraHook bounds a webhook body; Jira's issue events are well under.
const maxJiraHook = 1 << 20

// handleJiraHook answers Jira quickly: 204 once the delivery is verified
// and queued, 401 for a bad signature (the only refusal that stops Jira's
// redeliveries, which is what a forged delivery deserves), 400 for a body
// that is not an issue event.
func (s *Server) handleJiraHook(c echo.Context) error {
	hook := s.cfg.JiraHook
	if hook == nil {
		return echo.ErrNotFound
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxJiraHook+1))
	if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
		return err // a body without Content-Length past the limit: 413
	}
	if err != nil {
		return postmortem.Errorf(postmortem.EInvalid, "cannot read the webhook body")
	}
	if len(body) > maxJiraHook {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "webhook body too large")
	}
	h := c.Request().Header
	err = hook.JiraWebhook(c.Request().Context(), h.Get("X-Atlassian-Webhook-Identifier"), h.Get("X-Hub-Signature"), body)
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
