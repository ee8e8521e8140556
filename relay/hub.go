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
// encoder, and the shutdown signal. It is safe for concurrent use.
type Hub struct {
	K      *actor.Kernel
	Encode Encoder
	Log    *slog.Logger
	// WriteTimeout bounds each write to a client (default 10 s).
	WriteTimeout time.Duration

	down    chan struct{} // closed by Shutdown; every stream selects on it
	once    sync.Once
	streams sync.WaitGroup
	mu      sync.Mutex
	active  int
}

// NewHub creates a hub.
func NewHub(k *actor.Kernel, enc Encoder, log *slog.Logger) *Hub {
	return &Hub{K: k, Encode: enc, Log: log, WriteTimeout: 10 * time.Second, down: make(chan struct{})}
}

// Active reports the number of open streams.
func (h *Hub) Active() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.active
}

func (h *Hub) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.down:
		return false
	default:
	}
	h.active++
	h.streams.Add(1)
	return true
}

func (h *Hub) leave() {
	h.mu.Lock()
	h.active--
	h.mu.Unlock()
	h.streams.Done()
}

// Shutdown ends every stream with `done` "server shutting down" (each
// sends sse.leave to its target) and waits for them, or for ctx.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.once.Do(func() { close(h.down) })
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.streams.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
