package sqlite

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// TestClaimNudge: a (target, slot) is claimed once; a sent claim is never
// taken again, a failed one is at once, an unsent one only after its
// lease, and none after maxAttempts.
func TestClaimNudge(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.Save(ctx, []*postmortem.Postmortem{doc("a.md", "a", item("Fix it", "Ann", "open", ""))}, 1); err != nil {
		t.Fatal(err)
	}
	items, _ := d.NudgeItems(ctx)
	// After the item was saved, so that sending counts as a reminder.
	at := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
	slot := at.Truncate(time.Hour)
	claim := func(target string, now time.Time) (*postmortem.Nudge, bool) {
		t.Helper()
		n := &postmortem.Nudge{Target: target, Slot: slot, Name: "Ann",
			Lines: []postmortem.NudgeLine{{ItemID: items[0].ID}}}
		ok, err := d.ClaimNudge(ctx, n, "run", now, now.Add(-10*time.Minute), 3)
		if err != nil {
			t.Fatal(err)
		}
		return n, ok
	}
	n, ok := claim("U1", at)
	if !ok || n.ID == 0 || n.Attempts != 1 {
		t.Fatalf("first claim: %+v %v", n, ok)
	}
	if _, ok := claim("U1", at.Add(time.Minute)); ok {
		t.Error("a fresh claim was taken again")
	}
	if ok, _ := d.NudgeClaimable(ctx, "U1", slot, at.Add(-9*time.Minute), 3); ok {
		t.Error("NudgeClaimable disagrees")
	}
	n2, ok := claim("U1", at.Add(11*time.Minute))
	if !ok || n2.ID != n.ID || n2.Attempts != 2 {
		t.Errorf("stale claim not taken over: %+v %v", n2, ok)
	}
	if err := d.NudgeFailed(ctx, n.ID, "boom"); err != nil {
		t.Fatal(err)
	}
	if n3, ok := claim("U1", at.Add(12*time.Minute)); !ok || n3.Attempts != 3 {
		t.Errorf("failed claim not taken: %+v %v", n3, ok)
	}
	d.NudgeFailed(ctx, n.ID, "boom")
	if _, ok := claim("U1", at.Add(13*time.Minute)); ok {
		t.Error("claim taken after maxAttempts")
	}

	n4, _ := claim("U2", at)
	if err := d.NudgeSent(ctx, n4.ID, "D2", "1.000001", at, map[int64]string{items[0].ID: "sent to Ann"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := claim("U2", at.Add(time.Hour)); ok {
		t.Error("a sent digest was claimed again")
	}
	got, err := d.NudgeByMessage(ctx, "D2", "1.000001")
	if err != nil || got.ID != n4.ID || got.State != postmortem.NudgeSent || len(got.Lines) != 1 || !got.Slot.Equal(slot) {
		t.Errorf("by message = %+v, %v", got, err)
	}
	if _, err := d.NudgeByMessage(ctx, "D2", "9.9"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("unknown message: %v", err)
	}
	items, _ = d.NudgeItems(ctx)
	if items[0].Ignored != 1 {
		t.Errorf("ignored = %d, want 1", items[0].Ignored)
	}
}

// TestClaimNudgeRace: of many connections claiming one digest at once,
// exactly one wins.
func TestClaimNudgeRace(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 19, 10, 30, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := &postmortem.Nudge{Target: "U1", Slot: at.Truncate(time.Hour)}
			ok, err := d.ClaimNudge(ctx, n, "run", at, at.Add(-10*time.Minute), 5)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d claims won", wins)
	}
}
