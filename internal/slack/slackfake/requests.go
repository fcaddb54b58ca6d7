package slackfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Sign returns the headers Slack sends with a request of body signed with
// secret at at: X-Slack-Request-Timestamp and X-Slack-Signature, the
// HMAC-SHA256 of "v0:<timestamp>:<body>".
func Sign(secret string, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

// ClickBody is the form Slack posts to the interactivity URL when user
// presses the button action of item itemID on message ts in channel.
func ClickBody(action string, itemID int64, user, channel, ts string) []byte {
	id := strconv.FormatInt(itemID, 10)
	payload := map[string]any{
		"type":         "block_actions",
		"api_app_id":   "A0001",
		"team":         map[string]any{"id": "T0001", "domain": "hindsight-test"},
		"user":         map[string]any{"id": user, "username": "user-" + user, "name": "user-" + user, "team_id": "T0001"},
		"container":    map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
		"channel":      map[string]any{"id": channel, "name": "directmessage"},
		"message":      map[string]any{"type": "message", "ts": ts, "bot_id": "BBOT", "text": "digest"},
		"trigger_id":   "1.2.3",
		"response_url": "https://hooks.slack.invalid/actions/T0001/1/abc",
		"actions": []map[string]any{{
			"type": "button", "action_id": action, "block_id": "item:" + id, "value": id,
			"text":      map[string]any{"type": "plain_text", "text": action},
			"action_ts": "1700000000.000001",
		}},
	}
	b, _ := json.Marshal(payload)
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

// CommandBody is the form Slack posts to the slash command URL when user
// types command text.
func CommandBody(command, text, user string) []byte {
	return []byte(url.Values{
		"token": {"deprecated"}, "team_id": {"T0001"}, "team_domain": {"hindsight-test"},
		"channel_id": {"C0GENERAL"}, "channel_name": {"general"}, "user_id": {user}, "user_name": {"user-" + user},
		"command": {command}, "text": {text}, "api_app_id": {"A0001"},
		"response_url": {"https://hooks.slack.invalid/commands/T0001/1/abc"}, "trigger_id": {"1.2.3"},
	}.Encode())
}
