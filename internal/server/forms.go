package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// Cookies besides the CSRF token's.
const (
	flashCookie = "hindsight_flash" // a message for the page after a redirect
	nameCookie  = "hindsight_name"  // who edits, until there is sign-in
)

// setFlash leaves msg for the next page rendered, for Post/Redirect/Get.
func setFlash(c echo.Context, msg string) {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// takeFlash returns the message setFlash left, once.
func takeFlash(c echo.Context) string {
	k, err := c.Cookie(flashCookie)
	if err != nil || k.Value == "" {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	msg, err := url.QueryUnescape(k.Value)
	if err != nil {
		return ""
	}
	return msg
}

// seeOther ends a successful POST by redirecting to a page to GET.
func seeOther(c echo.Context, to, flash string) error {
	setFlash(c, flash)
	return c.Redirect(http.StatusSeeOther, to)
}

// localPath returns to when it is a path on this site ("/actions?x=1"),
// else def: a redirect target from a form must never leave the site.
func localPath(to, def string) string {
	if !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") || strings.ContainsAny(to, "\\\r\n") {
		return def
	}
	u, err := url.Parse(to)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return def
	}
	return to
}

// editorName is the name remembered from the last edit, for the "Your
// name" field.
func editorName(c echo.Context) string {
	k, err := c.Cookie(nameCookie)
	if err != nil {
		return ""
	}
	name, err := url.QueryUnescape(k.Value)
	if err != nil {
		return ""
	}
	return name
}

// actor is who an edit is recorded under: the name given, remembered in a
// cookie for next time, or "anonymous (IP)". Sign-in will replace it.
func actor(c echo.Context, name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if len(name) > 100 {
		name = name[:100]
	}
	if name == "" {
		c.SetCookie(&http.Cookie{Name: nameCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return "anonymous (" + c.RealIP() + ")"
	}
	c.SetCookie(&http.Cookie{Name: nameCookie, Value: url.QueryEscape(name), Path: "/",
		Expires: time.Now().AddDate(1, 0, 0), HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return name
}

// fieldErrors maps form field names to the message shown next to them;
// the empty name holds a message for the form as a whole.
type fieldErrors map[string]string

// fieldError splits a store error into a message for a field of a form
// with the given field names. ok is false for errors that are not the
// user's to fix (internal, unavailable, not found), which the caller
// returns to the error handler.
func fieldError(err error, fields ...string) (fieldErrors, bool) {
	var e *postmortem.Error
	if !errors.As(err, &e) || (e.Code != postmortem.EInvalid && e.Code != postmortem.EConflict) {
		return nil, false
	}
	for _, f := range fields {
		if f == e.Field {
			return fieldErrors{f: e.Message}, true
		}
	}
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	return fieldErrors{"": msg}, true
}
