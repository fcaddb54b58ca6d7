// Package jobs holds Hindsight's batch work as plain ctx-first functions:
// finding postmortem files, importing them into the store, linting them and
// exporting what the store holds. It sees the store only through the small
// interfaces it declares.
package jobs

import (
	"errors"
	"strconv"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Kind says how much a Problem matters.
type Kind int

// Kinds of Problem.
const (
	// Failure means the file (or directory) could not be used.
	Failure Kind = iota
	// Warning is something the parser had to guess; the file was used.
	Warning
	// Notice reports something skipped or marked that is not an error,
	// such as a symlink loop or a file that no longer exists.
	Notice
)

// Problem is one thing a job reports about one path.
type Problem struct {
	Path    string
	Line    int
	Kind    Kind
	Message string
}

// Location returns "PATH:LINE", or "PATH" when the line is unknown.
func (p Problem) Location() string {
	if p.Line > 0 {
		return p.Path + ":" + strconv.Itoa(p.Line)
	}
	return p.Path
}

// Failed returns the Failure problem for err at path, with the line from
// a *postmortem.Error.
func Failed(path string, err error) Problem {
	return Problem{Path: path, Line: postmortem.ErrorLine(err), Kind: Failure, Message: describe(err)}
}

// describe returns err's message for people without the line number, which
// a Problem carries separately. Unlike postmortem.ErrorMessage it keeps the
// detail of other errors: the command line is not a public web page.
func describe(err error) string {
	var e *postmortem.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}
