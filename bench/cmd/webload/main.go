// Command webload measures the web interface under load: it writes a
// corpus of generated postmortems, imports it with the real `hindsight
// import`, starts `hindsight serve` on a loopback port and keeps -conns
// requests in flight against each kind of page for -duration, then prints
// a Markdown table of requests/s, p50 and p99, the serving process's peak
// RSS, and whether each goal holds. bench/web.sh builds and runs it:
//
//	webload -hindsight BIN -work DIR [-n 10000] [-items 5] [-duration 20s] [-conns 32]
//
// It exits 1 when a goal is missed, 2 on bad flags and 3 when the run
// itself fails.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hindsight-dev/hindsight/bench/serve"
)

// The goals of the web interface.
const (
	goalP99      = 10 * time.Millisecond
	goalOfStatic = 0.30 // each page's requests/s against the static file's
	goalRSSMB    = 80.0
)

type options struct {
	hindsight, work string
	n, items        int
	seed            uint64
	duration        time.Duration
	warmup          time.Duration
	conns           int
}

func main() {
	var o options
	flag.StringVar(&o.hindsight, "hindsight", "", "the hindsight binary to measure (required)")
	flag.StringVar(&o.work, "work", "", "an empty directory for the corpus, the database and the logs (required)")
	flag.IntVar(&o.n, "n", 10000, "postmortems to generate")
	flag.IntVar(&o.items, "items", 5, "action items in each postmortem")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the generated corpus")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to load each page")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load on each page before its run")
	flag.IntVar(&o.conns, "conns", 32, "requests kept in flight, each on its own connection")
	flag.Parse()
	if o.hindsight == "" || o.work == "" || o.n < 1 || o.items < 0 || o.conns < 1 || o.duration <= 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webload:", err)
		os.Exit(3)
	}
	if !ok {
		os.Exit(1)
	}
}

// env is the environment hindsight runs with: none of the caller's
// HINDSIGHT_* settings, a HOME of its own, and the given extras.
func env(home string, extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HINDSIGHT_") && !strings.HasPrefix(kv, "HOME=") {
			out = append(out, kv)
		}
	}
	return append(append(out, "HOME="+home), extra...)
}

