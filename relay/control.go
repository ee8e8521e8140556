package relay

import (
	"time"

	"luahost/runtime/actor"
)

// control applies an sse.control payload (SPEC 9.5): only fields present
// are applied, in the spec's order; an invalid value is ignored with a
// warning and the old value stays. Nothing is written to the client.
func (s *stream) control(payload []any) {
	fields, ok := controlFields(payload)
	if !ok {
		s.log.Warn("relay: sse.control payload must be a table; ignored", "stream", s.pidS)
		return
	}
	if v, ok := fields["message_topic"]; ok {
		if topic, ok := v.(string); ok {
			s.cfg.Topic = orDefault(topic, DefaultTopic)
		} else {
			s.warnControl("message_topic", v)
		}
	}
	if v, ok := fields["metadata"]; ok {
		if m, ok := asObject(v); ok {
			s.cfg.Metadata = m
		} else {
			s.warnControl("metadata", v)
		}
	}
	s.controlDuration(fields, "heartbeat_interval", DefaultHeartbeat, func(d time.Duration) {
		s.cfg.Heartbeat = d
		s.resetHeartbeat(s.cfg.Heartbeat)
	})
	s.controlDuration(fields, "idle_timeout", 0, func(d time.Duration) {
		s.cfg.IdleTimeout = d
		s.resetIdle(s.cfg.IdleTimeout)
	})
	s.controlDuration(fields, "hard_timeout", 0, func(d time.Duration) {
		s.cfg.HardTimeout = d
		s.resetHard(s.cfg.HardTimeout)
	})
	if v, ok := fields["target_pid"]; ok {
		if pid, ok := v.(string); ok {
			s.retarget(pid)
		} else {
			s.warnControl("target_pid", v)
		}
	}
}

// controlFields accepts an object, or an empty array (a Lua {}).
func controlFields(payload []any) (map[string]any, bool) {
	if len(payload) == 0 {
		return nil, false
	}
	return asObject(payload[0])
}

func asObject(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case []any:
		if len(x) == 0 {
			return map[string]any{}, true
		}
	}
	return nil, false
}

func (s *stream) controlDuration(fields map[string]any, name string, def time.Duration, apply func(time.Duration)) {
	v, ok := fields[name]
	if !ok {
		return
	}
	str, ok := v.(string)
	if !ok {
		s.warnControl(name, v)
		return
	}
	d, err := parseDuration(str, def)
	if err != nil {
		s.warnControl(name, v)
		return
	}
	apply(d)
}

func (s *stream) warnControl(field string, v any) {
	s.log.Warn("relay: invalid sse.control value ignored", "stream", s.pidS, "field", field, "value", v)
}

// retarget implements transfer, detach and attach (SPEC 9.6).
func (s *stream) retarget(pidStr string) {
	old := s.cfg.Target
	if pidStr == "" {
		if !old.IsZero() {
			s.send(old, TopicLeave, s.presence())
			_ = s.hub.K.Demonitor(s.pid, old)
			s.cfg.Target = actor.PID{}
		}
		return
	}
	next, err := actor.ParsePID(pidStr)
	if err != nil {
		s.warnControl("target_pid", pidStr)
		return
	}
	if next == old {
		return
	}
	if err := s.hub.K.Monitor(s.pid, next); err != nil {
		s.log.Warn("relay: sse.control target is not alive; target unchanged", "stream", s.pidS, "target_pid", pidStr)
		return
	}
	s.cfg.Target = next
	s.send(next, TopicJoin, s.presence())
	if !old.IsZero() {
		_ = s.hub.K.Demonitor(s.pid, old)
		s.send(old, TopicLeave, s.presence())
	}
}
