//go:build unix

package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dialSlow opens a raw HTTP/1.1 request for path on a TCP connection
// with a tiny receive buffer, and never reads from it.
func (a *rlApp) dialSlow(path string) net.Conn {
	a.t.Helper()
	host := strings.TrimPrefix(a.base, "http://")
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", host)
	if err != nil {
		a.t.Fatal(err)
	}
	a.t.Cleanup(func() { conn.Close() })
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host); err != nil {
		a.t.Fatal(err)
	}
	return conn
}

// SPEC 11.3 and 9.8: a client that stops reading gets its stream ended
// (`slow consumer`; the target gets sse.leave, monitors EXIT), while a
// healthy stream fed by the same Lua sender receives every event, and the
// sender never blocks. The slow stream's router has sserelay.max_queue
// "16"; the healthy one has the defaults.
//
//   - "paced": the sender pauses 1ms after every 8 events, so the slow
//     stream keeps up until the client's TCP window is full and its write
//     blocks; then its queue overflows, which must break the blocked write
//     at once (long before the 10 s write deadline).
//   - "burst": the sender never pauses; the slow stream's queue overflows
//     before it could write, and `done` "slow consumer" can still go out.
func TestRelaySlowConsumer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		burst int
	}{{"paced", 8}, {"burst", 0}} {
		t.Run(tc.name, func(t *testing.T) { testSlowConsumer(t, tc.burst) })
	}
}

func testSlowConsumer(t *testing.T, burst int) {
	a := newRelayApp(t, "")
	const n, size = 4000, 1024

	rec := a.spawnRecorder("")
	conn := a.dialSlow("/slow/open?cfg=" + strings.TrimPrefix(rlURL(map[string]any{"target_pid": rec, "heartbeat_interval": "0s"}), "/sse/open?cfg="))
	slow := a.waitTopic(rec, "sse.join").From
	w := a.watch(slow)

	healthy, hpid := a.openDetached(map[string]any{"heartbeat_interval": "0s"})
	a.waitActive(2)

	began := time.Now()
	code, body := a.post("/api/blast", map[string]any{"to": []string{slow, hpid}, "n": n, "size": size, "topic": "sse.message", "burst": burst})
	if code != 200 {
		t.Fatalf("blast: %d %s", code, body)
	}
	var res struct {
		MS  float64 `json:"ms"`
		Err string  `json:"err"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || res.Err != "" {
		t.Fatalf("blast: %s %v", body, err)
	}
	// The sender's loop of 2n sends never waited for either client.
	if loop := time.Duration(res.MS * float64(time.Millisecond)); loop > 5*time.Second {
		t.Fatalf("sender loop took %v", loop)
	}

	// The slow stream ends and says goodbye to its target, well before
	// the 10 s write deadline could have ended it.
	leave := a.waitTopic(rec, "sse.leave")
	if leave.From != slow {
		t.Fatalf("leave %v", leave)
	}
	if el := time.Since(began); el > 8*time.Second {
		t.Fatalf("slow stream ended after %v", el)
	}
	a.checkRelayExit(w, slow)

	// The healthy stream got every event, in order, on time.
	pad := strings.Repeat("x", size)
	for i := 1; i <= n; i++ {
		want := rlEvent("sse.message", fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i, pad))
		if got := healthy.next(); got != want {
			t.Fatalf("healthy event %d: got %.80q", i, got)
		}
	}
	if el := time.Since(began); el > 20*time.Second {
		t.Fatalf("healthy stream took %v", el)
	}
	a.send(hpid, "sse.message", "still open")
	healthy.expect(rlEvent("sse.message", `"still open"`))
	a.waitActive(1)

	// What reached the slow client ends either with `done` "slow consumer"
	// (if it could still be written) or is cut off; never with another
	// reason. The server closes the connection (Connection: close).
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("slow client: %v after %d bytes", err, len(raw))
	}
	done := strings.Contains(string(raw), `{"reason":"slow consumer"}`)
	if i := strings.LastIndex(string(raw), "event: done"); i >= 0 && !done {
		t.Fatalf("slow client saw %q", raw[i:])
	}
	if burst == 0 && !done {
		t.Fatalf("burst: the slow stream never wrote, so done must go out; got %d bytes", len(raw))
	}
	t.Logf("slow client read %d bytes; done written: %v", len(raw), done)
}
