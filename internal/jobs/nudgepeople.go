package jobs

import (
	"context"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// person finds how to reach directory member m on Slack, once per run:
// by the Slack id the directory gives, else by email (and the id found is
// stored on the person). Someone inactive in the directory, unknown to or
// deactivated in Slack, or with neither id nor email cannot be reached:
// gone says why. Their zone is the directory's, else Slack's, else UTC.
// Only a failure that must stop the run is returned; others are kept in
// the recipient's err, and their items wait for the next run.
func (r *nudgeRun) person(ctx context.Context, m *postmortem.Member) (*recipient, error) {
	if rc := r.people[m.ID]; rc != nil {
		return rc, nil
	}
	rc := &recipient{name: m.Name}
	r.people[m.ID] = rc
	if !m.Active {
		rc.gone, rc.why = postmortem.EscalateOwnerLeft, m.Name+" has left (the people directory says so)"
		return rc, nil
	}
	var u postmortem.SlackUser
	var err error
	switch {
	case m.SlackID != "":
		u, err = r.userByID(ctx, m.SlackID)
	case m.Email != "":
		u, err = r.userByEmail(ctx, m.Email)
		if err == nil && u.ID != "" && !r.o.DryRun {
			err = r.store.SaveSlackID(ctx, m.ID, u.ID)
		}
	default:
		rc.gone, rc.why = postmortem.EscalateUnreachable, m.Name+" has neither a Slack id nor an email in the people directory"
		return rc, nil
	}
	if err != nil {
		return rc, r.keep(ctx, rc, m.Name, err)
	}
	r.settle(rc, u, m.Timezone, m.Name)
	return rc, nil
}

// manager finds the person with email, the manager an escalation goes
// to: through the directory when it knows them, else straight from Slack.
func (r *nudgeRun) manager(ctx context.Context, email string) (*recipient, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	if rc := r.managers[key]; rc != nil {
		return rc, nil
	}
	m, err := r.store.MemberByEmail(ctx, email)
	switch {
	case err == nil:
		rc, err := r.person(ctx, m)
		r.managers[key] = rc
		return rc, err
	case !errNotFound(err):
		return nil, err
	}
	rc := &recipient{}
	r.managers[key] = rc
	u, err := r.userByEmail(ctx, email)
	if err != nil {
		return rc, r.keep(ctx, rc, email, err)
	}
	r.settle(rc, u, "", email)
	if rc.name == "" {
		rc.name = email
	}
	return rc, nil
}

// keep records a Slack failure on rc, or returns it when it must stop
// the run.
func (r *nudgeRun) keep(ctx context.Context, rc *recipient, who string, err error) error {
	if stopsRun(ctx, err) {
		return err
	}
	rc.err = err
	r.o.Logger.Warn("slack lookup failed, items wait for the next run", "person", who, "err", err)
	return nil
}

// settle fills rc from what Slack said of the user.
func (r *nudgeRun) settle(rc *recipient, u postmortem.SlackUser, dirZone, name string) {
	switch {
	case u.ID == "":
		rc.gone, rc.why = postmortem.EscalateSlackGone, "Slack has no active account for "+name
	case u.Deleted:
		rc.gone, rc.why = postmortem.EscalateSlackGone, name+"'s Slack account is deactivated"
	case u.Bot:
		rc.gone, rc.why = postmortem.EscalateUnreachable, "the people directory gives a bot as "+name+"'s Slack account"
	default:
		rc.key = u.ID
		rc.zone = r.zone(dirZone, u.TZ)
		if u.Name != "" && rc.name == "" {
			rc.name = u.Name
		}
	}
}

// zone loads the first of the names that is a valid zone, else UTC.
func (r *nudgeRun) zone(names ...string) *time.Location {
	for _, n := range names {
		if n == "" {
			continue
		}
		if loc, ok := r.zones[n]; ok {
			if loc != nil {
				return loc
			}
			continue
		}
		loc, err := time.LoadLocation(n)
		if err != nil {
			r.zones[n] = nil
			continue
		}
		r.zones[n] = loc
		return loc
	}
	return time.UTC
}

// userByEmail asks Slack for the user with email unless it was asked
// within LookupTTL. A user Slack does not find comes back with no ID.
func (r *nudgeRun) userByEmail(ctx context.Context, email string) (postmortem.SlackUser, error) {
	key := "email:" + strings.ToLower(strings.TrimSpace(email))
	if l, ok, err := r.store.SlackLookup(ctx, key); err != nil || (ok && r.fresh(l)) {
		return l.User, err
	}
	u, err := r.slack.LookupByEmail(ctx, email)
	if err != nil && !errNotFound(err) {
		return u, err
	}
	if err != nil {
		u = postmortem.SlackUser{}
	}
	if err := r.remember(ctx, key, u); err != nil {
		return u, err
	}
	if u.ID != "" {
		return u, r.remember(ctx, "id:"+u.ID, u)
	}
	return u, nil
}

// userByID asks Slack about user id unless it was asked within LookupTTL.
// A user Slack does not know comes back with no ID.
func (r *nudgeRun) userByID(ctx context.Context, id string) (postmortem.SlackUser, error) {
	key := "id:" + id
	if l, ok, err := r.store.SlackLookup(ctx, key); err != nil || (ok && r.fresh(l)) {
		return l.User, err
	}
	u, err := r.slack.UserInfo(ctx, id)
	if err != nil && !errNotFound(err) {
		return u, err
	}
	if err != nil {
		u = postmortem.SlackUser{}
	}
	return u, r.remember(ctx, key, u)
}

func (r *nudgeRun) fresh(l postmortem.SlackLookup) bool {
	return r.now.Sub(l.At) < r.o.LookupTTL && !l.At.After(r.now)
}

// remember stores what Slack said under key, keeping a DM channel already
// known; a dry run stores nothing.
func (r *nudgeRun) remember(ctx context.Context, key string, u postmortem.SlackUser) error {
	if r.o.DryRun {
		return nil
	}
	old, _, err := r.store.SlackLookup(ctx, key)
	if err != nil {
		return err
	}
	dm := ""
	if old.User.ID == u.ID {
		dm = old.DM
	}
	return r.store.SaveSlackLookup(ctx, key, postmortem.SlackLookup{User: u, DM: dm, At: r.now})
}

// forget makes the next run ask Slack about user id again.
func (r *nudgeRun) forget(ctx context.Context, id string) error {
	key := "id:" + id
	l, ok, err := r.store.SlackLookup(ctx, key)
	if err != nil || !ok {
		return err
	}
	l.At = time.Time{}
	return r.store.SaveSlackLookup(ctx, key, l)
}

// dm returns the direct message channel with user id, opening it the
// first time.
func (r *nudgeRun) dm(ctx context.Context, id string) (string, error) {
	key := "id:" + id
	l, ok, err := r.store.SlackLookup(ctx, key)
	if err != nil {
		return "", err
	}
	if ok && l.DM != "" && l.User.ID == id {
		return l.DM, nil
	}
	ch, err := r.slack.OpenDM(ctx, id)
	if err != nil {
		return "", err
	}
	if !ok {
		// Only the channel is known: leave the user to be looked up.
		l = postmortem.SlackLookup{User: postmortem.SlackUser{ID: id}}
	}
	l.DM = ch
	return ch, r.store.SaveSlackLookup(ctx, key, l)
}
