package corpus

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(300, 7), Generate(300, 7)
	if !slices.EqualFunc(a, b, sameFile) {
		t.Fatal("two runs with the same seed differ")
	}
	var streamed []File
	if err := Each(300, 7, func(f File) error {
		streamed = append(streamed, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(a, streamed, sameFile) {
		t.Fatal("Each and Generate differ")
	}
	if !slices.EqualFunc(Generate(100, 7), a[:100], sameFile) {
		t.Fatal("a smaller corpus is not a prefix of a larger one")
	}
	if c := Generate(300, 8); slices.EqualFunc(a, c, sameFile) {
		t.Fatal("different seeds give the same corpus")
	}
}

// TestGenerateIsStable pins the bytes of a small corpus, so that a change to
// the generator, or to anything it relies on, is a deliberate one: figures
// measured on different corpora do not compare.
func TestGenerateIsStable(t *testing.T) {
	h := sha256.New()
	for _, f := range Generate(200, 1) {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, len(f.Data))
		h.Write(f.Data)
	}
	const want = "83c1255ae4580b3997203538560e8d8241d36204daa771ef4a821171ff16b064"
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != want {
		t.Errorf("corpus for seed 1 changed: sha256 %s, want %s; if the change is intended, update want and say so in the commit", got, want)
	}
}

func TestFormatMix(t *testing.T) {
	const n = 4000
	want := map[string]int{"sre": pctSRE, "frontmatter": pctFrontMatter, "confluence": pctConfluence, "other": pctOther}
	got := map[string]int{}
	for _, f := range Generate(n, 3) {
		got[classify(f)]++
	}
	for format, pct := range want {
		share := 100 * float64(got[format]) / n
		if share < float64(pct)-3 || share > float64(pct)+3 {
			t.Errorf("%s: %.1f%% of documents, want %d%% ± 3", format, share, pct)
		}
	}
	if len(got) != len(want) {
		t.Errorf("formats found: %v", got)
	}
}

// classify tells the formats apart by their content alone.
func classify(f File) string {
	switch {
	case strings.HasSuffix(f.Name, ".txt"):
		return "confluence"
	case bytes.HasPrefix(f.Data, []byte("---\n")):
		return "frontmatter"
	case bytes.Contains(f.Data, []byte("| Time | Description |")) &&
		bytes.Contains(f.Data, []byte("| Action Item | Owner | Priority | Bug | Status |")):
		return "sre"
	}
	return "other"
}

var namePattern = regexp.MustCompile(`^(\d{4})/(\d{4})-\d{2}-\d{2}-[a-z0-9-]+\.(md|txt)$`)

func TestFilesLookReal(t *testing.T) {
	files := Generate(3000, 5)
	names := map[string]bool{}
	var sizes []int
	for _, f := range files {
		m := namePattern.FindStringSubmatch(f.Name)
		if m == nil || m[1] != m[2] {
			t.Errorf("file name %q does not look like YYYY/YYYY-MM-DD-slug.ext", f.Name)
		}
		if names[f.Name] {
			t.Errorf("file name %q used twice", f.Name)
		}
		names[f.Name] = true
		if !utf8.Valid(f.Data) {
			t.Errorf("%s: invalid UTF-8", f.Name)
		}
		if bytes.Contains(f.Data, []byte(codeMark)) {
			t.Errorf("%s: inline-code mark left in the text", f.Name)
		}
		if strings.HasSuffix(f.Name, ".txt") {
			if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \S`).Match(f.Data) {
				t.Errorf("%s: wiki page does not start with a dated title", f.Name)
			}
			for _, want := range []string{"\nAuthors | @", "\nTimeline\n", "\nRoot Cause(s)\n", "\nAction Items | Owner |"} {
				if !bytes.Contains(f.Data, []byte(want)) {
					t.Errorf("%s: wiki page has no %q", f.Name, want)
				}
			}
		}
		sizes = append(sizes, len(f.Data))
	}
	slices.Sort(sizes)
	if sizes[0] < 1500 || sizes[len(sizes)-1] > 45_000 {
		t.Errorf("sizes range from %d to %d bytes, want 1.5-45 KB", sizes[0], sizes[len(sizes)-1])
	}
	if median := sizes[len(sizes)/2]; median < 2_000 || median > 12_000 {
		t.Errorf("median size %d bytes, want 2-12 KB", median)
	}
	if largest := sizes[len(sizes)-1]; largest < 20_000 {
		t.Errorf("largest document is %d bytes, want some over 20 KB", largest)
	}
	for _, want := range []string{"ö", "ñ", "ø", "ś", "é", "ß"} {
		if !containsAny(files, want) {
			t.Errorf("no document mentions a name with %q", want)
		}
	}
}

func TestIncidentShape(t *testing.T) {
	const n = 4000
	ids := map[string]int{}
	dups := 0
	for i := range n {
		inc := newIncident(11, i)
		id := isoDate(inc.date) + " " + inc.title
		if ids[id]++; ids[id] == 2 {
			dups++
		}
		tl := len(inc.timeline)
		if inc.timeline[0].dateOnly {
			tl--
		}
		if !inc.long && (tl < 5 || tl > 40) {
			t.Errorf("document %d: %d timeline entries, want 5-40", i, tl)
		}
		if len(inc.actions) < 1 || len(inc.actions) > 8 {
			t.Errorf("document %d: %d action items, want 1-8", i, len(inc.actions))
		}
	}
	if dups < 5 || dups > n/50 {
		t.Errorf("%d titles used on the same date more than once, want a few", dups)
	}
}

func TestEachStopsAtError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Each(50, 1, func(File) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("Each returned %v after %d calls, want stop after 3", err, calls)
	}
}

func sameFile(a, b File) bool { return a.Name == b.Name && bytes.Equal(a.Data, b.Data) }

func containsAny(files []File, s string) bool {
	for _, f := range files {
		if bytes.Contains(f.Data, []byte(s)) {
			return true
		}
	}
	return false
}
