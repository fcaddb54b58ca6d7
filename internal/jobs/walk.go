package jobs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// File is one document Walk found.
type File struct {
	// Path is the file as reached from the argument, for messages.
	Path string
	// Abs is the absolute, cleaned path: the store's key for the file.
	Abs string
}

// Root is a directory argument of Walk.
type Root struct {
	Path string
	Abs  string
	// Complete is false when part of the tree could not be read, so the
	// files Walk found under it are not all the files there are.
	Complete bool
}

// Walk finds the documents named by paths. A file argument is taken as it
// is; a directory is searched recursively for .md, .markdown and .txt files,
// skipping hidden entries (.git, editor files) and following symlinked
// directories once each: a link back into a directory already walked is
// reported as a Notice and skipped. Paths that cannot be read are reported
// as Failures. Files come in lexical order, each once.
func Walk(ctx context.Context, paths []string, report func(Problem)) ([]File, []Root, error) {
	w := &walker{ctx: ctx, report: report, dirs: map[string]string{}, files: map[string]bool{}}
	var roots []Root
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if root, ok := w.arg(p); ok {
			roots = append(roots, root)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return w.found, roots, nil
}

type walker struct {
	ctx    context.Context
	report func(Problem)
	// dirs maps the real path of every directory walked to the path it
	// was walked as.
	dirs  map[string]string
	files map[string]bool
	found []File
}

// arg walks one argument and returns its Root when it is a directory.
func (w *walker) arg(path string) (Root, bool) {
	info, err := os.Stat(path)
	if err != nil {
		w.report(Failed(path, fileError(err)))
		return Root{}, false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		w.report(Failed(path, err))
		return Root{}, false
	}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			w.report(Failed(path, postmortem.Errorf(postmortem.EInvalid, "not a regular file")))
			return Root{}, false
		}
		w.add(path, abs)
		return Root{}, false
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		w.report(Failed(path, fileError(err)))
		return Root{}, false
	}
	return Root{Path: path, Abs: abs, Complete: w.dir(path, abs, real)}, true
}

// dir walks the directory path whose real path is real and reports whether
// everything under it could be read.
func (w *walker) dir(path, abs, real string) bool {
	if first, ok := w.dirs[real]; ok {
		w.report(Problem{Path: path, Kind: Notice, Message: "same directory as " + first + ", skipped"})
		return true
	}
	w.dirs[real] = path
	entries, err := os.ReadDir(path)
	if err != nil {
		w.report(Failed(path, fileError(err)))
		return false
	}
	complete := true
	for _, e := range entries {
		if w.ctx.Err() != nil {
			return false
		}
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p, a, r := filepath.Join(path, name), filepath.Join(abs, name), filepath.Join(real, name)
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(a) // absolute, as real is
			if err != nil {
				if isDoc(name) {
					w.report(Problem{Path: p, Kind: Notice, Message: "broken symlink, skipped"})
				}
				continue
			}
			info, err := os.Stat(target)
			if err != nil {
				w.report(Failed(p, fileError(err)))
				complete = false
				continue
			}
			if info.IsDir() && within(real, target) {
				w.report(Problem{Path: p, Kind: Notice, Message: "symlink loop, skipped"})
				continue
			}
			typ, r = info.Mode().Type(), target
		}
		switch {
		case typ.IsDir():
			complete = w.dir(p, a, r) && complete
		case typ.IsRegular() && isDoc(name):
			w.add(p, a)
		}
	}
	return complete
}

func (w *walker) add(path, abs string) {
	if w.files[abs] {
		return
	}
	w.files[abs] = true
	w.found = append(w.found, File{Path: path, Abs: abs})
}

// within reports whether dir is ancestor or the same as path.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// isDoc reports whether name has one of the extensions Walk looks for.
func isDoc(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".txt":
		return true
	}
	return false
}

// fileError turns an error from the file system into one whose message is
// the bare reason ("permission denied"), as the path is reported beside it.
func fileError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &postmortem.Error{Code: postmortem.EInvalid, Message: pe.Err.Error()}
	}
	return err
}
