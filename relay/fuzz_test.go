package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"luahost/luamod"
	"luahost/runtime/actor"
)

// FuzzParseConfig: any header string either parses into a valid Config or
// fails with a *FieldError; it never panics. Seeds: testdata/fuzz/FuzzParseConfig.
func FuzzParseConfig(f *testing.F) {
	f.Add(`{}`)
	f.Add(`[]`)
	f.Add(`{"target_pid":"{app:processes|0x0002a}","message_topic":"*","heartbeat_interval":"1s","idle_timeout":"2m","hard_timeout":"1h","metadata":{"a":[1,{"b":null}]},"retry":3000}`)
	f.Fuzz(func(t *testing.T, header string) {
		cfg, err := ParseConfig(header)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("%q: error %T %v is not a *FieldError", header, err, err)
			}
			if _, ok := err.(*FieldError); !ok {
				t.Fatalf("%q: error is wrapped: %T", header, err)
			}
			return
		}
		if err := validConfig(cfg); err != nil {
			t.Fatalf("%q: %v: %+v", header, err, cfg)
		}
		if !cfg.Target.IsZero() {
			if s := cfg.Target.String(); mustParsePID(t, s) != cfg.Target {
				t.Fatalf("%q: target %v does not round-trip", header, cfg.Target)
			}
		}
	})
}

