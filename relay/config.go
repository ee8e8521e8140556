package relay

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"luahost/runtime/actor"
)

// Defaults of SPEC 9.2.
const (
	DefaultTopic     = "sse.message"
	DefaultHeartbeat = 30 * time.Second
)

// Config is a parsed X-SSE-Relay header.
type Config struct {
	Target      actor.PID // zero: detached
	Topic       string
	Heartbeat   time.Duration // 0 disables
	IdleTimeout time.Duration // 0 = off
	HardTimeout time.Duration // 0 = off
	Metadata    map[string]any
	Retry       int64
	HasRetry    bool
}

// FieldError is a header problem, reported to the client as 400.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return "X-SSE-Relay: " + e.Msg
	}
	return fmt.Sprintf("X-SSE-Relay: field %q %s", e.Field, e.Msg)
}

// ParseConfig parses the header value. An empty JSON array ("[]", what
// json.encode({}) gives) counts as an empty object. Unknown fields are
// ignored (forward compatibility).
func ParseConfig(header string) (Config, error) {
	cfg := Config{Topic: DefaultTopic, Heartbeat: DefaultHeartbeat}
	fields, err := parseObject(header)
	if err != nil {
		return cfg, err
	}
	if v, ok := fields["target_pid"]; ok {
		s, ok := v.(string)
		if !ok {
			return cfg, &FieldError{"target_pid", "must be a string"}
		}
		if s != "" {
			pid, err := actor.ParsePID(s)
			if err != nil {
				return cfg, &FieldError{"target_pid", fmt.Sprintf("is not a valid pid: %q", s)}
			}
			cfg.Target = pid
		}
	}
	if err := applyString(fields, "message_topic", func(s string) error {
		cfg.Topic = orDefault(s, DefaultTopic)
		return nil
	}); err != nil {
		return cfg, err
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"heartbeat_interval", &cfg.Heartbeat, DefaultHeartbeat},
		{"idle_timeout", &cfg.IdleTimeout, 0},
		{"hard_timeout", &cfg.HardTimeout, 0},
	} {
		if err := applyDuration(fields, d.name, d.dst, d.def); err != nil {
			return cfg, err
		}
	}
	if v, ok := fields["metadata"]; ok && v != nil {
		m, ok := asObject(v) // [] (a Lua {} through json.encode) counts as {}
		if !ok {
			return cfg, &FieldError{"metadata", "must be an object"}
		}
		cfg.Metadata = m
	}
	if v, ok := fields["retry"]; ok && v != nil {
		f, ok := v.(float64)
		if !ok || f < 0 || f != math.Trunc(f) || f > 1<<53 {
			return cfg, &FieldError{"retry", "must be a non-negative integer (milliseconds)"}
		}
		cfg.Retry, cfg.HasRetry = int64(f), true
	}
	return cfg, nil
}

// parseObject decodes the header as a JSON object ([] counts as {}).
func parseObject(header string) (map[string]any, error) {
	var v any
	if err := json.Unmarshal([]byte(header), &v); err != nil {
		return nil, &FieldError{Msg: "invalid JSON: " + err.Error()}
	}
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case []any:
		if len(x) == 0 {
			return map[string]any{}, nil
		}
	}
	return nil, &FieldError{Msg: "must be a JSON object"}
}

func applyString(fields map[string]any, name string, set func(string) error) error {
	v, ok := fields[name]
	if !ok || v == nil {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return &FieldError{name, "must be a string"}
	}
	return set(s)
}

// applyDuration parses a Go duration string; "" means the default.
func applyDuration(fields map[string]any, name string, dst *time.Duration, def time.Duration) error {
	return applyString(fields, name, func(s string) error {
		d, err := parseDuration(s, def)
		if err != nil {
			return &FieldError{name, err.Error()}
		}
		*dst = d
		return nil
	})
}

func parseDuration(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("is not a duration: %q", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("must not be negative: %q", s)
	}
	return d, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
