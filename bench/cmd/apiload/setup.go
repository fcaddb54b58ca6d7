package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/bench/corpus"
	"github.com/hindsight-dev/hindsight/bench/serve"
)

// hindsight runs the binary under test on one database, with none of the
// caller's HINDSIGHT_* settings and a HOME of its own.
type hindsight struct {
	bin, db, home string
}

func (h *hindsight) command(ctx context.Context, extra []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, h.bin, args...)
	env := []string{"HOME=" + h.home, "HINDSIGHT_DB=" + h.db}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HINDSIGHT_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, extra...)
	return cmd
}

// exec runs a subcommand to its end and returns its standard output.
func (h *hindsight) exec(ctx context.Context, args ...string) (string, error) {
	cmd := h.command(ctx, nil, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("hindsight %s: %w\n%s", strings.Join(args, " "), err, lastBytes(stderr.Bytes(), 2000))
	}
	return stdout.String(), nil
}

// token creates an API token and returns it: the last line token create
// prints.
func (h *hindsight) token(ctx context.Context, role, name string) (string, error) {
	out, err := h.exec(ctx, "token", "create", "--role", role, "--name", name)
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	tok := lines[len(lines)-1]
	if !strings.HasPrefix(tok, "hs_") {
		return "", fmt.Errorf("token create printed no token last:\n%s", out)
	}
	return tok, nil
}

// prepareDB puts an imported database of o.n generated postmortems at
// h.db: a copy of the cached one when there is one, else generated and
// imported with `hindsight import`, then backed up into the cache.
func prepareDB(ctx context.Context, h *hindsight, o options) error {
	var cached string
	if o.cache != "" {
		cached = filepath.Join(o.cache, fmt.Sprintf("corpus-n%d-seed%d.db", o.n, o.seed))
		if _, err := os.Stat(cached); err == nil && !o.fresh {
			if err := copyFile(cached, h.db); err != nil {
				return err
			}
			logf("copied the imported database from %s", cached)
			_, err := h.exec(ctx, "migrate")
			return err
		}
	}

	docs := filepath.Join(filepath.Dir(h.db), "corpus")
	t0 := time.Now()
	err := corpus.Each(o.n, o.seed, func(f corpus.File) error {
		p := filepath.Join(docs, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, f.Data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("write the corpus: %w", err)
	}
	logf("generated %d postmortems in %v", o.n, time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	out, err := h.exec(ctx, "import", docs)
	if err != nil {
		return err
	}
	logf("imported in %v: %s", time.Since(t0).Round(time.Millisecond), strings.TrimSpace(out))
	if cached == "" {
		return nil
	}
	if err := os.MkdirAll(o.cache, 0o755); err != nil {
		return err
	}
	tmp := cached + ".tmp"
	os.Remove(tmp)
	if _, err := h.exec(ctx, "backup", tmp); err != nil {
		return err
	}
	return os.Rename(tmp, cached)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// serve starts `hindsight serve` with token sign-in on a free loopback
// port, its log in logPath, and waits until it says where it listens.
func (h *hindsight) serve(ctx context.Context, postmortems, logPath string) (*serve.Server, error) {
	cmd := h.command(context.Background(), []string{"HINDSIGHT_AUTH=token", "HINDSIGHT_POSTMORTEMS=" + postmortems},
		"serve", "--addr", "127.0.0.1:0")
	return serve.Start(ctx, cmd, logPath)
}

// targets are what the clients ask for: every incident's id, action item
// ids to update, and words that searches find.
type targets struct {
	incidents []string
	items     []int64
	words     []string
}

// searchWords are names from the corpus's world; each must match.
var searchWords = []string{"Slate", "Basalt", "Garnet", "Quartz", "timetable", "refunds", "rollback"}

// maxItems bounds the action items clients update, so that writes meet
// one another on the same rows now and then.
const maxItems = 5000

// discover reads the incident and action item ids through the API, as any
// script would, and checks that the search words find something.
func discover(ctx context.Context, base, token string) (targets, error) {
	var tg targets
	var list struct {
		Items []struct {
			ID json.RawMessage `json:"id"`
		} `json:"items"`
		Next string `json:"next"`
	}
	next := ""
	for {
		if err := getJSON(ctx, base+"/api/v1/postmortems?limit=200"+after(next), token, &list); err != nil {
			return tg, err
		}
		for _, it := range list.Items {
			var id string
			if err := json.Unmarshal(it.ID, &id); err != nil {
				return tg, fmt.Errorf("postmortem id %s: %w", it.ID, err)
			}
			tg.incidents = append(tg.incidents, id)
		}
		if next = list.Next; next == "" {
			break
		}
	}
	next = ""
	for len(tg.items) < maxItems {
		if err := getJSON(ctx, base+"/api/v1/action-items?limit=500"+after(next), token, &list); err != nil {
			return tg, err
		}
		for _, it := range list.Items {
			var id int64
			if err := json.Unmarshal(it.ID, &id); err != nil {
				return tg, fmt.Errorf("action item id %s: %w", it.ID, err)
			}
			tg.items = append(tg.items, id)
		}
		if next = list.Next; next == "" {
			break
		}
	}
	if len(tg.incidents) == 0 || len(tg.items) == 0 {
		return tg, errors.New("the database holds no postmortems or no open action items")
	}
	for _, w := range searchWords {
		if err := getJSON(ctx, base+"/api/v1/postmortems?limit=1&q="+url.QueryEscape(w), token, &list); err != nil {
			return tg, err
		}
		if len(list.Items) > 0 {
			tg.words = append(tg.words, w)
		}
	}
	if len(tg.words) == 0 {
		return tg, fmt.Errorf("none of the search words %v finds anything", searchWords)
	}
	return tg, nil
}

// after is the query parameter asking for the page after cursor, if any.
func after(cursor string) string {
	if cursor == "" {
		return ""
	}
	return "&after=" + url.QueryEscape(cursor)
}

func getJSON(ctx context.Context, u, token string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, lastBytes(b, 500))
	}
	return json.Unmarshal(b, v)
}

func lastBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
