package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// worker is one worker process: it reads its job and commands on stdin
// and writes replies on stdout.
type worker struct {
	j    job
	d    *dialer
	out  *json.Encoder
	outM sync.Mutex
	errs errSampler
	hist histogram
}

func (w *worker) send(r reply) {
	w.outM.Lock()
	defer w.outM.Unlock()
	r.Worker = w.j.Worker
	r.CPUNs = cpuNow()
	_ = w.out.Encode(r)
}

// workerMain runs a worker process and returns its exit code.
func workerMain() int {
	w := &worker{out: json.NewEncoder(os.Stdout)}
	in := json.NewDecoder(bufio.NewReader(os.Stdin))
	if err := in.Decode(&w.j); err != nil {
		fmt.Fprintln(os.Stderr, "ssebench worker: read job:", err)
		return 2
	}
	// Whatever happens, the worker ends by its deadline.
	deadline := time.Unix(0, w.j.Deadline)
	if w.j.Deadline == 0 {
		deadline = time.Now().Add(10 * time.Minute)
	}
	hard := time.AfterFunc(time.Until(deadline)+5*time.Second, func() {
		w.send(reply{Type: "fatal", Error: "worker deadline passed"})
		os.Exit(3)
	})
	defer hard.Stop()
	d, err := newDialer(w.j.Addr, w.j.SrcIPs)
	if err != nil {
		w.send(reply{Type: "fatal", Error: err.Error()})
		return 2
	}
	w.d = d
	cmds := make(chan command)
	go func() {
		defer close(cmds)
		for {
			var c command
			if err := in.Decode(&c); err != nil {
				if !errors.Is(err, io.EOF) {
					fmt.Fprintf(os.Stderr, "ssebench worker %d: read command: %v\n", w.j.Worker, err)
				}
				return
			}
			cmds <- c
		}
	}()
	switch w.j.Scenario {
	case scenarioIdle, scenarioFanout:
		err = w.streams(deadline, cmds)
	case scenarioChurn:
		err = w.churn(deadline, cmds)
	case scenarioHandler:
		err = w.handler(deadline, cmds)
	default:
		err = fmt.Errorf("unknown scenario %q", w.j.Scenario)
	}
	if err != nil && !errors.Is(err, errStdinClosed) {
		w.send(reply{Type: "fatal", Error: err.Error()})
		return 1
	}
	return 0
}

// ---------------------------------------------------------------------
// idle and fanout: hold streams, count what arrives.

type streamConn struct {
	conn     net.Conn
	count    atomic.Int64 // stamped events received
	lastNs   atomic.Int64 // receive time of the last one
	welcomed atomic.Bool
	ended    atomic.Bool
}

type streamSet struct {
	w         *worker
	mu        sync.Mutex
	conns     []*streamConn
	closing   atomic.Bool
	readers   sync.WaitGroup
	connErrs  atomic.Int64
	streamErr atomic.Int64
	pings     atomic.Int64
	events    atomic.Int64
	welcomes  atomic.Int64
	doneMu    sync.Mutex
	done      map[string]int64
	doneStop  map[string]int64
}

func (w *worker) streams(deadline time.Time, cmds <-chan command) error {
	s := &streamSet{w: w, done: map[string]int64{}, doneStop: map[string]int64{}}
	defer s.closeAll()
	// Open the streams with bounded concurrency (the listen backlog is finite).
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	sem := make(chan struct{}, 32)
	var opening sync.WaitGroup
	for i := 0; i < w.j.Conns; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return errors.New("deadline passed while opening streams")
		}
		opening.Add(1)
		go func() {
			defer opening.Done()
			defer func() { <-sem }()
			s.open(ctx, i, deadline)
		}()
	}
	opening.Wait()
	// Ready once every open stream has been welcomed by the room (so it is
	// a member and will receive broadcasts), or after a minute.
	waitUntil := time.Now().Add(time.Minute)
	for time.Now().Before(waitUntil) && !s.allWelcomed() {
		time.Sleep(5 * time.Millisecond)
	}
	s.mu.Lock()
	opened := int64(len(s.conns))
	s.mu.Unlock()
	w.send(reply{Type: "ready", Opened: opened, Welcomed: s.welcomes.Load(), ConnectErrors: s.connErrs.Load(),
		Error: strings.Join(w.errs.get(), "; ")})
	for c := range cmds {
		switch c.Cmd {
		case "wait":
			w.send(s.wait(c.Total, c.Timeout))
		case "quiesce":
			s.closing.Store(true)
			w.send(reply{Type: "quiesced"})
		case "stop":
			s.closing.Store(true)
			s.closeAll()
			w.send(reply{Type: "final", Stats: s.stats()})
			return nil
		}
	}
	return errStdinClosed
}