func run(ctx context.Context, o options) (bool, error) {
	home := filepath.Join(o.work, "home")
	docs := filepath.Join(o.work, "postmortems")
	empty := filepath.Join(o.work, "empty")
	db := filepath.Join(o.work, "hindsight.db")
	for _, d := range []string{home, docs, empty} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return false, err
		}
	}

	t0 := time.Now()
	word, err := generate(docs, o.n, o.items, o.seed)
	if err != nil {
		return false, fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(os.Stderr, "webload: generated %d postmortems in %v\n", o.n, time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	imp := exec.CommandContext(ctx, o.hindsight, "import", "--db", db, docs)
	imp.Env = env(home)
	if out, err := imp.CombinedOutput(); err != nil {
		return false, fmt.Errorf("hindsight import: %w\n%s", err, tail(out))
	}
	fmt.Fprintf(os.Stderr, "webload: imported in %v\n", time.Since(t0).Round(time.Millisecond))

	st, err := stored(ctx, o.hindsight, db, home, word)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(os.Stderr, "webload: %d incidents, %d action items, %q in %d titles\n", len(st.ids), st.items, word, st.matches)

	srv, err := start(ctx, o.hindsight, db, home, empty, filepath.Join(o.work, "serve.log"))
	if err != nil {
		return false, err
	}
	defer srv.Stop()

	page, err := get(srv.Base + "/")
	if err != nil {
		return false, err
	}
	css := regexp.MustCompile(`href="(/static/style\.[0-9a-f]+\.css)"`).FindStringSubmatch(page)
	if css == nil {
		return false, errors.New("no stylesheet link on /")
	}

	// The detail pages rotate over every incident, in an order of their
	// own so that neighbours in the database are not neighbours in time.
	ids := append([]string(nil), st.ids...)
	rand.New(rand.NewPCG(o.seed, 7)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	fixed := func(path string) func(int) string { return func(int) string { return srv.Base + path } }
	runs := []struct {
		name string
		next func(int) string
	}{
		{"static " + css[1], fixed(css[1])},
		{"incident list /", fixed("/")},
		{"search /?q=" + word, fixed("/?q=" + url.QueryEscape(word))},
		{"incident page /incidents/<id>", func(i int) string { return srv.Base + "/incidents/" + url.PathEscape(ids[i%len(ids)]) }},
		{"action items /actions", fixed("/actions")},
	}
	load1, _ := loadavg()
	var results []result
	for _, r := range runs {
		if o.warmup > 0 {
			load(ctx, r.name, o.conns, o.warmup, r.next)
		}
		res := load(ctx, r.name, o.conns, o.duration, r.next)
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		fmt.Fprintf(os.Stderr, "webload: %s: %.0f requests/s, p50 %v, p99 %v, %d errors\n", r.name, res.rate(), res.p50, res.p99, res.errors)
		results = append(results, res)
	}
	load2, _ := loadavg()
	hwm, rss, err := memory(srv.Pid())
	if err != nil {
		return false, err
	}

	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	cpu := cpuModel()
	fmt.Printf("hindsight serve under load: %d incidents, %d action items; %d connections, %v per page after %v warm-up; %s, %d CPUs (%s), commit %s\n",
		len(st.ids), st.items, o.conns, o.duration, o.warmup, runtime.Version(), runtime.NumCPU(), cpu, strings.TrimSpace(string(commit)))
	fmt.Printf("Load average before: %s; after: %s. The load generator runs on the same machine.\n\n", load1, load2)
	fmt.Println("| endpoint | requests/s | p50 ms | p99 ms | of static | KB/response | errors | p99 <= 10 ms | >= 30% of static |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---|---|")
	static := results[0].rate()
	pass := true
	verdict := func(ok bool) string {
		if ok {
			return "pass"
		}
		pass = false
		return "FAIL"
	}
	for i, r := range results {
		share := r.rate() / static
		p99, thr := "–", "–"
		if i > 0 {
			p99 = verdict(r.p99 <= goalP99 && r.errors == 0)
			thr = verdict(share >= goalOfStatic)
		}
		fmt.Printf("| %s | %.0f | %.2f | %.2f | %.0f%% | %.1f | %d | %s | %s |\n", r.name, r.rate(), ms(r.p50), ms(r.p99), 100*share,
			float64(r.bytesEach)/1024, r.errors, p99, thr)
	}
	fmt.Printf("\nServing process: peak RSS (VmHWM) %.1f MB, RSS at the end %.1f MB: < %.0f MB: %s\n", hwm, rss, goalRSSMB, verdict(hwm < goalRSSMB))
	for _, r := range results {
		if r.errors > 0 {
			fmt.Printf("%s: %d errors, the first: %s\n", r.name, r.errors, r.firstErr)
		}
	}
	return pass, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// corpusStats is what the database holds, read back through `hindsight
// export`.
type corpusStats struct {
	ids     []string
	items   int
	matches int // titles with the search word
}

func stored(ctx context.Context, bin, db, home, word string) (corpusStats, error) {
	var st corpusStats
	cmd := exec.CommandContext(ctx, bin, "export", "--db", db)
	cmd.Env = env(home)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return st, err
	}
	if err := cmd.Start(); err != nil {
		return st, err
	}
	dec := json.NewDecoder(bufio.NewReader(out))
	if _, err := dec.Token(); err != nil { // [
		return st, fmt.Errorf("read export: %w", err)
	}
	for dec.More() {
		var p struct {
			ID          string            `json:"id"`
			Title       string            `json:"title"`
			ActionItems []json.RawMessage `json:"action_items"`
		}
		if err := dec.Decode(&p); err != nil {
			return st, fmt.Errorf("read export: %w", err)
		}
		st.ids = append(st.ids, p.ID)
		st.items += len(p.ActionItems)
		if strings.Contains(strings.ToLower(p.Title), word) {
			st.matches++
		}
	}
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return st, fmt.Errorf("hindsight export: %w", err)
	}
	if len(st.ids) == 0 {
		return st, errors.New("the database holds no postmortems")
	}
	return st, nil
}

// server is a running `hindsight serve`.
// start starts hindsight serve on a free loopback port, its log in logPath.
func start(ctx context.Context, bin, db, home, empty, logPath string) (*serve.Server, error) {
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	cmd.Env = env(home, "HINDSIGHT_POSTMORTEMS="+empty)
	return serve.Start(ctx, cmd, logPath)
}

func get(u string) (string, error) {
	resp, err := http.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return string(b), err
}

// memory returns a process's peak and current resident set size in MB,
// VmHWM and VmRSS of /proc/PID/status (Linux only).
func memory(pid int) (hwm, rss float64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, fmt.Errorf("read the server's memory use: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if k == "VmHWM" {
			hwm = kb / 1024
		} else {
			rss = kb / 1024
		}
	}
	return hwm, rss, nil
}

func loadavg() (string, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?", err
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?", nil
	}
	return strings.Join(f[:3], " "), nil
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
