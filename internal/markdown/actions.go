package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

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

// dueDate reads a due date as ISO, or keeps what was written.
func (d *doc) dueDate(s string) string {
	s = strings.TrimSpace(stripInline(s))
	if t, _, _, _, ok := findDate(s, d.dates); ok && t.valid() {
		return t.iso()
	}
	return s
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
