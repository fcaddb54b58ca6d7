package slack

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Format renders digests: Block Kit for Slack, and plain text for the
// message's fallback, for `hindsight nudge --dry-run` and for people
// reading the message where blocks do not show.
type Format struct {
	BaseURL string // Hindsight's address; links are left out when empty
	JiraURL string // the Jira site issue keys link to; "" for none
}

// Limits of what one message shows. Slack allows 50 blocks (each item
// takes two) and about 4,000 characters of fallback text.
const (
	maxLines     = 20
	maxItemText  = 400
	maxTextChars = 3800
)

// Text is d as plain text.
func (f Format) Text(d postmortem.Digest) string {
	var b strings.Builder
	b.WriteString(greeting(d))
	b.WriteString("\n")
	n := 0
	write := func(lines []postmortem.DigestLine) {
		for _, l := range lines {
			n++
			it := l.Item
			fmt.Fprintf(&b, "\n%d. %s\n", n, clip(it.Text, maxItemText))
			fmt.Fprintf(&b, "   Postmortem: %s", it.PostmortemTitle)
			if u := f.postmortemURL(it); u != "" {
				fmt.Fprintf(&b, " (%s)", u)
			}
			b.WriteString("\n")
			if it.JiraKey != "" {
				fmt.Fprintf(&b, "   Jira: %s", it.JiraKey)
				if it.JiraStatus != "" {
					fmt.Fprintf(&b, ", %s", it.JiraStatus)
				}
				if u := f.jiraURL(it.JiraKey); u != "" {
					fmt.Fprintf(&b, " (%s)", u)
				}
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "   %s old, %s\n", Age(it, d.Now), Due(it, d.Now))
			if l.Reason != "" {
				fmt.Fprintf(&b, "   Owner: %s. Why you see it: %s\n", ownerName(it), l.Why)
			}
			if l.Outcome != "" {
				fmt.Fprintf(&b, "   %s\n", l.Outcome)
			}
		}
	}
	write(d.Own)
	if len(d.Escalated) > 0 {
		if len(d.Own) > 0 {
			fmt.Fprintf(&b, "\nEscalated to you (%d):\n", len(d.Escalated))
		}
		write(d.Escalated)
	}
	if n == 0 {
		b.WriteString("\nNothing is open.\n")
	}
	s := b.String()
	if len(s) > maxTextChars {
		cut := strings.LastIndex(s[:maxTextChars], "\n")
		s = s[:cut] + "\n… and more: see Hindsight.\n"
	}
	return s
}

