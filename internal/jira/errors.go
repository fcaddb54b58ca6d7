package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	gojira "github.com/andygrunwald/go-jira"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// classify turns what go-jira returned for a failed call into a
// *postmortem.Error, deciding on the status code alone (messages vary by
// site and language):
//
//	400, 410       invalid (410: an endpoint this flavor does not have)
//	401, 403       unauthorized
//	404            not_found
//	429, 5xx, none unavailable: try later; for a create, the outcome is unknown
//
// Jira's errorMessages and field errors go into the message; a 400's field
// ids go into Field, comma-separated and sorted.
func classify(op string, resp *gojira.Response, err error) error {
	if resp == nil || resp.Response == nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return &postmortem.Error{Code: postmortem.EUnavailable, Message: op + ": Jira did not answer", Err: err}
	}
	var je *gojira.Error
	_, decoded := err.(interface{ Cause() error }) // NewJiraError wrapped a non-JSON body
	if !errors.As(err, &je) && !decoded {
		// Create, Update and raw calls leave the body unread: decode it.
		err = gojira.NewJiraError(resp, err)
		errors.As(err, &je)
	}
	resp.Body.Close()
	e := &postmortem.Error{Code: codeFor(resp.StatusCode)}
	var detail []string
	var fields []string
	if je != nil {
		detail = append(detail, je.ErrorMessages...)
		for f := range je.Errors {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			detail = append(detail, f+": "+je.Errors[f])
		}
	}
	e.Message = fmt.Sprintf("%s: Jira answered %d %s", op, resp.StatusCode, http.StatusText(resp.StatusCode))
	if len(detail) > 0 {
		e.Message += ": " + strings.Join(detail, "; ")
	}
	if resp.StatusCode == http.StatusGone {
		e.Message += " (is HINDSIGHT_JIRA_FLAVOR right?)"
	}
	if e.Code == postmortem.EInvalid {
		e.Field = strings.Join(fields, ",")
	}
	if je == nil {
		e.Err = err
	}
	return e
}

func codeFor(status int) string {
	switch {
	case status == http.StatusBadRequest, status == http.StatusGone:
		return postmortem.EInvalid
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return postmortem.EUnauthorized
	case status == http.StatusNotFound:
		return postmortem.ENotFound
	case status == http.StatusTooManyRequests, status == http.StatusRequestTimeout, status >= 500:
		return postmortem.EUnavailable
	}
	return postmortem.EInternal
}
