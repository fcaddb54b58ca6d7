package corpus

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// codeMark brackets an inline-code token inside generated text; each
// renderer turns it into backticks, a line of its own, or nothing.
const codeMark = "\x01"

// dupRate is the share of documents that reuse the date and title of an
// earlier one, which gives them the same id.
const dupRate = 0.006

// longRate is the share of documents with a long timeline (up to ~40 KB).
const longRate = 0.025

var firstDay = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

const spanDays = 7 * 365

// incident is one postmortem's content, independent of how it is written.
type incident struct {
	title    string
	date     time.Time
	sc       *scene
	authors  []person
	severity string
	long     bool
	// titleLag is how many days after the incident a wiki page's title
	// date falls (the day the write-up was started); usually zero.
	titleLag int

	summary, description, impact, trigger, detection, resolution []string
	rootCauses, lessons, wentWell, wentWrong, lucky              []string

	timeline []event
	actions  []action
	tags     []string
}

// event is a timeline entry; dateOnly entries have no time of day.
type event struct {
	at       time.Time
	text     string
	dateOnly bool
}

// action is an action item; team, when set, owns it instead of owner.
type action struct {
	text       string
	owner      person
	team       string
	status     string
	priority   string
	key        string
	annotation string
}

// scene holds what the templates of one incident refer to.
type scene struct {
	r         *rng
	sys, sys2 system
	team      team
	crew      []person
	loc       string
	symptom   string
	cause     string
	busy      string
}

// headline is the part of an incident a duplicate copies: date and title,
// and the system and circumstances the title mentions.
type headline struct {
	date  time.Time
	title string
	sc    scene
}

func drawHeadline(r *rng) headline {
	sys := pick(r, systems)
	h := headline{
		date: firstDay.AddDate(0, 0, r.intn(spanDays)),
		sc: scene{
			sys:     sys,
			sys2:    pick(r, systems),
			team:    teams[sys.team],
			loc:     pick(r, stations),
			symptom: pick(r, sys.symptoms),
			cause:   pick(r, causes),
			busy:    pick(r, busyTimes),
		},
	}
	for h.sc.sys2.name == sys.name {
		h.sc.sys2 = pick(r, systems)
	}
	switch r.intn(5) {
	case 0, 1:
		h.title = fmt.Sprintf("%s %s for %d minutes", sys.name, h.sc.symptom, r.between(4, 240))
	case 2:
		h.title = fmt.Sprintf("%s %s after %s", sys.name, h.sc.symptom, h.sc.cause)
	case 3:
		h.title = fmt.Sprintf("%s %s at %s", sys.name, h.sc.symptom, h.sc.loc)
	default:
		h.title = fmt.Sprintf("Partial %s outage during %s", sys.name, h.sc.busy)
	}
	return h
}

// newIncident builds document i of the corpus for seed.
func newIncident(seed int64, i int) *incident {
	r := docRNG(seed, i)
	h := drawHeadline(r)
	if i > 0 && r.chance(dupRate) {
		h = drawHeadline(docRNG(seed, i-1-r.intn(min(i, 200))))
	}
	sc := h.sc
	sc.r = r
	inc := &incident{title: h.title, date: h.date, sc: &sc, long: r.chance(longRate)}

	authors, responders := r.between(1, 3), r.between(2, 4)
	for _, k := range r.perm(len(people))[:authors+responders] {
		sc.crew = append(sc.crew, people[k])
	}
	inc.authors = sc.crew[:authors]
	inc.severity = pick(r, severities)
	if r.chance(0.1) {
		inc.titleLag = r.between(1, 7)
	}

	// extra makes some write-ups wordier than others.
	extra := pick(r, []int{0, 1, 1, 2, 2, 3, 4})
	if inc.long {
		extra = 5
	}
	inc.summary = sc.sentences(summaryBank, r.between(2, 4)+2*extra)
	inc.description = sc.sentences(descriptionBank, r.between(2, 4)+extra)
	inc.impact = sc.sentences(impactBank, r.between(1, 3)+2*extra)
	inc.trigger = sc.sentences(triggerBank, r.between(1, 2)+extra/2)
	inc.detection = sc.sentences(detectionBank, r.between(1, 2)+extra/2)
	inc.resolution = sc.sentences(resolutionBank, r.between(1, 3)+extra)
	inc.rootCauses = sc.sentences(rootCauseBank, r.between(2, 5)+extra)
	inc.lessons = sc.sentences(lessonBank, r.between(2, 5)+extra)
	inc.wentWell = sc.sentences(wentWellBank, r.between(1, 3))
	inc.wentWrong = sc.sentences(wentWrongBank, r.between(1, 3))
	inc.lucky = sc.sentences(luckyBank, r.between(1, 2))
	inc.timeline = sc.timeline(inc)
	inc.actions = sc.actionItems()
	for _, k := range r.perm(len(tagWords))[:r.between(1, 3)] {
		inc.tags = append(inc.tags, tagWords[k])
	}
	inc.tags = append(inc.tags, sc.team.slug)
	return inc
}

// perm returns a random permutation of [0, n).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], i
	}
	return p
}

