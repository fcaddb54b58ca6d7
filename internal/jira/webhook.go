package jira

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	gojira "github.com/andygrunwald/go-jira"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Sign returns the X-Hub-Signature value Jira sends with a delivery of
// body signed with secret: "sha256=" and the hex HMAC-SHA256 of the raw
// body.
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is a valid X-Hub-Signature of body for one
// of the secrets (several during a rotation).
func Verify(body []byte, header string, secrets ...string) bool {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(s))
		m.Write(body)
		if hmac.Equal(m.Sum(nil), got) {
			return true
		}
	}
	return false
}

// Webhook checks a delivery's signature when a secret is configured and
// parses its body. A bad or missing signature gives unauthorized, a body
// that is not a Jira issue event gives invalid.
func (c *Client) Webhook(body []byte, signature string) (postmortem.JiraEvent, error) {
	if c.cfg.Secret != "" && !Verify(body, signature, c.cfg.Secret) {
		return postmortem.JiraEvent{}, postmortem.Errorf(postmortem.EUnauthorized, "bad webhook signature")
	}
	return ParseEvent(body)
}

// ParseEvent reads a Jira webhook body (integrations.md §2.2).
func ParseEvent(body []byte) (postmortem.JiraEvent, error) {
	var ev struct {
		Timestamp    int64         `json:"timestamp"`
		WebhookEvent string        `json:"webhookEvent"`
		Issue        *gojira.Issue `json:"issue"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return postmortem.JiraEvent{}, &postmortem.Error{Code: postmortem.EInvalid, Message: "webhook body is not JSON", Err: err}
	}
	if ev.Issue == nil || (ev.Issue.ID == "" && ev.Issue.Key == "") {
		return postmortem.JiraEvent{}, postmortem.Errorf(postmortem.EInvalid, "webhook %q names no issue", ev.WebhookEvent)
	}
	return postmortem.JiraEvent{Type: ev.WebhookEvent, Timestamp: ev.Timestamp, Issue: fromIssue(ev.Issue)}, nil
}
