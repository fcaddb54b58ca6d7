package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/hindsight-dev/hindsight/web"
	"github.com/labstack/echo/v4"
)

// asset is one static file, read once at start-up.
type asset struct {
	hash, contentType string
	data              []byte
}

// assets serves web.Static under fingerprinted names: style.css is
// /static/style.1a2b3c4d5e.css, which can be cached for a year because a
// change to the file changes its name.
type assets struct {
	byName map[string]*asset // "style.css"
	byURL  map[string]*asset // "style.1a2b3c4d5e.css"
}

func newAssets() *assets {
	a := &assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	err := fs.WalkDir(web.Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(web.Static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(p)
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		f := &asset{hash: hex.EncodeToString(sum[:5]), contentType: ct, data: data}
		a.byName[p] = f
		a.byURL[strings.TrimSuffix(p, ext)+"."+f.hash+ext] = f
		return nil
	})
	if err != nil {
		panic(err) // the files are embedded; this cannot happen
	}
	return a
}

// url returns the fingerprinted path of the static file name; templates
// call it as {{static "style.css"}}. An unknown name is a template naming
// a file that is not there; it panics, and the first test that renders
// the page fails.
func (a *assets) url(name string) string {
	f, ok := a.byName[name]
	if !ok {
		panic("no static file " + name)
	}
	ext := path.Ext(name)
	return "/static/" + strings.TrimSuffix(name, ext) + "." + f.hash + ext
}

// serve answers /static/*: a fingerprinted name for a year, immutable; the
// plain name too, revalidated by ETag, for anyone who types it.
func (a *assets) serve(c echo.Context) error {
	name := c.Param("*")
	h := c.Response().Header()
	f, ok := a.byURL[name]
	if ok {
		h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else if f, ok = a.byName[name]; ok {
		h.Set(echo.HeaderCacheControl, "no-cache")
	} else {
		return echo.ErrNotFound
	}
	etag := `"` + f.hash + `"`
	h.Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, f.contentType, f.data)
}
