package relay

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"luahost/runtime/actor"
	"luahost/sse"
)

// stream is one relay connection. Its state is touched only by step, and
// at most one goroutine runs step at a time (the running flag for
// event-driven streams; the request goroutine for the fallback), so the
// state needs no lock. Everything else — senders, timers, the poller,
// shutdown, kills — only pushes into box and wakes the stream.
type stream struct {
	hub   *Hub
	proc  *actor.Proc
	pid   actor.PID
	pidS  string
	out   output
	box   *box
	cfg   Config
	start time.Time
	count int64 // forwarded events (message_count)
	log   *slog.Logger

	lastID    string
	hasLastID bool

	buf     []byte // frames written at the next flush
	msgs    []actor.Message
	events  []actor.Event
	timers       // AfterFunc timers raising signals
	sent    int  // bytes of buf already written (while blocked)
	blocked bool // the socket refused bytes; waiting for writable
	// wantWrite is blocked, readable by the poller goroutine.
	wantWrite atomic.Bool
	running   atomic.Bool
	ended     bool
	onEnd     func() // releases what Serve set up (poller entry, hub slot)
	unhook    func() bool
}

// ending says how a stream ends: the `done` reason for the client ("" for
// none) and whether the target gets sse.leave.
type ending struct {
	done  string
	leave bool
}

// open sends the headers and the first frames and joins the target. A
// non-nil ending means the stream is over before it began.
func (s *stream) open(h http.Header) *ending {
	h.Del("Content-Length")
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	if s.cfg.HasRetry {
		s.buf = sse.AppendRetry(s.buf, s.cfg.Retry)
		s.buf = append(s.buf, '\n')
	}
	var end *ending
	if s.cfg.Target.IsZero() {
		s.appendReady()
	} else if err := s.hub.K.Monitor(s.pid, s.cfg.Target); err != nil {
		end = &ending{done: ReasonTargetExited}
	} else {
		s.send(s.cfg.Target, TopicJoin, s.presence())
	}
	if head := s.out.start(h); len(head) > 0 {
		s.buf = append(head, s.buf...)
	}
	err := s.flush()
	if end != nil {
		return end
	}
	if err != nil {
		return &ending{leave: true}
	}
	s.startTimers(s.cfg)
	return nil
}

func (s *stream) appendReady() {
	ready := map[string]any{"message_topic": s.cfg.Topic, "stream_pid": s.pidS}
	if s.cfg.Metadata != nil {
		ready["metadata"] = s.cfg.Metadata
	}
	s.appendEvent("ready", ready)
}

// step handles everything queued and reports whether the stream ended.
func (s *stream) step() bool {
	if s.ended {
		return true
	}
	if end := s.handleAll(); end != nil {
		s.finish(end)
		return true
	}
	return false
}

// handleAll takes what is queued: signals first (an end wins), then
// messages, then kernel events; then flushes once.
func (s *stream) handleAll() *ending {
	var flags signal
	var overflow bool
	s.msgs, s.events, flags, overflow = s.box.takeAll(s.msgs[:0], s.events[:0], !s.blocked)
	if overflow {
		return &ending{done: ReasonSlow, leave: true}
	}
	if end := s.handleSignals(flags); end != nil {
		return end
	}
	for i := range s.msgs {
		if end := s.handle(&s.msgs[i]); end != nil {
			clear(s.msgs)
			s.flushQuietly()
			return end
		}
	}
	clear(s.msgs)
	for i := range s.events {
		if end := s.handleEvent(&s.events[i]); end != nil {
			s.flushQuietly()
			return end
		}
	}
	if flags&sigHeartbeat != 0 {
		s.heartbeat()
	}
	if err := s.flush(); err != nil {
		return s.writeFailed()
	}
	return nil
}

