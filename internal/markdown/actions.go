package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// statusWords map what documents write to the contract's statuses.
var statusWords = map[string]string{
	"x": postmortem.StatusDone, "done": postmortem.StatusDone, "complete": postmortem.StatusDone,
	"completed": postmortem.StatusDone, "fixed": postmortem.StatusDone, "resolved": postmortem.StatusDone,
	"closed": postmortem.StatusDone, "finished": postmortem.StatusDone, "shipped": postmortem.StatusDone,
	"merged": postmortem.StatusDone, "✅": postmortem.StatusDone, "✔": postmortem.StatusDone,
	"in progress": postmortem.StatusInProgress, "in-progress": postmortem.StatusInProgress,
	"inprogress": postmortem.StatusInProgress, "in_progress": postmortem.StatusInProgress,
	"ongoing": postmortem.StatusInProgress, "wip": postmortem.StatusInProgress,
	"started": postmortem.StatusInProgress, "in review": postmortem.StatusInProgress,
	"doing": postmortem.StatusInProgress, "underway": postmortem.StatusInProgress,
	"won't do": postmortem.StatusWontDo, "wont do": postmortem.StatusWontDo, "wont_do": postmortem.StatusWontDo,
	"won't fix": postmortem.StatusWontDo, "wont fix": postmortem.StatusWontDo,
	"will not do": postmortem.StatusWontDo, "will not fix": postmortem.StatusWontDo,
	"dropped": postmortem.StatusWontDo, "cancelled": postmortem.StatusWontDo,
	"canceled": postmortem.StatusWontDo, "not planned": postmortem.StatusWontDo,
	"rejected": postmortem.StatusWontDo, "obsolete": postmortem.StatusWontDo,
	"open": postmortem.StatusOpen, "todo": postmortem.StatusOpen, "to do": postmortem.StatusOpen,
	"new": postmortem.StatusOpen, "not started": postmortem.StatusOpen, "planned": postmortem.StatusOpen,
	"backlog": postmortem.StatusOpen, "pending": postmortem.StatusOpen,
}

// statusOf reads a status cell or note; ok is false when it says nothing
// the table knows.
func statusOf(s string) (string, bool) {
	k := strings.ToLower(collapse(strings.Trim(stripInline(s), " .!()[]")))
	k = strings.ReplaceAll(k, "’", "'")
	st, ok := statusWords[k]
	return st, ok
}

// column roles in an action table.
const (
	colText = iota + 1
	colOwner
	colStatus
	colJira
	colDue
	colOther
)

func columnRole(h string) int {
	k, _ := normHeading(h)
	switch {
	case k == "":
		return 0
	case strings.Contains(k, "owner") || k == "assignee" || k == "assigned to" || k == "who" || k == "responsible":
		return colOwner
	case k == "status" || k == "state" || k == "done?" || k == "done":
		return colStatus
	case k == "bug" || k == "jira" || k == "ticket" || k == "issue" || k == "tracking" || k == "link" ||
		strings.HasPrefix(k, "jira ") || k == "ticket id" || k == "bug id" || k == "key":
		return colJira
	case k == "due" || k == "due date" || k == "deadline" || k == "by" || k == "target date" || k == "eta":
		return colDue
	case strings.HasPrefix(k, "action") || k == "item" || k == "task" || k == "description" || k == "what" ||
		k == "follow-up" || k == "follow up" || k == "remediation":
		return colText
	case k == "priority" || k == "type" || k == "comments" || k == "comment" || k == "notes" || k == "#":
		return colOther
	}
	return 0
}

