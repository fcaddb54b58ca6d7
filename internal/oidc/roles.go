package oidc

import (
	"fmt"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// DefaultRoleClaim is the claim read for group names when Roles.Claim is
// empty.
const DefaultRoleClaim = "groups"

// NoRole as Roles.Default refuses everyone the lists do not name.
const NoRole = "none"

// Roles decides a person's role from their ID token: admin when Admins
// names one of their groups or their email, else editor when Editors
// does, else Default.
type Roles struct {
	// Claim names the claim holding the person's groups (or roles): a
	// string or an array of strings. A name with dots that is not itself
	// a claim is a path into nested objects, as in realm_access.roles.
	// DefaultRoleClaim when empty.
	Claim string
	// Admins and Editors list group names and email addresses. A group
	// matches with or without a leading slash (Keycloak's full group
	// paths); an email matches regardless of case, and only when the
	// provider does not say it is unverified.
	Admins, Editors []string
	// Default is the role of everyone else: viewer when empty, or NoRole
	// to refuse them.
	Default string
}

// check reports a Default that is no role.
func (r Roles) check() error {
	if r.Default == "" || r.Default == NoRole || postmortem.RoleRank(r.Default) > 0 {
		return nil
	}
	return fmt.Errorf("unknown default role %q: use %s or %s", r.Default, strings.Join(postmortem.Roles, ", "), NoRole)
}

// identify returns who the ID token's claims name and their role.
func (r Roles) identify(subject string, claims map[string]any) postmortem.Identity {
	id := postmortem.Identity{Subject: subject}
	id.Email, _ = claims["email"].(string)
	if v, ok := claims["email_verified"]; ok && v != true && v != "true" {
		// An address the provider has not checked could be anyone's: it
		// neither names the person nor gives them a role.
		id.Email = ""
	}
	id.Name, _ = claims["name"].(string)
	if id.Name == "" {
		id.Name, _ = claims["preferred_username"].(string)
	}
	groups := claimStrings(claims, r.claim())
	switch {
	case r.names(r.Admins, id.Email, groups):
		id.Role = postmortem.RoleAdmin
	case r.names(r.Editors, id.Email, groups):
		id.Role = postmortem.RoleEditor
	case r.Default == "":
		id.Role = postmortem.RoleViewer
	case r.Default != NoRole:
		id.Role = r.Default
	}
	return id
}

func (r Roles) claim() string {
	if r.Claim == "" {
		return DefaultRoleClaim
	}
	return r.Claim
}

// names reports whether list names email or one of groups.
func (r Roles) names(list []string, email string, groups []string) bool {
	for _, want := range list {
		want = strings.TrimSpace(want)
		if want == "" {
			continue
		}
		if email != "" && strings.EqualFold(want, email) {
			return true
		}
		for _, g := range groups {
			if g == want || strings.TrimPrefix(g, "/") == strings.TrimPrefix(want, "/") {
				return true
			}
		}
	}
	return false
}

// claimStrings returns the strings of the claim called name: the claim
// itself when there is one of that name, else the one its dotted path
// leads to. A string is one value; an array gives its strings.
func claimStrings(claims map[string]any, name string) []string {
	v, ok := claims[name]
	if !ok {
		var at any = claims
		for _, part := range strings.Split(name, ".") {
			obj, isObj := at.(map[string]any)
			if !isObj {
				return nil
			}
			at = obj[part]
		}
		v = at
	}
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
