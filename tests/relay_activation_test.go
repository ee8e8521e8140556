package tests

import (
	"strings"
	"testing"
	"time"
)

// SPEC 9.1 steps 1-3: without X-SSE-Relay the response goes out unchanged;
// with it and a body, a status other than 200 or a returned value, the
// relay is skipped and the handler's response goes out without the
// header; with it and nothing else (or status 200) the relay starts.
func TestRelayActivation(t *testing.T) {
	a := newRelayApp(t, "")
	rec := a.spawnRecorder("")
	cfg := rlURL(map[string]any{"target_pid": rec})

	t.Run("no header", func(t *testing.T) {
		code, hdr, body := a.do("GET", "/sse/open?plain=1", "", nil)
		if code != 200 || body != "plain" || hdr.Get("X-Foo") != "bar" || hdr.Get("Content-Type") == "text/event-stream" {
			t.Fatalf("%d %q %v", code, body, hdr)
		}
	})
	t.Run("header and body", func(t *testing.T) {
		code, hdr, body := a.do("GET", cfg+"&body=hello", "", nil)
		if code != 200 || body != "hello" || hdr.Get("Content-Type") == "text/event-stream" {
			t.Fatalf("%d %q %v", code, body, hdr)
		}
		if _, ok := hdr["X-Sse-Relay"]; ok {
			t.Fatalf("relay header leaked: %v", hdr)
		}
	})
	t.Run("header and status 201", func(t *testing.T) {
		code, hdr, body := a.do("GET", cfg+"&status=201", "", nil)
		if code != 201 || body != "" || hdr.Get("Content-Type") == "text/event-stream" {
			t.Fatalf("%d %q %v", code, body, hdr)
		}
		if _, ok := hdr["X-Sse-Relay"]; ok {
			t.Fatalf("relay header leaked: %v", hdr)
		}
	})
	t.Run("header and status 201 and body", func(t *testing.T) {
		code, hdr, body := a.do("GET", cfg+"&status=201&body=made", "", nil)
		if code != 201 || body != "made" {
			t.Fatalf("%d %q %v", code, body, hdr)
		}
		if _, ok := hdr["X-Sse-Relay"]; ok {
			t.Fatalf("relay header leaked: %v", hdr)
		}
	})
	t.Run("header and returned value", func(t *testing.T) {
		code, hdr, body := a.do("GET", cfg+"&ret=1", "", nil)
		if code != 200 || body != `{"ret":true}` {
			t.Fatalf("%d %q %v", code, body, hdr)
		}
		if _, ok := hdr["X-Sse-Relay"]; ok {
			t.Fatalf("relay header leaked: %v", hdr)
		}
	})
	// None of the skipped requests started a stream or told the target.
	a.waitActive(0)
	if recs := a.records(rec); len(recs) != 0 {
		t.Fatalf("target got %v from skipped relays", recs)
	}
	t.Run("header and status 200", func(t *testing.T) {
		c := a.openStream(cfg+"&status=200", nil)
		if _, ok := c.resp.Header["X-Sse-Relay"]; ok {
			t.Fatalf("relay header leaked: %v", c.resp.Header)
		}
		join := a.waitTopic(rec, "sse.join")
		a.send(join.From, "sse.close")
		c.expectEnd("closed by server")
	})
	t.Run("header only", func(t *testing.T) {
		c := a.openStream(rlURL(map[string]any{}), nil)
		c.ready("sse.message", "")
		c.close()
	})
}

// SPEC 9.1 step 5: `[]` (what json.encode({}) gives) counts as {}.
func TestRelayEmptyArrayHeader(t *testing.T) {
	a := newRelayApp(t, "")
	c := a.openStream("/sse/open?empty=1", nil)
	pid := c.ready("sse.message", "")
	a.send(pid, "sse.message", "x")
	c.expect(rlEvent("sse.message", `"x"`))
	c2 := a.openStream(rlURL("[]"), nil)
	c2.ready("sse.message", "")
}

