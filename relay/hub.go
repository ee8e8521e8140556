package relay

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"luahost/runtime/actor"
)

// Encoder appends the JSON of plain Go data to buf (the host injects the
// one conversion luamod provides, so relay output matches json.encode).
type Encoder func(buf []byte, v any) ([]byte, error)

// Hub is what every relay stream of one host shares: the kernel, the
// encoder, the hang-up poller, the set of open streams and the shutdown
// signal. It is safe for concurrent use.
type Hub struct {
	K      *actor.Kernel
	Encode Encoder
	Log    *slog.Logger
	// WriteTimeout bounds each write to a client (default 10 s).
	WriteTimeout time.Duration
	// NoTakeover keeps every stream on its request goroutine (no hijack,
	// no poller); for tests of that path and platforms without epoll.
	NoTakeover bool

	mu      sync.Mutex
	closing bool
	open    map[*stream]struct{}
	streams sync.WaitGroup

	pollOnce sync.Once
	poller   *poller
	runq     *runq // workers for taken-over streams; started with the poller

	frames *frameCache // encoded shared payloads
}

// NewHub creates a hub.
func NewHub(k *actor.Kernel, enc Encoder, log *slog.Logger) *Hub {
	return &Hub{K: k, Encode: enc, Log: log, WriteTimeout: 10 * time.Second, open: map[*stream]struct{}{}, frames: newFrameCache()}
}

// watcher returns the hang-up poller, started on first use; nil where
// there is none (then streams stay on their request goroutine).
func (h *Hub) watcher() *poller {
	if h.NoTakeover {
		return nil
	}
	h.pollOnce.Do(func() {
		p, err := newPoller()
		if err != nil {
			h.Log.Info("relay: no epoll; streams keep their request goroutine", "err", err)
			return
		}
		h.poller = p
		h.runq = newRunq()
	})
	return h.poller
}

// Active reports the number of open streams.
func (h *Hub) Active() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.open)
}

// enter registers a stream; false once shutdown began.
func (h *Hub) enter(s *stream) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.open[s] = struct{}{}
	h.streams.Add(1)
	return true
}

func (h *Hub) leave(s *stream) {
	h.mu.Lock()
	delete(h.open, s)
	h.mu.Unlock()
	h.streams.Done()
}

// Shutdown ends every stream with `done` "server shutting down" (each
// sends sse.leave to its target) and waits for them, or for ctx. Then it
// stops the poller.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	list := make([]*stream, 0, len(h.open))
	for s := range h.open {
		list = append(list, s)
	}
	h.mu.Unlock()
	for _, s := range list {
		s.box.raise(sigShutdown)
	}
	done := make(chan struct{})
	go func() {
		h.streams.Wait()
		close(done)
	}()
	select {
	case <-done:
		if h.poller != nil {
			h.poller.stop()
			h.runq.stop()
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
