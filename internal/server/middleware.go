package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// contentSecurityPolicy allows nothing but this origin's own scripts,
// styles and images (and data: images), with no inline script or style:
// the templates have no <script> blocks and no style attributes, and
// rendered Markdown has no raw HTML.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries, error pages
// and static files included.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// recoverPanic turns a panicking handler into an internal error, which the
// error handler logs, instead of a dropped connection.
func recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		return next(c)
	}
}

// csrfContextKey is where the CSRF middleware leaves the request's token.
const csrfContextKey = "csrf"

// csrfCookie names the cookie holding the CSRF token.
const csrfCookie = "hindsight_csrf"

// csrf protects every form: a POST must carry the token of the
// hindsight_csrf cookie (SameSite=Lax) in its _csrf field. Browsers that
// say a POST is same-origin (Sec-Fetch-Site) are believed, as echo does,
// and cross-site ones are refused outright. Pages always get a real token
// and cookie, so that their forms work in every browser. Every failure is
// 403 with a message that says what to do.
func csrf() echo.MiddlewareFunc {
	check := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		ContextKey:     csrfContextKey,
		CookieName:     csrfCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden,
				"This form has expired or came from another site. Go back, reload the page and send it again.").SetInternal(err)
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := check(next)
		return func(c echo.Context) error {
			if r := c.Request(); r.Method == http.MethodGet || r.Method == http.MethodHead {
				// Without the header echo issues a token and cookie
				// instead of trusting the browser for the whole page.
				r.Header.Del(echo.HeaderSecFetchSite)
			}
			return h(c)
		}
	}
}

// formLimit caps every request body but the uploads': forms, the API's
// JSON and Jira's webhook deliveries are small.
const formLimit = "1MiB"

// bodyLimit refuses bodies over limit with a 413 that says so in the
// terms of a form on pages and of a request under /api/.
func bodyLimit(limit string, skip middleware.Skipper) echo.MiddlewareFunc {
	check := middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: limit, Skipper: skip})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := check(next)
		return func(c echo.Context) error {
			err := h(c)
			if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
				msg := "This form is too large to send."
				if isAPI(c) {
					msg = "the request body is over the " + limit + " limit"
				}
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, msg)
			}
			return err
		}
	}
}

// apiUploadLimit refuses an API upload over the upload limit for all
// files together, before anything reads it.
func apiUploadLimit(next echo.HandlerFunc) echo.HandlerFunc {
	limited := middleware.BodyLimit(strconv.Itoa(maxUploadTotal + uploadOverhead))(next)
	return func(c echo.Context) error {
		err := limited(c)
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
				"the upload is over the "+sizeLabel(maxUploadTotal)+" limit for all files together; nothing was imported")
		}
		return err
	}
}
