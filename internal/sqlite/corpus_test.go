package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Size of the corpus the list benchmarks and the query plan test use.
const (
	corpusDocs    = 10000
	corpusItems   = 5 // per document
	corpusOwners  = 300
	corpusMembers = 250 // owners that are in the directory
)

var corpusWords = strings.Fields(`checkout payment latency timeout database replica failover cache
	eviction queue backlog deploy rollback certificate expiry dns resolver kafka consumer lag
	scheduler cron memory leak disk pressure throttling rate limit gateway webhook retry storm
	search index stale prices loyalty points picker logins inventory sync warehouse label printer`)

var corpusTeams = strings.Fields("payments search platform data mobile web infra identity fulfilment growth support billing")

// corpusOwner is the name of owner i as documents write it; a few carry
// accents, written without them in the directory so matching is by key.
func corpusOwner(i int) string {
	first := []string{"Ana", "Bo", "Lucía", "Chidi", "Dana", "Eero", "Fatima", "Gustavo", "Hana", "Iñaki"}
	return fmt.Sprintf("%s Person%03d", first[i%len(first)], i)
}

// corpusDoc builds document n of the corpus: deterministic, small, with
// a timeline Derive can read, tags, and items spread over owners,
// statuses and due dates.
func corpusDoc(n int) *postmortem.Postmortem {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	word := func() string { return corpusWords[r.IntN(len(corpusWords))] }
	day := n * 7 / 30 // about 2,300 days from 2019-01-01
	date := fmt.Sprintf("%04d-%02d-%02d", 2019+day/336, day%336/28+1, day%28+1)
	p := &postmortem.Postmortem{
		ID:       fmt.Sprintf("pm-%05d", n),
		Title:    fmt.Sprintf("%s %s incident %d", strings.ToUpper(word()[:1])+word()[1:], word(), n),
		Date:     date,
		Status:   []string{"final", "draft", "in review"}[r.IntN(3)],
		Severity: fmt.Sprintf("SEV%d", 1+r.IntN(4)),
		Summary:  fmt.Sprintf("The %s %s caused a %s %s for %d minutes.", word(), word(), word(), word(), 5+r.IntN(90)),
		Tags:     []string{corpusWords[r.IntN(12)], corpusWords[12+r.IntN(12)]},
		Timeline: []postmortem.TimelineEntry{
			{At: date + "T10:00", Text: "Deploy of the " + word() + " service"},
			{At: date + fmt.Sprintf("T10:%02d", 5+r.IntN(20)), Text: "Alert fired for " + word()},
			{At: date + fmt.Sprintf("T11:%02d", r.IntN(60)), Text: "Service recovered after " + word() + " rollback"},
		},
	}
	for i := 0; i < corpusItems; i++ {
		owner := r.IntN(corpusOwners + 20) // 20 in 320 items have no owner
		it := postmortem.ActionItem{
			Text:   fmt.Sprintf("Fix %s %s in %s (%d.%d)", word(), word(), word(), n, i),
			Status: []string{"open", "open", "open", "in_progress", "done", "done", "done", "wont_do"}[r.IntN(8)],
		}
		if owner < corpusOwners {
			it.Owner = &postmortem.Person{Name: corpusOwner(owner)}
			if owner%40 == 39 {
				it.Owner.Annotation = "Deactivated"
			}
		}
		if r.IntN(2) == 0 {
			it.Due = fmt.Sprintf("%04d-%02d-%02d", 2019+r.IntN(8), 1+r.IntN(12), 1+r.IntN(28))
		}
		if r.IntN(5) < 3 {
			it.JiraKey = fmt.Sprintf("OPS-%d", n*10+i)
		}
		p.ActionItems = append(p.ActionItems, it)
	}
	p.Source = &postmortem.Source{Path: fmt.Sprintf("corpus/%05d.md", n), Text: p.Title + p.Summary + p.Date}
	return p
}

// corpusPerson is the directory entry of owner i (i < corpusMembers).
func corpusPerson(i int) *postmortem.Member {
	return &postmortem.Member{
		Name:   NameKey(corpusOwner(i)), // lower case, no accents: matched by key
		Email:  fmt.Sprintf("person%03d@example.com", i),
		Team:   corpusTeams[i%len(corpusTeams)],
		Active: i%10 != 9,
	}
}

var corpus struct {
	once sync.Once
	dir  string
	err  error
}

// corpusDB returns a database holding the whole corpus, built on first
// use in a directory removed by TestMain, and shared by every test and
// benchmark of the run that asks for it.
func corpusDB(tb testing.TB) *DB {
	tb.Helper()
	corpus.once.Do(func() {
		corpus.dir, corpus.err = os.MkdirTemp("", "hindsight-corpus-")
		if corpus.err == nil {
			corpus.err = buildCorpus(filepath.Join(corpus.dir, "corpus.db"))
		}
	})
	if corpus.err != nil {
		tb.Fatal(corpus.err)
	}
	d, err := Open(context.Background(), filepath.Join(corpus.dir, "corpus.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

func buildCorpus(path string) error {
	ctx := context.Background()
	d, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	for i := 0; i < corpusMembers; i++ {
		if err := d.CreatePerson(ctx, corpusPerson(i)); err != nil {
			return err
		}
	}
	const batch = 500
	docs := make([]*postmortem.Postmortem, 0, batch)
	for n := 0; n < corpusDocs; n++ {
		docs = append(docs, corpusDoc(n))
		if len(docs) == batch || n == corpusDocs-1 {
			if _, err := d.Save(ctx, docs, 1); err != nil {
				return err
			}
			docs = docs[:0]
		}
	}
	return nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if corpus.dir != "" {
		os.RemoveAll(corpus.dir)
	}
	os.Exit(code)
}