// actions reads a section of action items.
func (d *doc) actions(s *section) (notes []string) {
	var textCells []*block
	for i := 0; i < len(s.blocks); i++ {
		b := s.blocks[i]
		switch b.kind {
		case bTable:
			d.actionTable(b.rows)
		case bItem:
			d.actionItem(b)
		case bPara:
			if !d.markdown {
				textCells = append(textCells, b)
				continue
			}
			t := b.text()
			if strings.HasSuffix(t, ":") {
				notes = append(notes, t)
				continue
			}
			d.actionFromText(t, b.start, -1)
		case bBlank:
			if len(textCells) > 0 {
				textCells = append(textCells, b)
			}
		case bHeading, bCode:
			if d.markdown && b.kind == bCode && len(d.p.ActionItems) > 0 {
				continue
			}
		}
	}
	if len(textCells) > 0 {
		notes = append(notes, d.flatActions(textCells)...)
	}
	d.flushItem()
	return notes
}

// actionTable reads a pipe table. Rows may be ragged: a missing cell is
// empty and a surplus cell still belongs to its row.
func (d *doc) actionTable(rows []row) {
	roles := []int{}
	if len(rows) > 0 {
		header := len(rows) > 1 && rows[1].sep
		if !header {
			header = true
			for _, c := range rows[0].cells {
				if columnRole(c) == 0 {
					header = false
				}
			}
		}
		if header {
			for _, c := range rows[0].cells {
				roles = append(roles, columnRole(c))
			}
			rows = rows[1:]
		}
	}
	if !hasRole(roles, colText) {
		if len(roles) == 0 {
			roles = []int{colText, colOwner, colStatus}
		} else {
			roles[0] = colText
		}
	}
	for _, r := range rows {
		if r.sep || strings.TrimSpace(strings.Join(r.cells, "")) == "" {
			continue
		}
		d.actionRow(r.cells, roles, r.line)
	}
}

func hasRole(roles []int, want int) bool {
	for _, r := range roles {
		if r == want {
			return true
		}
	}
	return false
}

// actionRow builds one item from a row's cells and their roles.
func (d *doc) actionRow(cells []string, roles []int, line int) {
	it := postmortem.ActionItem{Status: postmortem.StatusOpen, Line: line}
	var ownerCell, statusCell, jiraCell, dueCell string
	statusSet := false
	text := ""
	for i, c := range cells {
		role := colOther
		if i < len(roles) {
			role = roles[i]
		}
		switch role {
		case colText:
			if text == "" {
				text = c
			}
		case colOwner:
			ownerCell = c
		case colStatus:
			statusCell = c
		case colJira:
			jiraCell = c
		case colDue:
			dueCell = c
		default:
			if st, ok := statusOf(c); ok && st != postmortem.StatusOpen && !statusSet {
				it.Status, statusSet = st, true
			}
		}
	}
	if text == "" {
		for _, c := range cells {
			if c != "" {
				text = c
				break
			}
		}
	}
	it.Text = collapse(text)
	if st, ok := statusOf(statusCell); ok {
		it.Status, statusSet = st, true
	}
	owners, ownerStatus := ownerCellPeople(ownerCell)
	if ownerStatus != "" && !statusSet {
		it.Status, statusSet = ownerStatus, true
	}
	if !statusSet {
		if st, ok := noteStatus(text); ok {
			it.Status = st
		}
	}
	setOwners(&it, owners)
	keys := jiraKeys(jiraCell)
	for _, c := range cells {
		keys = append(keys, jiraKeys(c)...)
	}
	setKeys(&it, keys)
	if dueCell != "" {
		it.Due = d.dueDate(dueCell)
	}
	d.addItem(it)
}

// ownerCellPeople reads an owner cell: people, and a status word written
// after them ("@Name DONE").
func ownerCellPeople(c string) ([]postmortem.Person, string) {
	c = strings.TrimSpace(stripInline(c))
	if c == "" {
		return nil, ""
	}
	if st, ok := statusOf(c); ok {
		return nil, st
	}
	status := ""
	fields := strings.Fields(c)
	for n := 2; n >= 1; n-- {
		if len(fields) > n {
			tail := strings.Join(fields[len(fields)-n:], " ")
			if st, ok := statusOf(tail); ok && (tail == strings.ToUpper(tail) || n == 2 || strings.HasPrefix(tail, "(")) {
				status = st
				c = strings.Join(fields[:len(fields)-n], " ")
				break
			}
		}
	}
	ps, _ := people(c)
	return ps, status
}

