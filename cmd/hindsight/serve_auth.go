package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/metrics"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// Sign-in modes of HINDSIGHT_AUTH.
const (
	authNone  = "none"
	authToken = "token"
	authOIDC  = "oidc"
)

// checkListen refuses, before anything is opened, an address that other
// machines can reach when sign-in is off: without it anyone who can
// connect could read and change everything.
func checkListen(addr, auth string) error {
	if auth == authToken || auth == authOIDC {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s without sign-in: anyone who can reach it could read and change everything. "+
		"Set HINDSIGHT_AUTH=token and create a token with `hindsight token create --role admin`, "+
		"or HINDSIGHT_AUTH=oidc to sign in through your identity provider (see the README's Sign-in section), "+
		"or listen on a loopback address such as 127.0.0.1:8080", addr)
}

// signIn prepares sign-in in mode auth and returns what builds, over the
// database, the Authenticator that checks credentials: nil for none,
// token sign-in for token, and for oidc, sign-in through the provider,
// whose settings and discovery document it checks first, before the
// database is opened.
func (a *app) signIn(auth string) (func(*sqlite.DB) (server.Authenticator, error), error) {
	switch auth {
	case authToken:
		return a.tokenAuth, nil
	case authOIDC:
		client, settings, err := a.discoverOIDC()
		if err != nil {
			return nil, err
		}
		return func(db *sqlite.DB) (server.Authenticator, error) { return oidcAuth(db, client, settings), nil }, nil
	}
	return func(*sqlite.DB) (server.Authenticator, error) { return nil, nil }, nil
}

// tokenAuth returns token sign-in over db. It warns when no token could
// sign in yet.
func (a *app) tokenAuth(db *sqlite.DB) (server.Authenticator, error) {
	tokens, err := db.ListTokens(a.ctx)
	if err != nil {
		return nil, err
	}
	active := 0
	for _, t := range tokens {
		if !t.Revoked() {
			active++
		}
	}
	if active == 0 {
		a.logger.Warn("no API token can sign in yet; create one with: hindsight token create --role admin")
	}
	return server.NewTokenAuth(db), nil
}

// itemGaugeTTL is how long the open and overdue gauges are reused between
// scrapes.
const itemGaugeTTL = 15 * time.Second

// newMetrics returns serve's metrics, with the item gauges read from db.
func (a *app) newMetrics(db *sqlite.DB) *metrics.Metrics {
	m := metrics.New()
	m.WatchItems(db, itemGaugeTTL, a.logger)
	return m
}

// callTransport returns the round tripper that counts calls to service in
// serve's metrics, or nil (the default transport) outside serve. Clients
// that take an *http.Client or a transport (Jira's does; Slack's can, with
// slack.OptionHTTPClient) are measured by being given it.
func (a *app) callTransport(service string) http.RoundTripper {
	if a.metrics == nil {
		return nil
	}
	return a.metrics.Service(service).Transport(nil)
}

// countImports wraps an upload import so that each file's outcome is
// counted in serve's metrics.
func (a *app) countImports(imp func(context.Context, []jobs.Upload) ([]jobs.FileResult, error)) func(context.Context, []jobs.Upload) ([]jobs.FileResult, error) {
	return func(ctx context.Context, files []jobs.Upload) ([]jobs.FileResult, error) {
		results, err := imp(ctx, files)
		if a.metrics != nil {
			for _, r := range results {
				a.metrics.Imported(string(r.Outcome), 1)
			}
		}
		return results, err
	}
}

// countSummary counts a directory import's outcomes in serve's metrics.
func (a *app) countSummary(sum jobs.ImportSummary) {
	if a.metrics == nil {
		return
	}
	a.metrics.Imported("imported", sum.Imported)
	a.metrics.Imported("updated", sum.Updated)
	a.metrics.Imported("unchanged", sum.Unchanged)
	a.metrics.Imported("failed", sum.Failed)
}
