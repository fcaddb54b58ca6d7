package server_test

// The browser tests drive the real pages in headless Chromium through
// chromedp: the echo router on a loopback port, over a SQLite file seeded by
// the real import. One browser serves every test of the package; each test
// gets its own tab, server and database.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/markdown"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

func TestMain(m *testing.M) {
	code := m.Run()
	chrome.close()
	os.Exit(code)
}

// browserNames are the executables tried, in order, for the browser.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// sharedBrowser is one Chromium process that tests open tabs in.
type sharedBrowser struct {
	once    sync.Once
	ctx     context.Context // the browser's; each tab's context is a child
	cancel  context.CancelFunc
	profile string
	err     error
}

// chrome is the browser the tests share, started by the first test that
// needs it and closed by TestMain.
var chrome sharedBrowser

// findBrowser returns the path of the browser to drive. Without one the
// test is skipped, unless CI is set: CI installs Chromium, so there a
// missing browser is a failure.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "" {
		t.Skipf("no browser found (tried %s); set CI to make this a failure", strings.Join(browserNames, ", "))
	}
	t.Fatalf("CI is set but no browser was found (tried %s)", strings.Join(browserNames, ", "))
	return ""
}

// start launches the browser at path once, headless, with a fresh profile
// and with everything that would reach the network on its own turned off.
func (b *sharedBrowser) start(t *testing.T, path string) context.Context {
	t.Helper()
	b.once.Do(func() {
		if b.profile, b.err = os.MkdirTemp("", "hindsight-chromium-"); b.err != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox, // CI runs as root, where the sandbox will not start
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(b.profile),
			// No host name resolves but localhost, so that a stray
			// request fails in the browser as well as in the test.
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]"),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		b.ctx, b.cancel = ctx, func() { cancelCtx(); cancelAlloc() }
		b.err = chromedp.Do(ctx)
	})
	if b.err != nil {
		t.Fatalf("start %s: %v", path, b.err)
	}
	return b.ctx
}

func (b *sharedBrowser) close() {
	if b.cancel != nil {
		b.cancel()
	}
	if b.profile != "" {
		os.RemoveAll(b.profile)
	}
}

// tab is one browser tab and what it has seen.
type tab struct {
	t   *testing.T
	ctx context.Context // for actions; ends with the test
	w   *watch
}

// newTab opens a tab in the shared browser that records, from its first
// event, everything that must not happen on Hindsight's pages: a
// JavaScript dialog, an uncaught exception, an error on the console or in
// the browser log, and a request to anywhere but loopback. Dialogs are
// dismissed so that the page does not hang on one.
func newTab(t *testing.T) *tab {
	t.Helper()
	parent := chrome.start(t, findBrowser(t))
	w := &watch{}
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithListener(w.listen))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	actx, cancelActions := context.WithTimeout(ctx, 20*time.Second)
	t.Cleanup(cancelActions)
	return &tab{t: t, ctx: actx, w: w}
}

// do runs actions in the tab and fails the test on an error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to u and waits until the page and its resources have
// loaded.
func (tb *tab) open(u string) {
	tb.t.Helper()
	tb.do("open "+u, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("footer.site")))
	tb.loaded()
}

// loaded waits until the document and its resources have loaded.
func (tb *tab) loaded() {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`document.readyState === "complete"`)); err != nil {
		tb.t.Fatalf("wait for the page to load: %v", err)
	}
}