// SPEC 9.1 step 4: origin checks. Each case: the Origin header sent (""
// for none), and whether the stream starts; a refusal is 403 `origin is
// not allowed`, no stream starts and the target gets nothing.
func TestRelayOrigins(t *testing.T) {
	type check struct {
		origin string
		ok     bool
	}
	cases := []struct {
		name   string
		option string // sserelay.allowed.origins ("-" for none)
		checks func(base string) []check
	}{
		{"same-origin default", "-", func(base string) []check {
			host := strings.TrimPrefix(base, "http://")
			port := host[strings.LastIndex(host, ":"):]
			return []check{
				{"", true},
				{base, true},
				{strings.ToUpper(base), true},
				{"https://" + host, false},
				{"http://localhost" + port, false},
				{"http://127.0.0.1:1", false},
				{"http://evil.example", false},
				{"null", false},
			}
		}},
		{"list", "https://a.example.org, http://b.example.org:8080", func(base string) []check {
			return []check{
				{"", true},
				{"https://a.example.org", true},
				{"http://b.example.org:8080", true},
				{"HTTPS://A.EXAMPLE.ORG", true},
				{"http://a.example.org", false},
				{"http://b.example.org", false},
				{"https://c.example.org", false},
				{base, false}, // the option replaces the same-origin rule
			}
		}},
		{"star", "*", func(base string) []check {
			return []check{{"", true}, {"https://anything.example", true}, {"null", true}, {base, true}}
		}},
		{"wildcard", "https://*.example.com", func(base string) []check {
			return []check{
				{"", true},
				{"https://a.example.com", true},
				{"https://api-2.example.com", true},
				{"https://a.b.example.com", false},
				{"https://example.com", false},
				{"https://.example.com", false},
				{"http://a.example.com", false},
				{"https://a.example.com:8443", false},
				{"https://a.example.com.evil.org", false},
				{"https://evil.org/.example.com", false},
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := ""
			if tc.option != "-" {
				opts = `"sserelay.allowed.origins": "` + tc.option + `"`
			}
			a := newRelayApp(t, opts)
			rec := a.spawnRecorder("")
			joins := 0
			for _, ch := range tc.checks(a.base) {
				hdr := map[string]string{}
				if ch.origin != "" {
					hdr["Origin"] = ch.origin
				}
				c, code, body := a.tryOpen(rlURL(map[string]any{"target_pid": rec}), hdr)
				if !ch.ok {
					if c != nil || code != 403 || body != "origin is not allowed\n" {
						t.Fatalf("Origin %q: got %d %q, want 403 origin is not allowed", ch.origin, code, body)
					}
					continue
				}
				if c == nil {
					t.Fatalf("Origin %q: got %d %q, want a stream", ch.origin, code, body)
				}
				joins++
				recs := a.waitRecords(rec, 5*time.Second, "join", func(rs []rlRecord) bool { return len(rlTopics(rs)) >= 2*joins-1 })
				join := recs[len(recs)-1]
				if join.Topic != "sse.join" {
					t.Fatalf("Origin %q: target got %v", ch.origin, recs)
				}
				c.close()
				a.waitTopicCount(rec, "sse.leave", joins)
			}
			a.waitActive(0)
			if got, want := len(a.records(rec)), 2*joins; got != want {
				t.Fatalf("target got %d messages, want %d (refused requests must not reach it): %v", got, want, a.records(rec))
			}
		})
	}
}

// waitTopicCount waits until the recorder got n messages with topic.
func (a *rlApp) waitTopicCount(rec, topic string, n int) []rlRecord {
	a.t.Helper()
	return a.waitRecords(rec, 5*time.Second, topic, func(rs []rlRecord) bool {
		k := 0
		for _, r := range rs {
			if r.Kind == "" && r.Topic == topic {
				k++
			}
		}
		return k >= n
	})
}

// SPEC 9.1 step 5: header errors are 400 naming the field (404 for a
// target that is not alive); no stream starts and the target gets nothing.
func TestRelayHeaderErrors(t *testing.T) {
	a := newRelayApp(t, "")
	rec := a.spawnRecorder("")
	dead := a.spawnRecorder("")
	a.send(dead, "rec.stop")
	eventually(t, 5*time.Second, "recorder exit", func() bool { return !a.h.Kernel().Alive(mustPID(t, dead)) })
	withTarget := func(kv ...any) map[string]any {
		m := map[string]any{"target_pid": rec}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name   string
		header any
		code   int
		want   string // substring of the body
	}{
		{"invalid JSON", `{"target_pid":`, 400, "invalid JSON"},
		{"not JSON", `hello`, 400, "invalid JSON"},
		{"string", `"x"`, 400, "JSON object"},
		{"number", `5`, 400, "JSON object"},
		{"non-empty array", `[1]`, 400, "JSON object"},
		{"null", `null`, 400, "JSON object"},
		{"target_pid number", map[string]any{"target_pid": 5}, 400, `"target_pid"`},
		{"target_pid malformed", map[string]any{"target_pid": "nope"}, 400, `"target_pid"`},
		{"target_pid upper-case hex", map[string]any{"target_pid": strings.ToUpper(rec)}, 400, `"target_pid"`},
		{"target_pid no braces", map[string]any{"target_pid": strings.Trim(rec, "{}")}, 400, `"target_pid"`},
		{"message_topic number", withTarget("message_topic", 1), 400, `"message_topic"`},
		{"message_topic object", withTarget("message_topic", map[string]any{}), 400, `"message_topic"`},
		{"heartbeat_interval number", withTarget("heartbeat_interval", 5), 400, `"heartbeat_interval"`},
		{"heartbeat_interval unparsable", withTarget("heartbeat_interval", "soon"), 400, `"heartbeat_interval"`},
		{"heartbeat_interval negative", withTarget("heartbeat_interval", "-1s"), 400, `"heartbeat_interval"`},
		{"idle_timeout unparsable", withTarget("idle_timeout", "10"), 400, `"idle_timeout"`},
		{"idle_timeout negative", withTarget("idle_timeout", "-5ms"), 400, `"idle_timeout"`},
		{"idle_timeout bool", withTarget("idle_timeout", true), 400, `"idle_timeout"`},
		{"hard_timeout unparsable", withTarget("hard_timeout", "1 hour"), 400, `"hard_timeout"`},
		{"hard_timeout negative", withTarget("hard_timeout", "-1h"), 400, `"hard_timeout"`},
		{"hard_timeout array", withTarget("hard_timeout", []any{"1s"}), 400, `"hard_timeout"`},
		{"metadata string", withTarget("metadata", "x"), 400, `"metadata"`},
		{"metadata array", withTarget("metadata", []any{1}), 400, `"metadata"`},
		{"retry string", withTarget("retry", "100"), 400, `"retry"`},
		{"retry negative", withTarget("retry", -1), 400, `"retry"`},
		{"retry fraction", withTarget("retry", 1.5), 400, `"retry"`},
		{"target not alive", map[string]any{"target_pid": dead}, 404, "pid not registered"},
		{"target never existed", map[string]any{"target_pid": "{app:processes|0xfffffff}"}, 404, "pid not registered"},
	}
	for _, tc := range cases {
		c, code, body := a.tryOpen(rlURL(tc.header), nil)
		if c != nil {
			t.Fatalf("%s: a stream started", tc.name)
		}
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Fatalf("%s: got %d %q, want %d containing %q", tc.name, code, body, tc.code, tc.want)
		}
		if tc.code == 404 && body != "pid not registered\n" {
			t.Fatalf("%s: body %q", tc.name, body)
		}
	}
	a.waitActive(0)
	if recs := a.records(rec); len(recs) != 0 {
		t.Fatalf("target got %v from refused relays", recs)
	}
}
