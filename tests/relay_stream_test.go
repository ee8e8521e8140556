package tests

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// SPEC 9.4 and 9.2: response headers, the detached ready event byte for
// byte (metadata omitted when absent), defaults, and `retry` sent once.
func TestRelayStartDetached(t *testing.T) {
	a := newRelayApp(t, "")

	t.Run("defaults", func(t *testing.T) {
		c := a.openStream(rlURL(map[string]any{}), nil)
		h := c.resp.Header
		if c.resp.StatusCode != 200 || h.Get("Content-Type") != "text/event-stream" ||
			h.Get("Cache-Control") != "no-cache" || h.Get("X-Accel-Buffering") != "no" {
			t.Fatalf("%d %v", c.resp.StatusCode, h)
		}
		if _, ok := h["X-Sse-Relay"]; ok {
			t.Fatalf("relay header leaked: %v", h)
		}
		pid := c.ready("sse.message", "") // default topic, no metadata
		if !rlPIDRe.MatchString(pid) || !strings.HasPrefix(pid, "{app:gateway|0x") {
			t.Fatalf("stream pid %q", pid)
		}
		a.send(pid, "sse.message", "first")
		c.expect(rlEvent("sse.message", `"first"`))
	})
	t.Run("metadata and topic", func(t *testing.T) {
		c, pid := a.openDetached(map[string]any{"message_topic": "chat", "metadata": map[string]any{"user": "ann", "n": 1, "tags": []any{"a"}}})
		a.send(pid, "chat", 1)
		c.expect(rlEvent("chat", "1"))
	})
	t.Run("empty metadata and default topic spelled out", func(t *testing.T) {
		c := a.openStream(rlURL(`{"metadata":{},"message_topic":"","heartbeat_interval":"","idle_timeout":"","hard_timeout":""}`), nil)
		c.ready("sse.message", "{}")
	})
	t.Run("empty Lua table as metadata", func(t *testing.T) {
		c := a.openStream(rlURL(`{"metadata":[]}`), nil) // json.encode({metadata = {}})
		c.ready("sse.message", "{}")
	})
	t.Run("null fields are absent", func(t *testing.T) {
		c := a.openStream(rlURL(`{"metadata":null,"message_topic":null,"retry":null,"unknown":[1]}`), nil)
		c.ready("sse.message", "")
	})
	t.Run("retry once", func(t *testing.T) {
		c := a.openStream(rlURL(map[string]any{"retry": 1500}), nil)
		if f := c.next(); f != "retry: 1500\n\n" {
			t.Fatalf("first frame %q", f)
		}
		pid := c.ready("sse.message", "")
		for i := 0; i < 3; i++ {
			a.send(pid, "sse.message", i)
		}
		a.send(pid, "sse.close")
		c.expect(rlEvent("sse.message", "0"), rlEvent("sse.message", "1"), rlEvent("sse.message", "2"))
		c.expectEnd("closed by server")
		for _, f := range c.all()[1:] {
			if strings.Contains(f, "retry:") {
				t.Fatalf("retry sent again: %q", c.all())
			}
		}
	})
}

