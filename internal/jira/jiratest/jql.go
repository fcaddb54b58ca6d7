package jiratest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// clause is one condition of the JQL subset the fake understands:
//
//	key in ("A-1", B-2)   key = A-1   labels = x   project = P
//	updated >= "2006-01-02 15:04" | "2006/01/02 15:04" | -15m
//
// joined with AND; ORDER BY is accepted and ignored.
type clause struct {
	field, op string
	values    []string
}

type query []clause

var tokenRE = regexp.MustCompile(`\s*("(?:[^"\\]|\\.)*"|\(|\)|,|>=|!=|=|[^\s(),="!>]+)`)

func tokenize(s string) ([]string, error) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		m := tokenRE.FindStringSubmatchIndex(s)
		if m == nil || m[0] != 0 {
			return nil, fmt.Errorf("Error in the JQL Query: unexpected character at %q.", s)
		}
		out = append(out, s[m[2]:m[3]])
		s = s[m[1]:]
	}
	return out, nil
}

func unquote(tok string) string {
	if strings.HasPrefix(tok, `"`) {
		if u, err := strconv.Unquote(tok); err == nil {
			return u
		}
		return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(tok[1 : len(tok)-1])
	}
	return tok
}

// parseJQL parses the subset; an error's text is what Jira would say.
func parseJQL(s string) (query, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	var q query
	i := 0
	next := func() string {
		if i >= len(toks) {
			return ""
		}
		i++
		return toks[i-1]
	}
	for i < len(toks) {
		field := strings.ToLower(next())
		if field == "order" {
			break // ORDER BY …: the fake's order is by id
		}
		switch field {
		case "key", "issuekey", "labels", "project", "updated":
		default:
			return nil, fmt.Errorf("Field '%s' does not exist or you do not have permission to view it.", field)
		}
		c := clause{field: field, op: strings.ToLower(next())}
		switch c.op {
		case "=", ">=":
			v := next()
			if v == "" {
				return nil, fmt.Errorf("Error in the JQL Query: Expecting a value after '%s'.", c.op)
			}
			c.values = []string{unquote(v)}
		case "in":
			if next() != "(" {
				return nil, fmt.Errorf("Error in the JQL Query: Expecting '(' after 'in'.")
			}
			for {
				v := next()
				if v == "" {
					return nil, fmt.Errorf("Error in the JQL Query: Expecting ')'.")
				}
				c.values = append(c.values, unquote(v))
				if sep := next(); sep == ")" {
					break
				} else if sep != "," {
					return nil, fmt.Errorf("Error in the JQL Query: Expecting ',' or ')' but got '%s'.", sep)
				}
			}
		default:
			return nil, fmt.Errorf("Error in the JQL Query: The operator '%s' is not supported by the '%s' field.", c.op, field)
		}
		if c.field == "updated" && c.op != ">=" || c.field != "updated" && c.op == ">=" {
			return nil, fmt.Errorf("Error in the JQL Query: The operator '%s' is not supported by the '%s' field.", c.op, field)
		}
		if c.field == "issuekey" {
			c.field = "key"
		}
		q = append(q, c)
		if i < len(toks) {
			switch strings.ToLower(next()) {
			case "and":
			case "order":
				i = len(toks)
			default:
				return nil, fmt.Errorf("Error in the JQL Query: Expecting 'AND' or 'ORDER BY' but got '%s'.", toks[i-1])
			}
		}
	}
	if len(q) == 0 {
		return nil, fmt.Errorf("Error in the JQL Query: the query is empty.")
	}
	return q, nil
}

// since reads the value of an updated clause: a relative "-15m"/"-2h"/"-1d"
// or a date in the account's zone.
func since(v string, now time.Time, tz *time.Location) (time.Time, error) {
	if strings.HasPrefix(v, "-") && len(v) > 2 {
		n, err := strconv.Atoi(v[1 : len(v)-1])
		if err == nil {
			unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[v[len(v)-1]]
			if unit > 0 {
				return now.Add(-time.Duration(n) * unit), nil
			}
		}
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, v, tz); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("Date value '%s' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.", v)
}
