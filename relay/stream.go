package relay

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"luahost/runtime/actor"
	"luahost/sse"
)

// stream is one relay connection. All fields are owned by the request
// goroutine running it, except box (shared with senders).
type stream struct {
	hub   *Hub
	proc  *actor.Proc
	pid   actor.PID
	pidS  string
	w     http.ResponseWriter
	rc    *http.ResponseController
	box   *box
	cfg   Config
	start time.Time
	count int64 // forwarded events (message_count)
	log   *slog.Logger

	lastID    string
	hasLastID bool

	buf    []byte // frames written at the next flush
	msgs   []actor.Message
	events []actor.Event
	timers
}

// ending says how a stream ends: the `done` reason for the client ("" for
// none) and whether the target gets sse.leave.
type ending struct {
	done  string
	leave bool
}

var errWriteFailed = errors.New("write failed")

// run drives the stream until it ends; it returns when the client is gone.
func (s *stream) run(ctx context.Context) {
	end := s.open()
	if end == nil {
		end = s.loop(ctx)
	}
	s.finish(end)
}

// open sends the headers and the first frames and joins the target.
func (s *stream) open() *ending {
	h := s.w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
	if s.cfg.HasRetry {
		s.buf = sse.AppendRetry(s.buf, s.cfg.Retry)
		s.buf = append(s.buf, '\n')
	}
	if s.cfg.Target.IsZero() {
		s.appendReady()
	} else if err := s.hub.K.Monitor(s.pid, s.cfg.Target); err != nil {
		return &ending{done: ReasonTargetExited}
	} else {
		s.send(s.cfg.Target, TopicJoin, s.presence())
	}
	s.startTimers(s.cfg)
	// The headers go out now even when there is no first frame (managed
	// mode without retry), so the client sees the stream open at once.
	if err := s.flushAlways(); err != nil {
		return &ending{leave: true}
	}
	return nil
}

func (s *stream) appendReady() {
	ready := map[string]any{"message_topic": s.cfg.Topic, "stream_pid": s.pidS}
	if s.cfg.Metadata != nil {
		ready["metadata"] = s.cfg.Metadata
	}
	s.appendEvent("ready", ready)
}

// loop waits for deliveries, timers, the client and shutdown.
func (s *stream) loop(ctx context.Context) *ending {
	for {
		select {
		case <-s.box.notify:
			if end := s.drain(); end != nil {
				return end
			}
		case <-s.hbC():
			if end := s.heartbeat(); end != nil {
				return end
			}
		case <-s.idleC():
			return &ending{done: ReasonIdle, leave: true}
		case <-s.hardC():
			return &ending{done: ReasonHard, leave: true}
		case <-s.hub.down:
			return &ending{done: ReasonShutdown, leave: true}
		case <-s.proc.Context().Done():
			return &ending{done: s.killReason(), leave: true}
		case <-ctx.Done():
			return &ending{leave: true} // client disconnected
		}
	}
}

func (s *stream) killReason() string {
	if errors.Is(context.Cause(s.proc.Context()), actor.ErrShutdown) {
		return ReasonShutdown
	}
	return ReasonTerminated
}

// drain handles everything queued, then writes the frames with one flush.
func (s *stream) drain() *ending {
	var overflow bool
	s.msgs, s.events, overflow = s.box.take(s.msgs[:0], s.events[:0])
	if overflow {
		return &ending{done: ReasonSlow, leave: true}
	}
	// Messages before events: a target that sends its last messages and
	// then exits has its EXIT in the same batch, and those messages must
	// still reach the client before `done`.
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
	if err := s.flush(); err != nil {
		return &ending{leave: true}
	}
	return nil
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
	for _, p := range m.Payload {
		if s.appendEvent(m.Topic, p) {
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

// appendEvent encodes one event into the pending buffer; false if the
// payload could not be encoded (nothing is added).
func (s *stream) appendEvent(name string, payload any) bool {
	start := len(s.buf)
	s.buf = append(s.buf, "event: "...)
	s.buf = append(s.buf, name...)
	s.buf = append(s.buf, "\ndata: "...)
	out, err := s.hub.Encode(s.buf, payload)
	if err != nil {
		s.buf = s.buf[:start]
		s.log.Warn("relay: payload not forwarded", "stream", s.pidS, "err", err)
		return false
	}
	s.buf = append(out, '\n', '\n')
	return true
}

// heartbeat writes ": ping" and tells the target (only while one is set).
func (s *stream) heartbeat() *ending {
	s.buf = sse.AppendComment(s.buf, "ping")
	if !s.cfg.Target.IsZero() {
		hb := s.presence()
		delete(hb, "last_event_id")
		hb["uptime"] = time.Since(s.start).Round(time.Millisecond).String()
		hb["message_count"] = float64(s.count)
		s.send(s.cfg.Target, TopicHeartbeat, hb)
	}
	s.resetHeartbeat(s.cfg.Heartbeat)
	if err := s.flush(); err != nil {
		return &ending{leave: true}
	}
	return nil
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

// flush writes pending frames with a fresh per-write deadline.
func (s *stream) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	return s.flushAlways()
}

// flushAlways is flush, but flushes (the headers) even with no frames.
func (s *stream) flushAlways() error {
	_ = s.rc.SetWriteDeadline(time.Now().Add(s.hub.WriteTimeout))
	var err error
	if len(s.buf) > 0 {
		_, err = s.w.Write(s.buf)
	}
	if err == nil {
		err = s.rc.Flush()
	}
	s.buf = s.buf[:0]
	if cap(s.buf) > 64<<10 { // do not pin a burst's buffer while idle
		s.buf = nil
	}
	if err != nil {
		return errWriteFailed
	}
	return nil
}

func (s *stream) flushQuietly() { _ = s.flush() }

// finish sends the last frame and sse.leave, and exits the process.
func (s *stream) finish(end *ending) {
	s.stopTimers()
	if end.done != "" {
		if end.done == ReasonSlow {
			s.buf = s.buf[:0] // drop what the client could not take
		}
		s.appendEvent("done", map[string]any{"reason": end.done})
		s.flushQuietly()
	}
	if end.leave && !s.cfg.Target.IsZero() {
		s.send(s.cfg.Target, TopicLeave, s.presence())
		_ = s.hub.K.Demonitor(s.pid, s.cfg.Target)
	}
	s.proc.Exit(ExitResult, nil)
}
