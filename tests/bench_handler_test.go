package tests

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"luahost/runtime/host"
)

// BenchmarkLuaHandlerInProcess measures the server-side cost of one call of
// the hello-world Lua handler without the network: the route table is
// called directly with a reusable ResponseWriter, so the figure is the
// host's own overhead per request (routing, Exchange, Lua call, JSON).
//
//	go test -run '^$' -bench 'LuaHandlerInProcess' -benchmem ./tests/
func BenchmarkLuaHandlerInProcess(b *testing.B) {
	dir := b.TempDir()
	reg := header + handlerEntries("hello", "GET", "/hello", "hello.lua", "http")
	src := `local http = require("http")
return {handler = function()
  http.response():write_json({message = "hello"})
end}`
	for name, content := range map[string]string{"registry.yaml": reg, "hello.lua": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	h, errs := host.Load(filepath.Join(dir, "registry.yaml"), slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	if err := h.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
	}()
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