func setOwners(it *postmortem.ActionItem, owners []postmortem.Person) {
	if len(owners) == 0 {
		return
	}
	o := owners[0]
	it.Owner = &o
	if len(owners) > 1 {
		it.Owners = owners
	}
}

func setKeys(it *postmortem.ActionItem, keys []string) {
	seen := map[string]bool{}
	var uniq []string
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
		}
	}
	if len(uniq) > 0 {
		it.JiraKey = uniq[0]
	}
	if len(uniq) > 1 {
		it.JiraKeys = uniq
	}
}

// actionItem reads a list item; a nested item without a checkbox belongs
// to the item above it.
func (d *doc) actionItem(b *block) {
	text := b.text()
	if b.level > 0 && b.task < 0 && len(d.p.ActionItems) > 0 {
		d.itemMore = append(d.itemMore, text)
		return
	}
	d.flushItem()
	d.actionFromText(text, b.start, b.task)
}

// actionFromText reads an item written as prose: owner as @handle or
// "Owner: Name", status from a checkbox or a note, Jira keys from links
// or the text.
func (d *doc) actionFromText(text string, line int, task int8) {
	it := postmortem.ActionItem{Status: postmortem.StatusOpen, Line: line}
	body, ownerName := ownerTail(text)
	var owners []postmortem.Person
	if ownerName != "" {
		for _, k := range jiraKeys(ownerName) {
			ownerName = strings.ReplaceAll(ownerName, k, "")
		}
		owners, _ = people(ownerName)
	} else {
		owners = handles(body)
	}
	it.Text = collapse(body)
	switch task {
	case 1:
		it.Status = postmortem.StatusDone
	default:
		if st, ok := noteStatus(text); ok {
			it.Status = st
		}
	}
	setOwners(&it, owners)
	setKeys(&it, jiraKeys(text))
	if due := dueIn(text); due != "" {
		it.Due = d.dueDate(due)
	}
	d.addItem(it)
}

// flushItem joins text gathered from nested items to the last item.
func (d *doc) flushItem() {
	if len(d.itemMore) == 0 || len(d.p.ActionItems) == 0 {
		d.itemMore = d.itemMore[:0]
		return
	}
	last := &d.p.ActionItems[len(d.p.ActionItems)-1]
	last.Text = collapse(last.Text + " " + strings.Join(d.itemMore, " "))
	d.itemMore = d.itemMore[:0]
}

// addItem appends an item, warning when it names no owner.
func (d *doc) addItem(it postmortem.ActionItem) {
	d.flushItem()
	if it.Text == "" && it.Owner == nil && it.JiraKey == "" {
		return
	}
	if it.Owner == nil {
		d.p.Warnf(it.Line, "action item has no owner")
	}
	d.p.ActionItems = append(d.p.ActionItems, it)
}

// ownerTail splits "text — Owner: Name" or "text (owner: Name)".
func ownerTail(text string) (string, string) {
	lower := strings.ToLower(text)
	for _, key := range []string{"owner:", "owners:", "owned by:", "assignee:", "assigned to:"} {
		i := strings.LastIndex(lower, key)
		if i < 0 {
			continue
		}
		name := strings.TrimSpace(text[i+len(key):])
		body := strings.TrimSpace(text[:i])
		if strings.HasSuffix(body, "(") {
			body = strings.TrimSpace(strings.TrimSuffix(body, "("))
			if j := strings.IndexByte(name, ')'); j >= 0 {
				rest := strings.TrimSpace(name[j+1:])
				name = name[:j]
				if rest != "" {
					body += " " + rest
				}
			}
		}
		body = strings.TrimSpace(strings.TrimRight(body, "—–-,;| "))
		if name != "" && body != "" {
			return body, name
		}
	}
	return text, ""
}

