// Package web holds the page templates and static files of Hindsight's web
// interface, embedded so that the binary needs nothing beside it.
package web

import (
	"embed"
	"io/fs"
)

//go:embed templates static
var files embed.FS

// Templates holds the html/template files: layout.html, partials.html and
// one file per page.
var Templates = sub("templates")

// Static holds the stylesheet, the script and the icon, served under
// /static/ with their content hash in the name.
var Static = sub("static")

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded above; this cannot happen
	}
	return f
}
