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

// Incidents lists every stored postmortem for the incident list.
func (s serverStore) Incidents(ctx context.Context) ([]server.Incident, error) {
	list, err := s.List(ctx, sqlite.ListOptions{})
	if err != nil {
		return nil, err
	}
	incidents := make([]server.Incident, len(list))
	for i, v := range list {
		incidents[i] = server.Incident{
			ID: v.ID, Title: v.Title, Date: v.Date, Status: v.Status, Severity: v.Severity,
			OpenItems: v.OpenItems, TotalItems: v.TotalItems, Missing: v.Missing,
		}
	}
	return incidents, nil
}

// Postmortem returns one stored postmortem.
func (s serverStore) Postmortem(ctx context.Context, id string) (*postmortem.Postmortem, error) {
	return s.Get(ctx, id)
}
