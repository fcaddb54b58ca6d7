package jobs

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// tree creates files (empty unless given content) under a new temporary
// directory and returns it.
func tree(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("# "+f+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks not supported: %v", err)
	}
}

// walk runs Walk and returns the found paths relative to dir and the
// problems as "PATH: message" relative to dir.
func walk(t *testing.T, dir string, args ...string) (files, problems []string, roots []Root) {
	t.Helper()
	rel := func(p string) string {
		r, err := filepath.Rel(dir, p)
		if err != nil {
			return p
		}
		return filepath.ToSlash(r)
	}
	found, roots, err := Walk(context.Background(), args, func(p Problem) {
		problems = append(problems, rel(p.Path)+": "+p.Message)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if !filepath.IsAbs(f.Abs) {
			t.Errorf("Abs %q is not absolute", f.Abs)
		}
		files = append(files, rel(f.Path))
	}
	return files, problems, roots
}

func TestWalkExtensionsAndHidden(t *testing.T) {
	dir := tree(t,
		"a.md", "b.MARKDOWN", "c.txt", "d.doc", "e",
		".hidden.md", ".git/HEAD.md", "sub/f.md", "sub/.cache/g.md", "sub/deeper/h.txt")
	files, problems, roots := walk(t, dir, dir)
	want := []string{"a.md", "b.MARKDOWN", "c.txt", "sub/deeper/h.txt", "sub/f.md"}
	if !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	if len(problems) > 0 {
		t.Errorf("problems = %q", problems)
	}
	if len(roots) != 1 || !roots[0].Complete || roots[0].Path != dir {
		t.Errorf("roots = %+v", roots)
	}
}

func TestWalkFileArguments(t *testing.T) {
	dir := tree(t, "notes.doc", "a.md")
	files, problems, roots := walk(t, dir,
		filepath.Join(dir, "notes.doc"), filepath.Join(dir, "a.md"), filepath.Join(dir, "a.md"), filepath.Join(dir, "nope.md"))
	if want := []string{"notes.doc", "a.md"}; !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q (a named file is taken whatever its extension, and once)", files, want)
	}
	if want := []string{"nope.md: no such file or directory"}; !slices.Equal(problems, want) {
		t.Errorf("problems = %q, want %q", problems, want)
	}
	if len(roots) != 0 {
		t.Errorf("roots = %+v, want none for file arguments", roots)
	}
}

func TestWalkSymlinks(t *testing.T) {
	dir := tree(t, "docs/a.md", "docs/sub/b.md", "elsewhere/c.md")
	symlink(t, "..", filepath.Join(dir, "docs/sub/loop"))
	symlink(t, filepath.Join(dir, "docs"), filepath.Join(dir, "docs/self"))
	symlink(t, filepath.Join(dir, "elsewhere"), filepath.Join(dir, "docs/linked"))
	symlink(t, filepath.Join(dir, "docs/a.md"), filepath.Join(dir, "docs/alias.md"))
	symlink(t, filepath.Join(dir, "gone.md"), filepath.Join(dir, "docs/broken.md"))

	files, problems, roots := walk(t, dir, filepath.Join(dir, "docs"))
	want := []string{"docs/a.md", "docs/alias.md", "docs/linked/c.md", "docs/sub/b.md"}
	if !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	wantProblems := []string{
		"docs/broken.md: broken symlink, skipped",
		"docs/self: symlink loop, skipped",
		"docs/sub/loop: symlink loop, skipped",
	}
	if !slices.Equal(problems, wantProblems) {
		t.Errorf("problems = %q, want %q", problems, wantProblems)
	}
	if len(roots) != 1 || !roots[0].Complete {
		t.Errorf("roots = %+v, want one complete root", roots)
	}
}

func TestWalkRelativeSymlinkLoop(t *testing.T) {
	dir := tree(t, "docs/sub/b.md")
	symlink(t, "..", filepath.Join(dir, "docs/sub/loop"))
	t.Chdir(dir)
	files, problems, _ := walk(t, dir, "docs")
	if want := []string{"docs/sub/b.md"}; !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	if want := []string{"docs/sub/loop: symlink loop, skipped"}; !slices.Equal(problems, want) {
		t.Errorf("problems = %q, want %q", problems, want)
	}
}

func TestWalkSameDirectoryTwice(t *testing.T) {
	dir := tree(t, "docs/a.md")
	files, problems, _ := walk(t, dir, filepath.Join(dir, "docs"), filepath.Join(dir, "docs"))
	if want := []string{"docs/a.md"}; !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "same directory as") {
		t.Errorf("problems = %q, want one 'same directory' notice", problems)
	}
}

func TestWalkUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every directory")
	}
	dir := tree(t, "docs/a.md", "docs/locked/b.md")
	locked := filepath.Join(dir, "docs/locked")
	if err := os.Chmod(locked, 0o000); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	files, problems, roots := walk(t, dir, filepath.Join(dir, "docs"))
	if want := []string{"docs/a.md"}; !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	if want := []string{"docs/locked: permission denied"}; !slices.Equal(problems, want) {
		t.Errorf("problems = %q, want %q", problems, want)
	}
	if len(roots) != 1 || roots[0].Complete {
		t.Errorf("roots = %+v, want one incomplete root", roots)
	}
}

func TestReadFileSizeLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.md")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50_000_000); err != nil { // sparse: cheap to make
		t.Fatal(err)
	}
	f.Close()
	_, _, err = ReadFile(path, 10<<20)
	p := Failed(path, err)
	want := path + ":1: file is 50.0 MB, over the 10 MiB limit (HINDSIGHT_MAX_FILE_SIZE)"
	if got := p.Location() + ": " + p.Message; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if postmortem.ErrorCode(err) != postmortem.EInvalid {
		t.Errorf("code = %q, want invalid", postmortem.ErrorCode(err))
	}
	if _, err := ReadAll(strings.NewReader("12345"), 4); postmortem.ErrorLine(err) != 1 {
		t.Errorf("ReadAll over the limit: %v, want an error on line 1", err)
	}
	if data, err := ReadAll(strings.NewReader("1234"), 4); err != nil || string(data) != "1234" {
		t.Errorf("ReadAll at the limit = %q, %v", data, err)
	}
}

func TestReadFileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	path := filepath.Join(t.TempDir(), "secret.md")
	if err := os.WriteFile(path, []byte("# x\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadFile(path, 0)
	p := Failed(path, err)
	if got, want := p.Location()+": "+p.Message, path+": permission denied"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadFileHash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.md")
	if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, hash, err := ReadFile(path, 0)
	if err != nil || string(data) != "abc" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; hash != want {
		t.Errorf("hash = %s, want %s", hash, want)
	}
}

func TestSizes(t *testing.T) {
	for n, want := range map[int64]string{999: "999 B", 1500: "1.5 kB", 50_000_000: "50.0 MB", 52_428_800: "52.4 MB"} {
		if got := decimalSize(n); got != want {
			t.Errorf("decimalSize(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{10 << 20: "10 MiB", 1536 << 10: "1536 KiB", 1 << 30: "1 GiB", 1000: "1000 bytes"} {
		if got := binarySize(n); got != want {
			t.Errorf("binarySize(%d) = %q, want %q", n, got, want)
		}
	}
}
