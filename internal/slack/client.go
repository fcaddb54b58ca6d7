// Package slack is Hindsight's client for Slack: a thin layer over
// github.com/slack-go/slack v0.35.0 (imported as slackapi) that makes only
// the calls the nudges need (users.lookupByEmail, users.info,
// conversations.open, chat.postMessage, chat.update), waits out
// ratelimited answers as Retry-After says, renders digests as Block Kit
// with a plain-text fallback, verifies Slack's request signatures and
// parses button presses and slash commands, translating to and from the
// domain types of package postmortem.
package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Config is how Hindsight reaches Slack. Token empty means nudges are off.
type Config struct {
	Token         string // bot token (xoxb-…)
	SigningSecret string // verifies interactions and slash commands
	// APIURL is the Web API's base; "" means Slack's own. Tests point it
	// at a fake.
	APIURL string
	Format Format // where the links in digests go
	// HTTPClient makes the calls; nil means one with a 10 second timeout.
	HTTPClient *http.Client
	// Retries is how many times a ratelimited call is repeated after
	// waiting; 0 means 3. MaxWait caps one wait; 0 means 2 minutes.
	Retries int
	MaxWait time.Duration
	// Sleep waits d or until ctx ends; tests may replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client talks to one Slack workspace as its bot. It is safe for
// concurrent use.
type Client struct {
	api *slackapi.Client
	cfg Config
	Format
}

// fallbackRetryAfter is the wait for a 429 that does not say how long.
const fallbackRetryAfter = 5 * time.Second

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.Token == "" {
		return nil, &postmortem.Error{Code: postmortem.EInvalid, Field: "HINDSIGHT_SLACK_TOKEN", Message: "no Slack token given"}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Retries <= 0 {
		cfg.Retries = 3
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 2 * time.Minute
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	opts := []slackapi.Option{slackapi.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		if !strings.HasSuffix(cfg.APIURL, "/") {
			cfg.APIURL += "/"
		}
		opts = append(opts, slackapi.OptionAPIURL(cfg.APIURL))
	}
	// No slackapi.OptionRetry: do waits out 429s itself, with a cap and
	// a context, and nothing else is safe to repeat (chat.postMessage has
	// no idempotency key).
	return &Client{api: slackapi.New(cfg.Token, opts...), cfg: cfg, Format: cfg.Format}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LookupByEmail finds the Slack user with email (users.lookupByEmail).
// Slack answers users_not_found for deactivated accounts as for unknown
// ones; both give not_found.
func (c *Client) LookupByEmail(ctx context.Context, email string) (postmortem.SlackUser, error) {
	var u *slackapi.User
	err := c.do(ctx, "look up Slack user "+email, func() (err error) {
		u, err = c.api.GetUserByEmailContext(ctx, email)
		return err
	})
	if err != nil {
		return postmortem.SlackUser{}, err
	}
	return fromUser(u), nil
}

// UserInfo reads Slack user id (users.info): whether it is deactivated,
// and its time zone.
func (c *Client) UserInfo(ctx context.Context, id string) (postmortem.SlackUser, error) {
	var u *slackapi.User
	err := c.do(ctx, "read Slack user "+id, func() (err error) {
		u, err = c.api.GetUserInfoContext(ctx, id)
		return err
	})
	if err != nil {
		return postmortem.SlackUser{}, err
	}
	return fromUser(u), nil
}

func fromUser(u *slackapi.User) postmortem.SlackUser {
	name := u.RealName
	if name == "" {
		name = u.Profile.RealName
	}
	if name == "" {
		name = u.Profile.DisplayName
	}
	if name == "" {
		name = u.Name
	}
	return postmortem.SlackUser{ID: u.ID, Name: name, Email: u.Profile.Email, TZ: u.TZ, Deleted: u.Deleted, Bot: u.IsBot}
}

// OpenDM opens (or finds) the bot's direct message channel with user id
// (conversations.open) and returns its id.
func (c *Client) OpenDM(ctx context.Context, userID string) (string, error) {
	var ch *slackapi.Channel
	err := c.do(ctx, "open a direct message with "+userID, func() (err error) {
		ch, _, _, err = c.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{userID}})
		return err
	})
	if err != nil {
		return "", err
	}
	if ch == nil || ch.ID == "" {
		return "", postmortem.Errorf(postmortem.EUnavailable, "Slack opened no direct message with %s", userID)
	}
	return ch.ID, nil
}

// PostDigest posts d to channel (chat.postMessage): Block Kit with the
// plain text as the notification and accessibility fallback. It returns
// the channel Slack put it in and the message's ts.
func (c *Client) PostDigest(ctx context.Context, channel string, d postmortem.Digest) (posted, ts string, err error) {
	err = c.do(ctx, "post a Slack message to "+channel, func() (err error) {
		posted, ts, err = c.api.PostMessageContext(ctx, channel,
			slackapi.MsgOptionText(c.Text(d), false), slackapi.MsgOptionBlocks(c.Blocks(d)...))
		return err
	})
	return posted, ts, err
}

// UpdateDigest replaces message ts in channel with d (chat.update).
func (c *Client) UpdateDigest(ctx context.Context, channel, ts string, d postmortem.Digest) error {
	return c.do(ctx, "update Slack message "+ts, func() error {
		_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts,
			slackapi.MsgOptionText(c.Text(d), false), slackapi.MsgOptionBlocks(c.Blocks(d)...))
		return err
	})
}

