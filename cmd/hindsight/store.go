package main

import (
	"context"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// openStore opens the database and applies any migrations it lacks.
func (a *app) openStore() (*sqlite.DB, error) {
	db, err := sqlite.Open(a.ctx, a.DB)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(a.ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openReadOnly opens the database without writing to it, and refuses one
// whose schema is not the current one, since it cannot be migrated.
func (a *app) openReadOnly() (*sqlite.DB, error) {
	db, err := sqlite.Open(a.ctx, a.DB, sqlite.ReadOnly())
	if err != nil {
		return nil, err
	}
	current, latest, err := db.SchemaVersion(a.ctx)
	if err == nil && current != latest {
		err = postmortem.Errorf(postmortem.EInvalid,
			"database %s has schema version %d, not %d: migrate it (hindsight migrate) before serving it read-only", a.DB, current, latest)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// importStore adapts the database to jobs.Store.
type importStore struct{ *sqlite.DB }

// Hashes converts the store's known hashes to the import job's type.
func (s importStore) Hashes(ctx context.Context) (map[string]jobs.Known, error) {
	stored, err := s.DB.Hashes(ctx)
	if err != nil {
		return nil, err
	}
	known := make(map[string]jobs.Known, len(stored))
	for path, k := range stored {
		known[path] = jobs.Known{Hash: k.Hash, ParserVersion: k.ParserVersion, Missing: k.Missing}
	}
	return known, nil
}

// serverStore adapts the database to server.Store.
type serverStore struct{ *sqlite.DB }

var _ server.Store = serverStore{}

// Facets lists the values the incident filters offer.
func (s serverStore) Facets(ctx context.Context) (server.Facets, error) {
	f, err := s.DB.Facets(ctx)
	return server.Facets(f), err
}

// EditItem changes an item's tracked fields.
func (s serverStore) EditItem(ctx context.Context, id int64, e server.ItemEdit, actor string) (*postmortem.Item, error) {
	return s.DB.EditItem(ctx, id, sqlite.ItemEdit(e), actor)
}

// UnmatchedOwners lists the owners the directory does not know.
func (s serverStore) UnmatchedOwners(ctx context.Context) ([]server.OwnerCount, error) {
	owners, err := s.DB.UnmatchedOwners(ctx)
	out := make([]server.OwnerCount, len(owners))
	for i, o := range owners {
		out[i] = server.OwnerCount(o)
	}
	return out, err
}
