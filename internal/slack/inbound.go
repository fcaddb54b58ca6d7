package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Verify checks that body came from Slack: the X-Slack-Signature header
// must be the HMAC of the signing secret over "v0:<timestamp>:<body>",
// and X-Slack-Request-Timestamp within five minutes of now, either way.
// Anything else is unauthorized; so is every request when no signing
// secret is configured.
func (c *Client) Verify(header http.Header, body []byte) error {
	unauthorized := func(why string, err error) error {
		return &postmortem.Error{Code: postmortem.EUnauthorized, Message: "Slack request refused: " + why, Err: err}
	}
	if c.cfg.SigningSecret == "" {
		return unauthorized("no signing secret is configured (HINDSIGHT_SLACK_SIGNING_SECRET)", nil)
	}
	sv, err := slackapi.NewSecretsVerifier(header, c.cfg.SigningSecret)
	if err != nil {
		return unauthorized("missing, malformed or stale signature headers", err)
	}
	if _, err := sv.Write(body); err != nil {
		return unauthorized("cannot hash the body", err)
	}
	if err := sv.Ensure(); err != nil {
		return unauthorized("bad signature", err)
	}
	return nil
}

// ParseClick reads an interaction payload (a form with one field,
// payload, holding JSON). A button press of a digest gives its action,
// item and message; any other interaction gives a click without Action,
// for the caller to acknowledge and ignore.
func ParseClick(body []byte) (postmortem.SlackClick, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return postmortem.SlackClick{}, postmortem.Errorf(postmortem.EInvalid, "interaction body is not a form")
	}
	payload := form.Get("payload")
	if payload == "" {
		return postmortem.SlackClick{}, postmortem.Errorf(postmortem.EInvalid, "interaction has no payload")
	}
	var ic slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &ic); err != nil {
		return postmortem.SlackClick{}, &postmortem.Error{Code: postmortem.EInvalid, Message: "interaction payload is not JSON", Err: err}
	}
	if ic.Type != slackapi.InteractionTypeBlockActions || len(ic.ActionCallback.BlockActions) == 0 {
		return postmortem.SlackClick{}, nil
	}
	a := ic.ActionCallback.BlockActions[0]
	switch a.ActionID {
	case postmortem.ActionDone, postmortem.ActionSnooze, postmortem.ActionNotMine:
	default:
		return postmortem.SlackClick{}, nil
	}
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		return postmortem.SlackClick{}, postmortem.Errorf(postmortem.EInvalid, "button value %q is not an item id", a.Value)
	}
	click := postmortem.SlackClick{Action: a.ActionID, ItemID: id, UserID: ic.User.ID, UserName: ic.User.Name,
		Channel: ic.Container.ChannelID, MessageTS: ic.Container.MessageTs}
	if click.Channel == "" {
		click.Channel = ic.Channel.ID
	}
	if click.MessageTS == "" {
		click.MessageTS = ic.Message.Timestamp
	}
	return click, nil
}

// ParseCommand reads a slash command's form.
func ParseCommand(body []byte) (postmortem.SlackCommand, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return postmortem.SlackCommand{}, postmortem.Errorf(postmortem.EInvalid, "command body is not a form")
	}
	return postmortem.SlackCommand{
		Command:   form.Get("command"),
		Text:      strings.TrimSpace(form.Get("text")),
		UserID:    form.Get("user_id"),
		UserName:  form.Get("user_name"),
		ChannelID: form.Get("channel_id"),
	}, nil
}

// ParseClick is package ParseClick, for callers that hold a client.
func (c *Client) ParseClick(body []byte) (postmortem.SlackClick, error) { return ParseClick(body) }

// ParseCommand is package ParseCommand, for callers that hold a client.
func (c *Client) ParseCommand(body []byte) (postmortem.SlackCommand, error) {
	return ParseCommand(body)
}

// reply is the JSON a slash command answers with.
type reply struct {
	ResponseType string           `json:"response_type"`
	Text         string           `json:"text"`
	Blocks       []slackapi.Block `json:"blocks,omitempty"`
}

// CommandReply is the ephemeral answer listing d's items, seen only by
// the caller. It has no buttons: they act on recorded digests only.
func (f Format) CommandReply(d postmortem.Digest) ([]byte, error) {
	blocks := []slackapi.Block{section(escape(greeting(d)))}
	for i, l := range d.Lines() {
		if i == maxLines {
			break
		}
		blocks = append(blocks, section(f.lineMarkdown(l, d.Now)))
	}
	return json.Marshal(reply{ResponseType: "ephemeral", Text: f.Text(d), Blocks: blocks})
}

// TextReply is an ephemeral answer of plain text.
func TextReply(text string) ([]byte, error) {
	return json.Marshal(reply{ResponseType: "ephemeral", Text: text})
}

// TextReply is package TextReply, for callers that hold a client.
func (c *Client) TextReply(text string) ([]byte, error) { return TextReply(text) }
