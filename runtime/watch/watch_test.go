package watch

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// testDebounce is long enough that a burst of writes made by the test
// (a few ms apart) is one burst even under -race on a busy machine, and
// short enough to keep the tests quick.
const testDebounce = 150 * time.Millisecond

// recorder counts callbacks and hands each one to the test.
type recorder struct {
	calls   atomic.Int32
	running atomic.Int32 // >1 would mean concurrent callbacks
	overlap atomic.Bool
	ch      chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 100)} }

func (r *recorder) onChange(*Watcher) {
	if r.running.Add(1) > 1 {
		r.overlap.Store(true)
	}
	r.calls.Add(1)
	r.running.Add(-1)
	r.ch <- struct{}{}
}

// expectCall waits (bounded) for the next callback.
func (r *recorder) expectCall(t *testing.T, what string) {
	t.Helper()
	select {
	case <-r.ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("no callback within 5s after %s", what)
	}
}

// expectQuiet fails if a callback arrives within d.
func (r *recorder) expectQuiet(t *testing.T, d time.Duration, what string) {
	t.Helper()
	select {
	case <-r.ch:
		t.Fatalf("unexpected callback after %s (total %d)", what, r.calls.Load())
	case <-time.After(d):
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setup creates dir with app.yaml and h.lua, and a watcher on both.
func setup(t *testing.T) (dir string, r *recorder) {
	t.Helper()
	dir = t.TempDir()
	write(t, filepath.Join(dir, "app.yaml"), "v: 1\n")
	write(t, filepath.Join(dir, "h.lua"), "return 1\n")
	r = newRecorder()
	w, err := New([]string{filepath.Join(dir, "app.yaml"), filepath.Join(dir, "h.lua")},
		testDebounce, slog.New(slog.DiscardHandler), r.onChange)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return dir, r
}

func TestWatchInPlaceWrite(t *testing.T) {
	dir, r := setup(t)
	write(t, filepath.Join(dir, "h.lua"), "return 2\n")
	r.expectCall(t, "in-place write of a script")
	r.expectQuiet(t, 3*testDebounce, "one in-place write")
	write(t, filepath.Join(dir, "app.yaml"), "v: 2\n")
	r.expectCall(t, "in-place write of the registry")
	if n := r.calls.Load(); n != 2 {
		t.Fatalf("callbacks: %d, want 2", n)
	}
}

func TestWatchRenameOver(t *testing.T) {
	dir, r := setup(t)
	// What editors do: write a temporary file, rename it over the original.
	tmp := filepath.Join(dir, ".h.lua.tmp")
	write(t, tmp, "return 3\n")
	if err := os.Rename(tmp, filepath.Join(dir, "h.lua")); err != nil {
		t.Fatal(err)
	}
	r.expectCall(t, "rename over a script")
	r.expectQuiet(t, 3*testDebounce, "one rename")
	// The replaced file is still watched (the directory is): a second
	// replacement is seen too.
	write(t, tmp, "return 4\n")
	if err := os.Rename(tmp, filepath.Join(dir, "h.lua")); err != nil {
		t.Fatal(err)
	}
	r.expectCall(t, "second rename over a script")
}

func TestWatchIgnoresIrrelevantFiles(t *testing.T) {
	dir, r := setup(t)
	other := t.TempDir() // not watched at all
	for _, name := range []string{"notes.txt", "h.lua~", ".h.lua.swp", "4913", "h.lua.tmp"} {
		write(t, filepath.Join(dir, name), "x")
	}
	write(t, filepath.Join(other, "h.lua"), "return 9\n")
	if err := os.Chmod(filepath.Join(dir, "h.lua"), 0o600); err != nil { // chmod only
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	r.expectQuiet(t, 4*testDebounce, "writing irrelevant files")
	// The watcher is still alive and reports the next relevant change.
	write(t, filepath.Join(dir, "h.lua"), "return 5\n")
	r.expectCall(t, "a relevant write after irrelevant ones")
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("callbacks: %d, want 1", n)
	}
}

func TestWatchNewScriptInWatchedDir(t *testing.T) {
	// A new Lua file next to the registry may be what the next registry
	// version references: it triggers a reload.
	dir, r := setup(t)
	write(t, filepath.Join(dir, "new.lua"), "return 1\n")
	r.expectCall(t, "creating a new script")
}

func TestWatchDebounceCoalescesBurst(t *testing.T) {
	dir, r := setup(t)
	// 20 writes (in place and rename-over, to both files) within ~50 ms.
	start := time.Now()
	for i := range 20 {
		switch i % 3 {
		case 0:
			write(t, filepath.Join(dir, "h.lua"), "return "+string(rune('a'+i))+"\n")
		case 1:
			tmp := filepath.Join(dir, "h.lua.new")
			write(t, tmp, "return 0\n")
			if err := os.Rename(tmp, filepath.Join(dir, "h.lua")); err != nil {
				t.Fatal(err)
			}
		case 2:
			write(t, filepath.Join(dir, "app.yaml"), "v: 3\n")
		}
		time.Sleep(2 * time.Millisecond) // an editor's pause between saves
	}
	burst := time.Since(start)
	r.expectCall(t, "a burst of writes")
	if burst < testDebounce {
		// Only when the burst really fit inside the debounce period is one
		// callback guaranteed.
		r.expectQuiet(t, 3*testDebounce, "a burst coalesced into one callback")
		if n := r.calls.Load(); n != 1 {
			t.Fatalf("callbacks: %d, want 1", n)
		}
	} else {
		t.Logf("burst took %v (machine too slow for the coalescing check)", burst)
	}
	if r.overlap.Load() {
		t.Fatal("callbacks ran concurrently")
	}
}

func TestWatchSetFilesFromCallback(t *testing.T) {
	// OnChange may add files in a new directory; changes there are seen.
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "app.yaml"), "v: 1\n")
	calls := make(chan struct{}, 10)
	w, err := New([]string{filepath.Join(dir, "app.yaml")}, testDebounce, slog.New(slog.DiscardHandler), func(w *Watcher) {
		w.SetFiles([]string{filepath.Join(dir, "app.yaml"), filepath.Join(sub, "lib.lua")})
		calls <- struct{}{}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write(t, filepath.Join(dir, "app.yaml"), "v: 2\n")
	select {
	case <-calls:
	case <-time.After(5 * time.Second):
		t.Fatal("no callback for the registry write")
	}
	write(t, filepath.Join(sub, "lib.lua"), "return 1\n")
	select {
	case <-calls:
	case <-time.After(5 * time.Second):
		t.Fatal("no callback for a file in a directory added by SetFiles")
	}
}

func TestWatchCloseStopsCallbacks(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "h.lua"), "return 1\n")
	r := newRecorder()
	w, err := New([]string{filepath.Join(dir, "h.lua")}, testDebounce, slog.New(slog.DiscardHandler), r.onChange)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "h.lua"), "return 2\n")
	r.expectQuiet(t, 3*testDebounce, "Close")
}
