package tests

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helpers for the hot-reload tests (SPEC 10): an app whose registry and
// scripts the test edits on disk.

// rldWithin is how soon after a save the new code must be served.
const rldWithin = 2 * time.Second

// rldApp is a running app plus the directory its files live in.
type rldApp struct {
	*app
	dir string
}

// rldStart boots an app like startApp; with watch it also starts the file
// watcher (as `luahost run --watch` does).
func rldStart(t *testing.T, entries string, files map[string]string, watch bool) *rldApp {
	t.Helper()
	a := startApp(t, entries, files)
	r := &rldApp{app: a, dir: filepath.Dir(a.h.Generation().Reg.Root)}
	if watch {
		if err := a.h.Watch(); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// textScript is a handler script that answers with body.
func rldText(body string) string {
	return `local http = require("http")
return {handler = function()
  http.response():write("` + body + `")
end}
`
}

// rldRegistry is the full registry text for entries (as startApp writes it).
func rldRegistry(entries string) string { return header + entries }

// writeInPlace overwrites a file the way most programs save: truncate and
// write.
func (r *rldApp) writeInPlace(name, content string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// writeRename saves a file the way many editors do: write a temporary file
// next to it, then rename it over the original.
func (r *rldApp) writeRename(name, content string) {
	r.t.Helper()
	dir, base := filepath.Split(filepath.Join(r.dir, name))
	tmp := filepath.Join(dir, "."+base+".swp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(r.dir, name)); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rldApp) remove(name string) {
	r.t.Helper()
	if err := os.Remove(filepath.Join(r.dir, name)); err != nil {
		r.t.Fatal(err)
	}
}

// reloads counts successful reloads so far (their log lines).
func (r *rldApp) reloads() int { return strings.Count(r.logs.String(), "msg=reloaded ") }

// failures counts failed reloads so far (one log line per problem).
func (r *rldApp) failures() int { return strings.Count(r.logs.String(), `msg="reload failed`) }

// lastReloadLine returns the log line of the latest successful reload.
func (r *rldApp) lastReloadLine() string {
	var last string
	for line := range strings.Lines(r.logs.String()) {
		if strings.Contains(line, "msg=reloaded ") {
			last = line
		}
	}
	return last
}

// waitReloads waits until more than n reloads succeeded.
func (r *rldApp) waitReloads(n int, what string) {
	r.t.Helper()
	eventually(r.t, 5*time.Second, what, func() bool { return r.reloads() > n })
}

// waitLog waits until the log contains all of parts on one line, and returns
// that line.
func (r *rldApp) waitLog(what string, parts ...string) string {
	r.t.Helper()
	var found string
	eventually(r.t, 5*time.Second, what, func() bool {
		for line := range strings.Lines(r.logs.String()) {
			ok := true
			for _, p := range parts {
				if !strings.Contains(line, p) {
					ok = false
					break
				}
			}
			if ok {
				found = line
				return true
			}
		}
		return false
	})
	return found
}

// waitServed polls path until it answers 200 with want, within rldWithin of
// the call. Every answer on the way must be 200 with one of allowed (the old
// versions): nothing else is ever served.
func (r *rldApp) waitServed(path, want string, allowed ...string) {
	r.t.Helper()
	deadline := time.Now().Add(rldWithin)
	for {
		code, body := r.get(path)
		if code == 200 && body == want {
			return
		}
		if code != 200 || !rldContains(allowed, body) {
			r.t.Fatalf("GET %s while waiting for %q: %d %q", path, want, code, body)
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("GET %s: still %q %v after the save (want %q)", path, body, rldWithin, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitStatus polls path until it answers with status code.
func (r *rldApp) waitStatus(path string, code int) {
	r.t.Helper()
	eventually(r.t, rldWithin, "GET "+path+" to answer "+http.StatusText(code), func() bool {
		c, _ := r.get(path)
		return c == code
	})
}

// expect requires path to answer 200 with want.
func (r *rldApp) expect(path, want string) {
	r.t.Helper()
	if code, body := r.get(path); code != 200 || body != want {
		r.t.Fatalf("GET %s: %d %q, want 200 %q", path, code, body, want)
	}
}

func rldContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rldClient returns an HTTP client with its own connections, closed with
// the test (so they do not count against goroutine baselines).
func rldClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// rldFetch GETs url with client and returns the status and body, or an error
// (no test failure: load generators report failures themselves).
func rldFetch(ctx context.Context, client *http.Client, url string) (int, string, error) {
	return rldDo(ctx, client, "GET", url)
}

// rldDo sends an empty-bodied request and returns the status and body.
func rldDo(ctx context.Context, client *http.Client, method, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, http.NoBody)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), err
}

// rldFrames collects the frames of an SSE stream on its own goroutine, so
// the test can wait for them with deadlines.
type rldFrames struct {
	mu     sync.Mutex
	frames []string
	err    error // why reading stopped
}

func rldReadFrames(s *sseReader) *rldFrames {
	fr := &rldFrames{}
	go func() {
		for {
			f, err := s.next()
			fr.mu.Lock()
			if err != nil {
				fr.err = err
				fr.mu.Unlock()
				return
			}
			fr.frames = append(fr.frames, f)
			fr.mu.Unlock()
		}
	}()
	return fr
}

// all returns the frames so far.
func (fr *rldFrames) all() []string {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return slices.Clone(fr.frames)
}

// wait waits until cond holds for the frames so far, and returns them.
func (fr *rldFrames) wait(t *testing.T, d time.Duration, what string, cond func([]string) bool) []string {
	t.Helper()
	var got []string
	eventually(t, d, what, func() bool {
		fr.mu.Lock()
		defer fr.mu.Unlock()
		if fr.err != nil {
			t.Fatalf("stream ended while waiting for %s: %v (after %d frames)", what, fr.err, len(fr.frames))
		}
		got = slices.Clone(fr.frames)
		return cond(got)
	})
	return got
}
