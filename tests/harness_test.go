package tests

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"luahost/runtime/host"
)

// app is a running host under test.
type app struct {
	t    *testing.T
	h    *host.Host
	base string // "http://127.0.0.1:PORT"
	logs *logBuffer
	// timeout bounds each request of do (default 10 s); heavy tests that
	// run thousands of cycles in one request raise it.
	timeout time.Duration
}

// header is prepended to every test registry: one server on a free port and
// one router at the root.
const header = `version: "1.0"
namespace: app
entries:
  - name: gateway
    kind: http.service
    addr: "127.0.0.1:0"
  - name: root
    kind: http.router
    meta: {server: gateway}
`

// writeFiles writes files (relative path -> content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// startApp boots a host from header+entries and the given scripts.
func startApp(t *testing.T, entries string, files map[string]string) *app {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"registry.yaml": header + entries}
	for k, v := range files {
		all[k] = v
	}
	writeFiles(t, dir, all)
	return bootApp(t, filepath.Join(dir, "registry.yaml"))
}

// bootApp loads and starts the registry at path, with debug logs captured;
// the host is shut down when the test ends.
func bootApp(t *testing.T, path string) *app {
	t.Helper()
	logs := &logBuffer{}
	h := loadHost(t, path, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return &app{t: t, h: h, base: "http://" + h.Addr("app:gateway"), logs: logs}
}

// loadHost loads and starts the registry at path; the host is shut down
// when tb ends.
func loadHost(tb testing.TB, path string, log *slog.Logger) *host.Host {
	tb.Helper()
	h, errs := host.Load(path, log)
	if len(errs) > 0 {
		tb.Fatalf("build failed:\n%v", errs)
	}
	if err := h.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
	})
	return h
}

// benchHost boots a host from files (registry.yaml among them) in a temp
// dir, with logs discarded.
func benchHost(b *testing.B, files map[string]string) *host.Host {
	b.Helper()
	dir := b.TempDir()
	writeFiles(b, dir, files)
	return loadHost(b, filepath.Join(dir, "registry.yaml"), slog.New(slog.DiscardHandler))
}

// handlerEntries declares a function.lua entry and an endpoint for it.
func handlerEntries(name, method, path, script string, modules string) string {
	return `
  - name: ` + name + `
    kind: function.lua
    source: file://` + script + `
    method: handler
    modules: [` + modules + `]
  - name: ` + name + `.ep
    kind: http.endpoint
    meta: {router: root}
    method: ` + method + `
    path: ` + path + `
    func: ` + name + `
`
}

// luaApp boots an app with one handler whose body is the Lua source of the
// handler function (inside `local function handler() ... end`).
func luaApp(t *testing.T, method, path, body string) *app {
	t.Helper()
	src := "local http = require('http')\nlocal json = require('json')\nlocal time = require('time')\n" +
		"local function handler()\n" + body + "\nend\nreturn {handler = handler}\n"
	return startApp(t, handlerEntries("h", method, path, "h.lua", "http, json, time"), map[string]string{"h.lua": src})
}

// do sends a request and returns status, headers and body.
func (a *app) do(method, path, body string, hdr map[string]string) (int, http.Header, string) {
	a.t.Helper()
	timeout := a.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
	}
	for k, v := range hdr {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, string(data)
}

func (a *app) get(path string) (int, string) {
	code, _, body := a.do("GET", path, "", nil)
	return code, body
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sseReader reads an SSE response frame by frame.
type sseReader struct {
	resp *http.Response
	br   *bufio.Reader
}

func openSSE(t *testing.T, ctx context.Context, url string) *sseReader {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sseReader{resp: resp, br: bufio.NewReader(resp.Body)}
}

// next returns the next raw frame (up to and including the blank line).
func (s *sseReader) next() (string, error) {
	var b strings.Builder
	for {
		line, err := s.br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\n" {
			return b.String(), nil
		}
	}
}
