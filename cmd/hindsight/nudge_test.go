package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/slack/slackfake"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// nudgeBinary builds hindsight into a temporary directory and returns a
// runner with the environment of a Slack fake, and the fake.
type nudgeBinary struct {
	t    *testing.T
	bin  string
	db   string
	env  []string
	fake *slackfake.Fake
}

const escalationChannel = "C0ESCALATE"

func newNudgeBinary(t *testing.T) *nudgeBinary {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hindsight")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fake := slackfake.New(t, slackfake.Options{Channels: []string{escalationChannel}, Users: []slackfake.User{
		{ID: "U0EDWARD", Name: "edward", RealName: "Edward Barclay", Email: "edward.barclay@example.com", TZ: "America/New_York"},
		{ID: "U0JOHN", Name: "john", RealName: "John Simmons", Email: "john.simmons@example.com", TZ: "Europe/London", Deleted: true},
	}})
	b := &nudgeBinary{t: t, bin: bin, db: filepath.Join(dir, "hindsight.db"), fake: fake}
	b.env = append(os.Environ(),
		"HINDSIGHT_DB="+b.db,
		"HINDSIGHT_LOG_LEVEL=error",
		"HINDSIGHT_SLACK_TOKEN="+fake.Token(),
		"HINDSIGHT_SLACK_SIGNING_SECRET=s3cret",
		"HINDSIGHT_SLACK_API_URL="+fake.URL,
		"HINDSIGHT_SLACK_ESCALATION_CHANNEL="+escalationChannel,
		"HINDSIGHT_BASE_URL=https://hindsight.example.com",
		"HINDSIGHT_JIRA_URL=",
		"HINDSIGHT_TIMEZONE=",
		"HINDSIGHT_NUDGE_SCHEDULE=Mon,Thu 10:00",
	)
	if code, out, errs := b.run("import", "testdata/slack/postmortems"); code != 0 || !strings.HasPrefix(out, "imported 1,") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if code, out, errs := b.run("people", "import", "testdata/slack/people.csv"); code != 0 || out != "created 2, updated 0\n" {
		t.Fatalf("people import: %d %q %q", code, out, errs)
	}
	return b
}

func (b *nudgeBinary) command(args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(b.bin, args...)
	cmd.Env = b.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

func (b *nudgeBinary) run(args ...string) (int, string, string) {
	b.t.Helper()
	cmd, stdout, stderr := b.command(args...)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		b.t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// thursday is 10:30 on a Thursday in New York, Edward's zone (which only
// Slack knows): 15:30 (or 14:30) in UTC, the escalation channel's zone.
const thursday = "2026-11-19T10:30:00-05:00"

// TestNudgeBinary is the end-to-end test of the nudges: the built binary,
// with a postmortem whose three action items belong to Edward Barclay
// (active, known by email only) and John Simmons (who has left, with no
// manager), sends Edward one DM with his item and the escalation channel
// one digest with John's two, saying why; a second run sends nothing.
func TestNudgeBinary(t *testing.T) {
	b := newNudgeBinary(t)

	code, out, errs := b.run("nudge", "--dry-run", "--now", thursday)
	if code != 0 || !strings.HasPrefix(out, "To channel "+escalationChannel) || !strings.Contains(out, "\nTo Edward Barclay (U0EDWARD)") ||
		!strings.HasSuffix(out, "would send 2 digests (3 items); 0 already sent, 0 outside working hours, 0 failed\n") {
		t.Errorf("dry run: %d\n%s%s", code, out, errs)
	}
	if n := len(b.fake.Messages()); n != 0 {
		t.Fatalf("dry run sent %d messages", n)
	}

	code, out, errs = b.run("nudge", "--once", "--now", thursday)
	if code != 0 || out != "sent 2 digests (3 items); 0 already sent, 0 outside working hours, 0 failed\n" {
		t.Fatalf("first run: %d %q %q", code, out, errs)
	}
	edward := b.fake.MessagesTo("U0EDWARD")
	if len(edward) != 1 {
		t.Fatalf("Edward got %d messages", len(edward))
	}
	for _, want := range []string{"Hi Edward, you have 1 open action item", "Alert when the email retry queue grows",
		"Postmortem: Invoice emails not sent (https://hindsight.example.com/incidents/"} {
		if !strings.Contains(edward[0].Text, want) {
			t.Errorf("Edward's digest lacks %q:\n%s", want, edward[0].Text)
		}
	}
	if strings.Contains(edward[0].Text, "mail relay credentials") {
		t.Errorf("Edward's digest lists John's item:\n%s", edward[0].Text)
	}
	ch := b.fake.MessagesTo(escalationChannel)
	if len(ch) != 1 {
		t.Fatalf("the channel got %d messages", len(ch))
	}
	for _, want := range []string{"2 action items need someone to act", "Move the mail relay credentials",
		"Write a runbook for resending invoices", "Owner: John Simmons. Why you see it: John Simmons has left (the people directory says so)"} {
		if !strings.Contains(ch[0].Text, want) {
			t.Errorf("the escalation lacks %q:\n%s", want, ch[0].Text)
		}
	}
	if n := len(b.fake.Messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}

	code, out, errs = b.run("nudge", "--once", "--now", "2026-11-19T11:45:00-05:00")
	if code != 0 || out != "sent 0 digests (0 items); 2 already sent, 0 outside working hours, 0 failed\n" {
		t.Errorf("second run: %d %q %q", code, out, errs)
	}
	if n := len(b.fake.Messages()); n != 2 {
		t.Errorf("%d messages after the second run, want 2", n)
	}
}

// TestNudgeBinaryKilled: a nudge process killed after it recorded a
// digest and before it sent it, then restarted, sends each digest once:
// the interrupted one when its claim's lease has run out.
func TestNudgeBinaryKilled(t *testing.T) {
	b := newNudgeBinary(t)
	// The channel's digest goes first; Edward's waits for its DM to open.
	release := b.fake.Hold("conversations.open")
	defer release()
	cmd, _, stderr := b.command("nudge", "--once", "--now", thursday)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), b.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		nudges, err := db.Nudges(context.Background())
		if err == nil && len(nudges) == 2 && nudges[1].State == postmortem.NudgeClaimed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no claim recorded: %v %+v\n%s", err, nudges, stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	release()
	if e, c := len(b.fake.MessagesTo("U0EDWARD")), len(b.fake.MessagesTo(escalationChannel)); e != 0 || c != 1 {
		t.Fatalf("before the restart Edward got %d, the channel %d", e, c)
	}

	code, out, errs := b.run("nudge", "--once", "--now", "2026-11-19T10:31:00-05:00")
	if code != 0 || out != "sent 0 digests (0 items); 2 already sent, 0 outside working hours, 0 failed\n" {
		t.Errorf("restart within the lease: %d %q %q", code, out, errs)
	}
	code, out, errs = b.run("nudge", "--once", "--now", "2026-11-19T11:05:00-05:00")
	if code != 0 || out != "sent 1 digests (1 items); 1 already sent, 0 outside working hours, 0 failed\n" {
		t.Errorf("after the lease: %d %q %q", code, out, errs)
	}
	if e, c := len(b.fake.MessagesTo("U0EDWARD")), len(b.fake.MessagesTo(escalationChannel)); e != 1 || c != 1 {
		t.Errorf("Edward got %d, the channel %d; want 1 each", e, c)
	}
}
