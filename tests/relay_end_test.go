package tests

import (
	"context"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"luahost/runtime/actor"
)

// SPEC 9.8: every end cause, with what the client sees and what the
// target gets; and SPEC 9.3 for each: monitors get EXIT "sse relay
// closed" without error, links get nothing, later sends are dropped.
func TestRelayEndCauses(t *testing.T) {
	a := newRelayApp(t, "")
	cases := []struct {
		name  string
		cfg   map[string]any
		end   func(t *testing.T, pid, rec string, c *rlClient)
		done  string // "" when the client sees no done (it is gone)
		leave bool
	}{
		{"sse.close", nil, func(t *testing.T, pid, rec string, c *rlClient) { a.send(pid, "sse.close", "bye") }, "bye", true},
		{"target exit", nil, func(t *testing.T, pid, rec string, c *rlClient) { a.send(rec, "rec.stop") }, "target process exited", false},
		{"idle timeout", map[string]any{"idle_timeout": "200ms"}, func(t *testing.T, pid, rec string, c *rlClient) {}, "idle timeout", true},
		{"hard timeout", map[string]any{"hard_timeout": "200ms", "idle_timeout": "10s"}, func(t *testing.T, pid, rec string, c *rlClient) {
			a.send(pid, "sse.message", "keeps idle away")
		}, "hard timeout", true},
		{"client disconnect", nil, func(t *testing.T, pid, rec string, c *rlClient) { c.close() }, "", true},
		{"terminated", nil, func(t *testing.T, pid, rec string, c *rlClient) {
			if got := string(a.ask(rec, "rec.terminate", pid)); got != `"ok"` {
				t.Fatalf("terminate: %s", got)
			}
		}, "process terminated", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.spawnRecorder("")
			start := time.Now()
			c, pid, _ := a.openManaged(rec, tc.cfg, nil)
			w := a.watch(pid)
			tc.end(t, pid, rec, c)
			if tc.done != "" {
				if tc.name == "hard timeout" {
					c.expect(rlEvent("sse.message", `"keeps idle away"`))
				}
				c.expectEnd(tc.done)
				if strings.HasSuffix(tc.name, "timeout") {
					if el := time.Since(start); el < 150*time.Millisecond {
						t.Fatalf("%s after %v", tc.name, el)
					}
				}
			}
			a.checkRelayExit(w, pid)
			if tc.name != "target exit" { // else the recorder is gone
				want := []string{"sse.join"}
				if tc.leave {
					want = append(want, "sse.leave")
				}
				recs := a.waitRecords(rec, 5*time.Second, "leave", func(rs []rlRecord) bool { return len(rs) >= len(want) })
				if got := rlTopics(recs); !reflect.DeepEqual(got, want) {
					t.Fatalf("target got %v, want %v", recs, want)
				}
			}
			a.send(pid, "sse.message", "after the end") // dropped, but send returns true
			a.waitActive(0)
		})
	}
}

// SPEC 9.8: after a client disconnects, the target gets sse.leave within
// one second (measured with the recorder's own clock).
func TestRelayDisconnectLeaveWithinOneSecond(t *testing.T) {
	a := newRelayApp(t, "")
	for i := 0; i < 5; i++ {
		rec := a.spawnRecorder("")
		c, pid, _ := a.openManaged(rec, map[string]any{"heartbeat_interval": "0s"}, nil)
		closedAt := time.Now()
		c.close()
		leave := a.waitTopic(rec, "sse.leave")
		if leave.From != pid {
			t.Fatalf("leave %v", leave)
		}
		if lag := time.Duration(int64(leave.At) - closedAt.UnixNano()); lag > time.Second {
			t.Fatalf("sse.leave %v after the disconnect", lag)
		}
	}
	a.waitActive(0)
}

