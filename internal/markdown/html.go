package markdown

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// safe renders CommonMark with GFM tables, strikethrough and bare-URL
// links. Raw HTML is never passed through (no html.WithUnsafe), and the
// sanitizer below rewrites links and images before rendering.
var safe = goldmark.New(
	goldmark.WithExtensions(
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)),
		extension.Strikethrough,
		extension.Linkify,
	),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(sanitizer{}, 100))),
)

// HTML renders src, Markdown as written in a postmortem field, to HTML that
// is safe to put in a page: raw HTML is dropped, every link gets
// rel="nofollow noopener", links and images whose URL is not http, https,
// mailto or relative are reduced to their text, images become links (so a
// page never loads anything from another host), and headings start at h3
// because fields sit under the page's own h2 headings.
func HTML(src string) template.HTML {
	if strings.TrimSpace(src) == "" {
		return ""
	}
	var b bytes.Buffer
	if err := safe.Convert([]byte(src), &b); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(b.String())
}

// Inline renders src like HTML but without the paragraph around a single
// paragraph, for text that sits in a list item or a table cell.
func Inline(src string) template.HTML {
	h := string(HTML(src))
	inner, ok := strings.CutPrefix(strings.TrimSuffix(h, "\n"), "<p>")
	if ok {
		if inner, ok = strings.CutSuffix(inner, "</p>"); ok && !strings.Contains(inner, "<p>") {
			return template.HTML(inner)
		}
	}
	return template.HTML(h)
}

// sanitizer rewrites the parsed document before rendering; see HTML.
type sanitizer struct{}

// Transform implements parser.ASTTransformer.
func (sanitizer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var images []*ast.Image
	var drop []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch v := n.(type) {
		case *ast.Heading:
			v.Level = min(v.Level+2, 6)
		case *ast.Link:
			if !safeURL(v.Destination) {
				drop = append(drop, v)
				return ast.WalkContinue, nil
			}
			v.SetAttributeString("rel", []byte("nofollow noopener"))
		case *ast.AutoLink:
			if v.AutoLinkType == ast.AutoLinkURL && !safeURL(v.URL(src)) {
				drop = append(drop, v)
				return ast.WalkContinue, nil
			}
			v.SetAttributeString("rel", []byte("nofollow noopener"))
		case *ast.Image:
			images = append(images, v)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		if !safeURL(img.Destination) || inLink(img) {
			drop = append(drop, img)
			continue
		}
		link := ast.NewLink()
		link.Destination = img.Destination
		link.Title = img.Title
		link.SetAttributeString("rel", []byte("nofollow noopener"))
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			link.AppendChild(link, c)
			c = next
		}
		if !link.HasChildren() {
			link.AppendChild(link, ast.NewString([]byte("image")))
		}
		img.Parent().ReplaceChild(img.Parent(), img, link)
	}
	for _, n := range drop {
		unwrap(n, src)
	}
}

// inLink reports whether n sits inside a link, where it cannot become one.
func inLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.Link); ok {
			return true
		}
	}
	return false
}

// unwrap replaces a link or image with its text: its children, or for an
// autolink its label, so the words stay and the URL goes.
func unwrap(n ast.Node, src []byte) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	if al, ok := n.(*ast.AutoLink); ok {
		parent.ReplaceChild(parent, n, ast.NewString(al.Label(src)))
		return
	}
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, n, c)
		c = next
	}
	parent.RemoveChild(parent, n)
}

// SafeURL reports whether a page may link to u, by the rules HTML
// applies to links in Markdown.
func SafeURL(u string) bool { return safeURL([]byte(u)) }

// safeURL reports whether a link may point at dest: http, https and
// mailto, or a URL without a scheme (relative, or a #fragment). Browsers
// ignore tabs, newlines and leading spaces in schemes, so they are
// removed before looking.
func safeURL(dest []byte) bool {
	u := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, string(dest))
	u = strings.ToLower(u)
	colon := strings.IndexByte(u, ':')
	if colon < 0 {
		return true
	}
	if slash := strings.IndexAny(u, "/?#"); slash >= 0 && slash < colon {
		return true // the colon is in the path: "./a:b"
	}
	switch u[:colon] {
	case "http", "https", "mailto":
		return true
	}
	return false
}