// settle waits for the page to load and a little more, so that image
// errors and timers, which is where injected script would run, have had
// their turn.
func (tb *tab) settle() {
	tb.t.Helper()
	tb.loaded()
	tb.do("settle", chromedp.Sleep(150*time.Millisecond))
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// texts returns the trimmed text of every element matching the CSS
// selector, in document order.
func (tb *tab) texts(selector string) []string {
	tb.t.Helper()
	sel, _ := json.Marshal(selector)
	return eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.textContent.replace(/\s+/g, " ").trim())`, sel))
}

// location returns the address the tab shows.
func (tb *tab) location() string {
	tb.t.Helper()
	u, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatalf("location: %v", err)
	}
	return u
}

// clean fails the test with everything the tab's watch recorded.
func (tb *tab) clean() {
	tb.t.Helper()
	for _, p := range tb.w.seen() {
		tb.t.Error(p)
	}
}

// watch collects what a tab must never do.
type watch struct {
	mu       sync.Mutex
	problems []string
	requests int
}

func (w *watch) add(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
}

func (w *watch) seen() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.problems...)
}

// listen runs in the tab's event loop, in the order the events arrive; it
// only records.
func (w *watch) listen(ev any) {
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		w.add("JavaScript %s dialog opened: %q", ev.Type, ev.Message)
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		w.add("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			w.add("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e.Level == log.EntryLevelError || e.Level == log.EntryLevelWarning {
			w.add("browser log %s (%s): %s %s", e.Level, e.Source, e.Text, e.URL)
		}
	case *network.EventRequestWillBeSent:
		w.mu.Lock()
		w.requests++
		w.mu.Unlock()
		if !loopback(ev.Request.URL) {
			w.add("request leaves loopback: %s %s", ev.Request.Method, ev.Request.URL)
		}
	}
}

// loopback reports whether a request to u stays on this machine: data:
// and about: URLs, and http(s) to 127.0.0.1, localhost or ::1.
func loopback(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch p.Scheme {
	case "data", "about":
		return true
	case "http", "https", "ws", "wss":
		switch p.Hostname() {
		case "127.0.0.1", "localhost", "::1":
			return true
		}
	}
	return false
}

// live is a Hindsight server on a loopback port.
type live struct {
	url string // http://127.0.0.1:PORT, without a trailing slash
	st  testStore
}

// startLive imports the postmortems under dir (none when dir is "") into a
// fresh database with the real import job and serves it on 127.0.0.1:0
// until the test ends. The server must log nothing: it logs only internal
// errors.
func startLive(t *testing.T, dir string) *live {
	t.Helper()
	st := openStore(t)
	if dir != "" {
		opts := jobs.ImportOptions{ParserVersion: markdown.Version,
			Parse: func(name string, src []byte) (*postmortem.Postmortem, error) {
				return markdown.Parse(name, src, markdown.Options{})
			}}
		sum, err := jobs.Import(t.Context(), importStore{st}, []string{dir}, opts)
		if err != nil || sum.Failed > 0 || sum.Imported == 0 {
			t.Fatalf("import %s: %+v, %v", dir, sum, err)
		}
	}
	srv, logs := newServer(t, st, server.Config{})
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &trackedListener{Listener: inner}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		ln.closeConns()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if logs.Len() > 0 {
			t.Errorf("the server logged:\n%s", logs)
		}
	})
	return &live{url: "http://" + ln.Addr().String(), st: st}
}

// trackedListener remembers the connections it accepts, so that the test
// can close them when it ends. Chromium opens connections ahead of need,
// and a graceful shutdown waits five seconds for one that never sent a
// request.
type trackedListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

// closeConns closes every connection accepted so far; the test's tabs are
// closed by then, so none has a request in flight.
func (l *trackedListener) closeConns() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
}

// browserDocs holds the postmortems of Larkspur Ferries, an invented
// operator, that the browser tests import.
const browserDocs = "testdata/browser"

// Ids of the browser test documents, as the parser derives them.
const (
	scannersID = "2024-02-06-boarding-scanners-offline-at-gannet-quay"
	hostileID  = "2024-04-01-departure-boards-froze-script-alert-title-script"
)

// itemNamed returns the id of the action item of document docID whose text
// starts with prefix.
func itemNamed(t *testing.T, st testStore, docID, prefix string) int64 {
	t.Helper()
	items, err := st.ItemsOf(t.Context(), docID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if strings.HasPrefix(it.Text, prefix) {
			return it.ID
		}
	}
	t.Fatalf("%s has no action item starting %q", docID, prefix)
	return 0
}

// screenshot saves the tab as PNG under the directory HINDSIGHT_SCREENSHOTS
// names, when it is set, for a person to look at.
func (tb *tab) screenshot(name string) {
	dir := os.Getenv("HINDSIGHT_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	name = strings.Map(func(r rune) rune {
		if bytes.ContainsRune([]byte("/?&=: "), r) {
			return '_'
		}
		return r
	}, name)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
	}
}
