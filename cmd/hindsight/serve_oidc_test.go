package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/oidc/oidctest"
)

func TestServeOIDCSettings(t *testing.T) {
	p := oidctest.New(t)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", nil, "HINDSIGHT_AUTH=oidc: set HINDSIGHT_BASE_URL, HINDSIGHT_OIDC_ISSUER, HINDSIGHT_OIDC_CLIENT_ID (see the README's Sign-in section)"},
		{"base URL without scheme", map[string]string{"HINDSIGHT_BASE_URL": "hindsight.example.com", "HINDSIGHT_OIDC_ISSUER": p.URL, "HINDSIGHT_OIDC_CLIENT_ID": "x"},
			`HINDSIGHT_BASE_URL "hindsight.example.com" is not an http or https address`},
		{"unknown default role", map[string]string{"HINDSIGHT_BASE_URL": "https://h.example.com", "HINDSIGHT_OIDC_ISSUER": p.URL, "HINDSIGHT_OIDC_CLIENT_ID": "x",
			"HINDSIGHT_OIDC_DEFAULT_ROLE": "owner"}, `HINDSIGHT_OIDC_DEFAULT_ROLE "owner" is none of viewer, editor, admin, none`},
		{"bad session TTL", map[string]string{"HINDSIGHT_BASE_URL": "https://h.example.com", "HINDSIGHT_OIDC_ISSUER": p.URL, "HINDSIGHT_OIDC_CLIENT_ID": "x",
			"HINDSIGHT_SESSION_TTL": "forever"}, `HINDSIGHT_SESSION_TTL "forever" is not a duration`},
		{"unreachable issuer", map[string]string{"HINDSIGHT_BASE_URL": "https://h.example.com", "HINDSIGHT_OIDC_ISSUER": "http://127.0.0.1:1/realms/ops", "HINDSIGHT_OIDC_CLIENT_ID": "x"},
			"HINDSIGHT_OIDC_ISSUER: discover the OpenID Connect provider at http://127.0.0.1:1/realms/ops: "},
		{"issuer not the provider's", map[string]string{"HINDSIGHT_BASE_URL": "https://h.example.com", "HINDSIGHT_OIDC_ISSUER": p.URL + "/", "HINDSIGHT_OIDC_CLIENT_ID": "x"},
			"HINDSIGHT_OIDC_ISSUER: discover the OpenID Connect provider at " + p.URL + "/: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HINDSIGHT_DB", filepath.Join(t.TempDir(), "hindsight.db"))
			t.Setenv("HINDSIGHT_AUTH", "oidc")
			for _, name := range []string{"HINDSIGHT_BASE_URL", "HINDSIGHT_OIDC_ISSUER", "HINDSIGHT_OIDC_CLIENT_ID", "HINDSIGHT_OIDC_CLIENT_SECRET",
				"HINDSIGHT_OIDC_DEFAULT_ROLE", "HINDSIGHT_SESSION_TTL"} {
				t.Setenv(name, tc.env[name])
			}
			code, _, errs := hindsight(t, "", "serve", "--addr", "0.0.0.0:0", "--postmortems", "testdata/postmortems")
			if code != 1 || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errs, tc.want)
			}
			if _, err := os.Stat(os.Getenv("HINDSIGHT_DB")); err == nil {
				t.Error("the refused serve created the database")
			}
		})
	}
}

// TestOIDCSignInEndToEnd serves in OIDC mode against an in-test provider
// and signs a browser in over real HTTP, then uses an API token made by
// the command line.
func TestOIDCSignInEndToEnd(t *testing.T) {
	p := oidctest.New(t)
	p.SignInAs(map[string]any{"sub": "ann-1", "name": "Ann Smith", "email": "ann@example.com", "email_verified": true, "groups": []string{"/ops"}})
	// The redirect URL names the port, so it is chosen first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	t.Setenv("HINDSIGHT_DB", filepath.Join(t.TempDir(), "hindsight.db"))
	t.Setenv("HINDSIGHT_AUTH", "oidc")
	t.Setenv("HINDSIGHT_BASE_URL", base+"/")
	t.Setenv("HINDSIGHT_OIDC_ISSUER", p.URL)
	t.Setenv("HINDSIGHT_OIDC_CLIENT_ID", oidctest.ClientID)
	t.Setenv("HINDSIGHT_OIDC_CLIENT_SECRET", oidctest.ClientSecret)
	t.Setenv("HINDSIGHT_OIDC_ADMINS", "ops, someone@example.com")
	editor := createToken(t, "editor", "CI bot")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, logw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--postmortems", "testdata/postmortems"}, nil, io.Discard, logw)
		logw.Close()
	}()
	if got := listeningAddr(t, logs); got != addr {
		t.Fatalf("listening on %s, not %s", got, addr)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	get := func(c *http.Client, path, token string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Request.URL.String(), string(b)
	}
	code, at, body := get(browser, "/people", "")
	if code != 200 || at != base+"/people" || !strings.Contains(body, "Signed in as Ann Smith") {
		t.Fatalf("sign-in ended at %s with %d", at, code)
	}
	// Ann's group makes her an admin.
	if code, _, _ := get(browser, "/people.csv", ""); code != 200 {
		t.Errorf("admin people.csv = %d", code)
	}
	if code, _, body := get(http.DefaultClient, "/api/v1/action-items?limit=1", editor); code != 200 || !strings.Contains(body, `"items"`) {
		t.Errorf("API token in oidc mode = %d %s", code, body)
	}
	if code, _, _ := get(http.DefaultClient, "/api/v1/action-items", ""); code != 401 {
		t.Errorf("API without a token = %d", code)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}
