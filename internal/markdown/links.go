package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// addLink records a link once.
func (d *doc) addLink(label, url string) {
	for _, l := range d.p.Links {
		if l.URL == url {
			return
		}
	}
	d.p.Links = append(d.p.Links, postmortem.Link{Label: strings.TrimSpace(label), URL: url})
}

// linkSection reads a Links section: "- [label](url)" or "Label: url".
func (d *doc) linkSection(s *section) {
	for _, b := range s.blocks {
		for _, l := range b.lines {
			t := strings.TrimSpace(stripMarker(strings.TrimSpace(l)))
			if label, url, ok := linkLine(t); ok {
				d.addLink(label, url)
			} else if strings.HasPrefix(t, "[") && strings.HasSuffix(t, ")") && strings.Contains(t, "](") {
				i := strings.LastIndex(t, "](")
				d.addLink(t[1:i], t[i+2:len(t)-1])
			} else if strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://") {
				d.addLink(t, t)
			}
		}
	}
}

// inlineLinks records every [label](http…) and <http…> link in the text.
func (d *doc) inlineLinks() {
	if !d.markdown {
		return
	}
	s := d.text
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ']':
			if i+1 < len(s) && s[i+1] == '(' && strings.HasPrefix(s[i+2:], "http") {
				end := strings.IndexAny(s[i+2:min(len(s), i+2+2048)], ") \n")
				open := strings.LastIndexByte(s[max(0, i-200):i], '[')
				if open >= 0 {
					open += max(0, i-200)
				}
				if end > 0 && open >= 0 && i-open < 200 && !strings.ContainsRune(s[open:i], '\n') {
					d.addLink(stripInline(s[open+1:i]), s[i+2:i+2+end])
				}
			}
		case '<':
			if strings.HasPrefix(s[i+1:], "http") {
				end := strings.IndexAny(s[i+1:min(len(s), i+1+2048)], "> \n")
				if end > 0 && s[i+1+end] == '>' {
					u := s[i+1 : i+1+end]
					d.addLink(u, u)
				}
			}
		}
	}
}
