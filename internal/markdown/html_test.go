package markdown_test

import (
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/markdown"
)

func TestHTML(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // substrings of the output
		not       []string // substrings that must not appear, case-insensitively
	}{
		{
			name: "emphasis and code",
			src:  "Restarted **both** pods with `kubectl rollout restart`.",
			want: []string{"<strong>both</strong>", "<code>kubectl rollout restart</code>"},
		},
		{
			name: "script block",
			src:  "Before\n\n<script>alert(1)</script>\n\nafter",
			want: []string{"<p>Before</p>", "<p>after</p>"},
			not:  []string{"<script", "alert(1)</script>"},
		},
		{
			name: "inline script",
			src:  "a <script>alert(1)</script> b",
			not:  []string{"<script"},
		},
		{
			name: "img onerror",
			src:  `<img src=x onerror="alert(1)">`,
			not:  []string{"<img", "onerror"},
		},
		{
			name: "event handler attribute in raw html",
			src:  `<a href="https://example.com" onclick="alert(1)">x</a> and <div onmouseover="alert(2)">y</div>`,
			not:  []string{"onclick", "onmouseover", "<div"},
		},
		{
			name: "javascript link",
			src:  "[click me](javascript:alert(1))",
			want: []string{"click me"},
			not:  []string{"javascript:", "<a"},
		},
		{
			name: "javascript link with case and control characters",
			src:  "[x](JaVa%09Script:alert(1)) [y](<java\tscript:alert(1)>) [z](\x01javascript:alert(1))",
			not:  []string{"script:", "<a"},
		},
		{
			name: "vbscript and data links",
			src:  "[v](vbscript:msgbox) [d](data:text/html;base64,PHNjcmlwdD4=) <data:text/html,hi>",
			want: []string{"data:text/html,hi"}, // the words stay, not the link
			not:  []string{"vbscript", "href", "<a"},
		},
		{
			name: "javascript autolink",
			src:  "<javascript:alert(1)>",
			not:  []string{"<a", `href="javascript`},
		},
		{
			name: "safe links get rel",
			src:  "[runbook](https://wiki.example.com/runbook) and https://status.example.com and [rel](../other.md) and [mail](mailto:sre@example.com)",
			want: []string{
				`<a href="https://wiki.example.com/runbook" rel="nofollow noopener">runbook</a>`,
				`<a href="https://status.example.com" rel="nofollow noopener">https://status.example.com</a>`,
				`<a href="../other.md" rel="nofollow noopener">rel</a>`,
				`<a href="mailto:sre@example.com" rel="nofollow noopener">mail</a>`,
			},
		},
		{
			name: "images become links",
			src:  "![graph of errors](https://grafana.example.com/render.png) ![x](data:image/png;base64,AAAA) ![tracker](javascript:alert(1))",
			want: []string{`<a href="https://grafana.example.com/render.png" rel="nofollow noopener">graph of errors</a>`, "tracker"},
			not:  []string{"<img", "data:", "javascript:"},
		},
		{
			name: "image inside a link",
			src:  "[![badge](https://example.com/b.png)](https://example.com)",
			want: []string{`<a href="https://example.com" rel="nofollow noopener">badge</a>`},
			not:  []string{"<img", "b.png"},
		},
		{
			name: "headings start at h3",
			src:  "# Big\n\n### Small\n\n###### Tiny",
			want: []string{"<h3>Big</h3>", "<h5>Small</h5>", "<h6>Tiny</h6>"},
		},
		{
			name: "tables without style attributes",
			src:  "| a | b |\n|:--|--:|\n| 1 | 2 |",
			want: []string{"<table>", "<td>1</td>"},
			not:  []string{"style=", "align="},
		},
		{
			name: "entities stay escaped",
			src:  `5 < 6 & "quotes" &lt;b&gt;`,
			want: []string{"5 &lt; 6 &amp; &quot;quotes&quot; &lt;b&gt;"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(markdown.HTML(tc.src))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML(%q) lacks %q:\n%s", tc.src, w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(strings.ToLower(got), strings.ToLower(n)) {
					t.Errorf("HTML(%q) contains %q:\n%s", tc.src, n, got)
				}
			}
		})
	}
}

func TestHTMLEmpty(t *testing.T) {
	if got := markdown.HTML("  \n"); got != "" {
		t.Errorf("HTML(blank) = %q, want empty", got)
	}
}

func TestInline(t *testing.T) {
	for src, want := range map[string]string{
		"Page the **on-call**":  "Page the <strong>on-call</strong>",
		"one\n\ntwo":            "<p>one</p>\n<p>two</p>\n",
		"- a list":              "<ul>\n<li>a list</li>\n</ul>\n",
		"":                      "",
		"<b>raw</b> stays text": "<!-- raw HTML omitted -->raw<!-- raw HTML omitted --> stays text",
	} {
		if got := string(markdown.Inline(src)); got != want {
			t.Errorf("Inline(%q) = %q, want %q", src, got, want)
		}
	}
}

func FuzzHTML(f *testing.F) {
	for _, s := range []string{"[a](javascript:x)", "<script>x</script>", "![i](data:image/png;base64,AA)", "<img onerror=x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got := strings.ToLower(string(markdown.HTML(src)))
		for _, bad := range []string{"<script", "<img", "<iframe", "href=\"javascript:", "href=\"data:", "href=\"vbscript:"} {
			if strings.Contains(got, bad) {
				t.Fatalf("HTML(%q) contains %q:\n%s", src, bad, got)
			}
		}
	})
}
