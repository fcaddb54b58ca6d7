package jira

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// retryTransport retries what Jira rejected without acting on it, and
// what is safe to send twice:
//
//   - 429, and 503 with Retry-After, for every method: Jira refused the
//     request, so even a POST can go again. The wait is Retry-After
//     (capped) or exponential backoff, plus jitter.
//   - 500, 502, 503, 504 and transport errors (timeouts included) only
//     for GET, HEAD, PUT and DELETE. A POST that may have been applied is
//     never sent again here: the caller decides, after looking for what
//     the first one may have done.
//
// Each attempt gets its own timeout; the request's context bounds them all.
type retryTransport struct {
	next   http.RoundTripper
	policy Retry
	sleep  func(context.Context, time.Duration) error
}

func newRetryTransport(next http.RoundTripper, policy Retry) *retryTransport {
	if next == nil {
		next = http.DefaultTransport
	}
	return &retryTransport{next: next, policy: policy.withDefaults(), sleep: sleepCtx}
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		if attempt > 1 && req.Body != nil && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(ctx)
			req.Body = body
		}
		resp, err := t.try(req)
		wait, again := t.verdict(req, resp, err, attempt)
		if !again {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// try makes one attempt under the per-attempt timeout. The timeout's
// cancel runs when the body is closed, so the caller can still read it.
func (t *retryTransport) try(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.policy.Timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// verdict says whether to try again and after how long.
func (t *retryTransport) verdict(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.policy.Attempts || req.Context().Err() != nil {
		return 0, false
	}
	if req.Body != nil && req.GetBody == nil {
		return 0, false // cannot replay the body
	}
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead ||
		req.Method == http.MethodPut || req.Method == http.MethodDelete
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return 0, false
		}
		return t.backoff(attempt), idempotent
	}
	after, hasAfter := retryAfter(resp.Header.Get("Retry-After"))
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests, code == http.StatusServiceUnavailable && hasAfter:
		if hasAfter {
			return min(after, t.policy.MaxRetryAfter) + t.jitter(), true
		}
		return t.backoff(attempt), true
	case code == http.StatusInternalServerError, code == http.StatusBadGateway,
		code == http.StatusServiceUnavailable, code == http.StatusGatewayTimeout:
		return t.backoff(attempt), idempotent
	}
	return 0, false
}

// backoff is Base·2^(attempt-1), capped, plus jitter.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.policy.Base << (attempt - 1)
	if d <= 0 || d > t.policy.Max {
		d = t.policy.Max
	}
	return d + t.jitter()
}

func (t *retryTransport) jitter() time.Duration {
	if t.policy.Jitter <= 0 {
		return 0
	}
	return rand.N(t.policy.Jitter)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
