package actor

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds every wait in these tests.
const waitLimit = 10 * time.Second

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newKernel returns a kernel whose log goes to the returned buffer and which
// is shut down when the test ends.
func newKernel(t testing.TB, opts Options) (*Kernel, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(buf, nil))
	k := New(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := k.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return k, buf
}

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// attach creates a test-driven process that exits when the test ends.
func attach(t testing.TB, k *Kernel) *Proc {
	t.Helper()
	p, err := k.Attach("test", nil)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	t.Cleanup(func() { p.Exit(nil, nil) })
	return p
}

func queues(p *Proc) *QueueMailbox { return p.Mailbox().(*QueueMailbox) }

// nextEvent waits for p's next event.
func nextEvent(t testing.TB, p *Proc) Event {
	t.Helper()
	q := queues(p).Events
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	for {
		if e, ok := q.TryPop(); ok {
			return e
		}
		select {
		case <-q.Notify():
		case <-timer.C:
			t.Fatalf("timed out waiting for an event")
		}
	}
}

// nextMessage waits for p's next message.
func nextMessage(t testing.TB, p *Proc) Message {
	t.Helper()
	q := queues(p).Messages
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	for {
		if m, ok := q.TryPop(); ok {
			return m
		}
		select {
		case <-q.Notify():
		case <-timer.C:
			t.Fatalf("timed out waiting for a message")
		}
	}
}

// waitCtx is a run function that blocks until its process is cancelled and
// then returns the cancellation cause as its error.
func waitCtx(p *Proc) (any, error) {
	<-p.Context().Done()
	return nil, context.Cause(p.Context())
}

// settleGoroutines polls until the goroutine count is at most base+slack.
func settleGoroutines(t testing.TB, base, slack int) {
	t.Helper()
	waitUntil(t, "goroutines back to baseline", func() bool {
		return runtime.NumGoroutine() <= base+slack
	})
}
