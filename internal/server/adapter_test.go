package server_test

import (
	"context"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// testStore converts between sqlite's types and server's as
// cmd/hindsight's serverStore does.
var _ server.Store = testStore{}

// Facets lists the values the incident filters offer.
func (s testStore) Facets(ctx context.Context) (server.Facets, error) {
	f, err := s.DB.Facets(ctx)
	return server.Facets(f), err
}

// EditItem changes an item's tracked fields.
func (s testStore) EditItem(ctx context.Context, id int64, e server.ItemEdit, actor string) (*postmortem.Item, error) {
	return s.DB.EditItem(ctx, id, sqlite.ItemEdit(e), actor)
}

// UnmatchedOwners lists the owners the directory does not know.
func (s testStore) UnmatchedOwners(ctx context.Context) ([]server.OwnerCount, error) {
	owners, err := s.DB.UnmatchedOwners(ctx)
	out := make([]server.OwnerCount, len(owners))
	for i, o := range owners {
		out[i] = server.OwnerCount(o)
	}
	return out, err
}
