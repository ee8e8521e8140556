package tests

import (
	"reflect"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// SPEC 9.6 and 9.8: when the managed target exits (normally or with an
// error) the client gets `done` "target process exited" and the stream
// ends; monitors of the stream get EXIT "sse relay closed" (9.3).
func TestRelayTargetExit(t *testing.T) {
	a := newRelayApp(t, "")
	for _, how := range []string{"rec.stop", "rec.fail"} {
		t.Run(how, func(t *testing.T) {
			rec := a.spawnRecorder("")
			c, pid, _ := a.openManaged(rec, nil, nil)
			w := a.watch(pid)
			a.send(rec, how)
			c.expectEnd("target process exited")
			a.checkRelayExit(w, pid)
			a.waitActive(0)
		})
	}
}

// Messages the target sends to the stream before it exits reach the client
// before `done` (SPEC 7.1: messages from one sender arrive in order; the
// stream must not drop them because the target's EXIT came in the same
// batch).
func TestRelayTargetLastWordsBeforeExit(t *testing.T) {
	a := newRelayApp(t, "")
	for round := 0; round < 20; round++ {
		rec := a.spawnRecorder("")
		c, pid, _ := a.openManaged(rec, nil, nil)
		a.send(rec, "rec.say", map[string]any{"to": pid, "topic": "sse.message", "n": 3, "exit": true})
		c.expect(rlEvent("sse.message", "1"), rlEvent("sse.message", "2"), rlEvent("sse.message", "3"))
		c.expectEnd("target process exited")
	}
}

// SPEC 9.6 transfer: the stream monitors NEW and sends it sse.join (with
// the current metadata) BEFORE it sends sse.leave to the old target. The
// targets are test-driven processes that number every delivery from one
// shared counter, so the order across the two is exact.
func TestRelayTransferOrder(t *testing.T) {
	a := newRelayApp(t, "")
	var seq atomic.Int64
	old, next := a.goTarget(&seq), a.goTarget(&seq)
	md := map[string]any{"room": "r1"}
	c := a.openStream(rlURL(map[string]any{"target_pid": old.pid, "metadata": md}), nil)
	join0 := old.wait(t, "sse.join")
	pid := join0.from
	presence := map[string]any{"client_pid": pid, "metadata": md}
	if !reflect.DeepEqual(join0.payload, []any{presence}) {
		t.Fatalf("join %v", join0.payload)
	}

	a.control(pid, map[string]any{"target_pid": next.pid})
	join := next.wait(t, "sse.join")
	leave := old.wait(t, "sse.leave")
	if join.seq >= leave.seq {
		t.Fatalf("join to the new target (#%d) must come before leave to the old one (#%d)", join.seq, leave.seq)
	}
	if join.from != pid || leave.from != pid || !reflect.DeepEqual(join.payload, []any{presence}) || !reflect.DeepEqual(leave.payload, []any{presence}) {
		t.Fatalf("join %+v leave %+v", join, leave)
	}

	// The same PID again is a no-op.
	a.control(pid, map[string]any{"target_pid": next.pid})
	a.send(pid, "sse.message", "m1")
	c.expect(rlEvent("sse.message", `"m1"`))
	if got := next.topics(); !reflect.DeepEqual(got, []string{"sse.join"}) {
		t.Fatalf("new target got %v after a repeated transfer", got)
	}
	if got := old.topics(); !reflect.DeepEqual(got, []string{"sse.join", "sse.leave"}) {
		t.Fatalf("old target got %v", got)
	}

	// The old target is no longer monitored: its exit changes nothing.
	old.proc.Exit(nil, nil)
	a.send(pid, "sse.message", "m2")
	c.expect(rlEvent("sse.message", `"m2"`))

	// The new one is: its exit ends the stream.
	next.proc.Exit(nil, nil)
	c.expectEnd("target process exited")
	if got := next.topics(); !reflect.DeepEqual(got, []string{"sse.join"}) {
		t.Fatalf("new target got %v", got)
	}
}

// SPEC 9.6 with Lua processes: transfer between two recorders, then a
// transfer to a process that is not alive changes nothing.
func TestRelayTransferLua(t *testing.T) {
	a := newRelayApp(t, "")
	r1, r2 := a.spawnRecorder(""), a.spawnRecorder("")
	c, pid, _ := a.openManaged(r1, map[string]any{"heartbeat_interval": "50ms"}, nil)
	a.control(pid, map[string]any{"target_pid": r2})
	a.waitTopic(r2, "sse.join")
	recs1 := a.waitTopicCount(r1, "sse.leave", 1)
	leaveAt := recs1[rlFind(recs1, "sse.leave")].Seq
	// Heartbeats now go to r2 only.
	a.waitTopic(r2, "sse.heartbeat")
	for _, r := range a.records(r1) {
		if r.Topic == "sse.heartbeat" && r.Seq > leaveAt {
			t.Fatalf("old target got a heartbeat after sse.leave: %v", a.records(r1))
		}
	}

	dead := a.spawnRecorder("")
	a.send(dead, "rec.stop")
	eventually(t, 5*time.Second, "recorder exit", func() bool { return !a.h.Kernel().Alive(mustPID(t, dead)) })
	a.control(pid, map[string]any{"target_pid": dead})
	a.send(pid, "sse.message", "marker")
	c.expect(rlEvent("sse.message", `"marker"`))
	if n := len(rlTopics(a.records(r2))); rlFind(a.records(r2), "sse.leave") >= 0 || n == 0 {
		t.Fatalf("target changed after a transfer to a dead pid: %v", a.records(r2))
	}
	// r2 is still the target: its exit ends the stream.
	a.send(r2, "rec.stop")
	c.expectEnd("target process exited")
}

// SPEC 9.6 detach: target_pid "" sends sse.leave to the old target; the
// stream stays open and keeps its heartbeat comments; the old target's
// exit no longer matters; a detached stream can be attached again.
func TestRelayDetachAndAttach(t *testing.T) {
	a := newRelayApp(t, "")
	rec := a.spawnRecorder("")
	c, pid, _ := a.openManaged(rec, map[string]any{"heartbeat_interval": "50ms", "metadata": map[string]any{"k": "v"}}, nil)
	w := a.watch(pid)
	a.control(pid, map[string]any{"target_pid": ""})
	leave := a.waitTopic(rec, "sse.leave")
	if got := leave.payload(t); !reflect.DeepEqual(got, map[string]any{"client_pid": pid, "metadata": map[string]any{"k": "v"}}) {
		t.Fatalf("leave %v", got)
	}
	a.control(pid, map[string]any{"target_pid": ""}) // detached already: no-op
	a.send(rec, "rec.stop")                          // no longer the target
	// Heartbeat comments continue while detached.
	pings := 0
	for pings < 3 {
		f, ok := c.frame(5 * time.Second)
		if !ok {
			t.Fatalf("stream ended while detached: %q", c.all())
		}
		if f == rlPing {
			pings++
		}
	}
	a.send(pid, "sse.message", "still here")
	c.expect(rlEvent("sse.message", `"still here"`))

	// Attach again, over an HTTP POST handler.
	rec2 := a.spawnRecorder("")
	a.control(pid, map[string]any{"target_pid": rec2})
	join := a.waitTopic(rec2, "sse.join")
	if got := join.payload(t); join.From != pid || !reflect.DeepEqual(got, map[string]any{"client_pid": pid, "metadata": map[string]any{"k": "v"}}) {
		t.Fatalf("join %v", join)
	}
	a.send(rec2, "rec.stop")
	c.expectEnd("target process exited")
	a.checkRelayExit(w, pid)
}

// SPEC 9.6: a stream opened detached is attached later through an HTTP
// POST handler that sends sse.control.
func TestRelayLateAttach(t *testing.T) {
	a := newRelayApp(t, "")
	c, pid := a.openDetached(map[string]any{"metadata": map[string]any{"user": "ann"}})
	rec := a.spawnRecorder("")
	a.control(pid, map[string]any{"target_pid": rec})
	join := a.waitTopic(rec, "sse.join")
	if got := join.payload(t); join.From != pid || !reflect.DeepEqual(got, map[string]any{"client_pid": pid, "metadata": map[string]any{"user": "ann"}}) {
		t.Fatalf("join %v", join)
	}
	a.send(pid, "sse.message", "hello")
	c.expect(rlEvent("sse.message", `"hello"`))
	a.send(pid, "sse.close", "done")
	c.expectEnd("done")
	a.waitTopic(rec, "sse.leave")
}

var rlUptimeRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(ms|s|m[0-9.]+s|h.*)$`)

// SPEC 9.7: heartbeat comments every interval (also detached), and while a
// target is set sse.heartbeat {client_pid, uptime, message_count, metadata}
// where message_count counts forwarded events.
func TestRelayHeartbeat(t *testing.T) {
	a := newRelayApp(t, "")

	t.Run("detached pings", func(t *testing.T) {
		c, _ := a.openDetached(map[string]any{"heartbeat_interval": "50ms"})
		for i := 0; i < 3; i++ {
			if f, ok := c.frame(5 * time.Second); !ok || f != rlPing {
				t.Fatalf("frame %q, want %q", f, rlPing)
			}
		}
	})

	t.Run("payload", func(t *testing.T) {
		rec := a.spawnRecorder("")
		start := time.Now()
		c, pid, _ := a.openManaged(rec, map[string]any{"heartbeat_interval": "50ms", "metadata": map[string]any{"m": 1}},
			map[string]string{"Last-Event-ID": "5"})
		a.send(pid, "sse.message", "a", "b") // two events
		a.send(pid, "other", "x")            // dropped: not counted
		a.send(pid, "sse.message")           // no payload: not counted
		a.send(pid, "sse.message", "c")      // one event
		c.expect(rlEvent("sse.message", `"a"`), rlEvent("sse.message", `"b"`), rlEvent("sse.message", `"c"`))
		recs := a.waitRecords(rec, 5*time.Second, "heartbeat with message_count 3", func(rs []rlRecord) bool {
			for _, r := range rs {
				if r.Topic == "sse.heartbeat" && r.payload(t)["message_count"] == 3.0 {
					return true
				}
			}
			return false
		})
		elapsed := time.Since(start)
		last := -1.0
		for _, r := range recs {
			if r.Topic != "sse.heartbeat" {
				continue
			}
			p := r.payload(t)
			if r.From != pid || p["client_pid"] != pid || !reflect.DeepEqual(p["metadata"], map[string]any{"m": 1.0}) || len(p) != 4 {
				t.Fatalf("heartbeat %v: want exactly client_pid, uptime, message_count, metadata", r)
			}
			n, _ := p["message_count"].(float64)
			if n < last || n > 3 {
				t.Fatalf("message_count went %v -> %v", last, n)
			}
			last = n
			up, _ := p["uptime"].(string)
			d, err := time.ParseDuration(up)
			if err != nil || !rlUptimeRe.MatchString(up) || d <= 0 || d > elapsed {
				t.Fatalf("uptime %q (%v) after %v", up, err, elapsed)
			}
		}
		// Pings go to the client too.
		for {
			f, ok := c.frame(5 * time.Second)
			if !ok {
				t.Fatal("stream ended")
			}
			if f == rlPing {
				break
			}
		}
	})

	t.Run("heartbeats do not reset the idle timer", func(t *testing.T) {
		start := time.Now()
		c, _ := a.openDetached(map[string]any{"heartbeat_interval": "50ms", "idle_timeout": "400ms"})
		pings := 0
		for {
			f, ok := c.frame(5 * time.Second)
			if !ok {
				t.Fatalf("stream ended without done: %q", c.all())
			}
			if f == rlPing {
				pings++
				continue
			}
			if f != rlDone("idle timeout") {
				t.Fatalf("frame %q", f)
			}
			break
		}
		c.expectEOF()
		if el := time.Since(start); el < 350*time.Millisecond || pings < 2 {
			t.Fatalf("idle timeout after %v and %d pings", el, pings)
		}
	})

	t.Run("forwarded events reset the idle timer", func(t *testing.T) {
		start := time.Now()
		c, pid := a.openDetached(map[string]any{"idle_timeout": "700ms"})
		for i := 0; i < 6; i++ {
			a.send(pid, "sse.message", i)
			c.expect(rlEvent("sse.message", strconv.Itoa(i)))
			time.Sleep(150 * time.Millisecond) // well inside the idle timeout
		}
		c.expectEnd("idle timeout")
		if el := time.Since(start); el < 1300*time.Millisecond {
			t.Fatalf("idle timeout after %v: events did not reset it", el)
		}
	})
}
