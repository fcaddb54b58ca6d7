package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// logFindings is what the server's log says about the run.
type logFindings struct {
	lines, locked, errors int
	firstLocked, firstErr string
}

var lockedLog = regexp.MustCompile(`(?i)SQLITE_BUSY|SQLITE_LOCKED|\blocked\b`)

// scanLog counts the server's log lines that mention a locked database or
// are logged at level ERROR.
func scanLog(path string) (logFindings, error) {
	var f logFindings
	file, err := os.Open(path)
	if err != nil {
		return f, err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		f.lines++
		if lockedLog.MatchString(line) {
			if f.locked++; f.firstLocked == "" {
				f.firstLocked = line
			}
		}
		if strings.Contains(line, `"level":"ERROR"`) {
			if f.errors++; f.firstErr == "" {
				f.firstErr = line
			}
		}
	}
	return f, sc.Err()
}

// historyFindings compares the updates clients were told succeeded with
// the history the database kept.
type historyFindings struct {
	written, noteEvents int64
	integrity           string
}

// checkHistory counts the "note" events the actors left (each update
// changes the note exactly once) and runs PRAGMA integrity_check, on the
// database as the stopped server left it.
func checkHistory(ctx context.Context, path string, written int64, actors []string) (historyFindings, error) {
	h := historyFindings{written: written}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return h, err
	}
	defer db.Close()
	for _, a := range actors {
		var n int64
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM item_events WHERE actor = ? AND field = 'note'`, a).Scan(&n)
		if err != nil {
			return h, fmt.Errorf("count the history: %w", err)
		}
		h.noteEvents += n
	}
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&h.integrity); err != nil {
		return h, fmt.Errorf("integrity check: %w", err)
	}
	return h, nil
}

// report is everything a run prints.
type report struct {
	opts      options
	incidents int
	stats     *stats
	load      [2]string
	serverLog logFindings
	history   historyFindings
	peakRSS   string
}

// print writes the tables and the checks, and reports whether every check
// passed.
func (r report) print(w io.Writer) bool {
	st := r.stats
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	fmt.Fprintf(w, "hindsight serve under mixed load: %d incidents; %d clients for %v after %v warm-up; %s, %d CPUs (%s), commit %s\n",
		r.incidents, r.opts.clients, r.opts.duration, r.opts.warmup, runtime.Version(), runtime.NumCPU(), cpuModel(), strings.TrimSpace(string(commit)))
	fmt.Fprintf(w, "Load average before: %s; after: %s. The clients run on the same machine. Peak RSS of serve: %s.\n\n",
		r.load[0], r.load[1], r.peakRSS)
	fmt.Fprintln(w, "| kind | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	var all []time.Duration
	errs := map[int]int{}
	totalErrs := 0
	for k, kd := range kinds {
		lat := st.lat[k]
		slices.Sort(lat)
		all = append(all, lat...)
		n := 0
		for status, c := range st.failures[k] {
			errs[status] += c
			n += c
		}
		totalErrs += n
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %d |\n", kd.name, len(lat), float64(len(lat))/st.elapsed.Seconds(),
			quantile(lat, 50), quantile(lat, 95), quantile(lat, 99), n)
	}
	slices.Sort(all)
	fmt.Fprintf(w, "| **all** | %d | %.0f | %s | %s | %s | %d |\n\n", len(all), float64(len(all))/st.elapsed.Seconds(),
		quantile(all, 50), quantile(all, 95), quantile(all, 99), totalErrs)

	if totalErrs == 0 {
		fmt.Fprintln(w, "Errors by status: none.")
	} else {
		fmt.Fprintln(w, "| errors by status | count | first |")
		fmt.Fprintln(w, "|---|---:|---|")
		var keys []int
		for s := range errs {
			keys = append(keys, s)
		}
		slices.Sort(keys)
		for _, s := range keys {
			name := fmt.Sprint(s)
			if s == 0 {
				name = "no answer"
			}
			f := st.first[s]
			fmt.Fprintf(w, "| %s | %d | %s: %s |\n", name, errs[s], kinds[f.kind].name, strings.ReplaceAll(f.body, "|", `\|`))
		}
	}

	pass := true
	check := func(ok bool, format string, args ...any) {
		verdict := "pass"
		if !ok {
			verdict, pass = "FAIL", false
		}
		fmt.Fprintf(w, "- %s: %s\n", fmt.Sprintf(format, args...), verdict)
	}
	fmt.Fprintln(w, "\nChecks:")
	check(totalErrs == 0, "no failed requests (%d)", totalErrs)
	check(st.locked == 0, "no response speaks of a locked or busy database (%d)", st.locked)
	check(r.serverLog.locked == 0, "no server log line mentions a locked database or SQLITE_BUSY (%d of %d lines)", r.serverLog.locked, r.serverLog.lines)
	check(r.serverLog.errors == 0, "no server log line at level ERROR (%d)", r.serverLog.errors)
	check(r.history.written == r.history.noteEvents, "every update acknowledged is in the history once (%d acknowledged, warm-up included; %d note events)",
		r.history.written, r.history.noteEvents)
	check(r.history.integrity == "ok", "PRAGMA integrity_check (%s)", r.history.integrity)
	for _, l := range []string{r.serverLog.firstLocked, r.serverLog.firstErr} {
		if l != "" {
			fmt.Fprintln(w, "  server log:", lastBytes([]byte(l), 500))
		}
	}
	return pass
}

// quantile returns the q-th percentile of sorted latencies in
// milliseconds, or "–" when there are none.
func quantile(sorted []time.Duration, q int) string {
	if len(sorted) == 0 {
		return "–"
	}
	i := (len(sorted)*q + 99) / 100
	if i > 0 {
		i--
	}
	return fmt.Sprintf("%.1f", float64(sorted[i])/float64(time.Millisecond))
}

// peakRSS returns a process's peak resident set size (VmHWM of
// /proc/PID/status, Linux only), or "?".
func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(v), "%f", &kb)
			return fmt.Sprintf("%.0f MB", kb/1024)
		}
	}
	return "?"
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
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
