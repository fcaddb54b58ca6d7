package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

type healthcheckCmd struct {
	URL     string        `placeholder:"URL" help:"Health URL to get; default http://ADDR/healthz, with a wildcard host (0.0.0.0, ::) replaced by the loopback address."`
	Addr    string        `env:"HINDSIGHT_ADDR" default:"127.0.0.1:8080" placeholder:"HOST:PORT" help:"Address the server listens on (default ${default})."`
	Timeout time.Duration `default:"5s" help:"How long to wait for an answer (default ${default})."`
}

func (healthcheckCmd) Help() string {
	return `Gets the server's /healthz and exits 0 when it answers 200, 1 otherwise.
It exists for container health checks in images without curl.

Examples:
  hindsight healthcheck
  hindsight healthcheck --url http://127.0.0.1:9000/healthz`
}

// Run checks the server's health.
func (c *healthcheckCmd) Run(a *app) error {
	url := c.URL
	if url == "" {
		host, port, err := net.SplitHostPort(c.Addr)
		if err != nil {
			return fmt.Errorf("address %q: %w", c.Addr, err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		url = "http://" + net.JoinHostPort(host, port) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(a.ctx, c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}
