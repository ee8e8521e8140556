package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// The coordinator (the process that runs the server) re-executes itself as
// worker processes that hold the client connections. They talk over the
// worker's stdin/stdout in JSON lines: one job, then commands; the worker
// answers with replies.

const workerEnv = "SSEBENCH_WORKER"

// job is what one worker does.
type job struct {
	Scenario string        `json:"scenario"`
	Worker   int           `json:"worker"`
	Addr     string        `json:"addr"`
	Conns    int           `json:"conns"`    // streams (idle, fanout) or keep-alive clients (handler)
	Rate     float64       `json:"rate"`     // churn: connects/s of this worker
	Duration time.Duration `json:"duration"` // churn, handler
	SrcIPs   []string      `json:"src_ips"`
	Deadline int64         `json:"deadline"` // unix ns: the worker exits by then whatever happens
}

// command is sent to a worker after it is ready.
type command struct {
	Cmd     string        `json:"cmd"`             // wait, go, quiesce, stop
	Total   int64         `json:"total,omitempty"` // wait: events every stream must have received
	Timeout time.Duration `json:"timeout,omitempty"`
}

// reply is a worker's answer.
type reply struct {
	Type   string `json:"type"` // ready, reached, quiesced, final, fatal
	Worker int    `json:"worker"`
	CPUNs  int64  `json:"cpu_ns,omitempty"` // CPU time the worker process used so far
	// ready
	Opened        int64 `json:"opened,omitempty"`
	Welcomed      int64 `json:"welcomed,omitempty"`
	ConnectErrors int64 `json:"connect_errors,omitempty"`
	// reached
	OK       bool  `json:"ok,omitempty"`
	LastNs   int64 `json:"last_ns,omitempty"`
	MinCount int64 `json:"min_count,omitempty"`
	// final
	Stats *workerStats `json:"stats,omitempty"`
	// fatal, or the first errors seen
	Error string `json:"error,omitempty"`
}

// workerStats is everything a worker counted.
type workerStats struct {
	Opened        int64            `json:"opened"`
	Welcomed      int64            `json:"welcomed"`
	ConnectErrors int64            `json:"connect_errors"`
	StreamErrors  int64            `json:"stream_errors"` // streams that ended unexpectedly
	Pings         int64            `json:"pings"`
	Events        int64            `json:"events"` // stamped events received
	MinCount      int64            `json:"min_count"`
	MaxCount      int64            `json:"max_count"`
	Done          map[string]int64 `json:"done,omitempty"`         // done events by reason, while running
	DoneAtStop    map[string]int64 `json:"done_at_stop,omitempty"` // done events after quiesce
	Requests      int64            `json:"requests"`
	BadResponses  int64            `json:"bad_responses"`
	Connects      int64            `json:"connects"`
	ElapsedNs     int64            `json:"elapsed_ns"`
	Latency       histData         `json:"latency"`
	ErrorSamples  []string         `json:"error_samples,omitempty"`
}

// errSampler keeps the first few distinct error messages.
type errSampler struct {
	mu   sync.Mutex
	list []string
}

func (e *errSampler) add(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.list) >= 5 {
		return
	}
	for _, m := range e.list {
		if m == msg {
			return
		}
	}
	e.list = append(e.list, msg)
}

func (e *errSampler) get() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.list...)
}

// workerProc is the coordinator's handle on one worker.
type workerProc struct {
	id    int
	cmd   *exec.Cmd
	stdin io.WriteCloser
	enc   *json.Encoder
	done  chan struct{} // closed when the reader has seen stdout close
}

// workerSet is the coordinator's handle on all workers; replies from all
// of them arrive on one channel.
type workerSet struct {
	procs   []*workerProc
	replies chan reply
}

func startWorkers(jobs []job) (*workerSet, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	s := &workerSet{replies: make(chan reply, 16*len(jobs)+16)}
	for _, j := range jobs {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), workerEnv+"=1")
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			s.close()
			return nil, err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			s.close()
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			s.close()
			return nil, fmt.Errorf("start worker: %w", err)
		}
		p := &workerProc{id: j.Worker, cmd: cmd, stdin: stdin, enc: json.NewEncoder(stdin), done: make(chan struct{})}
		s.procs = append(s.procs, p)
		go s.read(p, stdout)
		if err := p.enc.Encode(j); err != nil {
			s.close()
			return nil, fmt.Errorf("worker %d: %w", j.Worker, err)
		}
	}
	return s, nil
}

func (s *workerSet) read(p *workerProc, stdout io.Reader) {
	defer close(p.done)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var r reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			r = reply{Type: "fatal", Worker: p.id, Error: "bad reply: " + sc.Text()}
		}
		r.Worker = p.id
		if os.Getenv("SSEBENCH_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "DEBUG reply from %d: %.200s\n", p.id, sc.Text())
		}
		s.replies <- r
	}
	// stdout is closed: the worker has exited (or is about to).
	state := "exited"
	if err := p.cmd.Wait(); err != nil {
		state = err.Error()
	}
	s.replies <- reply{Type: "exit", Worker: p.id, Error: state}
}

func (s *workerSet) sendAll(c command) error {
	for _, p := range s.procs {
		if os.Getenv("SSEBENCH_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "DEBUG send to %d: %+v\n", p.id, c)
		}
		if err := p.enc.Encode(c); err != nil {
			return fmt.Errorf("worker %d: %w", p.id, err)
		}
	}
	return nil
}

// await collects one reply of type typ from every worker. A fatal reply or
// a worker exit fails the wait.
func (s *workerSet) await(typ string, timeout time.Duration) ([]reply, error) {
	got := make([]reply, 0, len(s.procs))
	seen := map[int]bool{}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for len(got) < len(s.procs) {
		select {
		case r := <-s.replies:
			switch {
			case r.Type == typ && !seen[r.Worker]:
				seen[r.Worker] = true
				got = append(got, r)
			case r.Type == "fatal":
				return got, fmt.Errorf("worker %d: %s", r.Worker, r.Error)
			case r.Type == "exit" && !seen[r.Worker]:
				return got, fmt.Errorf("worker %d exited (%s) while waiting for %q", r.Worker, r.Error, typ)
			}
		case <-timer.C:
			return got, fmt.Errorf("timed out after %v waiting for %q from %d of %d workers", timeout, typ, len(s.procs)-len(got), len(s.procs))
		}
	}
	return got, nil
}

// close ends every worker: it closes stdin (a worker exits when its stdin
// closes), waits a little, then kills what is left.
func (s *workerSet) close() {
	for _, p := range s.procs {
		_ = p.stdin.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range s.procs {
		s.waitDone(p, time.Until(deadline))
	}
	for _, p := range s.procs {
		if !s.waitDone(p, 0) {
			_ = p.cmd.Process.Kill()
			s.waitDone(p, 10*time.Second)
		}
	}
}

// waitDone waits up to d for p's stdout to close, draining replies nobody
// awaits so that no reader blocks.
func (s *workerSet) waitDone(p *workerProc, d time.Duration) bool {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return true
		case <-s.replies:
		case <-t.C:
			select {
			case <-p.done:
				return true
			default:
				return false
			}
		}
	}
}

var errStdinClosed = errors.New("coordinator closed stdin")
