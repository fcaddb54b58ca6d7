package server_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserSearchThenIncident types a word into the search box, submits
// it, finds the incident with the word marked in its snippet, follows it
// and sees its timeline and its action items.
func TestBrowserSearchThenIncident(t *testing.T) {
	srv := startLive(t, browserDocs)
	tb := newTab(t)
	tb.open(srv.url + "/")
	if rows := tb.texts("tbody tr"); len(rows) != 3 {
		t.Fatalf("the list shows %d incidents, want 3: %q", len(rows), rows)
	}

	tb.do("search", chromedp.SendKeys(chromedp.ID("q"), "capstan"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("td.title .snippet mark")))
	tb.settle()
	// The search box shares its form with the filters, whose empty
	// values come along.
	if u, err := url.Parse(tb.location()); err != nil || u.Path != "/" || u.Query().Get("q") != "capstan" {
		t.Errorf("search went to %s, want /?q=capstan", tb.location())
	}
	if got := tb.texts("td.title > a"); !slices.Equal(got, []string{"Boarding scanners offline at Gannet Quay"}) {
		t.Errorf("search for capstan lists %q, want only the scanner incident", got)
	}
	marks := tb.texts("td.title .snippet mark")
	if len(marks) == 0 || !strings.EqualFold(marks[0], "capstan") {
		t.Errorf("snippet marks %q, want the word capstan", marks)
	}
	if got := tb.texts("caption"); len(got) != 1 || !strings.HasPrefix(got[0], "Matching postmortems") {
		t.Errorf("caption %q", got)
	}
	tb.screenshot("search")

	if _, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS("td.title > a"))); err != nil {
		t.Fatalf("follow the result: %v", err)
	}
	tb.loaded()
	if got, want := tb.location(), srv.url+"/incidents/"+scannersID; got != want {
		t.Errorf("result led to %s, want %s", got, want)
	}
	if got := tb.texts("h1"); !slices.Equal(got, []string{"Boarding scanners offline at Gannet Quay"}) {
		t.Errorf("heading %q", got)
	}
	entries := tb.texts("ol.timeline li.tl-entry .tl-text")
	wantEntries := []string{
		"Capstan certificate on the scanner gateway expires",
		"Deck crew report that every scanner shows “ticket unknown”",
		"Alert for the scanner error rate pages the on-call engineer",
		"Terminal staff switch boarding to paper manifests",
		"Gateway certificate renewed by hand and Capstan restarted",
		"Scanners validate tickets again; error rate back to normal",
	}
	if len(entries) != len(wantEntries) {
		t.Fatalf("timeline shows %d entries, want %d: %q", len(entries), len(wantEntries), entries)
	}
	for i, w := range wantEntries {
		// Marks such as "start" follow the text.
		if !strings.HasPrefix(strings.ReplaceAll(entries[i], `"`, "“"), w[:20]) {
			t.Errorf("timeline entry %d = %q, want %q", i, entries[i], w)
		}
	}
	if got := tb.texts("ol.timeline .tl-when time"); len(got) != 6 || got[0] != "07:02" || got[5] != "07:49" {
		t.Errorf("timeline times %q", got)
	}
	items := tb.texts("tr[data-item-id] td[data-label=Action]")
	wantItems := []string{
		"Alert 14 days before any Capstan certificate expires",
		"Turn the renewal script back on and test it monthly",
		"Print the paper manifest fallback steps on each scanner dock",
	}
	if len(items) != len(wantItems) {
		t.Fatalf("action items %q, want %d", items, len(wantItems))
	}
	for i, w := range wantItems {
		if !strings.HasPrefix(items[i], w) {
			t.Errorf("action item %d = %q, want %q", i, items[i], w)
		}
	}
	owners := tb.texts("tr[data-item-id] td[data-label=Owner]")
	if len(owners) != 3 || owners[1] != "Tobias Wren (Deactivated) has left" || owners[0] != "Ines Calloway" {
		t.Errorf("owners %q", owners)
	}
	if got := tb.texts("tr[data-item-id] td[data-label=Status] .status"); !slices.Equal(got, []string{"Open", "In progress", "Open"}) {
		t.Errorf("statuses %q", got)
	}
	if got := tb.texts("li.root-cause"); len(got) != 2 {
		t.Errorf("root causes %q, want 2", got)
	}
	tb.clean()
}

