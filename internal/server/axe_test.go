package server_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// axeRun runs axe-core on the page for the WCAG 2.0 A and AA and WCAG 2.1
// AA rules and returns the violations, each node named by its selector.
const axeRun = `axe.run(document, {
  runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"]},
  resultTypes: ["violations"],
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.flat().join(" "), summary: n.failureSummary || ""})),
})))`

// overflowing says so when the page is wider than the screen, width
// pixels, and names the visible elements that stick out past the screen's
// right edge or whose content sticks out of them, the innermost only; what a clipped box holds
// does not count. (An emulated phone widens its layout viewport to fit
// the page, as a phone does, so innerWidth would not tell.)
const overflowing = `((width) => {
  const page = document.documentElement.scrollWidth;
  if (page <= width) return [];
  const wide = Array.from(document.querySelectorAll("body *"))
    .filter(e => e.checkVisibility() && !e.closest(".visually-hidden, thead") &&
      (e.getBoundingClientRect().right > width + 1 || e.scrollWidth > e.clientWidth + 1));
  const culprits = wide.filter(e => !wide.some(d => d !== e && e.contains(d)))
    .slice(0, 10)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + ": " + e.textContent.replace(/\s+/g, " ").trim().slice(0, 60));
  return ["the page is " + page + "px wide on a " + width + "px screen", ...culprits];
})(%d)`

// axeViolation is one rule a page breaks, with where.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct{ Target, Summary string }
}

// axeSource returns axe.min.js from the path HINDSIGHT_AXE_JS names
// (.ci/run installs it with npm). Unset, the test is skipped, unless CI
// is set.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("HINDSIGHT_AXE_JS")
	if path == "" {
		if os.Getenv("CI") == "" {
			t.Skip("HINDSIGHT_AXE_JS is not set: npm install axe-core@4 and point it at node_modules/axe-core/axe.min.js")
		}
		t.Fatal("CI is set but HINDSIGHT_AXE_JS is not")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	return string(src)
}

// viewMode is one way a person sees the pages.
type viewMode struct {
	name   string
	width  int64
	dark   bool
	mobile bool
}

var viewModes = []viewMode{
	{name: "light", width: 1280},
	{name: "dark", width: 1280, dark: true},
	{name: "light 390px", width: 390, mobile: true},
	{name: "dark 390px", width: 390, dark: true, mobile: true},
}

// TestAccessibilityAxe runs axe-core on every kind of page, with data and
// empty, in light and dark colours, wide and 390 pixels narrow, and fails
// on each serious or critical violation. All violations are logged.
func TestAccessibilityAxe(t *testing.T) {
	axe := axeSource(t)
	srv := startLive(t, browserDocs)
	for _, m := range []postmortem.Member{
		{Name: "Ines Calloway", Email: "ines.calloway@larkspur.example", Team: "Terminals", SlackID: "U07INES", Timezone: "Europe/London", Active: true},
		{Name: "Tobias Wren", Aliases: []string{"T. Wren"}, Team: "Terminals", Active: false},
	} {
		if err := srv.st.CreatePerson(t.Context(), &m); err != nil {
			t.Fatal(err)
		}
	}
	people, err := srv.st.ListPeople(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	empty := startLive(t, "")
	pages := []string{
		srv.url + "/",
		srv.url + "/?q=capstan",
		srv.url + "/incidents/" + scannersID,
		srv.url + "/actions",
		fmt.Sprintf("%s/actions/%d", srv.url, itemNamed(t, srv.st, scannersID, "Turn the renewal")),
		srv.url + "/people",
		fmt.Sprintf("%s/people/%d", srv.url, people[0].ID),
		srv.url + "/people/new?alias=Marta+Szabo",
		srv.url + "/import",
		empty.url + "/",
		empty.url + "/?q=nothing",
		empty.url + "/actions",
		empty.url + "/people",
	}
	for _, mode := range viewModes {
		t.Run(strings.ReplaceAll(mode.name, " ", "_"), func(t *testing.T) {
			t.Parallel() // a tab each; the browser runs them side by side
			tb := newTab(t)
			var opts []chromedp.EmulateViewportOption
			if mode.mobile {
				opts = append(opts, chromedp.EmulateScale(3), chromedp.EmulateMobile)
			}
			scheme := "light"
			if mode.dark {
				scheme = "dark"
			}
			tb.do("emulate "+mode.name, chromedp.EmulateViewport(mode.width, 900, opts...),
				chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
					})
					return err
				}))
			for _, u := range pages {
				tb.open(u)
				if !eval[bool](tb, fmt.Sprintf("matchMedia('(prefers-color-scheme: %s)').matches", scheme)) {
					t.Fatalf("%s: the page does not see prefers-color-scheme: %s", u, scheme)
				}
				eval[chromedp.Void](tb, axe)
				vs, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("%s: axe.run: %v", u, err)
				}
				path := strings.TrimPrefix(strings.TrimPrefix(u, srv.url), empty.url)
				if strings.HasPrefix(u, empty.url) {
					path += " (empty)"
				}
				for _, v := range vs {
					report := t.Logf
					if v.Impact == "serious" || v.Impact == "critical" {
						report = t.Errorf
					}
					var nodes []string
					for _, n := range v.Nodes {
						nodes = append(nodes, fmt.Sprintf("    %s\n      %s", n.Target, strings.ReplaceAll(n.Summary, "\n", "\n      ")))
					}
					report("%s, %s: %s (%s): %s\n%s", path, mode.name, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n"))
				}
				// Reflow (WCAG 1.4.10), which axe leaves alone: nothing
				// may make a narrow page scroll sideways.
				if mode.mobile {
					if wide := eval[[]string](tb, fmt.Sprintf(overflowing, mode.width)); len(wide) > 0 {
						t.Errorf("%s, %s: reflow:\n  %s", path, mode.name, strings.Join(wide, "\n  "))
					}
				}
				tb.screenshot("axe " + mode.name + " " + path)
			}
			tb.clean()
		})
	}
}
