package relay

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"luahost/runtime/actor"
)

func TestParseConfig(t *testing.T) {
	def := Config{Topic: DefaultTopic, Heartbeat: DefaultHeartbeat}
	with := func(f func(*Config)) Config {
		c := def
		f(&c)
		return c
	}
	pid := actor.PID{Host: "app:processes", Seq: 0x2a}
	nodePID := actor.PID{Node: "n1", Host: "app:p", Seq: 0xfffff}
	ok := []struct {
		header string
		want   Config
	}{
		{`{}`, def},
		{`[]`, def},
		{` { } `, def},
		{`{"unknown":1,"other":{"x":[1]}}`, def},
		{`{"target_pid":""}`, def},
		{`{"target_pid":"{app:processes|0x0002a}"}`, with(func(c *Config) { c.Target = pid })},
		{`{"target_pid":"{n1@app:p|0xfffff}"}`, with(func(c *Config) { c.Target = nodePID })},
		{`{"message_topic":"chat"}`, with(func(c *Config) { c.Topic = "chat" })},
		{`{"message_topic":"*"}`, with(func(c *Config) { c.Topic = "*" })},
		{`{"message_topic":""}`, def},
		{`{"message_topic":null}`, def},
		{`{"heartbeat_interval":"0s"}`, with(func(c *Config) { c.Heartbeat = 0 })},
		{`{"heartbeat_interval":"0"}`, with(func(c *Config) { c.Heartbeat = 0 })},
		{`{"heartbeat_interval":"1m30s"}`, with(func(c *Config) { c.Heartbeat = 90 * time.Second })},
		{`{"heartbeat_interval":""}`, def},
		{`{"idle_timeout":"250ms"}`, with(func(c *Config) { c.IdleTimeout = 250 * time.Millisecond })},
		{`{"idle_timeout":""}`, def},
		{`{"idle_timeout":"0s"}`, def},
		{`{"hard_timeout":"2h"}`, with(func(c *Config) { c.HardTimeout = 2 * time.Hour })},
		{`{"hard_timeout":"1.5s"}`, with(func(c *Config) { c.HardTimeout = 1500 * time.Millisecond })},
		{`{"metadata":{"user":"ann","n":1,"tags":["a"]}}`, with(func(c *Config) {
			c.Metadata = map[string]any{"user": "ann", "n": 1.0, "tags": []any{"a"}}
		})},
		{`{"metadata":{}}`, with(func(c *Config) { c.Metadata = map[string]any{} })},
		{`{"metadata":null}`, def},
		{`{"metadata":[]}`, with(func(c *Config) { c.Metadata = map[string]any{} })},
		{`{"retry":0}`, with(func(c *Config) { c.HasRetry = true })},
		{`{"retry":1500}`, with(func(c *Config) { c.Retry, c.HasRetry = 1500, true })},
		{`{"retry":1e3}`, with(func(c *Config) { c.Retry, c.HasRetry = 1000, true })},
		{`{"retry":null}`, def},
		{`{"target_pid":"{app:processes|0x0002a}","message_topic":"t","heartbeat_interval":"5s","idle_timeout":"1m","hard_timeout":"1h","metadata":{"a":true},"retry":10}`,
			Config{Target: pid, Topic: "t", Heartbeat: 5 * time.Second, IdleTimeout: time.Minute, HardTimeout: time.Hour,
				Metadata: map[string]any{"a": true}, Retry: 10, HasRetry: true}},
	}
	for _, tc := range ok {
		got, err := ParseConfig(tc.header)
		if err != nil {
			t.Errorf("%s: %v", tc.header, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.header, got, tc.want)
		}
	}

	bad := []struct {
		header string
		field  string // "" for the whole header
		msg    string // substring of the message
	}{
		{``, "", "invalid JSON"},
		{`{`, "", "invalid JSON"},
		{`{"a":1}x`, "", "invalid JSON"},
		{`nope`, "", "invalid JSON"},
		{`null`, "", "JSON object"},
		{`"{}"`, "", "JSON object"},
		{`1`, "", "JSON object"},
		{`true`, "", "JSON object"},
		{`[{}]`, "", "JSON object"},
		{`["a"]`, "", "JSON object"},
		{`{"target_pid":1}`, "target_pid", "string"},
		{`{"target_pid":null}`, "target_pid", "string"},
		{`{"target_pid":{}}`, "target_pid", "string"},
		{`{"target_pid":"abc"}`, "target_pid", "valid pid"},
		{`{"target_pid":"{app:p|0x2a}"}`, "target_pid", "valid pid"},
		{`{"target_pid":"{app:p|0x0002A}"}`, "target_pid", "valid pid"},
		{`{"target_pid":"{|0x0002a}"}`, "target_pid", "valid pid"},
		{`{"target_pid":"{a b|0x0002a}"}`, "target_pid", "valid pid"},
		{`{"message_topic":1}`, "message_topic", "string"},
		{`{"message_topic":["a"]}`, "message_topic", "string"},
		{`{"heartbeat_interval":30}`, "heartbeat_interval", "string"},
		{`{"heartbeat_interval":"30"}`, "heartbeat_interval", "duration"},
		{`{"heartbeat_interval":"-1s"}`, "heartbeat_interval", "negative"},
		{`{"heartbeat_interval":"1d"}`, "heartbeat_interval", "duration"},
		{`{"idle_timeout":"x"}`, "idle_timeout", "duration"},
		{`{"idle_timeout":"-1ns"}`, "idle_timeout", "negative"},
		{`{"idle_timeout":false}`, "idle_timeout", "string"},
		{`{"hard_timeout":"9999999999h"}`, "hard_timeout", "duration"},
		{`{"hard_timeout":"-2m"}`, "hard_timeout", "negative"},
		{`{"hard_timeout":{}}`, "hard_timeout", "string"},
		{`{"metadata":"x"}`, "metadata", "object"},
		{`{"metadata":[1]}`, "metadata", "object"},
		{`{"metadata":5}`, "metadata", "object"},
		{`{"retry":"10"}`, "retry", "integer"},
		{`{"retry":-1}`, "retry", "integer"},
		{`{"retry":0.5}`, "retry", "integer"},
		{`{"retry":1e300}`, "retry", "integer"},
		{`{"retry":true}`, "retry", "integer"},
	}
	for _, tc := range bad {
		_, err := ParseConfig(tc.header)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a *FieldError", tc.header, err)
			continue
		}
		if fe.Field != tc.field || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: got field %q, %q; want field %q and %q", tc.header, fe.Field, err, tc.field, tc.msg)
		}
		if tc.field != "" && !strings.Contains(err.Error(), `"`+tc.field+`"`) {
			t.Errorf("%s: message %q does not name the field", tc.header, err)
		}
	}
}

func TestParseConfigFirstErrorWins(t *testing.T) {
	// Several bad fields: an error names one of them, never a good one.
	_, err := ParseConfig(`{"message_topic":"ok","idle_timeout":"x","retry":-1}`)
	var fe *FieldError
	if !errors.As(err, &fe) || (fe.Field != "idle_timeout" && fe.Field != "retry") {
		t.Fatalf("%v", err)
	}
}
