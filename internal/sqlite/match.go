package sqlite

import (
	"sort"
	"strings"
	"unicode"
)

// minSimilarity is the word-set Dice coefficient from which a changed item
// text still counts as the same item.
const minSimilarity = 0.5

// normalize lowercases text, turns everything but letters and digits into
// spaces and collapses runs of spaces, so that edits to case, punctuation
// and layout do not make an item new.
func normalize(text string) string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !isWordRune(r) })
	return strings.Join(f, " ")
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordSet returns the distinct words of normalised text.
func wordSet(norm string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(norm) {
		set[w] = true
	}
	return set
}

// dice is the Dice coefficient of two word sets: twice the shared words
// over the total, 0 when both are empty.
func dice(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	shared := 0
	for w := range a {
		if b[w] {
			shared++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}

// candidate is a possible pairing of a new item with a stored one.
type candidate struct {
	newIdx, oldIdx int
	exact          bool
	score          float64
	sameOwner      bool
	removed        bool
	posDiff        int
}

// better orders candidates for the greedy pass: exact text first, then
// higher similarity, the same owner, a live item over a removed one, the
// nearer position, and finally the older stored item and the earlier new
// item so the outcome never depends on map order.
func (c candidate) better(o candidate) bool {
	switch {
	case c.exact != o.exact:
		return c.exact
	case c.score != o.score:
		return c.score > o.score
	case c.sameOwner != o.sameOwner:
		return c.sameOwner
	case c.removed != o.removed:
		return !c.removed
	case c.posDiff != o.posDiff:
		return c.posDiff < o.posDiff
	case c.oldIdx != o.oldIdx:
		return c.oldIdx < o.oldIdx
	}
	return c.newIdx < o.newIdx
}

// matchItems pairs a document's new items with its stored ones (removed
// ones included, so an item that comes back is restored). It returns, for
// each new item, the index of its stored item or -1. Exact matches on
// normalised text are taken before fuzzy ones (word-set Dice coefficient
// of at least minSimilarity), each greedily by best candidate.
func matchItems(stored []storedItem, news []docItem) []int {
	oldNorm := make([]string, len(stored))
	oldWords := make([]map[string]bool, len(stored))
	for j, o := range stored {
		oldNorm[j] = normalize(o.text)
		oldWords[j] = wordSet(oldNorm[j])
	}
	var cands []candidate
	for i, n := range news {
		norm := normalize(n.text)
		words := wordSet(norm)
		for j, o := range stored {
			c := candidate{
				newIdx:    i,
				oldIdx:    j,
				exact:     norm == oldNorm[j],
				sameOwner: strings.EqualFold(strings.TrimSpace(n.owner), strings.TrimSpace(o.owner)),
				removed:   o.removed,
				posDiff:   abs(n.position - o.position),
			}
			if c.exact {
				c.score = 1
			} else {
				c.score = dice(words, oldWords[j])
				if c.score < minSimilarity {
					continue
				}
			}
			cands = append(cands, c)
		}
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].better(cands[b]) })

	match := make([]int, len(news))
	for i := range match {
		match[i] = -1
	}
	taken := make([]bool, len(stored))
	for _, c := range cands {
		if match[c.newIdx] >= 0 || taken[c.oldIdx] {
			continue
		}
		match[c.newIdx] = c.oldIdx
		taken[c.oldIdx] = true
	}
	return match
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
