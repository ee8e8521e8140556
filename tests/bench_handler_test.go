package tests

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkLuaHandlerInProcess measures the server-side cost of one call of
// the hello-world Lua handler without the network: the route table is
// called directly with a reusable ResponseWriter, so the figure is the
// host's own overhead per request (routing, Exchange, Lua call, JSON).
//
//	go test -run '^$' -bench 'LuaHandlerInProcess' -benchmem ./tests/
func BenchmarkLuaHandlerInProcess(b *testing.B) {
	h := benchHost(b, helloFiles())
	table := h.Generation().Handlers["app:gateway"]
	// A connection-like parent context, as net/http gives each request.
	connCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(connCtx, "GET", "http://x/hello", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		w.status, w.n = 0, 0
		table.ServeHTTP(w, req)
	}
	b.StopTimer()
	if w.status != http.StatusOK || w.n != len(helloBody) {
		b.Fatalf("status %d, %d body bytes", w.status, w.n)
	}
}

// discardWriter is a ResponseWriter that records the status and the
// number of body bytes.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}
