package markdown

import (
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"gopkg.in/yaml.v3"
)

// frontMatter reads YAML (---) or TOML (+++) front matter at the top of the
// document into the postmortem and returns how many lines it spans, 0 when
// there is none. Keys with no field are kept as sections.
func (d *doc) frontMatter() int {
	if len(d.lines) < 2 {
		return 0
	}
	delim := strings.TrimSpace(d.lines[0])
	if delim != "---" && delim != "+++" {
		return 0
	}
	end := -1
	for i := 1; i < len(d.lines) && i < 2000; i++ {
		t := strings.TrimSpace(d.lines[i])
		if t == delim || delim == "---" && t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return 0
	}
	body := strings.Join(d.lines[1:end], "\n")
	var pairs []fmPair
	var err error
	if delim == "---" {
		pairs, err = yamlPairs(body)
	} else {
		pairs, err = tomlPairs(body)
	}
	if err != nil {
		d.p.Warnf(1, "front matter cannot be read (%v); kept as a section", firstLine(err.Error()))
		d.p.Sections = append(d.p.Sections, postmortem.Section{Heading: "Front matter", Text: body})
		return end + 1
	}
	for _, kv := range pairs {
		d.fmField(kv, 2+kv.line)
	}
	return end + 1
}

// fmPair is one front-matter key with its value as text (lists joined by
// newlines) and the line it is on, relative to the front matter's body.
type fmPair struct {
	key  string
	val  string
	list []string
	line int
}

func yamlPairs(body string) ([]fmPair, error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(body), &root); err != nil {
		return nil, err
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a mapping")
	}
	var out []fmPair
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		kv := fmPair{key: k.Value, line: k.Line - 1}
		switch v.Kind {
		case yaml.ScalarNode:
			kv.val = v.Value
		case yaml.SequenceNode:
			for _, c := range v.Content {
				if c.Kind == yaml.ScalarNode {
					kv.list = append(kv.list, c.Value)
				} else if c.Kind == yaml.MappingNode {
					kv.list = append(kv.list, yamlText(c))
				}
			}
			kv.val = strings.Join(kv.list, "\n")
		default:
			kv.val = yamlText(v)
		}
		out = append(out, kv)
	}
	return out, nil
}

func yamlText(n *yaml.Node) string {
	b, err := yaml.Marshal(n)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func tomlPairs(body string) ([]fmPair, error) {
	var m map[string]any
	md, err := toml.Decode(body, &m)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	order := map[string]int{}
	for i, k := range md.Keys() {
		if _, ok := order[k[0]]; !ok {
			order[k[0]] = i
		}
	}
	sort.Slice(keys, func(i, j int) bool { return order[keys[i]] < order[keys[j]] })
	var out []fmPair
	for _, k := range keys {
		kv := fmPair{key: k}
		switch v := m[k].(type) {
		case []any:
			for _, e := range v {
				kv.list = append(kv.list, fmt.Sprint(e))
			}
			kv.val = strings.Join(kv.list, "\n")
		case map[string]any:
			var parts []string
			for kk, vv := range v {
				parts = append(parts, fmt.Sprintf("%s = %v", kk, vv))
			}
			sort.Strings(parts)
			kv.val = strings.Join(parts, "\n")
		default:
			kv.val = fmt.Sprint(v)
		}
		out = append(out, kv)
	}
	return out, nil
}

// fmField applies one front-matter key.
func (d *doc) fmField(kv fmPair, ln int) {
	p := d.p
	key := strings.ToLower(strings.TrimSpace(kv.key))
	switch key {
	case "title":
		if p.Title == "" {
			d.title = kv.val
			p.Title = strings.TrimSpace(kv.val)
		}
	case "date", "start_time", "started", "start", "incident_date", "date_of_incident":
		if d.fmDate.text == "" && kv.val != "" {
			d.fmDate = dateCandidate{from: "front matter", text: kv.val, line: ln}
			if key != "date" {
				p.Sections = append(p.Sections, postmortem.Section{Heading: kv.key, Text: kv.val})
			}
			return
		}
		p.Sections = append(p.Sections, postmortem.Section{Heading: kv.key, Text: kv.val})
	case "author", "authors":
		if len(kv.list) == 0 {
			ps, _ := people(kv.val)
			p.Authors = append(p.Authors, ps...)
		}
		for _, v := range kv.list {
			if a, ok := person(v); ok {
				p.Authors = append(p.Authors, a)
			}
		}
	case "status":
		p.Status = kv.val
	case "severity", "sev":
		p.Severity = kv.val
	case "tags", "labels", "categories":
		vals := kv.list
		if len(vals) == 0 {
			vals = strings.Split(kv.val, ",")
		}
		for _, v := range vals {
			if v = strings.TrimSpace(v); v != "" {
				p.Tags = append(p.Tags, v)
			}
		}
	case "summary":
		p.Summary = kv.val
	case "impact":
		p.Impact = kv.val
	case "description":
		p.Description = kv.val
	case "timezone", "tz", "time_zone":
		p.Timezone = kv.val
		d.docZone, d.docZoneLine = kv.val, ln
	default:
		p.Sections = append(p.Sections, postmortem.Section{Heading: kv.key, Text: kv.val})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
