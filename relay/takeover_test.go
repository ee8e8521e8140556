//go:build linux

package relay

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// takeoverServer serves the relay over real TCP, so streams are taken
// over (hijacked, non-blocking writes, epoll).
func takeoverServer(t *testing.T, e *env) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mw.Serve(w, r, r.URL.Query().Get("cfg"))
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// dialTiny opens a stream on a connection with a 2 KiB receive buffer and
// returns it unread.
func dialTiny(t *testing.T, addr, cfg string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
		})
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	q := strings.NewReplacer(`"`, "%22", "{", "%7B", "}", "%7D", "|", "%7C").Replace(cfg)
	fmt.Fprintf(c, "GET /sse?cfg=%s HTTP/1.1\r\nHost: x\r\n\r\n", q)
	return c
}

func pad(i, size int) string { return fmt.Sprintf("%06d%s", i, strings.Repeat("x", size)) }

// A full socket does not hold the stream's worker: the rest is written
// when the client drains it, every event arrives once and in order.
func TestTakeoverResumesWhenSocketDrains(t *testing.T) {
	e := newEnv(t, map[string]string{OptMaxQueue: "100000", OptMaxQueueBytes: "100000000"})
	addr := takeoverServer(t, e)
	tp, tmb := e.target(t)
	c := dialTiny(t, addr, `{"target_pid":"`+tp.PID().String()+`","heartbeat_interval":"0s"}`)
	stream := waitMsg(t, tmb, TopicJoin).From
	const n, size = 2000, 2000
	for i := 0; i < n; i++ {
		e.k.Send(tp.PID(), stream, TopicMessage, []any{pad(i, size)})
	}
	// Other streams are still served while this one waits (the workers
	// are not blocked): a second stream gets its event.
	c2 := dialTiny(t, addr, `{}`)
	r2 := bufio.NewReader(c2)
	_ = c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	if line := readUntil(t, r2, "event: ready"); line == "" {
		t.Fatal("second stream got nothing")
	}
	r := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	for i := 0; i < n; i++ {
		want := `data: "` + pad(i, size) + `"`
		if got := readUntil(t, r, "data: "); got != want {
			t.Fatalf("event %d: got %.40q", i, got)
		}
	}
	if !e.k.Alive(stream) {
		t.Fatal("stream ended")
	}
}

// SPEC 11.3: a write that makes no progress for the write timeout ends the
// stream (the target gets sse.leave); the queue never overflowed.
func TestTakeoverWriteDeadline(t *testing.T) {
	e := newEnv(t, map[string]string{OptMaxQueue: "100000", OptMaxQueueBytes: "100000000"})
	e.hub.WriteTimeout = 300 * time.Millisecond
	addr := takeoverServer(t, e)
	tp, tmb := e.target(t)
	dialTiny(t, addr, `{"target_pid":"`+tp.PID().String()+`","heartbeat_interval":"0s"}`)
	stream := waitMsg(t, tmb, TopicJoin).From
	began := time.Now()
	for i := 0; i < 2000; i++ { // far more than the socket buffers hold
		e.k.Send(tp.PID(), stream, TopicMessage, []any{pad(i, 2000)})
	}
	if m := waitMsg(t, tmb, TopicLeave); m.From != stream {
		t.Fatalf("leave from %v", m.From)
	}
	if el := time.Since(began); el < e.hub.WriteTimeout {
		t.Fatalf("ended after %v, before the write timeout", el)
	}
	waitFor(t, "stream gone", func() bool { return !e.k.Alive(stream) && e.hub.Active() == 0 })
}

func readUntil(t *testing.T, r *bufio.Reader, prefix string) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSuffix(line, "\n")
		}
	}
}