// TestBrowserEditItemStatus opens an item's edit form from its incident,
// marks it done with a note, saves, and sees the new status after a
// reload, and in the database.
func TestBrowserEditItemStatus(t *testing.T) {
	srv := startLive(t, browserDocs)
	id := itemNamed(t, srv.st, scannersID, "Turn the renewal script")
	row := fmt.Sprintf("tr[data-item-id=%q]", fmt.Sprint(id))
	tb := newTab(t)
	tb.open(srv.url + "/incidents/" + scannersID)
	if _, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(row+" td[data-label=Edit] a"))); err != nil {
		t.Fatalf("open the edit form: %v", err)
	}
	tb.loaded()
	if u, err := url.Parse(tb.location()); err != nil || u.Path != fmt.Sprintf("/actions/%d", id) || u.Query().Get("back") != "/incidents/"+scannersID {
		t.Errorf("edit link went to %s, want /actions/%d?back=/incidents/%s", tb.location(), id, scannersID)
	}
	tb.do("fill the form",
		chromedp.SetValue(chromedp.ID("f-status"), "done"),
		chromedp.SendKeys(chromedp.ID("f-note"), "Renewal runs nightly again."),
		chromedp.SendKeys(chromedp.ID("f-name"), "Ines Calloway"),
	)
	tb.screenshot("edit")
	// The form guards against leaving with unsaved edits; saving must
	// not trip the guard, which would open a dialog the watch reports.
	if _, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS("#item-form button[type=submit]"))); err != nil {
		t.Fatalf("save: %v", err)
	}
	tb.settle()
	if got, want := tb.location(), srv.url+"/incidents/"+scannersID; got != want {
		t.Errorf("saving went to %s, want back to %s", got, want)
	}
	if got := tb.texts(".flash"); len(got) != 1 || !strings.HasPrefix(got[0], "Saved the action item") {
		t.Errorf("flash %q", got)
	}

	if _, err := chromedp.RunResponse(tb.ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	tb.loaded()
	if got := tb.texts(row + " td[data-label=Status] .status"); !slices.Equal(got, []string{"Done"}) {
		t.Errorf("after reload the item's status shows %q, want Done", got)
	}
	if got := tb.texts(row + " .note"); len(got) != 1 || !strings.Contains(got[0], "Renewal runs nightly again.") {
		t.Errorf("after reload the note shows %q", got)
	}
	if got := tb.texts(".flash"); len(got) != 0 {
		t.Errorf("the flash came back on reload: %q", got)
	}

	it, err := srv.st.GetItem(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if it.Status != "done" || it.Note != "Renewal runs nightly again." {
		t.Errorf("stored item: status %q, note %q", it.Status, it.Note)
	}
	history, err := srv.st.ItemHistory(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	var byInes bool
	for _, ev := range history {
		byInes = byInes || (ev.Field == "status" && ev.New == "done" && ev.Actor == "Ines Calloway")
	}
	if !byInes {
		t.Errorf("history has no status change to done by Ines Calloway: %+v", history)
	}
	tb.clean()
}

// hostileDOM lists what would let a page run script or reach elsewhere:
// event handler attributes, script URLs, scripts other than app.js,
// frames, plugins, refreshes, bases and remote styles, forms and links.
const hostileDOM = `(() => {
  const bad = [];
  const say = (e, what) => bad.push(e.tagName.toLowerCase() + ": " + what);
  for (const e of document.querySelectorAll("*")) {
    for (const a of e.attributes) {
      if (a.name.startsWith("on")) say(e, a.name + "=" + a.value);
      if (["href", "src", "action", "formaction", "data", "srcdoc", "xlink:href"].includes(a.name) &&
          /^\s*(javascript|vbscript|data):/i.test(a.value)) say(e, a.name + "=" + a.value);
    }
  }
  for (const s of document.scripts) {
    if (!s.src.startsWith(location.origin + "/static/app.")) say(s, s.src || s.textContent.slice(0, 60));
  }
  for (const e of document.querySelectorAll("iframe, frame, object, embed, base, meta[http-equiv], style, link[href^=http], form[action^=http], input[autofocus]")) {
    say(e, e.outerHTML.slice(0, 80));
  }
  return bad;
})()`

// fireEvents dispatches the events inline handlers hang on to every
// element of the page, as a reader moving over it would; clicks are left
// out because they would follow links.
const fireEvents = `(() => {
  for (const e of document.querySelectorAll("body *")) {
    for (const type of ["mouseover", "mouseenter", "focus", "blur", "load", "error", "toggle", "animationstart"]) {
      e.dispatchEvent(new Event(type));
    }
  }
  return true;
})()`

// TestBrowserHostileMarkdownRunsNothing opens a postmortem full of script
// tags, javascript: links, onerror images and other event handlers, in
// its title, prose, timeline, root causes, action items and owners, and
// sees no dialog, no error, no request off this machine, and none of it
// in the page.
func TestBrowserHostileMarkdownRunsNothing(t *testing.T) {
	srv := startLive(t, browserDocs)
	id := itemNamed(t, srv.st, hostileID, "Show the feed")
	for _, path := range []string{
		"/incidents/" + hostileID,
		"/?q=boards",
		"/actions",
		fmt.Sprintf("/actions/%d", id),
		"/people",
	} {
		tb := newTab(t)
		tb.open(srv.url + path)
		tb.settle()
		if bad := eval[[]string](tb, hostileDOM); len(bad) > 0 {
			t.Errorf("%s: the page carries what could run or reach out:\n  %s", path, strings.Join(bad, "\n  "))
		}
		eval[bool](tb, fireEvents)
		tb.settle()
		tb.screenshot("hostile" + path)
		for _, p := range tb.w.seen() {
			t.Errorf("%s: %s", path, p)
		}
	}

	tb := newTab(t)
	tb.open(srv.url + "/incidents/" + hostileID)
	if got := tb.texts("h1"); len(got) != 1 || got[0] != "Departure boards froze <script>alert('title')</script>" {
		t.Errorf("the title is not shown as text: %q", got)
	}
	if got := tb.texts("tr[data-item-id] td[data-label=Owner]"); len(got) != 2 || got[1] != "<img src=x onerror=alert('owner')>" {
		t.Errorf("the owner is not shown as text: %q", got)
	}
	if got := tb.texts("#links ~ ul li"); len(got) == 0 || got[0] != "Runbook (javascript:alert('links'), not linked)" {
		t.Errorf("links %q: the javascript: one should be shown, not linked", got)
	}
	tb.clean()
}

// TestBrowserWatchSeesTrouble is the control for the tests above: a tab's
// watch does report a dialog, an exception, a console error and a request
// off loopback when a page makes them.
func TestBrowserWatchSeesTrouble(t *testing.T) {
	srv := startLive(t, "")
	tb := newTab(t)
	tb.open(srv.url + "/")
	eval[bool](tb, `setTimeout(() => alert("probe dialog")); setTimeout(() => { throw new Error("probe exception") }); console.error("probe console"); true`)
	tb.settle()
	// The host resolves nowhere (see the browser's flags), so nothing is
	// sent; the watch sees the attempt.
	chromedp.Do(tb.ctx, chromedp.Navigate("http://probe.invalid/"))
	seen := strings.Join(tb.w.seen(), "\n")
	for _, want := range []string{
		`JavaScript alert dialog opened: "probe dialog"`,
		"probe exception",
		`console.error: "probe console"`,
		"request leaves loopback: GET http://probe.invalid/",
	} {
		if !strings.Contains(seen, want) {
			t.Errorf("the watch missed %q; it saw:\n%s", want, seen)
		}
	}
}
