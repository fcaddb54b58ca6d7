package jobs_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/slack/slackfake"
)

// jiraRecorder is Jira as the Done button sees it, recording the calls.
type jiraRecorder struct {
	mu    sync.Mutex
	calls []string
}

func (j *jiraRecorder) Complete(ctx context.Context, key, transition, comment string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.calls = append(j.calls, key+" | "+transition+" | "+comment)
	return nil
}

// buttonEnv is a nudge env with a digest sent to Ann (two items, one with
// a Jira issue) and the receiver of Slack's requests.
type buttonEnv struct {
	*nudgeEnv
	actions *jobs.NudgeActions
	jira    *jiraRecorder
	items   []postmortem.Item
	dm, ts  string
}

func newButtonEnv(t *testing.T) *buttonEnv {
	e := newNudgeEnv(t,
		slackfake.User{ID: "U1", RealName: "Ann Lee", Email: "ann@example.com", TZ: "UTC"},
		slackfake.User{ID: "U2", RealName: "Bob Stone", Email: "bob@example.com", TZ: "UTC"},
		slackfake.User{ID: "U3", RealName: "Carol King", Email: "carol@example.com", TZ: "UTC"})
	e.person(t, postmortem.Member{Name: "Ann Lee", SlackID: "U1", ManagerEmail: "carol@example.com", Active: true})
	e.person(t, postmortem.Member{Name: "Bob Stone", Email: "bob@example.com", Active: true})
	e.person(t, postmortem.Member{Name: "Carol King", SlackID: "U3", Active: true})
	withJira := owned("Rotate the keys", "Ann Lee")
	withJira.JiraKey = "OPS-7"
	items := e.doc(t, "2024-01-01-a", "2024-01-01", withJira, owned("Write the runbook", "Ann Lee"),
		owned("Bob's item", "Bob Stone"))
	if sum := e.run(t); sum.Digests != 2 {
		t.Fatalf("run: %+v", sum)
	}
	msg := e.fake.MessagesTo("U1")[0]
	b := &buttonEnv{nudgeEnv: e, jira: &jiraRecorder{}, items: items, dm: msg.Channel, ts: msg.TS}
	b.actions = jobs.NewNudgeActions(context.Background(), e.db, e.client, b.jira,
		jobs.NudgeActionOptions{BaseURL: "https://hindsight.example.com", DoneTransition: "Done",
			Now: func() time.Time { return e.now }})
	return b
}

// press sends a signed press of action on item by user, on Ann's digest.
func (b *buttonEnv) press(t *testing.T, action string, item int64, user string) error {
	t.Helper()
	body := slackfake.ClickBody(action, item, user, b.dm, b.ts)
	err := b.actions.SlackInteraction(context.Background(), slackfake.Sign("s3cret", time.Now(), body), body)
	b.actions.Wait()
	return err
}

