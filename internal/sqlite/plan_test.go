package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// queryPlan returns EXPLAIN QUERY PLAN's steps for query, joined by " | ".
func queryPlan(t *testing.T, d *DB, query string, args []any) string {
	t.Helper()
	rows, err := d.db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, " | ")
}

// TestListQueryPlans pins down how the list queries use the indexes. The
// store runs no ANALYZE, so plans do not depend on the data and a small
// database shows the ones a large one gets. On 10,000 postmortems and
// 50,000 items (BenchmarkListIncidents, BenchmarkListItems) they give:
//
// Incidents, first page: SCAN p USING COVERING INDEX postmortems_date_id
// (backwards, stops after the page), then per row of the page only SEARCH
// a USING INDEX action_items_live for the counts. Year is a range on the
// same index; status and severity filter that scan. Search: SCAN the FTS5
// table, SEARCH p by search_rowid, a temp B-tree sorts the matches' ids,
// and snippet() runs for the page's rows only. Tag and owner: SEARCH
// postmortem_tags_tag / action_items_owner_key for a list of ids, then
// SEARCH p by id and a small sort. HasOpen: an EXISTS SEARCH on
// action_items_live per postmortem scanned. action_items is never scanned.
//
// Items by age: SCAN p USING INDEX postmortems_date_id, SEARCH a USING
// INDEX action_items_postmortem (only the few items of one postmortem are
// sorted, "LAST 2 TERMS OF ORDER BY"), stopping after a page. Items by due
// date: SCAN a USING INDEX action_items_due in order, stopping after a
// page. Filters (status, team, overdue, owner left, no owner, no Jira)
// are checked along those ordered scans, which is fast while matches are
// not rare. An owner filter instead SEARCHes action_items_owner_key and
// sorts that owner's items. ItemCounts reads action_items_status_due,
// action_items_owner_key and action_items_annotated only.
func TestListQueryPlans(t *testing.T) {
	ctx := context.Background()
	d := itemFixture(t)
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	for _, f := range []postmortem.IncidentFilter{
		{}, {Query: "kafka"}, {Year: 2024}, {Status: "final"}, {Severity: "SEV1"}, {Tag: "dns"},
		{Owner: "Ana Lima"}, {HasOpen: true}, {Query: "kafka", Year: 2023, HasOpen: true, Owner: "Bo", Tag: "x"},
		{After: cursor{Sort: "incidents", Date: "2024-01-01", Doc: "x"}.String()},
	} {
		after, _ := parseCursor(f.After, "incidents")
		q, args, err := incidentQuery(ctx, tx, f, after, 50)
		if err != nil {
			t.Fatal(err)
		}
		plan := queryPlan(t, d, q, args)
		if strings.Contains(plan, "SCAN a") || strings.Contains(plan, "SCAN action_items") {
			t.Errorf("%+v: action_items scanned: %s", f, plan)
		}
		if f == (postmortem.IncidentFilter{}) && !strings.HasPrefix(plan, "MATERIALIZE page | SCAN p USING COVERING INDEX postmortems_date_id | SCAN page") {
			t.Errorf("first page: %s", plan)
		}
	}

	for _, tc := range []struct {
		f    postmortem.ItemFilter
		want []string
	}{
		{postmortem.ItemFilter{}, []string{"p USING INDEX postmortems_date_id", "SEARCH a USING INDEX action_items_postmortem"}},
		{postmortem.ItemFilter{OpenOnly: true, NoJira: true}, []string{"p USING INDEX postmortems_date_id", "SEARCH a USING INDEX action_items_postmortem"}},
		{postmortem.ItemFilter{Sort: "due"}, []string{"a USING INDEX action_items_due"}},
		{postmortem.ItemFilter{Sort: "due", Overdue: true, Team: "x"}, []string{"a USING INDEX action_items_due"}},
		{postmortem.ItemFilter{Owner: "Ana"}, []string{"SEARCH a USING INDEX action_items_owner_key"}},
		{postmortem.ItemFilter{Owner: "Ana", Sort: "due"}, []string{"SEARCH a USING INDEX action_items_owner_key"}},
	} {
		sort := tc.f.Sort
		if sort == "" {
			sort = "age"
		}
		for _, after := range []*cursor{nil, {Sort: sort, Date: "2024", Doc: "x", Due: "2024", Item: 1}} {
			q, args, err := itemQuery(ctx, tx, tc.f, sort, after, 100, itemNow)
			if err != nil {
				t.Fatal(err)
			}
			plan := queryPlan(t, d, q, args)
			for _, w := range tc.want {
				if !strings.Contains(plan, w) {
					t.Errorf("%+v: plan %s\nlacks %s", tc.f, plan, w)
				}
			}
			if tc.f.Owner == "" && strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%+v: sorts every match: %s", tc.f, plan)
			}
		}
	}
}