// handles finds @handles in prose: a handle ends at whitespace, a comma or
// a bracket. A wiki mention of a full name ends the text ("… @First Last").
func handles(text string) []postmortem.Person {
	var out []postmortem.Person
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || (i > 0 && (isLetter(text[i-1]) || isDigit(text[i-1]))) {
			continue
		}
		j := i + 1
		for j < len(text) && !strings.ContainsRune(" \t,;()[]{}<>\"'`*", rune(text[j])) {
			j++
		}
		name := strings.TrimRight(text[i+1:j], ".:!?")
		if name == "" {
			continue
		}
		// "@First Last" at the very end, or before an account note.
		rest := text[j:]
		ahead := rest
		if len(ahead) > 60 {
			ahead = ahead[:60] + " x x x"
		}
		if w := strings.Fields(ahead); len(w) == 1 || len(w) == 2 && strings.HasPrefix(w[1], "(") {
			if w[0][0] >= 'A' && w[0][0] <= 'Z' && name[0] >= 'A' && name[0] <= 'Z' && isLetter(w[0][len(w[0])-1]) {
				name += " " + w[0]
				j += strings.Index(rest, w[0]) + len(w[0])
				rest = text[j:]
			}
		}
		p, ok := person(name + annotationAhead(ahead))
		if ok {
			out = append(out, p)
		}
		i = j - 1
	}
	return out
}

// annotationAhead returns " (Deactivated)" when rest starts with one.
func annotationAhead(rest string) string {
	t := strings.TrimSpace(rest)
	if strings.HasPrefix(t, "(") {
		if j := strings.IndexByte(t, ')'); j > 0 && accountStates[strings.ToLower(t[1:j])] {
			return " " + t[:j+1]
		}
	}
	return ""
}

// noteStatus finds a status written as a note in an item: "(in progress)",
// "[done]", "DONE:" in front, "– done" at the end.
func noteStatus(text string) (string, bool) {
	for _, br := range [][2]string{{"(", ")"}, {"[", "]"}} {
		from := 0
		for {
			i := strings.Index(text[from:], br[0])
			if i < 0 {
				break
			}
			i += from
			j := strings.Index(text[i:], br[1])
			if j < 0 {
				break
			}
			if j < 20 {
				if st, ok := statusOf(text[i+1 : i+j]); ok {
					return st, true
				}
			}
			from = i + j
		}
	}
	t := strings.TrimSpace(stripInline(text))
	if i := strings.IndexAny(t, ":-–"); i > 0 && i < 14 {
		if st, ok := statusOf(t[:i]); ok && t[:i] == strings.ToUpper(t[:i]) {
			return st, true
		}
	}
	for _, sep := range []string{" - ", " – ", " — "} {
		if i := strings.LastIndex(t, sep); i > 0 {
			if st, ok := statusOf(t[i+len(sep):]); ok {
				return st, true
			}
		}
	}
	return "", false
}

// dueIn finds "due 2024-05-01", "due: 1 May 2024" or "by 2024-05-01".
func dueIn(text string) string {
	lower := strings.ToLower(text)
	for _, key := range []string{"due:", "due by", "due ", "deadline:", " by "} {
		i := strings.Index(lower, key)
		if i < 0 {
			continue
		}
		rest := strings.TrimSpace(text[i+len(key):])
		if _, start, end, _, ok := findDate(rest, dateOrder{dayFirst: true}); ok && start == 0 {
			return rest[:end]
		}
	}
	return ""
}

// dueDate reads a due date as ISO, or keeps what was written.
func (d *doc) dueDate(s string) string {
	s = strings.TrimSpace(stripInline(s))
	if t, _, _, _, ok := findDate(s, d.dates); ok && t.valid() {
		return t.iso()
	}
	return s
}