func mustParsePID(t *testing.T, s string) actor.PID {
	t.Helper()
	p, err := actor.ParsePID(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// validConfig checks the invariants every stream relies on.
func validConfig(c Config) error {
	switch {
	case c.Topic == "":
		return errors.New("empty topic")
	case c.Heartbeat < 0, c.IdleTimeout < 0, c.HardTimeout < 0:
		return errors.New("negative duration")
	case c.Retry < 0, !c.HasRetry && c.Retry != 0:
		return errors.New("bad retry")
	}
	return nil
}

// controlFixture is a stream that is not served: control() is applied to
// it directly. Its kernel is fresh, so PIDs are fixed: the stream is
// {app:gateway|0x00001}, the targets {app:processes|0x00002} and
// {app:processes|0x00003}; {app:processes|0x00004} was never alive.
type controlFixture struct {
	k       *actor.Kernel
	s       *stream
	w       *fakeWriter
	targets []*actor.Proc
}

func newControlFixture(t testing.TB, header string) *controlFixture {
	t.Helper()
	k := actor.New(actor.Options{Logger: discardLog()})
	hub := NewHub(k, luamod.EncodeGoJSON, discardLog())
	w := newFakeWriter()
	cfg, err := ParseConfig(header)
	if err != nil {
		t.Fatal(err)
	}
	s := &stream{hub: hub, out: &httpOutput{w: w, rc: http.NewResponseController(w)}, cfg: cfg, start: time.Now(), log: discardLog()}
	s.box = newBox(DefaultMaxQueue, DefaultMaxQueueBytes, func() {})
	s.raise = s.box.raise
	proc, err := k.Attach("app:gateway", s.box)
	if err != nil {
		t.Fatal(err)
	}
	s.proc, s.pid, s.pidS = proc, proc.PID(), proc.PID().String()
	fx := &controlFixture{k: k, s: s, w: w}
	for i := 0; i < 2; i++ {
		p, err := k.Attach("app:processes", nil)
		if err != nil {
			t.Fatal(err)
		}
		fx.targets = append(fx.targets, p)
	}
	if s.pidS != "{app:gateway|0x00001}" || fx.targets[0].PID().String() != "{app:processes|0x00002}" {
		t.Fatalf("unexpected pids %s %s", s.pidS, fx.targets[0].PID())
	}
	if !s.cfg.Target.IsZero() {
		if err := k.Monitor(s.pid, s.cfg.Target); err != nil {
			t.Fatal(err)
		}
	}
	s.startTimers(s.cfg)
	return fx
}

func (fx *controlFixture) close() {
	fx.s.stopTimers()
	fx.s.proc.Exit(ExitResult, nil)
	for _, p := range fx.targets {
		p.Exit(nil, nil)
	}
}

// check verifies that the config is valid, the timers match it, the
// target is alive, and nothing was written to the client.
func (fx *controlFixture) check() error {
	s := fx.s
	if err := validConfig(s.cfg); err != nil {
		return err
	}
	if (s.cfg.Heartbeat > 0) != (s.hb != nil) || (s.cfg.IdleTimeout > 0) != (s.idle != nil) || (s.cfg.HardTimeout > 0) != (s.hard != nil) {
		return fmt.Errorf("timers do not match the config: %+v", s.cfg)
	}
	if !s.cfg.Target.IsZero() && !fx.k.Alive(s.cfg.Target) {
		return fmt.Errorf("target %v is not alive", s.cfg.Target)
	}
	if len(s.buf) != 0 || fx.w.String() != "" || fx.w.code() != 0 {
		return fmt.Errorf("control wrote to the client: %q %q", s.buf, fx.w.String())
	}
	return nil
}

// FuzzControl: any sse.control payload (JSON decoded with encoding/json,
// as plain data arrives from Lua) applied to a managed or a detached
// stream never panics, writes nothing to the client and leaves a valid
// config. Seeds: testdata/fuzz/FuzzControl.
func FuzzControl(f *testing.F) {
	f.Add(`{"message_topic":"chat","metadata":{"a":1},"heartbeat_interval":"10ms","idle_timeout":"1s","hard_timeout":"","target_pid":"{app:processes|0x00003}"}`, true)
	f.Add(`{"target_pid":""}`, true)
	f.Add(`[]`, false)
	f.Fuzz(func(t *testing.T, payload string, managed bool) {
		var v any
		if err := json.Unmarshal([]byte(payload), &v); err != nil {
			return
		}
		header := `{"heartbeat_interval":"0s"}`
		if managed {
			header = `{"target_pid":"{app:processes|0x00002}","metadata":{"m":1},"idle_timeout":"1h"}`
		}
		fx := newControlFixture(t, header)
		defer fx.close()
		before := fx.s.cfg
		fx.s.control([]any{v})
		if err := fx.check(); err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		// A payload that is not an object changes nothing.
		if _, ok := asObject(v); !ok && !sameConfig(before, fx.s.cfg) {
			t.Fatalf("%s: a non-table payload changed the config: %+v -> %+v", payload, before, fx.s.cfg)
		}
		fx.s.control(nil) // no payload: ignored
		if err := fx.check(); err != nil {
			t.Fatalf("%s then no payload: %v", payload, err)
		}
	})
}

func sameConfig(a, b Config) bool {
	return a.Target == b.Target && a.Topic == b.Topic && a.Heartbeat == b.Heartbeat && a.IdleTimeout == b.IdleTimeout &&
		a.HardTimeout == b.HardTimeout && fmt.Sprint(a.Metadata) == fmt.Sprint(b.Metadata)
}

// The control fields table-tested on the same fixture (SPEC 9.5/9.6).
func TestControl(t *testing.T) {
	managed := `{"target_pid":"{app:processes|0x00002}","metadata":{"m":1},"idle_timeout":"1h","hard_timeout":"2h","message_topic":"t"}`
	cases := []struct {
		name    string
		header  string
		payload any
		want    func(c *Config)
	}{
		{"empty object", managed, map[string]any{}, func(c *Config) {}},
		{"empty array", managed, []any{}, func(c *Config) {}},
		{"string", managed, "x", func(c *Config) {}},
		{"number", managed, 1.0, func(c *Config) {}},
		{"nil", managed, nil, func(c *Config) {}},
		{"array", managed, []any{map[string]any{"message_topic": "x"}}, func(c *Config) {}},
		{"topic", managed, map[string]any{"message_topic": "news"}, func(c *Config) { c.Topic = "news" }},
		{"topic default", managed, map[string]any{"message_topic": ""}, func(c *Config) { c.Topic = DefaultTopic }},
		{"topic invalid", managed, map[string]any{"message_topic": 3.0}, func(c *Config) {}},
		{"metadata", managed, map[string]any{"metadata": map[string]any{"x": "y"}}, func(c *Config) { c.Metadata = map[string]any{"x": "y"} }},
		{"metadata empty table", managed, map[string]any{"metadata": []any{}}, func(c *Config) { c.Metadata = map[string]any{} }},
		{"metadata invalid", managed, map[string]any{"metadata": "x"}, func(c *Config) {}},
		{"metadata null", managed, map[string]any{"metadata": nil}, func(c *Config) {}},
		{"heartbeat", managed, map[string]any{"heartbeat_interval": "5s"}, func(c *Config) { c.Heartbeat = 5 * time.Second }},
		{"heartbeat off", managed, map[string]any{"heartbeat_interval": "0s"}, func(c *Config) { c.Heartbeat = 0 }},
		{"heartbeat default", `{"heartbeat_interval":"1s"}`, map[string]any{"heartbeat_interval": ""}, func(c *Config) { c.Heartbeat = DefaultHeartbeat }},
		{"heartbeat invalid", managed, map[string]any{"heartbeat_interval": "-1s"}, func(c *Config) {}},
		{"idle", managed, map[string]any{"idle_timeout": "5m"}, func(c *Config) { c.IdleTimeout = 5 * time.Minute }},
		{"idle off", managed, map[string]any{"idle_timeout": ""}, func(c *Config) { c.IdleTimeout = 0 }},
		{"idle invalid", managed, map[string]any{"idle_timeout": 5.0}, func(c *Config) {}},
		{"hard", managed, map[string]any{"hard_timeout": "3h"}, func(c *Config) { c.HardTimeout = 3 * time.Hour }},
		{"hard off", managed, map[string]any{"hard_timeout": ""}, func(c *Config) { c.HardTimeout = 0 }},
		{"hard invalid", managed, map[string]any{"hard_timeout": "soon"}, func(c *Config) {}},
		{"transfer", managed, map[string]any{"target_pid": "{app:processes|0x00003}"}, func(c *Config) {
			c.Target = actor.PID{Host: "app:processes", Seq: 3}
		}},
		{"transfer to dead", managed, map[string]any{"target_pid": "{app:processes|0x00004}"}, func(c *Config) {}},
		{"transfer malformed", managed, map[string]any{"target_pid": "{x}"}, func(c *Config) {}},
		{"transfer number", managed, map[string]any{"target_pid": 2.0}, func(c *Config) {}},
		{"detach", managed, map[string]any{"target_pid": ""}, func(c *Config) { c.Target = actor.PID{} }},
		{"attach", `{}`, map[string]any{"target_pid": "{app:processes|0x00002}"}, func(c *Config) {
			c.Target = actor.PID{Host: "app:processes", Seq: 2}
		}},
		{"mixed", managed, map[string]any{"message_topic": "ok", "idle_timeout": "bad", "hard_timeout": "1s", "metadata": 1.0},
			func(c *Config) { c.Topic, c.HardTimeout = "ok", time.Second }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newControlFixture(t, tc.header)
			defer fx.close()
			want := fx.s.cfg
			tc.want(&want)
			fx.s.control([]any{tc.payload})
			if err := fx.check(); err != nil {
				t.Fatal(err)
			}
			if !sameConfig(fx.s.cfg, want) {
				t.Fatalf("got %+v\nwant %+v", fx.s.cfg, want)
			}
		})
	}
}