// greeting is the first line of a digest.
func greeting(d postmortem.Digest) string {
	own, esc := len(d.Own), len(d.Escalated)
	switch {
	case d.Channel:
		return fmt.Sprintf("%s need someone to act: their owners have left, cannot be reached or have not acted on them.",
			count(esc, "action item", "action items"))
	case own > 0:
		return fmt.Sprintf("Hi %s, you have %s from postmortems, oldest first.", firstName(d.Name), count(own, "open action item", "open action items"))
	case esc > 0:
		return fmt.Sprintf("Hi %s, %s escalated to you: their owners have left, cannot be reached or have not acted on them.",
			firstName(d.Name), count(esc, "action item is", "action items are"))
	}
	return fmt.Sprintf("Hi %s, you have no open action items.", firstName(d.Name))
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func firstName(name string) string {
	if f, _, ok := strings.Cut(strings.TrimSpace(name), " "); ok {
		return f
	}
	if name == "" {
		return "there"
	}
	return name
}

func ownerName(it postmortem.Item) string {
	switch {
	case it.Member != nil:
		return it.Member.Name
	case it.Owner != nil && it.Owner.Annotation != "":
		return it.Owner.Name + " (" + it.Owner.Annotation + ")"
	case it.Owner != nil:
		return it.Owner.Name
	}
	return "nobody"
}

// Age says how old an item is, roughly: days, weeks, months or years.
func Age(it postmortem.Item, now time.Time) string {
	days := int(it.Age(now).Hours() / 24)
	switch {
	case days < 1:
		return "less than a day"
	case days < 14:
		return count(days, "day", "days")
	case days < 61:
		return count(days/7, "week", "weeks")
	case days < 730:
		return count(days/30, "month", "months")
	}
	return count(days/365, "year", "years")
}

// Due says when an item is due: "overdue by 3 days", "due 2026-12-01" or
// "no due date".
func Due(it postmortem.Item, now time.Time) string {
	if it.Due == "" {
		return "no due date"
	}
	due, err := time.Parse("2006-01-02", it.Due)
	if err != nil {
		return "due " + it.Due
	}
	if it.Overdue(now) {
		return "overdue by " + count(int(now.Sub(due).Hours()/24), "day", "days")
	}
	return "due " + it.Due
}

// Blocks is d as Block Kit: a greeting, then per item a section and
// either the Done, Snooze and Not mine buttons or, once one was pressed,
// what happened. Past maxLines items the rest are summed up with a link.
func (f Format) Blocks(d postmortem.Digest) []slackapi.Block {
	blocks := []slackapi.Block{section(escape(greeting(d)))}
	shown := 0
	add := func(lines []postmortem.DigestLine) {
		for _, l := range lines {
			if shown == maxLines {
				return
			}
			shown++
			blocks = append(blocks, section(f.lineMarkdown(l, d.Now)))
			id := strconv.FormatInt(l.Item.ID, 10)
			if l.Outcome != "" {
				blocks = append(blocks, slackapi.NewContextBlock("done:"+id,
					slackapi.NewTextBlockObject(slackapi.MarkdownType, escape(l.Outcome), false, false)))
				continue
			}
			blocks = append(blocks, slackapi.NewActionBlock("item:"+id,
				slackapi.NewButtonBlockElement(postmortem.ActionDone, id, plain("Done")).WithStyle(slackapi.StylePrimary),
				slackapi.NewButtonBlockElement(postmortem.ActionSnooze, id, plain("Snooze 1 week")),
				slackapi.NewButtonBlockElement(postmortem.ActionNotMine, id, plain("Not mine"))))
		}
	}
	add(d.Own)
	if len(d.Escalated) > 0 && len(d.Own) > 0 && shown < maxLines {
		blocks = append(blocks, slackapi.NewDividerBlock(),
			section(fmt.Sprintf("*Escalated to you (%d)*", len(d.Escalated))))
	}
	add(d.Escalated)
	if rest := len(d.Own) + len(d.Escalated) - shown; rest > 0 {
		more := fmt.Sprintf("… and %d more.", rest)
		if f.BaseURL != "" {
			more += " " + link(strings.TrimRight(f.BaseURL, "/")+"/actions", "See them all in Hindsight")
		}
		blocks = append(blocks, slackapi.NewContextBlock("more",
			slackapi.NewTextBlockObject(slackapi.MarkdownType, more, false, false)))
	}
	return blocks
}

// lineMarkdown is one item as mrkdwn.
func (f Format) lineMarkdown(l postmortem.DigestLine, now time.Time) string {
	it := l.Item
	var b strings.Builder
	text := escape(clip(it.Text, maxItemText))
	if u := f.itemURL(it); u != "" {
		text = link(u, clip(it.Text, maxItemText))
	}
	fmt.Fprintf(&b, "*%s*\n", text)
	from := escape(it.PostmortemTitle)
	if u := f.postmortemURL(it); u != "" {
		from = link(u, it.PostmortemTitle)
	}
	fmt.Fprintf(&b, "From %s", from)
	if it.JiraKey != "" {
		key := escape(it.JiraKey)
		if u := f.jiraURL(it.JiraKey); u != "" {
			key = link(u, it.JiraKey)
		}
		b.WriteString(" · Jira " + key)
		if it.JiraStatus != "" {
			b.WriteString(" (" + escape(it.JiraStatus) + ")")
		}
	}
	due := Due(it, now)
	if strings.HasPrefix(due, "overdue") {
		due = "*" + due + "*"
	}
	fmt.Fprintf(&b, " · %s old · %s", Age(it, now), due)
	if l.Reason != "" {
		fmt.Fprintf(&b, "\nOwner: %s. _%s_", escape(ownerName(it)), escape(l.Why))
	}
	return b.String()
}

func (f Format) itemURL(it postmortem.Item) string {
	if f.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(f.BaseURL, "/") + "/actions/" + strconv.FormatInt(it.ID, 10)
}

func (f Format) postmortemURL(it postmortem.Item) string {
	if f.BaseURL == "" || it.PostmortemID == "" {
		return ""
	}
	return strings.TrimRight(f.BaseURL, "/") + "/incidents/" + url.PathEscape(it.PostmortemID)
}

func (f Format) jiraURL(key string) string {
	if f.JiraURL == "" {
		return ""
	}
	return strings.TrimRight(f.JiraURL, "/") + "/browse/" + url.PathEscape(key)
}

func section(markdown string) *slackapi.SectionBlock {
	return slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, markdown, false, false), nil, nil)
}

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
}

// escape makes text safe inside mrkdwn: Slack reads &, < and > as markup.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// link is a mrkdwn link; the label may not hold a "|".
func link(u, label string) string {
	return "<" + escape(u) + "|" + strings.ReplaceAll(escape(label), "|", "¦") + ">"
}

// clip shortens s to at most n characters, marking the cut.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
