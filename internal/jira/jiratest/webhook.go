package jiratest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

var deliveries atomic.Int64

// Delivery is one webhook the fake sends.
type Delivery struct {
	Body []byte
	// ID goes in X-Atlassian-Webhook-Identifier; New gives each a new one.
	ID string
	// Secret signs the body into X-Hub-Signature; "" sends no signature.
	Secret string
}

// Event builds a jira:issue_updated delivery for an issue as it is now, in
// the shape of integrations.md §2.2.
func (f *Fake) Event(key string) Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.find(key)
	if is == nil {
		panic("jiratest: no issue " + key)
	}
	body, _ := json.Marshal(map[string]any{
		"timestamp":             time.Now().UnixMilli(),
		"webhookEvent":          "jira:issue_updated",
		"issue_event_type_name": "issue_generic",
		"user":                  map[string]any{"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Someone"},
		"issue":                 f.issueJSON(is, nil),
		"changelog": map[string]any{"id": "10100", "items": []map[string]any{{
			"field": "status", "fieldtype": "jira", "fieldId": "status", "toString": is.Status.Name}}},
	})
	return Delivery{Body: body, ID: fmt.Sprintf("delivery-%d", deliveries.Add(1))}
}

// Send posts a delivery to url as Jira would and returns the status code.
func Send(url string, d Delivery) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Atlassian-Webhook-Identifier", d.ID)
	req.Header.Set("X-Atlassian-Webhook-Flow", "Primary")
	if d.Secret != "" {
		m := hmac.New(sha256.New, []byte(d.Secret))
		m.Write(d.Body)
		req.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
