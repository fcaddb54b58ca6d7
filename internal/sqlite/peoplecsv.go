package sqlite

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// PeopleCSVColumns are the columns of the people CSV, in the order
// ExportPeopleCSV writes them. Aliases are separated by semicolons; active
// is true or false.
var PeopleCSVColumns = []string{"name", "aliases", "email", "slack_id", "jira_account_id",
	"jira_username", "team", "manager_email", "timezone", "active"}

// maxCSVErrors is how many row errors ImportPeopleCSV reports at most.
const maxCSVErrors = 20

// ImportPeopleCSV reads a people CSV (see PeopleCSVColumns; any order, a
// byte order mark tolerated, only name required, unknown columns refused)
// and adds or updates everyone in it, all in one transaction: every row
// or none. A row is the person with its email when someone has it, else
// the person whose name or alias has its name's key, else someone new
// (active unless it says otherwise). Columns a file lacks leave the
// existing values alone. Updated counts only people whose fields changed.
// Each problem is an *postmortem.Error (invalid or conflict) whose
// message names the file (name), the line and the column, as
// "people.csv:4: email: not an email address"; up to 20 are reported,
// joined.
func (d *DB) ImportPeopleCSV(ctx context.Context, r io.Reader, name string) (created, updated int, err error) {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, d.wrap("import people", err)
	}
	defer tx.Rollback()
	im := &peopleImport{tx: tx, file: name, now: stamp(d.now()), seen: map[int64]int{}}
	if err := im.run(ctx, r); err != nil {
		return 0, 0, d.wrap("import people", err)
	}
	if len(im.errs) > 0 {
		return 0, 0, errors.Join(im.errs...)
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, d.wrap("import people", err)
	}
	return im.created, im.updated, nil
}

// peopleImport is one ImportPeopleCSV call's state.
type peopleImport struct {
	tx               *sql.Tx
	file, now        string
	cols             map[string]int // column name to index
	created, updated int
	seen             map[int64]int // person id to the line that set them
	errs             []error
}

// rowError is a problem with one line of the file, as an *postmortem.Error
// whose message says where.
func (im *peopleImport) rowError(code string, line int, field, msg string) {
	im.errs = append(im.errs, &postmortem.Error{Code: code,
		Message: fmt.Sprintf("%s:%d: %s: %s", im.file, line, field, msg)})
}

// run reads the file; problems with its content go to im.errs, and only
// store failures are returned.
func (im *peopleImport) run(ctx context.Context, r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		im.rowError(postmortem.EInvalid, 1, "header", "the file is empty; the first line must name the columns: "+strings.Join(PeopleCSVColumns, ","))
		return nil
	}
	if err != nil {
		im.csvError(err)
		return nil
	}
	if !im.readHeader(header) {
		return nil
	}
	for len(im.errs) < maxCSVErrors {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			im.csvError(err)
			return nil
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			im.rowError(postmortem.EInvalid, line, "row", fmt.Sprintf("%d fields, but the header has %d", len(rec), len(header)))
			continue
		}
		if err := im.row(ctx, rec, func(field string) int {
			l, _ := cr.FieldPos(im.cols[field])
			return l
		}); err != nil {
			return err
		}
	}
	return nil
}

func (im *peopleImport) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		im.rowError(postmortem.EInvalid, pe.Line, "row", pe.Err.Error())
		return
	}
	im.rowError(postmortem.EInvalid, 1, "row", err.Error())
}

// readHeader maps the header's columns and reports whether it is usable.
func (im *peopleImport) readHeader(header []string) bool {
	im.cols = map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := im.cols[h]; dup {
			im.rowError(postmortem.EInvalid, 1, "header", fmt.Sprintf("column %q appears twice", h))
		} else if !slices.Contains(PeopleCSVColumns, h) {
			im.rowError(postmortem.EInvalid, 1, "header", fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(PeopleCSVColumns, ",")))
		}
		im.cols[h] = i
	}
	if _, ok := im.cols["name"]; !ok && len(im.errs) == 0 {
		im.rowError(postmortem.EInvalid, 1, "header", "there is no name column")
	}
	return len(im.errs) == 0
}