func (s *stream) handleSignals(flags signal) *ending {
	switch {
	case flags&sigGone != 0:
		return &ending{leave: true} // client disconnected
	case flags&sigShutdown != 0:
		return &ending{done: ReasonShutdown, leave: true}
	case flags&sigKilled != 0:
		return &ending{done: s.killReason(), leave: true}
	case flags&sigHard != 0 && s.due(sigHard):
		return &ending{done: ReasonHard, leave: true}
	case flags&sigIdle != 0 && s.due(sigIdle):
		return &ending{done: ReasonIdle, leave: true}
	case flags&sigWriteTimeout != 0 && s.blocked && s.due(sigWriteTimeout):
		return s.writeFailed()
	}
	return nil
}

// writeFailed: a write that failed because the queue overflowed (which
// breaks it on purpose) is a slow consumer; any other failure is a client
// that went away.
func (s *stream) writeFailed() *ending {
	if s.box.overflowed() {
		return &ending{done: ReasonSlow, leave: true}
	}
	return &ending{leave: true}
}

func (s *stream) killReason() string {
	if errors.Is(context.Cause(s.proc.Context()), actor.ErrShutdown) {
		return ReasonShutdown
	}
	return ReasonTerminated
}

// handleEvent reacts to kernel events: the target's EXIT ends the stream.
func (s *stream) handleEvent(ev *actor.Event) *ending {
	if ev.Kind == actor.EventExit && ev.From == s.cfg.Target {
		s.cfg.Target = actor.PID{}
		return &ending{done: ReasonTargetExited}
	}
	return nil
}

// handle applies one message (SPEC 9.5).
func (s *stream) handle(m *actor.Message) *ending {
	switch m.Topic {
	case TopicClose:
		reason := ReasonClosed
		if len(m.Payload) > 0 {
			if r, ok := m.Payload[0].(string); ok && r != "" {
				reason = r
			}
		}
		return &ending{done: reason, leave: true}
	case TopicControl:
		s.control(m.Payload)
		return nil
	}
	if !s.forwards(m.Topic) {
		return nil
	}
	if !sse.ValidField(m.Topic) {
		s.log.Warn("relay: topic not forwarded: it contains CR, LF or NUL", "stream", s.pidS)
		return nil
	}
	for i := range m.Payload {
		if s.appendPayload(m, i) {
			s.count++
		}
	}
	if len(m.Payload) > 0 {
		s.resetIdle(s.cfg.IdleTimeout)
	}
	return nil
}

func (s *stream) forwards(topic string) bool {
	if s.cfg.Topic == "*" {
		return !reservedTopic(topic)
	}
	return topic == s.cfg.Topic
}

// heartbeat writes ": ping" and tells the target (only while one is set).
func (s *stream) heartbeat() {
	s.buf = sse.AppendComment(s.buf, "ping")
	if !s.cfg.Target.IsZero() && s.targetHasRoom() {
		hb := s.presence()
		delete(hb, "last_event_id")
		hb["uptime"] = time.Since(s.start).Round(time.Millisecond).String()
		hb["message_count"] = float64(s.count)
		s.send(s.cfg.Target, TopicHeartbeat, hb)
	}
	s.resetHeartbeat(s.cfg.Heartbeat)
}

// targetHasRoom reports whether the target's mailbox is below a quarter
// of the kernel's limit. A heartbeat message is skipped when it is not: a
// target busy in a long loop would otherwise collect one per stream per
// interval and be terminated for overflow (with 19,000 streams that is
// 19,000 messages per interval). The client's ": ping" still goes out.
func (s *stream) targetHasRoom() bool {
	limit := s.hub.K.Limit()
	return limit <= 0 || s.hub.K.Backlog(s.cfg.Target) < limit/4
}

// presence is the sse.join / sse.leave payload.
func (s *stream) presence() map[string]any {
	p := map[string]any{"client_pid": s.pidS}
	if s.cfg.Metadata != nil {
		p["metadata"] = s.cfg.Metadata
	}
	if s.hasLastID {
		p["last_event_id"] = s.lastID
	}
	return p
}

func (s *stream) send(to actor.PID, topic string, payload map[string]any) {
	s.hub.K.Send(s.pid, to, topic, []any{payload})
}