func (s *streamSet) open(ctx context.Context, i int, deadline time.Time) {
	conn, err := s.w.d.dial(ctx, i+s.w.j.Worker)
	if err != nil {
		s.connErrs.Add(1)
		s.w.errs.add("dial: %v", err)
		return
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	r, err := openStream(conn, s.w.j.Addr, streamPath)
	if err != nil {
		conn.Close()
		s.connErrs.Add(1)
		s.w.errs.add("open: %v", err)
		return
	}
	_ = conn.SetDeadline(deadline)
	c := &streamConn{conn: conn}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	s.readers.Add(1)
	go s.read(c, r)
}

// read consumes one stream until it ends.
func (s *streamSet) read(c *streamConn, r *sseReader) {
	defer s.readers.Done()
	defer c.ended.Store(true)
	gotDone := false
	for {
		ev, err := r.next()
		if err != nil {
			if !s.closing.Load() && !gotDone {
				s.streamErr.Add(1)
				s.w.errs.add("stream: %v", err)
			}
			return
		}
		switch ev.name {
		case ":":
			s.pings.Add(1)
		case "done":
			gotDone = true
			reason := reasonOf(ev.data)
			s.doneMu.Lock()
			if s.closing.Load() {
				s.doneStop[reason]++
			} else {
				s.done[reason]++
			}
			s.doneMu.Unlock()
		default:
			if t, ok := stampOf(ev.data); ok {
				now := time.Now()
				s.w.hist.add(now.Sub(time.Unix(0, t)))
				c.lastNs.Store(now.UnixNano())
				c.count.Add(1)
				s.events.Add(1)
			} else if isWelcome(ev.data) {
				if !c.welcomed.Swap(true) {
					s.welcomes.Add(1)
				}
			}
		}
	}
}

func (s *streamSet) snapshot() []*streamConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*streamConn(nil), s.conns...)
}

func (s *streamSet) allWelcomed() bool {
	for _, c := range s.snapshot() {
		if !c.welcomed.Load() && !c.ended.Load() {
			return false
		}
	}
	return true
}

// wait answers when every live stream has received total events, or after
// timeout.
func (s *streamSet) wait(total int64, timeout time.Duration) reply {
	conns := s.snapshot()
	until := time.Now().Add(timeout)
	for {
		ok := true
		minCount := int64(-1)
		var last int64
		for _, c := range conns {
			if !c.welcomed.Load() {
				continue // never a member
			}
			n := c.count.Load()
			if minCount < 0 || n < minCount {
				minCount = n
			}
			if n < total && !c.ended.Load() {
				ok = false
			}
			last = max(last, c.lastNs.Load())
		}
		if ok || time.Now().After(until) {
			return reply{Type: "reached", OK: ok && minCount >= total, LastNs: last, MinCount: max(minCount, 0)}
		}
		time.Sleep(time.Millisecond)
	}
}

func (s *streamSet) closeAll() {
	s.closing.Store(true)
	for _, c := range s.snapshot() {
		c.conn.Close()
	}
	waitGroupTimeout(&s.readers, 10*time.Second)
}

func (s *streamSet) stats() *workerStats {
	st := &workerStats{
		ConnectErrors: s.connErrs.Load(), StreamErrors: s.streamErr.Load(),
		Pings: s.pings.Load(), Events: s.events.Load(), Welcomed: s.welcomes.Load(),
		Latency: s.w.hist.snapshot(), ErrorSamples: s.w.errs.get(),
	}
	conns := s.snapshot()
	st.Opened = int64(len(conns))
	st.MinCount = -1
	for _, c := range conns {
		n := c.count.Load()
		if st.MinCount < 0 || n < st.MinCount {
			st.MinCount = n
		}
		st.MaxCount = max(st.MaxCount, n)
	}
	st.MinCount = max(st.MinCount, 0)
	s.doneMu.Lock()
	st.Done, st.DoneAtStop = s.done, s.doneStop
	s.doneMu.Unlock()
	return st
}

func waitGroupTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	ch := make(chan struct{})
	go func() {
		wg.Wait()
		close(ch)
	}()
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}

// ---------------------------------------------------------------------
// churn: open a stream, wait for the room's welcome, close; at a rate.