// do runs call, and runs it again after the wait Slack asks for when it
// answers ratelimited, up to cfg.Retries times; a 429 is a refusal, so
// repeating it cannot duplicate anything. Other failures are returned at
// once, translated.
func (c *Client) do(ctx context.Context, op string, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		if err == nil {
			return nil
		}
		wait, limited := retryAfter(err)
		if !limited || attempt >= c.cfg.Retries {
			return classify(op, err)
		}
		if wait > c.cfg.MaxWait {
			wait = c.cfg.MaxWait
		}
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return classify(op, err)
		}
	}
}

// retryAfter reports whether err is Slack's rate limit, and how long it
// asks to wait.
func retryAfter(err error) (time.Duration, bool) {
	var rl *slackapi.RateLimitedError
	var sc slackapi.StatusCodeError
	var se slackapi.SlackErrorResponse
	switch {
	case errors.As(err, &rl):
		if rl.RetryAfter <= 0 {
			return fallbackRetryAfter, true
		}
		return rl.RetryAfter, true
	case errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests:
		return fallbackRetryAfter, true
	case errors.As(err, &se) && se.Err == "ratelimited":
		return fallbackRetryAfter, true
	}
	return 0, false
}

// Slack's error codes by what they mean to Hindsight.
var codes = map[string]string{
	"users_not_found":     postmortem.ENotFound,
	"user_not_found":      postmortem.ENotFound,
	"user_disabled":       postmortem.ENotFound,
	"channel_not_found":   postmortem.ENotFound,
	"message_not_found":   postmortem.ENotFound,
	"not_authed":          postmortem.EUnauthorized,
	"invalid_auth":        postmortem.EUnauthorized,
	"token_revoked":       postmortem.EUnauthorized,
	"token_expired":       postmortem.EUnauthorized,
	"account_inactive":    postmortem.EUnauthorized,
	"missing_scope":       postmortem.EUnauthorized,
	"ratelimited":         postmortem.EUnavailable,
	"internal_error":      postmortem.EUnavailable,
	"fatal_error":         postmortem.EUnavailable,
	"service_unavailable": postmortem.EUnavailable,
	"request_timeout":     postmortem.EUnavailable,
}

// classify turns slack-go's errors into *postmortem.Error: Slack's error
// code decides the code (invalid for codes not listed), a 5xx, a 429 or a
// failed connection is unavailable.
func classify(op string, err error) error {
	var se slackapi.SlackErrorResponse
	var rl *slackapi.RateLimitedError
	var sc slackapi.StatusCodeError
	code, what := postmortem.EUnavailable, err.Error()
	switch {
	case errors.As(err, &rl):
		what = "rate limited"
	case errors.As(err, &se):
		what = "Slack says " + se.Err
		if se.Needed != "" {
			what += " (needs " + se.Needed + ")"
		}
		var ok bool
		if code, ok = codes[se.Err]; !ok {
			code = postmortem.EInvalid
		}
	case errors.As(err, &sc):
		what = fmt.Sprintf("Slack answered %d", sc.Code)
		if sc.Code < 500 && sc.Code != http.StatusTooManyRequests {
			code = postmortem.EInvalid
		}
		if sc.Code == http.StatusUnauthorized || sc.Code == http.StatusForbidden {
			code = postmortem.EUnauthorized
		}
	}
	return &postmortem.Error{Code: code, Message: op + ": " + what, Err: err}
}

// SlackCode returns the Slack error code (users_not_found, …) in err's
// chain, or "".
func SlackCode(err error) string {
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}
