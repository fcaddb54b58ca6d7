package main

import "fmt"

type migrateCmd struct{}

func (migrateCmd) Help() string {
	return `Creates the database if needed and applies the schema migrations it
lacks, then prints "schema version N (latest N)". Every other command that
opens the database does this too; run it alone to upgrade ahead of time.

Example:
  hindsight migrate --db /data/hindsight.db`
}

// Run migrates the database and prints its schema version.
func (migrateCmd) Run(a *app) error {
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	current, latest, err := db.SchemaVersion(a.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "schema version %d (latest %d)\n", current, latest)
	return nil
}