// jiraKeys finds issue keys in s: keys in /browse/ links first, then bare
// keys. Tokens of the same shape that are not issues (UTF-8, SHA-256,
// CVE ids) are skipped.
func jiraKeys(s string) []string {
	var linked, bare []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'A' || c > 'Z' || (i > 0 && (isLetter(s[i-1]) || isDigit(s[i-1]) || s[i-1] == '-' || s[i-1] == '_')) {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || isDigit(s[j])) {
			j++
		}
		if j-i < 2 || j >= len(s) || s[j] != '-' {
			continue
		}
		_, n := digits(s[j+1:], 12)
		if n == 0 {
			continue
		}
		e := j + 1 + n
		if e < len(s) && (isLetter(s[e]) || s[e] == '_' || s[e] == '-' && e+1 < len(s) && isDigit(s[e+1])) {
			continue
		}
		key := s[i:e]
		if notIssue[s[i:j]] {
			i = e - 1
			continue
		}
		if strings.HasSuffix(s[:i], "/browse/") || strings.HasSuffix(s[:i], "selectedIssue=") {
			linked = append(linked, key)
		} else {
			bare = append(bare, key)
		}
		i = e - 1
	}
	return append(linked, bare...)
}

// notIssue are prefixes of tokens shaped like issue keys that are not.
var notIssue = map[string]bool{
	"UTF": true, "SHA": true, "ISO": true, "CVE": true, "RFC": true, "TLS": true, "SSL": true,
	"HTTP": true, "AES": true, "RSA": true, "MD": true, "CWE": true, "GHSA": true, "COVID": true,
	"IPV": true, "UTC": true, "GMT": true, "IEEE": true, "PEP": true, "ECMA": true, "SEV": true,
	"TCP": true, "UDP": true, "WCAG": true, "ES": true, "PR": true, "P": true, "CR": true,
	"CHG": true, "CRQ": true, "RITM": true, "INC": true, "PCI": true, "SOC": true, "GPT": true,
}

// flatActions rebuilds a table flattened to one cell per line: the header
// cells come first, one per line, then the rows' cells, a blank line being
// an empty cell. Without a header, each line is one item.
func (d *doc) flatActions(blocks []*block) (notes []string) {
	for len(blocks) > 0 && blocks[len(blocks)-1].kind == bBlank {
		blocks = blocks[:len(blocks)-1]
	}
	var roles []int
	i := 0
	for i < len(blocks) && blocks[i].kind == bPara {
		r := columnRole(blocks[i].text())
		if r == 0 || r == colOther && len(roles) == 0 {
			break
		}
		roles = append(roles, r)
		i++
	}
	if len(roles) >= 2 && hasRole(roles, colText) {
		cells := blocks[i:]
		w := len(roles)
		if len(cells)%w != 0 {
			d.p.Warnf(cells[0].start, "flattened action table has %d cells, not a multiple of its %d columns; rows may be misread", len(cells), w)
		}
		for k := 0; k < len(cells); k += w {
			var row []string
			for c := k; c < k+w && c < len(cells); c++ {
				row = append(row, cells[c].text())
			}
			d.actionRow(row, roles, cells[k].start)
		}
		return nil
	}
	// One item per line; a line that continues a sentence joins the one before.
	var cur *block
	var parts []string
	flush := func() {
		if cur != nil {
			d.actionFromText(joinSpace(parts), cur.start, -1)
		}
		cur, parts = nil, nil
	}
	for _, b := range blocks {
		if b.kind != bPara {
			continue
		}
		t := b.text()
		if cur != nil && continues(parts[len(parts)-1], t) {
			parts = append(parts, t)
			continue
		}
		flush()
		cur, parts = b, []string{t}
	}
	flush()
	return nil
}

// continues reports whether line next continues the sentence in prev, as
// happens when a rendering prints inline code on a line of its own.
func continues(prev, next string) bool {
	if next == "" || prev == "" {
		return false
	}
	last := prev[len(prev)-1]
	if strings.ContainsRune(".!?:;)", rune(last)) {
		return false
	}
	c := next[0]
	return c >= 'a' && c <= 'z' || !strings.Contains(prev, " ") || !strings.Contains(next, " ")
}