// row adds or updates the person of one record; lineOf gives the line a
// column's field starts on.
func (im *peopleImport) row(ctx context.Context, rec []string, lineOf func(string) int) error {
	get := func(col string) (string, bool) {
		i, ok := im.cols[col]
		if !ok {
			return "", false
		}
		return strings.TrimSpace(rec[i]), true
	}
	name, _ := get("name")
	email, _ := get("email")

	var m postmortem.Member
	matchedBy := "name"
	cur, err := personByEmail(ctx, im.tx, email)
	if err == nil {
		matchedBy = "email"
	} else if errors.Is(err, sql.ErrNoRows) {
		cur, err = personByKey(ctx, im.tx, NameKey(name))
	}
	switch {
	case err == nil:
		m = *cur
		m.Aliases = slices.Clone(cur.Aliases)
	case errors.Is(err, sql.ErrNoRows):
		m.Active = true
		cur = nil
	default:
		return err
	}
	if cur != nil {
		if first, ok := im.seen[cur.ID]; ok {
			im.rowError(postmortem.EInvalid, lineOf(matchedBy), matchedBy, fmt.Sprintf("the same person as line %d", first))
			return nil
		}
	}

	for _, f := range []struct {
		col string
		dst *string
	}{{"name", &m.Name}, {"email", &m.Email}, {"slack_id", &m.SlackID}, {"jira_account_id", &m.JiraAccountID},
		{"jira_username", &m.JiraUsername}, {"team", &m.Team}, {"manager_email", &m.ManagerEmail}, {"timezone", &m.Timezone}} {
		if v, ok := get(f.col); ok {
			*f.dst = v
		}
	}
	if v, ok := get("aliases"); ok {
		m.Aliases = strings.Split(v, ";")
	}
	if v, ok := get("active"); ok {
		switch strings.ToLower(v) {
		case "", "true":
			m.Active = true
		case "false":
			m.Active = false
		default:
			im.rowError(postmortem.EInvalid, lineOf("active"), "active", "must be true, false or empty (true)")
			return nil
		}
	}

	if _, err := tidyPerson(&m); err != nil {
		return im.fieldError(err, lineOf)
	}
	if cur != nil && samePerson(cur, &m) {
		im.seen[cur.ID] = lineOf("name")
		return nil
	}
	if cur == nil {
		err = createPerson(ctx, im.tx, &m, im.now)
	} else {
		err = updatePerson(ctx, im.tx, &m, im.now)
	}
	if err != nil {
		return im.fieldError(err, lineOf)
	}
	im.seen[m.ID] = lineOf("name")
	if cur == nil {
		im.created++
	} else {
		im.updated++
	}
	return nil
}

// fieldError records err, when it is about a field, as a row error and
// returns nil; anything else it returns.
func (im *peopleImport) fieldError(err error, lineOf func(string) int) error {
	var pe *postmortem.Error
	if !errors.As(err, &pe) || pe.Field == "" {
		return err
	}
	im.rowError(pe.Code, lineOf(pe.Field), pe.Field, pe.Message)
	return nil
}

// samePerson reports whether b changes none of a's fields.
func samePerson(a, b *postmortem.Member) bool {
	return a.Name == b.Name && slices.Equal(a.Aliases, b.Aliases) && a.Email == b.Email && a.SlackID == b.SlackID &&
		a.JiraAccountID == b.JiraAccountID && a.JiraUsername == b.JiraUsername && a.Team == b.Team &&
		a.ManagerEmail == b.ManagerEmail && a.Timezone == b.Timezone && a.Active == b.Active
}

// ExportPeopleCSV writes everyone in the directory, by name, as CSV with
// the PeopleCSVColumns header: a file ImportPeopleCSV reads back without
// creating or changing anyone.
func (d *DB) ExportPeopleCSV(ctx context.Context, w io.Writer) error {
	people, err := d.ListPeople(ctx)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(PeopleCSVColumns)
	for _, m := range people {
		cw.Write([]string{m.Name, strings.Join(m.Aliases, ";"), m.Email, m.SlackID, m.JiraAccountID,
			m.JiraUsername, m.Team, m.ManagerEmail, m.Timezone, strconv.FormatBool(m.Active)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write people CSV: %w", err)
	}
	return nil
}
