package relay

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

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
