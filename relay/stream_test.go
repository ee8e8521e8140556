package relay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"luahost/luamod"
	"luahost/runtime/actor"
)

// fakeWriter is an http.ResponseWriter with Flush and SetWriteDeadline (as
// http.ResponseController finds them) whose writes can be held.
type fakeWriter struct {
	mu     sync.Mutex
	hdr    http.Header
	status int
	out    bytes.Buffer
	gate   chan struct{} // non-nil: a Write waits until it is closed

	// breakable: a deadline in the past fails a held Write, like a
	// net.Conn; otherwise deadlines are not supported.
	breakable bool
	broken    chan struct{}
	breakOnce sync.Once
	waiting   chan struct{} // gets a value when a Write starts waiting
}

func newFakeWriter() *fakeWriter {
	return &fakeWriter{hdr: http.Header{}, broken: make(chan struct{}), waiting: make(chan struct{}, 16)}
}

func (w *fakeWriter) Header() http.Header { return w.hdr }

func (w *fakeWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status == 0 {
		w.status = code
	}
}

func (w *fakeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.status == 0 {
		w.status = 200
	}
	gate := w.gate
	w.mu.Unlock()
	if gate != nil {
		w.waiting <- struct{}{}
		select {
		case <-gate:
		case <-w.broken:
			return 0, errors.New("i/o timeout")
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}

func (w *fakeWriter) FlushError() error { return nil }

func (w *fakeWriter) SetWriteDeadline(t time.Time) error {
	if !w.breakable {
		return http.ErrNotSupported
	}
	if !t.IsZero() && !t.After(time.Now()) {
		w.breakOnce.Do(func() { close(w.broken) })
	}
	return nil
}

func (w *fakeWriter) hold() {
	w.mu.Lock()
	w.gate = make(chan struct{})
	w.mu.Unlock()
}

func (w *fakeWriter) release() {
	w.mu.Lock()
	close(w.gate)
	w.gate = nil
	w.mu.Unlock()
}

func (w *fakeWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.String()
}

func (w *fakeWriter) code() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status
}

// env is a kernel, a hub and a middleware on service "app:gateway".
type env struct {
	k   *actor.Kernel
	hub *Hub
	mw  *Middleware
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEnv(t testing.TB, opts map[string]string) *env {
	t.Helper()
	k := actor.New(actor.Options{Logger: discardLog()})
	hub := NewHub(k, luamod.EncodeGoJSON, discardLog())
	mw, err := NewMiddleware(hub, "app:gateway", opts)
	if err != nil {
		t.Fatal(err)
	}
	return &env{k: k, hub: hub, mw: mw}
}

// serve runs Serve on its own goroutine; the channel closes when it
// returns. Cancelling ctx is a client disconnect.
func (e *env) serve(ctx context.Context, w http.ResponseWriter, header string) <-chan struct{} {
	r := httptest.NewRequest("GET", "/sse", nil).WithContext(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.mw.Serve(w, r, header)
	}()
	return done
}

// target attaches a process with a queue mailbox.
func (e *env) target(t testing.TB) (*actor.Proc, *actor.QueueMailbox) {
	t.Helper()
	mb := actor.NewQueueMailbox(0)
	p, err := e.k.Attach("app:processes", mb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Exit(nil, nil) })
	return p, mb
}

// waitMsg pops messages until one has topic.
func waitMsg(t *testing.T, mb *actor.QueueMailbox, topic string) actor.Message {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m, ok := mb.Messages.TryPop(); ok {
			if m.Topic == topic {
				return m
			}
			continue
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no %s within 5s", topic)
	return actor.Message{}
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s within 5s", what)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

const doneSlow = "event: done\ndata: {\"reason\":\"slow consumer\"}\n\n"

// SPEC 11.3 / 9.8: the queue overflows while the client is slow but its
// write still completes: the stream ends with `done` "slow consumer" (what
// was queued is dropped) and the target gets sse.leave.
func TestStreamSlowConsumerDone(t *testing.T) {
	e := newEnv(t, map[string]string{OptMaxQueue: "4"})
	tp, tmb := e.target(t)
	w := newFakeWriter()
	finished := e.serve(context.Background(), w, `{"target_pid":"`+tp.PID().String()+`","heartbeat_interval":"0s"}`)
	stream := waitMsg(t, tmb, TopicJoin).From

	w.hold()
	e.k.Send(tp.PID(), stream, TopicMessage, []any{"first"})
	<-w.waiting // the stream is now stuck writing "first"
	for i := 0; i < 10; i++ {
		if !e.k.Send(tp.PID(), stream, TopicMessage, []any{"queued"}) && i < 4 {
			t.Fatal("send refused")
		}
	}
	w.release()
	waitClosed(t, finished, "stream end")
	out := w.String()
	if want := "event: sse.message\ndata: \"first\"\n\n" + doneSlow; out != want {
		t.Fatalf("client got %q, want %q", out, want)
	}
	leave := waitMsg(t, tmb, TopicLeave)
	if leave.From != stream {
		t.Fatalf("leave from %v", leave.From)
	}
	if e.hub.Active() != 0 || e.k.Alive(stream) {
		t.Fatal("stream still there")
	}
}

// SPEC 11.3: when the client's write is blocked, an overflow breaks it at
// once (the sender's goroutine sets a past write deadline): the stream
// ends without waiting for the write deadline, the target gets sse.leave.
func TestStreamSlowConsumerBreaksBlockedWrite(t *testing.T) {
	e := newEnv(t, map[string]string{OptMaxQueue: "4"})
	e.hub.WriteTimeout = time.Hour // only the overflow can break the write
	tp, tmb := e.target(t)
	w := newFakeWriter()
	w.breakable = true
	finished := e.serve(context.Background(), w, `{"target_pid":"`+tp.PID().String()+`","heartbeat_interval":"0s"}`)
	stream := waitMsg(t, tmb, TopicJoin).From
	w.hold()
	e.k.Send(tp.PID(), stream, TopicMessage, []any{"first"})
	<-w.waiting
	began := time.Now()
	for i := 0; i < 10; i++ {
		e.k.Send(tp.PID(), stream, TopicMessage, []any{"queued"})
	}
	waitClosed(t, finished, "stream end after overflow")
	if el := time.Since(began); el > 2*time.Second {
		t.Fatalf("blocked write broken after %v", el)
	}
	if out := w.String(); strings.Contains(out, "queued") {
		t.Fatalf("client got %q", out)
	}
	waitMsg(t, tmb, TopicLeave)
	if e.hub.Active() != 0 {
		t.Fatal("stream still active")
	}
}

// SPEC 9.8 client disconnect: the request context ends the stream; the
// target gets sse.leave; nothing more is written.
func TestStreamClientDisconnect(t *testing.T) {
	e := newEnv(t, nil)
	tp, tmb := e.target(t)
	w := newFakeWriter()
	ctx, cancel := context.WithCancel(context.Background())
	finished := e.serve(ctx, w, `{"target_pid":"`+tp.PID().String()+`"}`)
	stream := waitMsg(t, tmb, TopicJoin).From
	if w.code() != 200 {
		t.Fatalf("status %d", w.code())
	}
	cancel()
	waitClosed(t, finished, "stream end")
	if m := waitMsg(t, tmb, TopicLeave); m.From != stream {
		t.Fatal("leave from another pid")
	}
	if out := w.String(); out != "" {
		t.Fatalf("client got %q", out)
	}
}

// SPEC 11.4: Hub.Shutdown ends every stream with `done` "server shutting
// down" and waits for them; afterwards no stream starts (503).
func TestHubShutdown(t *testing.T) {
	e := newEnv(t, nil)
	var writers []*fakeWriter
	var ends []<-chan struct{}
	for i := 0; i < 5; i++ {
		w := newFakeWriter()
		writers = append(writers, w)
		ends = append(ends, e.serve(context.Background(), w, `{}`))
	}
	waitFor(t, "5 active streams", func() bool { return e.hub.Active() == 5 })
	for _, w := range writers {
		waitFor(t, "ready event", func() bool { return strings.HasPrefix(w.String(), "event: ready\n") })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.hub.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for i, w := range writers {
		waitClosed(t, ends[i], "stream end")
		if !strings.HasSuffix(w.String(), "\n\nevent: done\ndata: {\"reason\":\"server shutting down\"}\n\n") {
			t.Fatalf("client got %q", w.String())
		}
	}
	if e.hub.Active() != 0 {
		t.Fatal("streams still active")
	}
	w := newFakeWriter()
	waitClosed(t, e.serve(context.Background(), w, `{}`), "Serve after shutdown")
	if w.code() != http.StatusServiceUnavailable {
		t.Fatalf("after shutdown: %d %q", w.code(), w.String())
	}
	if err := e.hub.Shutdown(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
}

// Serve's refusals: 403, 400, 404; no process is created for them.
func TestServeRefusals(t *testing.T) {
	e := newEnv(t, map[string]string{OptAllowedOrigins: "https://ok.example"})
	cases := []struct {
		origin, header string
		code           int
		body           string
	}{
		{"https://bad.example", `{}`, 403, "origin is not allowed\n"},
		{"https://bad.example", `{bad json`, 403, "origin is not allowed\n"}, // origin first
		{"", `{bad json`, 400, ""},
		{"https://ok.example", `{"idle_timeout":"x"}`, 400, ""},
		{"", `{"target_pid":"{app:processes|0xfffff}"}`, 404, "pid not registered\n"},
	}
	for _, tc := range cases {
		w := newFakeWriter()
		r := httptest.NewRequest("GET", "/sse", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		e.mw.Serve(w, r, tc.header)
		if w.code() != tc.code || (tc.body != "" && w.String() != tc.body) {
			t.Errorf("%q %q: got %d %q", tc.origin, tc.header, w.code(), w.String())
		}
	}
	if e.k.Count() != 0 || e.hub.Active() != 0 {
		t.Fatalf("%d processes, %d streams after refusals", e.k.Count(), e.hub.Active())
	}
}

func TestNewMiddlewareOptions(t *testing.T) {
	hub := NewHub(actor.New(actor.Options{Logger: discardLog()}), luamod.EncodeGoJSON, discardLog())
	mw, err := NewMiddleware(hub, "app:gateway", nil)
	if err != nil || mw.MaxQueue != DefaultMaxQueue || mw.MaxQueueBytes != DefaultMaxQueueBytes {
		t.Fatalf("defaults: %+v %v", mw, err)
	}
	mw, err = NewMiddleware(hub, "app:gateway", map[string]string{OptMaxQueue: "16", OptMaxQueueBytes: "4096", "other.option": "x"})
	if err != nil || mw.MaxQueue != 16 || mw.MaxQueueBytes != 4096 {
		t.Fatalf("set: %+v %v", mw, err)
	}
	for _, opts := range []map[string]string{
		{OptMaxQueue: "0"},
		{OptMaxQueue: "-1"},
		{OptMaxQueue: "x"},
		{OptMaxQueueBytes: "1.5"},
		{OptMaxQueueBytes: ""},
		{"sserelay.unknown": "1"},
	} {
		_, err := NewMiddleware(hub, "app:gateway", opts)
		if err == nil {
			t.Errorf("%v: no error", opts)
			continue
		}
		for k := range opts {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("%v: error %q does not name the option", opts, err)
			}
		}
	}
}
