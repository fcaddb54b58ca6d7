// Package metrics is what Hindsight exposes to Prometheus on /metrics:
// request durations by route, import outcomes, calls to Jira and Slack, and
// the open and overdue action item gauges, each registered on a registry
// of its own. Code that counts sees only the small interfaces it declares;
// the types here satisfy them.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds every metric Hindsight exposes.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	imports  *prometheus.CounterVec
	calls    *prometheus.CounterVec
	failures *prometheus.CounterVec
}

// New returns the metrics, registered with the Go runtime and process
// collectors on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hindsight_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern, method and status class.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method", "status"}),
		imports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_imports_total",
			Help: "Documents imported, by outcome: imported, updated, unchanged or failed.",
		}, []string{"outcome"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_external_calls_total",
			Help: "Calls made to Jira and Slack, by service.",
		}, []string{"service"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_external_call_errors_total",
			Help: "Calls to Jira and Slack that failed, by service and kind of failure.",
		}, []string{"service", "kind"}),
	}
	m.reg.MustRegister(m.requests, m.imports, m.calls, m.failures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, o := range []string{"imported", "updated", "unchanged", "failed"} {
		m.imports.WithLabelValues(o)
	}
	return m
}

// Handler serves the metrics in Prometheus' text format. A gauge that
// cannot be computed is left out of the scrape, which still answers.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// ObserveRequest records one answered request. route is the route pattern
// ("/api/v1/postmortems/:id"), never the raw path, so that the number of
// series stays bounded; status is reduced to its class ("2xx").
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, statusClass(status)).Observe(d.Seconds())
}

func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// Imported counts n documents imported with outcome.
func (m *Metrics) Imported(outcome string, n int) {
	m.imports.WithLabelValues(outcome).Add(float64(n))
}

// Service returns the counters of calls to one external service ("jira",
// "slack").
func (m *Metrics) Service(name string) *Calls {
	return &Calls{m: m, service: name}
}

// Calls counts the calls to one external service and their failures.
type Calls struct {
	m       *Metrics
	service string
}

// Call counts one call, and a failure of the given kind when kind is not
// empty. Kinds are short and few: "network", "timeout", "4xx", "5xx",
// "rate_limited".
func (c *Calls) Call(kind string) {
	c.m.calls.WithLabelValues(c.service).Inc()
	if kind != "" {
		c.m.failures.WithLabelValues(c.service, kind).Inc()
	}
}

// Transport wraps base (http.DefaultTransport when nil) so that every
// request through it is counted as a call of c's service, with failures
// classified from the response status or the error. It is how a client
// library that takes an *http.Client is measured without changing it.
func (c *Calls) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		c.Call(FailureKind(resp, err))
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FailureKind classifies the outcome of an HTTP call: "" for success,
// "timeout", "canceled" or "network" for an error, "rate_limited" for 429,
// else the status class of a 4xx or 5xx answer.
func FailureKind(resp *http.Response, err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case err != nil:
		var te interface{ Timeout() bool }
		if errors.As(err, &te) && te.Timeout() {
			return "timeout"
		}
		return "network"
	case resp == nil:
		return "network"
	case resp.StatusCode == http.StatusTooManyRequests:
		return "rate_limited"
	case resp.StatusCode >= 400:
		return statusClass(resp.StatusCode)
	}
	return ""
}

// ItemCounter is where the item gauges come from: the store's counts of
// open, overdue and orphaned items at a time.
type ItemCounter interface {
	ItemCounts(ctx context.Context, now time.Time) (open, overdue, orphaned int, err error)
}

// WatchItems adds the gauges hindsight_action_items_open, _overdue and
// _orphaned, computed when scraped and reused for ttl so that frequent
// scrapes do not each run the counting queries. They are three gauges
// rather than one with a label because the overdue and orphaned items are
// among the open ones: a sum over a label would count them twice. A failed
// count is logged and leaves the gauges out of that scrape.
func (m *Metrics) WatchItems(store ItemCounter, ttl time.Duration, logger *slog.Logger) {
	m.reg.MustRegister(&itemCollector{store: store, ttl: ttl, logger: logger, now: time.Now})
}

var itemDescs = [3]*prometheus.Desc{
	prometheus.NewDesc("hindsight_action_items_open", "Live action items that are open or in progress.", nil, nil),
	prometheus.NewDesc("hindsight_action_items_overdue", "Open action items whose due date has passed.", nil, nil),
	prometheus.NewDesc("hindsight_action_items_orphaned", "Open action items with no owner or an owner who has left.", nil, nil),
}

// itemCollector computes the item gauges at scrape time, with a cache.
type itemCollector struct {
	store  ItemCounter
	ttl    time.Duration
	logger *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	at     time.Time
	counts [3]int
}

func (c *itemCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range itemDescs {
		ch <- d
	}
}

func (c *itemCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.at.IsZero() || now.Sub(c.at) >= c.ttl {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		open, overdue, orphaned, err := c.store.ItemCounts(ctx, now)
		if err != nil {
			c.logger.Warn("item gauges failed", "err", err)
			for _, d := range itemDescs {
				ch <- prometheus.NewInvalidMetric(d, err)
			}
			return
		}
		c.counts, c.at = [3]int{open, overdue, orphaned}, now
	}
	for i, d := range itemDescs {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(c.counts[i]))
	}
}
