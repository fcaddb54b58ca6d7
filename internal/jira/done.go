package jira

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Complete closes issue key from outside Jira, as the Slack Done button
// does: it moves the issue through the transition named transition, or
// when that is "" through the first one the workflow offers into the done
// category (so that the next sync does not put the item back), skipped
// when the issue is already done, and then adds comment to it. The comment is sent by hand, as
// integrations.md §0.2 says, because go-jira's AddComment sends empty
// author and visibility objects that Jira Cloud refuses. A transition the
// workflow does not offer now, on an issue not done, is not_found.
func (c *Client) Complete(ctx context.Context, key, transition, comment string) error {
	{
		err := c.Transition(ctx, key, transition)
		if postmortem.ErrorCode(err) == postmortem.ENotFound {
			is, gerr := c.Get(ctx, key)
			if gerr != nil {
				return gerr
			}
			if is.Category != postmortem.JiraDone {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	if comment == "" {
		return nil
	}
	req, err := c.jc.NewRequestWithContext(ctx, http.MethodPost, "rest/api/2/issue/"+url.PathEscape(key)+"/comment",
		map[string]string{"body": comment})
	if err != nil {
		return fmt.Errorf("comment on jira issue %s: %w", key, err)
	}
	resp, err := c.jc.Do(req, nil)
	if err != nil {
		return classify("comment on Jira issue "+key, resp, err)
	}
	resp.Body.Close()
	return nil
}