// SPEC 9.4 managed start and 9.7 join/leave payloads: no ready event; the
// target gets sse.join {client_pid, metadata} from the stream PID, plus
// last_event_id from the Last-Event-ID header or the last_event_id query
// parameter.
func TestRelayStartManaged(t *testing.T) {
	a := newRelayApp(t, "")
	cases := []struct {
		name     string
		cfg      map[string]any
		query    string
		hdr      map[string]string
		wantJoin func(pid string) map[string]any
	}{
		{"bare", nil, "", nil, func(pid string) map[string]any {
			return map[string]any{"client_pid": pid}
		}},
		{"metadata", map[string]any{"metadata": map[string]any{"room": "r1", "n": 2}}, "", nil, func(pid string) map[string]any {
			return map[string]any{"client_pid": pid, "metadata": map[string]any{"room": "r1", "n": 2.0}}
		}},
		{"Last-Event-ID header", nil, "", map[string]string{"Last-Event-ID": "42"}, func(pid string) map[string]any {
			return map[string]any{"client_pid": pid, "last_event_id": "42"}
		}},
		{"last_event_id query", map[string]any{"metadata": map[string]any{"a": true}}, "&last_event_id=7", nil, func(pid string) map[string]any {
			return map[string]any{"client_pid": pid, "metadata": map[string]any{"a": true}, "last_event_id": "7"}
		}},
		{"empty last_event_id query", nil, "&last_event_id=", nil, func(pid string) map[string]any {
			return map[string]any{"client_pid": pid, "last_event_id": ""}
		}},
		{"header wins over query", nil, "&last_event_id=7", map[string]string{"Last-Event-ID": "9"}, func(pid string) map[string]any {
			return map[string]any{"client_pid": pid, "last_event_id": "9"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.spawnRecorder("")
			cfg := map[string]any{"target_pid": rec}
			for k, v := range tc.cfg {
				cfg[k] = v
			}
			c := a.openStream(rlURL(cfg)+tc.query, tc.hdr)
			h := c.resp.Header
			if h.Get("Content-Type") != "text/event-stream" || h.Get("Cache-Control") != "no-cache" || h.Get("X-Accel-Buffering") != "no" {
				t.Fatalf("headers %v", h)
			}
			join := a.waitTopic(rec, "sse.join")
			pid := join.From
			if !rlPIDRe.MatchString(pid) || !strings.HasPrefix(pid, "{app:gateway|") {
				t.Fatalf("join from %q", pid)
			}
			want := tc.wantJoin(pid)
			if got := join.payload(t); !reflect.DeepEqual(got, want) {
				t.Fatalf("join payload %v, want %v", got, want)
			}
			// No ready event: the first frame is the first message.
			a.send(pid, "sse.message", "m")
			c.expect(rlEvent("sse.message", `"m"`))
			// sse.leave carries the same presence payload.
			a.send(pid, "sse.close", "bye")
			c.expectEnd("bye")
			leave := a.waitTopic(rec, "sse.leave")
			if got := leave.payload(t); leave.From != pid || !reflect.DeepEqual(got, want) {
				t.Fatalf("leave %v, want payload %v", leave, want)
			}
		})
	}
	t.Run("retry", func(t *testing.T) {
		rec := a.spawnRecorder("")
		c := a.openStream(rlURL(map[string]any{"target_pid": rec, "retry": 0}), nil)
		if f := c.next(); f != "retry: 0\n\n" {
			t.Fatalf("first frame %q", f)
		}
		pid := a.waitTopic(rec, "sse.join").From
		a.send(pid, "sse.message", "m")
		c.expect(rlEvent("sse.message", `"m"`))
	})
}

// SPEC 9.5: every payload of a message with the current topic becomes one
// event `event: TOPIC\ndata: JSON\n\n`; a message without payload writes
// nothing; other topics are dropped.
func TestRelayForwarding(t *testing.T) {
	a := newRelayApp(t, "")
	c, pid := a.openDetached(map[string]any{})
	a.send(pid, "sse.message", map[string]any{"n": 1, "b": []any{1, "x", true, map[string]any{"z": 0.5}}})
	a.send(pid, "sse.message", "hi")
	a.send(pid, "sse.message", "line\nbreak \"quoted\" <tag> é")
	a.send(pid, "sse.message", 42)
	a.send(pid, "sse.message", -1.25)
	a.send(pid, "sse.message", false)
	a.send(pid, "sse.message", map[string]any{})
	a.send(pid, "sse.message", []any{})
	a.send(pid, "sse.message")             // no payload: nothing
	a.send(pid, "other", "dropped")        // other topic: dropped
	a.send(pid, "sse.messages", "dropped") // prefix is not the topic
	a.send(pid, "SSE.MESSAGE", "dropped")  // topics are case-sensitive
	a.send(pid, "sse.message", 1, "two", map[string]any{"three": 3})
	c.expect(
		rlEvent("sse.message", `{"b":[1,"x",true,{"z":0.5}],"n":1}`),
		rlEvent("sse.message", `"hi"`),
		rlEvent("sse.message", `"line\nbreak \"quoted\" <tag> é"`),
		rlEvent("sse.message", `42`),
		rlEvent("sse.message", `-1.25`),
		rlEvent("sse.message", `false`),
		rlEvent("sse.message", `{}`),
		rlEvent("sse.message", `[]`),
		rlEvent("sse.message", `1`),
		rlEvent("sse.message", `"two"`),
		rlEvent("sse.message", `{"three":3}`),
	)
	a.send(pid, "sse.close")
	c.expectEnd("closed by server")
}

// SPEC 9.5: a custom message_topic is the event name; the default topic
// is then just another topic and dropped.
func TestRelayCustomTopic(t *testing.T) {
	a := newRelayApp(t, "")
	c, pid := a.openDetached(map[string]any{"message_topic": "chat.room-1"})
	a.send(pid, "sse.message", "dropped")
	a.send(pid, "chat", "dropped")
	a.send(pid, "chat.room-1", map[string]any{"text": "hello"})
	c.expect(rlEvent("chat.room-1", `{"text":"hello"}`))
}

// SPEC 9.5: with "*" every non-reserved topic is forwarded under its own
// name; reserved sse.* topics never are (sse.close and sse.control keep
// their meaning). A topic that cannot be an event name (CR/LF) is not
// forwarded and does not break the stream (SPEC 11.5).
func TestRelayWildcardTopic(t *testing.T) {
	a := newRelayApp(t, "")
	c, pid := a.openDetached(map[string]any{"message_topic": "*"})
	for _, topic := range []string{"sse.message", "sse.join", "sse.leave", "sse.heartbeat", "sse.other", "sse.", "bad\ntopic", "bad\rtopic"} {
		a.send(pid, topic, "never")
	}
	a.send(pid, "a", 1)
	a.send(pid, "chat.message", "x")
	a.send(pid, "ssex", true)
	a.send(pid, "*", "star")
	a.send(pid, "sse.control", map[string]any{"idle_timeout": ""}) // applied, not forwarded
	a.send(pid, "b", 1, 2)
	c.expect(
		rlEvent("a", "1"),
		rlEvent("chat.message", `"x"`),
		rlEvent("ssex", "true"),
		rlEvent("*", `"star"`),
		rlEvent("b", "1"),
		rlEvent("b", "2"),
	)
	a.send(pid, "sse.close", "end")
	c.expectEnd("end")
}

// SPEC 9.5 sse.close: `done` with the string payload as reason, "closed
// by server" when absent or empty; the target gets sse.leave; monitors
// get EXIT "sse relay closed" (9.3); later sends are dropped but succeed.
func TestRelayClose(t *testing.T) {
	a := newRelayApp(t, "")
	cases := []struct {
		name     string
		payloads []any
		reason   string
	}{
		{"reason", []any{"bye"}, "bye"},
		{"no payload", nil, "closed by server"},
		{"empty string", []any{""}, "closed by server"},
		{"reason needing escapes", []any{"bye \"now\"\nplease"}, "bye \"now\"\nplease"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.spawnRecorder("")
			c, pid, _ := a.openManaged(rec, nil, nil)
			w := a.watch(pid)
			a.send(pid, "sse.message", "before")
			a.send(pid, "sse.close", tc.payloads...)
			a.send(pid, "sse.message", "after") // dropped: the stream is gone or closing
			c.expect(rlEvent("sse.message", `"before"`))
			c.expectEnd(tc.reason)
			leave := a.waitTopic(rec, "sse.leave")
			if leave.payload(t)["client_pid"] != pid {
				t.Fatalf("leave %v", leave)
			}
			a.checkRelayExit(w, pid)
			a.send(pid, "sse.message", "dropped") // returns true
			a.waitActive(0)
		})
	}
}