// SPEC 9.8 / 11.4: host shutdown ends every stream with `done` "server
// shutting down"; managed targets get sse.leave; monitors get EXIT "sse
// relay closed"; links get nothing; no new stream starts.
func TestRelayShutdown(t *testing.T) {
	a := newRelayApp(t, "")
	var seq atomic.Int64
	k := a.h.Kernel()
	var clients []*rlClient
	var targets []*goTarget
	var streams []string
	for i := 0; i < 3; i++ {
		c, pid := a.openDetached(map[string]any{})
		clients, streams = append(clients, c), append(streams, pid)
	}
	for i := 0; i < 3; i++ {
		g := a.goTarget(&seq)
		c := a.openStream(rlURL(map[string]any{"target_pid": g.pid, "heartbeat_interval": "20ms"}), nil)
		clients, targets = append(clients, c), append(targets, g)
		streams = append(streams, g.wait(t, "sse.join").from)
	}
	watcher := a.goTarget(&seq)
	for _, s := range streams {
		if err := k.Monitor(watcher.proc.PID(), mustPID(t, s)); err != nil {
			t.Fatal(err)
		}
		if err := k.Link(watcher.proc.PID(), mustPID(t, s)); err != nil {
			t.Fatal(err)
		}
	}
	a.waitActive(len(streams))

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	began := time.Now()
	go func() { shut <- a.h.Shutdown(ctx) }()
	for _, c := range clients {
		c.expectEnd("server shutting down")
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(12 * time.Second):
		t.Fatal("shutdown did not return")
	}
	if el := time.Since(began); el > 10*time.Second {
		t.Fatalf("shutdown took %v", el)
	}
	if n := a.h.Relay().Active(); n != 0 {
		t.Fatalf("%d streams still active", n)
	}
	for _, g := range targets {
		leave := g.wait(t, "sse.leave")
		if p, ok := leave.payload[0].(map[string]any); !ok || p["client_pid"] != leave.from {
			t.Fatalf("leave %+v", leave)
		}
	}
	exits := map[string]bool{}
	for _, ev := range watcher.exits() {
		if ev.Kind != actor.EventExit || ev.Result != "sse relay closed" || ev.Err != nil {
			t.Fatalf("watcher got %+v", ev)
		}
		exits[ev.From.String()] = true
	}
	for _, s := range streams {
		if !exits[s] {
			t.Fatalf("no EXIT from %s: %+v", s, watcher.exits())
		}
	}
	// No new stream (or connection) after shutdown.
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(a.base, "http://"), time.Second)
	if err == nil {
		conn.Close()
		resp, err := (&http.Client{Transport: rlTransport, Timeout: 2 * time.Second}).Get(a.base + rlURL(map[string]any{}))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("request after shutdown answered %d", resp.StatusCode)
		}
	}
}

// SPEC 11.3: each write to a stream has its own deadline, so the server's
// timeouts.write never cuts off a healthy long-lived stream.
func TestRelayServerWriteTimeoutDoesNotCutStreams(t *testing.T) {
	a := newRelayAppWith(t, "", `
  - name: gw2
    kind: http.service
    addr: "127.0.0.1:0"
    timeouts: {write: 200ms}
  - name: sse2
    kind: http.router
    meta: {server: gw2}
    prefix: /sse
    post_middleware: [sse_relay]
  - name: open.gw2
    kind: http.endpoint
    meta: {router: sse2}
    method: GET
    path: /open
    func: open
`)
	gw2 := *a.app
	gw2.base = "http://" + a.h.Addr("app:gw2")
	c := (&rlApp{&gw2}).openStream(rlURL(map[string]any{"heartbeat_interval": "0s"}), nil)
	f := c.next()
	m := rlReadyRe.FindStringSubmatch(strings.Replace(f, "app:gw2", "app:gateway", 1))
	if m == nil {
		t.Fatalf("ready %q", f)
	}
	pid := strings.Replace(m[1], "app:gateway", "app:gw2", 1)
	for i := 0; i < 2; i++ {
		// Let the server's whole-response write timeout pass; a correct
		// relay passes whatever the timing.
		time.Sleep(500 * time.Millisecond)
		a.send(pid, "sse.message", i)
		c.expect(rlEvent("sse.message", []string{"0", "1"}[i]))
	}
}
