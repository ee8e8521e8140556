package relay

import (
	"bytes"
	"time"

	"luahost/runtime/actor"
)

// Encoding frames into a stream's buffer and writing them out.

// appendPayload appends the frame of m.Payload[i]; a shared payload is
// encoded once for every stream (the hub's frame cache).
func (s *stream) appendPayload(m *actor.Message, i int) bool {
	if !m.Shared {
		return s.appendEvent(m.Topic, m.Payload[i])
	}
	key := &m.Payload[i]
	if f := s.hub.frames.get(key, m.Topic); f != nil {
		s.buf = append(s.buf, f...)
		return true
	}
	start := len(s.buf)
	if !s.appendEvent(m.Topic, m.Payload[i]) {
		return false
	}
	s.hub.frames.put(key, m.Topic, s.buf[start:])
	return true
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

// flush writes pending frames. On an output that never blocks, what the
// socket does not take stays in buf (sent counts what went out) and the
// stream is blocked until the poller reports the socket writable; the
// write deadline then runs from the last progress.
func (s *stream) flush() error {
	if s.sent == len(s.buf) {
		s.resetBuf()
		return nil
	}
	s.wantWrite.Store(true) // before the write: an OUT edge right after EAGAIN must not be lost
	n, err := s.out.write(s.buf[s.sent:], s.hub.WriteTimeout)
	s.sent += n
	if err == errBlocked {
		if n > 0 || !s.blocked {
			s.resetWriteDeadline(s.hub.WriteTimeout)
		}
		s.blocked = true
		return nil
	}
	s.wantWrite.Store(false)
	if s.blocked {
		s.blocked = false
		s.resetWriteDeadline(0)
	}
	s.resetBuf()
	return err
}

func (s *stream) resetBuf() {
	s.buf, s.sent = s.buf[:0], 0
	if cap(s.buf) > 4<<10 { // do not pin a burst's buffer while idle
		s.buf = nil
	}
}

func (s *stream) flushQuietly() { _ = s.flush() }

// finish tells the target (sse.leave), sends the last frame, and exits
// the process. The leave goes first: a last write to a slow client must
// not delay it. A slow client gets a short deadline for its `done`, after
// the rest of a frame it was in the middle of.
func (s *stream) finish(end *ending) {
	s.ended = true
	s.stopTimers()
	if s.unhook != nil {
		s.unhook()
	}
	if end.leave && !s.cfg.Target.IsZero() {
		s.send(s.cfg.Target, TopicLeave, s.presence())
		_ = s.hub.K.Demonitor(s.pid, s.cfg.Target)
	}
	timeout := s.hub.WriteTimeout
	if end.done == ReasonSlow { // drop what the client could not take
		s.buf = s.buf[:frameEnd(s.buf, s.sent)]
		timeout = slowDoneTimeout
	}
	if end.done != "" {
		s.appendEvent("done", map[string]any{"reason": end.done})
	}
	s.out.last(s.buf[s.sent:], timeout)
	s.buf, s.sent = nil, 0
	s.proc.Exit(ExitResult, nil)
	if s.onEnd != nil {
		s.onEnd()
	}
}

// frameEnd is where the frame that buf[sent-1] belongs to ends (sent if
// sent is at a frame boundary). Frames end with an empty line and contain
// no other.
func frameEnd(buf []byte, sent int) int {
	if sent == 0 || (sent >= 2 && buf[sent-2] == '\n' && buf[sent-1] == '\n') {
		return sent
	}
	if i := bytes.Index(buf[sent-1:], []byte("\n\n")); i >= 0 {
		return sent - 1 + i + 2
	}
	return len(buf)
}

// slowDoneTimeout bounds the attempt to tell a slow client why it is cut.
const slowDoneTimeout = 100 * time.Millisecond
