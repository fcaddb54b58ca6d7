package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/oidc"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// discoveryTimeout bounds serve's wait for the provider's discovery
// document at start-up.
const discoveryTimeout = 15 * time.Second

// oidcSettings are HINDSIGHT_AUTH=oidc's settings, from the environment.
type oidcSettings struct {
	baseURL    string
	cfg        oidc.Config
	sessionTTL time.Duration
}

// oidcFromEnv reads and checks the OIDC settings. Every missing or wrong
// one is named in the error, which says what it should be.
func oidcFromEnv() (oidcSettings, error) {
	env := func(name string) string { return strings.TrimSpace(os.Getenv(name)) }
	var problems []string
	var missing []string
	for _, name := range []string{"HINDSIGHT_BASE_URL", "HINDSIGHT_OIDC_ISSUER", "HINDSIGHT_OIDC_CLIENT_ID"} {
		if env(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "set "+strings.Join(missing, ", "))
	}
	base := strings.TrimRight(env("HINDSIGHT_BASE_URL"), "/")
	if u, err := url.Parse(base); base != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "") {
		problems = append(problems, fmt.Sprintf("HINDSIGHT_BASE_URL %q is not an http or https address such as https://hindsight.example.com", base))
	}
	def := strings.ToLower(env("HINDSIGHT_OIDC_DEFAULT_ROLE"))
	if def == "" {
		def = postmortem.RoleViewer
	}
	if def != oidc.NoRole && postmortem.RoleRank(def) == 0 {
		problems = append(problems, fmt.Sprintf("HINDSIGHT_OIDC_DEFAULT_ROLE %q is none of %s, %s", def, strings.Join(postmortem.Roles, ", "), oidc.NoRole))
	}
	ttl := server.DefaultSessionTTL
	if v := env("HINDSIGHT_SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			problems = append(problems, fmt.Sprintf("HINDSIGHT_SESSION_TTL %q is not a duration of a minute or more, such as 12h", v))
		}
		ttl = d
	}
	if len(problems) > 0 {
		return oidcSettings{}, fmt.Errorf("HINDSIGHT_AUTH=oidc: %s (see the README's Sign-in section)", strings.Join(problems, "; "))
	}
	claim := env("HINDSIGHT_OIDC_ROLE_CLAIM")
	if claim == "" {
		claim = oidc.DefaultRoleClaim
	}
	var scopes []string
	if v := env("HINDSIGHT_OIDC_SCOPES"); v != "" {
		scopes = list(v)
	}
	return oidcSettings{
		baseURL: base,
		cfg: oidc.Config{
			Issuer: env("HINDSIGHT_OIDC_ISSUER"), ClientID: env("HINDSIGHT_OIDC_CLIENT_ID"),
			ClientSecret: env("HINDSIGHT_OIDC_CLIENT_SECRET"),
			RedirectURL:  base + "/auth/callback", PostLogoutURL: base + "/", Scopes: scopes,
			Roles: oidc.Roles{
				Claim:   claim,
				Admins:  list(env("HINDSIGHT_OIDC_ADMINS")),
				Editors: list(env("HINDSIGHT_OIDC_EDITORS")),
				Default: def,
			},
		},
		sessionTTL: ttl,
	}, nil
}

// list splits a setting at commas and spaces, dropping empty entries.
func list(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
}

// discoverOIDC reads the OIDC settings and fetches the provider's
// discovery document, so that serve stops at once, naming the issuer,
// when the provider cannot be reached.
func (a *app) discoverOIDC() (*oidc.Client, oidcSettings, error) {
	s, err := oidcFromEnv()
	if err != nil {
		return nil, s, err
	}
	ctx, cancel := context.WithTimeout(a.ctx, discoveryTimeout)
	defer cancel()
	client, err := oidc.New(ctx, s.cfg)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (no answer within %s)", err, discoveryTimeout)
		}
		return nil, s, fmt.Errorf("HINDSIGHT_OIDC_ISSUER: %w", err)
	}
	a.logger.Info("oidc sign-in on", "issuer", s.cfg.Issuer, "redirect_url", s.cfg.RedirectURL,
		"role_claim", s.cfg.Roles.Claim, "admins", len(s.cfg.Roles.Admins), "editors", len(s.cfg.Roles.Editors),
		"default_role", s.cfg.Roles.Default, "session_ttl", s.sessionTTL.String())
	return client, s, nil
}

// oidcAuth returns OIDC sign-in over client, with sessions and API tokens
// in db.
func oidcAuth(db *sqlite.DB, client *oidc.Client, s oidcSettings) *server.OIDCAuth {
	return server.NewOIDCAuth(server.OIDCConfig{Provider: client, Sessions: db, Tokens: db, SessionTTL: s.sessionTTL})
}
