package markdown

import "github.com/hindsight-dev/hindsight/internal/postmortem"

// Render writes p as canonical Markdown that Parse reads back to the same
// structured fields.
func Render(p *postmortem.Postmortem) []byte {
	return []byte("# " + p.Title + "\n")
}
