package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Source yields every stored postmortem, tracking state included, one at a
// time.
type Source interface {
	Each(ctx context.Context, fn func(*postmortem.Postmortem) error) error
}

// ExportJSON writes every postmortem in src to w as one indented JSON
// array, streaming: the store is never held in memory.
func ExportJSON(ctx context.Context, src Source, w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	sep := "[\n  "
	err := src.Each(ctx, func(p *postmortem.Postmortem) error {
		buf.Reset()
		buf.WriteString(sep)
		sep = ",\n  "
		if err := enc.Encode(p); err != nil {
			return fmt.Errorf("encode %s: %w", p.ID, err)
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		_, err := w.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return err
	}
	end := "\n]\n"
	if sep == "[\n  " {
		end = "[]\n"
	}
	_, err = io.WriteString(w, end)
	return err
}

// ExportMarkdown writes every postmortem in src to dir/<id>.md as render
// makes it, creating dir. Unless force, it first checks that none of those
// files exists and, if some do, refuses with a conflict error naming them
// and writes nothing. It returns how many files it wrote.
func ExportMarkdown(ctx context.Context, src Source, dir string, force bool, render func(*postmortem.Postmortem) []byte) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	if !force {
		var exist []string
		err := src.Each(ctx, func(p *postmortem.Postmortem) error {
			name, err := exportName(dir, p.ID)
			if err != nil {
				return err
			}
			if _, err := os.Lstat(name); err == nil {
				exist = append(exist, name)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		if err := Overwrites(exist...); err != nil {
			return 0, err
		}
	}
	n := 0
	err := src.Each(ctx, func(p *postmortem.Postmortem) error {
		name, err := exportName(dir, p.ID)
		if err != nil {
			return err
		}
		if err := os.WriteFile(name, render(p), 0o644); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// exportName returns dir/<id>.md, refusing an id that would name a file
// elsewhere.
func exportName(dir, id string) (string, error) {
	if id == "" || id != filepath.Base(id) || strings.HasPrefix(id, ".") {
		return "", postmortem.Errorf(postmortem.EInvalid, "postmortem id %q cannot be a file name", id)
	}
	return filepath.Join(dir, id+".md"), nil
}

// Overwrites returns a conflict error naming the existing files that an
// export would overwrite, or nil when there are none.
func Overwrites(names ...string) error {
	if len(names) == 0 {
		return nil
	}
	const shown = 10
	list := strings.Join(names[:min(len(names), shown)], ", ")
	if len(names) > shown {
		list += fmt.Sprintf(" and %d more", len(names)-shown)
	}
	return postmortem.Errorf(postmortem.EConflict, "refusing to overwrite %s (use --force)", list)
}