func (b *buttonEnv) item(t *testing.T, id int64) *postmortem.Item {
	t.Helper()
	it, err := b.db.GetItem(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestButtonDone: Done marks the item done, records who did it in its
// history under "slack", closes its Jira issue with a comment and
// replaces its buttons in the message with what happened; a second
// press changes nothing more.
func TestButtonDone(t *testing.T) {
	b := newButtonEnv(t)
	id := b.items[0].ID
	if err := b.press(t, postmortem.ActionDone, id, "U1"); err != nil {
		t.Fatal(err)
	}
	if it := b.item(t, id); it.Status != postmortem.StatusDone {
		t.Errorf("status = %s", it.Status)
	}
	hist, _ := b.db.ItemHistory(context.Background(), id)
	var saw []string
	for _, ev := range hist {
		if ev.Actor == "slack" {
			saw = append(saw, ev.Field+": "+ev.Old+" -> "+ev.New)
		}
	}
	want := []string{"reminder:  -> sent to Ann Lee", "status: open -> done", "reminder:  -> marked done by Ann Lee"}
	if strings.Join(saw, "\n") != strings.Join(want, "\n") {
		t.Errorf("slack history:\n%s\nwant:\n%s", strings.Join(saw, "\n"), strings.Join(want, "\n"))
	}
	if len(b.jira.calls) != 1 || !strings.HasPrefix(b.jira.calls[0], "OPS-7 | Done | Marked done in Slack by Ann Lee") ||
		!strings.Contains(b.jira.calls[0], "https://hindsight.example.com/actions/") {
		t.Errorf("jira calls = %q", b.jira.calls)
	}
	up := b.fake.Updates()
	if len(up) != 1 || up[0].TS != b.ts {
		t.Fatalf("updates = %+v", up)
	}
	blocks := string(up[0].Blocks)
	if !strings.Contains(blocks, "Done: marked by Ann Lee.") || strings.Contains(blocks, `"block_id":"item:`+itoa(id)+`"`) ||
		!strings.Contains(blocks, `"block_id":"item:`+itoa(b.items[1].ID)+`"`) {
		t.Errorf("updated blocks: %s", blocks)
	}
	if err := b.press(t, postmortem.ActionDone, id, "U1"); err != nil {
		t.Fatal(err)
	}
	if len(b.jira.calls) != 1 {
		t.Errorf("second press called Jira again: %q", b.jira.calls)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestButtonSnooze: Snooze holds the item back from digests for a week;
// after that it is back.
func TestButtonSnooze(t *testing.T) {
	b := newButtonEnv(t)
	snoozed, other := b.items[0], b.items[1]
	if err := b.press(t, postmortem.ActionSnooze, snoozed.ID, "U1"); err != nil {
		t.Fatal(err)
	}
	until := b.now.AddDate(0, 0, 7)
	if up := b.fake.Updates(); len(up) != 1 || !strings.Contains(up[0].Text, "Snoozed until "+until.Format("Mon 2 Jan")+" by Ann Lee.") {
		t.Errorf("updates = %+v", up)
	}
	b.now = b.now.AddDate(0, 0, 4) // Monday
	b.run(t)
	ann := b.texts("U1")
	if len(ann) != 2 || strings.Contains(ann[1], snoozed.Text) || !strings.Contains(ann[1], other.Text) {
		t.Errorf("Monday's digest: %q", ann[1:])
	}
	b.now = until // the next Thursday, 10:30, when the snooze ends
	b.run(t)
	ann = b.texts("U1")
	if len(ann) != 3 || !strings.Contains(ann[2], snoozed.Text) {
		t.Errorf("Thursday's digest: %q", ann[2:])
	}
}

// TestButtonNotMine: Not mine takes the item out of the owner's digests
// and escalates it to their manager, saying why.
func TestButtonNotMine(t *testing.T) {
	b := newButtonEnv(t)
	item := b.items[1]
	if err := b.press(t, postmortem.ActionNotMine, item.ID, "U1"); err != nil {
		t.Fatal(err)
	}
	if up := b.fake.Updates(); len(up) != 1 || !strings.Contains(up[0].Text, "Not mine, says Ann Lee: escalated for a new owner.") {
		t.Errorf("updates = %+v", up)
	}
	b.now = b.now.AddDate(0, 0, 4)
	b.run(t)
	if ann := b.texts("U1"); len(ann) != 2 || strings.Contains(ann[1], item.Text) {
		t.Errorf("Ann's digests: %q", ann)
	}
	carol := b.texts("U3")
	if len(carol) != 1 || !strings.Contains(carol[0], item.Text) || !strings.Contains(carol[0], "Ann Lee says it is not theirs") {
		t.Errorf("Carol's digests: %q", carol)
	}
}

// TestButtonRefused: a forged or stale press is unauthorized and changes
// nothing; a press on a message Hindsight did not send is ignored.
func TestButtonRefused(t *testing.T) {
	b := newButtonEnv(t)
	id := b.items[0].ID
	body := slackfake.ClickBody(postmortem.ActionDone, id, "U1", b.dm, b.ts)
	for name, h := range map[string]map[string][]string{
		"forged": slackfake.Sign("guessed", time.Now(), body),
		"stale":  slackfake.Sign("s3cret", time.Now().Add(-6*time.Minute), body),
	} {
		err := b.actions.SlackInteraction(context.Background(), h, body)
		if postmortem.ErrorCode(err) != postmortem.EUnauthorized {
			t.Errorf("%s: %v", name, err)
		}
	}
	other := slackfake.ClickBody(postmortem.ActionDone, id, "U1", b.dm, "1699999999.000001")
	if err := b.actions.SlackInteraction(context.Background(), slackfake.Sign("s3cret", time.Now(), other), other); err != nil {
		t.Errorf("press on another message: %v", err)
	}
	b.actions.Wait()
	if it := b.item(t, id); it.Status != postmortem.StatusOpen || len(b.fake.Updates()) != 0 || len(b.jira.calls) != 0 {
		t.Errorf("refused presses changed things: %s, %d updates", it.Status, len(b.fake.Updates()))
	}
}

// TestButtonAnswersFast: the press is answered before the message update
// and Jira, which may be slow, are done.
func TestButtonAnswersFast(t *testing.T) {
	b := newButtonEnv(t)
	release := b.fake.Hold("chat.update")
	body := slackfake.ClickBody(postmortem.ActionDone, b.items[1].ID, "U1", b.dm, b.ts)
	start := time.Now()
	if err := b.actions.SlackInteraction(context.Background(), slackfake.Sign("s3cret", time.Now(), body), body); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("answered in %v", took)
	}
	if len(b.fake.Updates()) != 0 {
		t.Error("the update was not held")
	}
	release()
	b.actions.Wait()
	if len(b.fake.Updates()) != 1 {
		t.Errorf("%d updates after release", len(b.fake.Updates()))
	}
}

// TestCommandMine: /hindsight mine lists the caller's open items, found
// by Slack id, or by the email Slack gives; others are told why not.
func TestCommandMine(t *testing.T) {
	b := newButtonEnv(t)
	cmd := func(user, text string) map[string]any {
		t.Helper()
		body := slackfake.CommandBody("/hindsight", text, user)
		out, err := b.actions.SlackCommand(context.Background(), slackfake.Sign("s3cret", time.Now(), body), body)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		if m["response_type"] != "ephemeral" {
			t.Errorf("response_type = %v", m["response_type"])
		}
		return m
	}
	ann := cmd("U1", "mine")["text"].(string)
	containsInOrder(t, "Ann's items", ann, "Hi Ann, you have 2 open action items", "Rotate the keys", "Jira: OPS-7", "Write the runbook")
	if bob := cmd("U2", "mine")["text"].(string); !strings.Contains(bob, "Bob's item") {
		t.Errorf("Bob's items: %s", bob)
	}
	b.fake.AddUser(slackfake.User{ID: "U9", RealName: "New Person", Email: "new@example.com"})
	if who := cmd("U9", "mine")["text"].(string); !strings.Contains(who, "does not know you yet") {
		t.Errorf("unknown caller: %s", who)
	}
	if help := cmd("U1", "help")["text"].(string); !strings.Contains(help, "/hindsight mine") {
		t.Errorf("help: %s", help)
	}
	body := slackfake.CommandBody("/hindsight", "mine", "U1")
	if _, err := b.actions.SlackCommand(context.Background(), slackfake.Sign("nope", time.Now(), body), body); postmortem.ErrorCode(err) != postmortem.EUnauthorized {
		t.Errorf("forged command: %v", err)
	}
}
