package relay

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"luahost/runtime/actor"
)

// Option names of the sse_relay middleware (router post_options).
const (
	OptAllowedOrigins = "sserelay.allowed.origins"
	OptMaxQueue       = "sserelay.max_queue"
	OptMaxQueueBytes  = "sserelay.max_queue_bytes"
)

// Middleware is the sse_relay post-match middleware of one router.
type Middleware struct {
	Hub           *Hub
	Service       string // http.service id: the host part of stream PIDs
	Origins       Origins
	MaxQueue      int
	MaxQueueBytes int
}

// NewMiddleware builds the middleware from a router's post_options. It
// returns an error naming the option when one is invalid.
func NewMiddleware(hub *Hub, service string, opts map[string]string) (*Middleware, error) {
	m := &Middleware{Hub: hub, Service: service, MaxQueue: DefaultMaxQueue, MaxQueueBytes: DefaultMaxQueueBytes}
	for k := range opts {
		if strings.HasPrefix(k, "sserelay.") && k != OptAllowedOrigins && k != OptMaxQueue && k != OptMaxQueueBytes {
			return nil, fmt.Errorf("post_options: unknown sse_relay option %q", k)
		}
	}
	m.Origins = ParseOrigins(opts[OptAllowedOrigins])
	for _, o := range []struct {
		name string
		dst  *int
	}{{OptMaxQueue, &m.MaxQueue}, {OptMaxQueueBytes, &m.MaxQueueBytes}} {
		v, ok := opts[o.name]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("post_options %s: want a positive integer, got %q", o.name, v)
		}
		*o.dst = n
	}
	return m, nil
}

// Serve handles a request whose handler set the relay header (the header
// value is passed in, already removed from the response). It answers
// 403/400/404/503 without starting anything, or runs the stream until it
// ends. It runs on the request goroutine.
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
	if !m.Hub.enter() {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	defer m.Hub.leave()
	s := &stream{hub: m.Hub, w: w, rc: http.NewResponseController(w), cfg: cfg, start: time.Now()}
	s.box = newBox(m.MaxQueue, m.MaxQueueBytes, func() {
		_ = s.rc.SetWriteDeadline(time.Now()) // break a write blocked on the slow client
	})
	proc, err := m.Hub.K.Attach(m.Service, s.box)
	if err != nil {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	proc.SetFixedExit(ExitResult)
	s.proc, s.pid = proc, proc.PID()
	s.pidS = s.pid.String()
	s.log = m.Hub.Log
	s.lastID, s.hasLastID = lastEventID(r)
	s.run(r.Context())
}

func lastEventID(r *http.Request) (string, bool) {
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		return v, true
	}
	if q := r.URL.Query(); q.Has("last_event_id") {
		return q.Get("last_event_id"), true
	}
	return "", false
}

var _ actor.Mailbox = (*box)(nil)
