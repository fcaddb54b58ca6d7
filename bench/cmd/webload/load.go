package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// result is what one load run measured.
type result struct {
	name      string
	requests  int
	errors    int
	firstErr  string
	elapsed   time.Duration
	p50, p99  time.Duration
	bytesEach int64
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// load keeps conns requests in flight against the URLs next returns, each
// on its own keep-alive connection, for d: a closed loop, so requests/s is
// the most the server answers at that concurrency and the latencies
// include waiting for the server's cores. A response other than 200 counts
// as an error and not as a request.
func load(ctx context.Context, name string, conns int, d time.Duration, next func(i int) string) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	var (
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr string
		bytes    int64
		counter  atomic.Int64
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	for range conns {
		wg.Go(func() {
			var mine []time.Duration
			var bad int
			var why string
			var got int64
			for ctx.Err() == nil {
				u := next(int(counter.Add(1)))
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				resp, err := client.Do(req)
				var n int64
				if err == nil {
					n, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("GET %s: %s", u, resp.Status)
					}
				}
				took := time.Since(t0)
				if ctx.Err() != nil {
					break // cut off by the end of the run, not by the server
				}
				if err != nil {
					if bad++; why == "" {
						why = err.Error()
					}
					continue
				}
				mine = append(mine, took)
				got = n
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			errs += bad
			if firstErr == "" {
				firstErr = why
			}
			if got > 0 {
				bytes = got
			}
		})
	}
	wg.Wait()
	r := result{name: name, requests: len(lat), errors: errs, firstErr: firstErr, elapsed: time.Since(start), bytesEach: bytes}
	slices.Sort(lat)
	if len(lat) > 0 {
		r.p50 = lat[len(lat)*50/100]
		r.p99 = lat[len(lat)*99/100]
	}
	return r
}