// sentences fills k distinct templates from bank (fewer if bank is short).
func (s *scene) sentences(bank []string, k int) []string {
	out := make([]string, 0, k)
	for n, j := range s.r.perm(len(bank)) {
		if n == k {
			break
		}
		out = append(out, s.fill(bank[j]))
	}
	return out
}

// draw returns k templates from bank, going through the bank in a random
// order and starting again when it runs out.
func (s *scene) draw(bank []string, k int) []string {
	out := make([]string, 0, k)
	for len(out) < k {
		for _, j := range s.r.perm(len(bank)) {
			if len(out) == k {
				break
			}
			out = append(out, bank[j])
		}
	}
	return out
}

// timeline draws the entries: the trigger, detection, a run of
// investigation, mitigation, recovery and closing, minutes apart.
func (s *scene) timeline(inc *incident) []event {
	r := s.r
	n := r.between(5, 18)
	if r.chance(0.6) {
		n = r.between(8, 40)
	}
	if inc.long {
		n = r.between(100, 220)
	}
	fixed := []int{1, 1, 1, 1, 1}
	if n >= 9 {
		fixed = []int{r.between(1, 2), 2, r.between(1, 2), r.between(1, 2), 1}
	}
	middle := n
	for _, c := range fixed {
		middle -= c
	}
	var plan []string
	plan = append(plan, s.draw(startEvents, fixed[0])...)
	plan = append(plan, s.draw(detectEvents, fixed[1])...)
	plan = append(plan, s.draw(investigateEvents, middle)...)
	plan = append(plan, s.draw(mitigateEvents, fixed[2])...)
	plan = append(plan, s.draw(recoverEvents, fixed[3])...)
	plan = append(plan, s.draw(closeEvents, fixed[4])...)

	wordy := pick(r, []float64{0.2, 0.5, 0.5, 0.8, 1.2})
	at := inc.date.Add(time.Duration(r.between(0, 23*60)) * time.Minute)
	var out []event
	if r.chance(0.15) {
		out = append(out, event{at: inc.date.AddDate(0, 0, -r.between(1, 3)), dateOnly: true,
			text: s.fill("{cause} on {host} goes unnoticed.")})
	}
	for k, t := range plan {
		if k > 0 {
			step := r.between(1, 20)
			if inc.long && r.chance(0.1) {
				step = r.between(30, 180)
			}
			at = at.Add(time.Duration(step) * time.Minute)
		}
		text := s.fill(t)
		for p := wordy; r.chance(p); p -= 0.6 {
			text += " " + s.fill(pick(r, followups))
		}
		out = append(out, event{at: at, text: text})
	}
	return out
}

func (s *scene) actionItems() []action {
	r := s.r
	n := r.between(1, 8)
	out := make([]action, 0, n)
	for _, j := range r.perm(len(actionBank))[:n] {
		a := action{
			text:     strings.TrimSuffix(plain(s.fill(actionBank[j])), "."),
			owner:    pick(r, s.crew),
			status:   pick(r, actionStatuses),
			priority: fmt.Sprintf("P%d", r.between(0, 3)),
		}
		if r.chance(0.3) {
			a.owner = pick(r, people)
		}
		if r.chance(0.08) {
			a.team = s.team.name + " team"
		}
		if r.chance(0.75) {
			key := s.team.key
			if r.chance(0.3) {
				key = "OPS"
			}
			a.key = fmt.Sprintf("%s-%d", key, r.between(10, 4999))
		}
		if r.chance(0.08) {
			a.annotation = pick(r, []string{"Deactivated", "Deactivated", "Unlicensed"})
		}
		out = append(out, a)
	}
	return out
}

// fill expands the slots of template t and capitalises the result.
func (s *scene) fill(t string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		j := i + strings.IndexByte(t[i:], '}')
		b.WriteString(t[:i])
		b.WriteString(s.slot(t[i+1 : j]))
		t = t[j+1:]
	}
	return capitalise(b.String())
}

func (s *scene) slot(name string) string {
	r := s.r
	switch name {
	case "sys":
		return s.sys.name
	case "sysd":
		return s.sys.desc
	case "sys2":
		return s.sys2.name
	case "sys2d":
		return s.sys2.desc
	case "team":
		return s.team.name
	case "p", "p2":
		return pick(r, s.crew).name()
	case "loc":
		return s.loc
	case "symptom":
		return s.symptom
	case "cause":
		return s.cause
	case "busy":
		return s.busy
	case "n":
		return thousands(r.between(120, 95000))
	case "pct":
		return fmt.Sprint(r.between(2, 95))
	case "min":
		return fmt.Sprint(r.between(4, 95))
	case "ver":
		return fmt.Sprintf("%d.%d.%d", r.between(1, 9), r.between(0, 40), r.between(0, 12))
	case "code":
		return codeMark + pick(r, s.sys.code) + codeMark
	case "host":
		return fmt.Sprintf("%s%s-%02d%s", codeMark, s.sys.host, r.between(1, 24), codeMark)
	}
	panic("corpus: unknown template slot " + name)
}

func thousands(n int) string {
	if n < 1000 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d,%03d", n/1000, n%1000)
}

func capitalise(s string) string {
	c, size := utf8.DecodeRuneInString(s)
	if !unicode.IsLower(c) {
		return s
	}
	return string(unicode.ToUpper(c)) + s[size:]
}
