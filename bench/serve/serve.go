// Package serve runs `hindsight serve` for the load benchmarks: it starts
// the process, waits until it logs where it listens, and stops it.
package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Server is a running `hindsight serve`.
type Server struct {
	// Base is the server's root URL, http://127.0.0.1:PORT.
	Base    string
	cmd     *exec.Cmd
	done    chan struct{}
	stopped bool
}

// Start runs cmd, a `hindsight serve --addr 127.0.0.1:0` with its
// arguments and environment set, copies its log to logPath and waits
// until the log says where it listens, at most a minute.
func Start(ctx context.Context, cmd *exec.Cmd, logPath string) (*Server, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	s := &Server{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(s.done)
		defer logFile.Close()
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			logFile.Write(append(sc.Bytes(), '\n'))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-addr:
		s.Base = "http://" + a
		return s, nil
	case <-s.done:
		cmd.Wait()
		return nil, fmt.Errorf("hindsight serve exited before listening; see %s", logPath)
	case <-time.After(time.Minute):
	case <-ctx.Done():
	}
	s.Stop()
	return nil, fmt.Errorf("hindsight serve did not say where it listens; see %s", logPath)
}

// Pid is the server's process id, for reading its memory use.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Stop sends SIGTERM and waits for the server to finish, killing it after
// 20 s. It may be called more than once.
func (s *Server) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd.Wait()
}