// SPEC 9.5 sse.control: fields apply in order; invalid values and
// non-table payloads are ignored (the old value stays); nothing is
// written to the client.
func TestRelayControl(t *testing.T) {
	a := newRelayApp(t, "")

	t.Run("message_topic", func(t *testing.T) {
		c, pid := a.openDetached(map[string]any{})
		a.control(pid, map[string]any{"message_topic": "news"})
		a.send(pid, "sse.message", "dropped")
		a.send(pid, "news", 1)
		a.control(pid, map[string]any{"message_topic": ""}) // back to the default
		a.send(pid, "news", "dropped")
		a.send(pid, "sse.message", 2)
		a.control(pid, map[string]any{"message_topic": "*"})
		a.send(pid, "x", 3)
		c.expect(rlEvent("news", "1"), rlEvent("sse.message", "2"), rlEvent("x", "3"))
	})

	t.Run("invalid values and payloads are ignored", func(t *testing.T) {
		rec := a.spawnRecorder("")
		c, pid, _ := a.openManaged(rec, map[string]any{"message_topic": "chat", "metadata": map[string]any{"v": 1}, "heartbeat_interval": "0s"}, nil)
		a.control(pid, map[string]any{
			"message_topic":      5,
			"metadata":           "x",
			"heartbeat_interval": "bogus",
			"idle_timeout":       "-1s",
			"hard_timeout":       7,
			"target_pid":         "nope",
		})
		a.control(pid, map[string]any{"metadata": []any{1, 2}, "target_pid": 12, "idle_timeout": map[string]any{}})
		a.control(pid, map[string]any{"target_pid": "{app:processes|0xfffffff}"}) // not alive
		a.control(pid, "a string")
		a.control(pid, 42)
		a.control(pid, []any{"not", "an", "object"})
		a.send(pid, "sse.control") // no payload
		a.send(pid, "chat", "still chat")
		c.expect(rlEvent("chat", `"still chat"`)) // nothing else was written
		// Valid fields of a partly invalid payload still apply.
		a.control(pid, map[string]any{"message_topic": "news", "idle_timeout": "bad", "hard_timeout": "-3s"})
		a.send(pid, "chat", "dropped")
		a.send(pid, "news", "news")
		c.expect(rlEvent("news", `"news"`))
		// The target and metadata are unchanged: a transfer shows both.
		rec2 := a.spawnRecorder("")
		a.control(pid, map[string]any{"target_pid": rec2})
		join := a.waitTopic(rec2, "sse.join")
		if got := join.payload(t); !reflect.DeepEqual(got, map[string]any{"client_pid": pid, "metadata": map[string]any{"v": 1.0}}) {
			t.Fatalf("join after invalid controls: %v", got)
		}
		if got := rlTopics(a.waitTopicCount(rec, "sse.leave", 1)); !reflect.DeepEqual(got, []string{"sse.join", "sse.leave"}) {
			t.Fatalf("old target got %v", got)
		}
		// No idle or hard timeout was set and heartbeats stay off: the
		// stream is still there and quiet.
		a.send(pid, "news", "alive")
		c.expect(rlEvent("news", `"alive"`))
		if n := len(a.records(rec2)); n != 1 {
			t.Fatalf("new target got %v", a.records(rec2))
		}
	})

	t.Run("metadata applies before target_pid", func(t *testing.T) {
		c, pid := a.openDetached(map[string]any{"metadata": map[string]any{"v": 1}})
		rec := a.spawnRecorder("")
		a.control(pid, map[string]any{"target_pid": rec, "metadata": map[string]any{"v": 2}})
		join := a.waitTopic(rec, "sse.join")
		if got := join.payload(t); !reflect.DeepEqual(got, map[string]any{"client_pid": pid, "metadata": map[string]any{"v": 2.0}}) {
			t.Fatalf("join %v", got)
		}
		a.control(pid, map[string]any{"metadata": map[string]any{}}) // an empty table counts as an object
		a.send(pid, "sse.close")
		c.expectEnd("closed by server")
		leave := a.waitTopic(rec, "sse.leave")
		if got := leave.payload(t); !reflect.DeepEqual(got, map[string]any{"client_pid": pid, "metadata": map[string]any{}}) {
			t.Fatalf("leave %v", got)
		}
	})

	t.Run("heartbeat_interval", func(t *testing.T) {
		c, pid := a.openDetached(map[string]any{}) // default 30s: no ping soon
		a.control(pid, map[string]any{"heartbeat_interval": "50ms"})
		for i := 0; i < 2; i++ {
			if f, ok := c.frame(5 * time.Second); !ok || f != rlPing {
				t.Fatalf("frame %q %v, want a ping", f, ok)
			}
		}
		a.control(pid, map[string]any{"heartbeat_interval": "0s"}) // off
		a.send(pid, "sse.message", "marker")
		for {
			f := c.next()
			if f == rlEvent("sse.message", `"marker"`) {
				break
			}
		}
		// After the marker, no ping may come before the next message. The
		// sleep only lets four old intervals pass: a correct relay passes
		// whatever the timing.
		time.Sleep(200 * time.Millisecond)
		a.send(pid, "sse.message", "after")
		if f, _ := c.frame(5 * time.Second); f != rlEvent("sse.message", `"after"`) {
			t.Fatalf("heartbeat not disabled: got %q", f)
		}
	})

	t.Run("idle_timeout", func(t *testing.T) {
		start := time.Now()
		c, pid := a.openDetached(map[string]any{"idle_timeout": "500ms", "hard_timeout": "1500ms"})
		a.control(pid, map[string]any{"idle_timeout": ""}) // off
		c.expectEnd("hard timeout")                        // not idle
		if el := time.Since(start); el < 1400*time.Millisecond {
			t.Fatalf("hard timeout after %v", el)
		}
		c2, pid2 := a.openDetached(map[string]any{})
		start = time.Now()
		a.control(pid2, map[string]any{"idle_timeout": "200ms"})
		c2.expectEnd("idle timeout")
		if el := time.Since(start); el < 150*time.Millisecond {
			t.Fatalf("idle timeout after %v", el)
		}
	})

	t.Run("hard_timeout restarts from now", func(t *testing.T) {
		c, pid := a.openDetached(map[string]any{"hard_timeout": "1s"})
		a.control(pid, map[string]any{"hard_timeout": ""}) // off
		start := time.Now()
		a.control(pid, map[string]any{"idle_timeout": "1500ms"})
		c.expectEnd("idle timeout") // not hard
		if el := time.Since(start); el < 1400*time.Millisecond {
			t.Fatalf("ended after %v", el)
		}
		c2, pid2 := a.openDetached(map[string]any{"hard_timeout": "30s"})
		start = time.Now()
		a.control(pid2, map[string]any{"hard_timeout": "250ms"})
		c2.expectEnd("hard timeout")
		if el := time.Since(start); el < 200*time.Millisecond {
			t.Fatalf("hard timeout after %v", el)
		}
	})
}