func (w *worker) churn(deadline time.Time, cmds <-chan command) error {
	w.send(reply{Type: "ready"})
	if c, ok := <-cmds; !ok {
		return errStdinClosed
	} else if c.Cmd != "go" {
		return fmt.Errorf("churn: unexpected command %q", c.Cmd)
	}
	var connects, errs atomic.Int64
	var inflight sync.WaitGroup
	sem := make(chan struct{}, 256)
	start := time.Now()
	end := start.Add(w.j.Duration)
	if end.After(deadline) {
		end = deadline
	}
	started := 0
	maxStarts := int(w.j.Rate*w.j.Duration.Seconds()) + 1
	for now := time.Now(); now.Before(end) && started < maxStarts; now = time.Now() {
		due := min(int(now.Sub(start).Seconds()*w.j.Rate)+1, maxStarts)
		for ; started < due; started++ {
			sem <- struct{}{}
			inflight.Add(1)
			go func(i int) {
				defer inflight.Done()
				defer func() { <-sem }()
				if err := w.churnOnce(i); err != nil {
					errs.Add(1)
					w.errs.add("%v", err)
					return
				}
				connects.Add(1)
			}(started)
		}
		time.Sleep(time.Millisecond)
	}
	waitGroupTimeout(&inflight, 30*time.Second)
	elapsed := time.Since(start)
	w.send(reply{Type: "final", Stats: &workerStats{
		Connects: connects.Load(), ConnectErrors: errs.Load(), ElapsedNs: int64(elapsed),
		Latency: w.hist.snapshot(), ErrorSamples: w.errs.get(),
	}})
	for range cmds { // until the coordinator closes stdin
	}
	return nil
}

// churnOnce connects, waits for the welcome event and disconnects.
func (w *worker) churnOnce(i int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t0 := time.Now()
	conn, err := w.d.dial(ctx, i+w.j.Worker)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r, err := openStream(conn, w.j.Addr, streamPath)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	for range 16 { // the welcome is the first event; allow a few pings
		ev, err := r.next()
		if err != nil {
			return fmt.Errorf("before welcome: %w", err)
		}
		if ev.name != ":" && isWelcome(ev.data) {
			w.hist.add(time.Since(t0))
			return nil
		}
	}
	return errors.New("no welcome event")
}

// ---------------------------------------------------------------------
// handler: keep-alive clients issuing GET /hello back to back.

func (w *worker) handler(deadline time.Time, cmds <-chan command) error {
	w.send(reply{Type: "ready"})
	if c, ok := <-cmds; !ok {
		return errStdinClosed
	} else if c.Cmd != "go" {
		return fmt.Errorf("handler: unexpected command %q", c.Cmd)
	}
	start := time.Now()
	end := start.Add(w.j.Duration)
	if end.After(deadline) {
		end = deadline
	}
	var requests, bad, connErrs atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < w.j.Conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.hammer(i, end, &requests, &bad, &connErrs)
		}()
	}
	waitGroupTimeout(&wg, time.Until(end)+30*time.Second)
	elapsed := time.Since(start)
	w.send(reply{Type: "final", Stats: &workerStats{
		Requests: requests.Load(), BadResponses: bad.Load(), ConnectErrors: connErrs.Load(),
		ElapsedNs: int64(elapsed), Latency: w.hist.snapshot(), ErrorSamples: w.errs.get(),
	}})
	for range cmds {
	}
	return nil
}

// hammer is one keep-alive client; it reconnects after an error.
func (w *worker) hammer(i int, end time.Time, requests, bad, connErrs *atomic.Int64) {
	req := []byte("GET " + helloPath + " HTTP/1.1\r\nHost: " + w.j.Addr + "\r\n\r\n")
	var body bytes.Buffer
	for time.Now().Before(end) {
		ctx, cancel := context.WithDeadline(context.Background(), end)
		conn, err := w.d.dial(ctx, i+w.j.Worker)
		cancel()
		if err != nil {
			if time.Now().Before(end) {
				connErrs.Add(1)
				w.errs.add("dial: %v", err)
				time.Sleep(10 * time.Millisecond)
			}
			continue
		}
		_ = conn.SetDeadline(end.Add(10 * time.Second))
		br := bufio.NewReaderSize(conn, 4096)
		for time.Now().Before(end) {
			t0 := time.Now()
			if _, err := conn.Write(req); err != nil {
				bad.Add(1)
				w.errs.add("write: %v", err)
				break
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				bad.Add(1)
				w.errs.add("read: %v", err)
				break
			}
			body.Reset()
			_, err = io.Copy(&body, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || strings.TrimSpace(body.String()) != helloBody {
				bad.Add(1)
				w.errs.add("response: status %d body %q err %v", resp.StatusCode, body.String(), err)
				break
			}
			w.hist.add(time.Since(t0))
			requests.Add(1)
			if resp.Close {
				break
			}
		}
		conn.Close()
	}
}
