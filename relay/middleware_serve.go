package relay

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Serve handles a request whose handler set the relay header (the header
// value is passed in, already removed from the response). It answers
// 403/400/404/503 without starting anything, or starts the stream.
//
// Where it can, it takes the connection over from net/http (Hijack) and
// returns at once: the stream then has no goroutine while idle — its
// socket sits in the hub's epoll set, its timers are runtime timers, and a
// goroutine runs only while there is something to send. Otherwise (HTTP/2,
// non-Linux, writers that cannot hijack) the request goroutine drives the
// stream until it ends.
func (m *Middleware) Serve(w http.ResponseWriter, r *http.Request, header string) {
	if !m.Origins.Allowed(r) {
		http.Error(w, "origin is not allowed", http.StatusForbidden)
		return
	}
	cfg, err := ParseConfig(header)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !cfg.Target.IsZero() && !m.Hub.K.Alive(cfg.Target) {
		http.Error(w, "pid not registered", http.StatusNotFound)
		return
	}
	s := &stream{hub: m.Hub, cfg: cfg, start: time.Now(), log: m.Hub.Log}
	s.box = newBox(m.MaxQueue, m.MaxQueueBytes, func() {
		if s.out != nil {
			s.out.breakWrite() // break a write blocked on the slow client
		}
	})
	s.raise = s.box.raise
	s.lastID, s.hasLastID = lastEventID(r)
	if !m.Hub.enter(s) {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	conn, out := m.takeOver(w, r)
	if conn != nil {
		s.out = out
		s.box.onWake = s.schedule // before anything can wake the stream
	} else {
		s.out = &httpOutput{w: w, rc: http.NewResponseController(w)}
	}
	s.running.Store(true) // this goroutine runs open; wake-ups wait for it
	proc, err := m.Hub.K.Attach(m.Service, s.box)
	if err != nil {
		m.Hub.leave(s)
		if conn != nil {
			_ = conn.Close()
		} else {
			http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		}
		return
	}
	proc.SetFixedExit(ExitResult)
	s.proc, s.pid = proc, proc.PID()
	s.pidS = s.pid.String()
	s.unhook = context.AfterFunc(proc.Context(), func() { s.box.raise(sigKilled) })
	if conn != nil {
		m.runDetached(s, conn, w.Header().Clone())
		return
	}
	s.onEnd = func() { m.Hub.leave(s) }
	m.runAttached(r.Context(), s, w.Header())
}

// takeOver hijacks an HTTP/1.x connection when the hub can watch it;
// nil if not.
func (m *Middleware) takeOver(w http.ResponseWriter, r *http.Request) (net.Conn, output) {
	if r.ProtoMajor != 1 || m.Hub.watcher() == nil {
		return nil, nil
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil
	}
	out := newConnOutput(conn)
	if out == nil {
		_ = conn.Close() // net/http no longer owns it; nothing can be sent
		return nil, nil
	}
	return conn, out
}

// runDetached opens an event-driven stream on a hijacked connection and
// returns; the request goroutine is released.
func (m *Middleware) runDetached(s *stream, conn net.Conn, h http.Header) {
	p := m.Hub.watcher()
	key, watched := p.add(conn, s)
	s.onEnd = func() {
		if watched {
			p.remove(key)
		}
		s.out.close()
		m.Hub.leave(s)
	}
	if end := s.open(h); end != nil {
		s.finish(end)
		return
	}
	if !watched { // a hang-up shows at the next write; a full socket ends at the write deadline
		s.log.Warn("relay: stream not watched: hang-ups are noticed only on the next write", "stream", s.pidS)
	}
	s.release()
}

// runAttached drives the stream on the request goroutine until it ends.
func (m *Middleware) runAttached(ctx context.Context, s *stream, h http.Header) {
	if end := s.open(h); end != nil {
		s.finish(end)
		return
	}
	for !s.ended {
		select {
		case <-s.box.notify:
		case <-ctx.Done():
			s.box.raise(sigGone)
		}
		s.step()
	}
}
