package watch

import (
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long the watcher waits after the last relevant
// event before reporting a change (editors save in several steps).
const DefaultDebounce = 100 * time.Millisecond

// Watcher calls OnChange (on its own goroutine, never concurrently) after a
// burst of changes to watched files has been quiet for the debounce period.
type Watcher struct {
	fs       *fsnotify.Watcher
	onChange func(*Watcher)
	debounce time.Duration
	log      *slog.Logger

	mu    sync.Mutex
	files map[string]bool // absolute paths that matter
	dirs  map[string]bool // directories being watched

	done chan struct{} // closed when the goroutine returns
}

// New starts watching the directories of files.
func New(files []string, debounce time.Duration, log *slog.Logger, onChange func(*Watcher)) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	w := &Watcher{fs: fw, onChange: onChange, debounce: debounce, log: log,
		files: map[string]bool{}, dirs: map[string]bool{}, done: make(chan struct{})}
	w.SetFiles(files)
	go w.run()
	return w, nil
}

// SetFiles replaces the set of files that matter and watches any new
// directory they live in. Safe to call from OnChange.
func (w *Watcher) SetFiles(files []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.files = map[string]bool{}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		w.files[abs] = true
		dir := filepath.Dir(abs)
		if w.dirs[dir] {
			continue
		}
		if err := w.fs.Add(dir); err != nil {
			w.log.Warn("watch: cannot watch directory", "dir", dir, "err", err)
			continue
		}
		w.dirs[dir] = true
	}
}

// relevant reports whether an event on name should trigger a reload: a
// watched file, or any Lua/YAML file in a watched directory (a new script
// the next registry version may reference).
func (w *Watcher) relevant(name string) bool {
	abs, err := filepath.Abs(name)
	if err != nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.files[abs] {
		return true
	}
	switch strings.ToLower(filepath.Ext(abs)) {
	case ".lua", ".yaml", ".yml":
		return true
	}
	return false
}

func (w *Watcher) run() {
	defer close(w.done)
	var timer *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod || !w.relevant(ev.Name) {
				continue
			}
			if timer == nil {
				timer = time.NewTimer(w.debounce)
			} else {
				timer.Reset(w.debounce)
			}
			fire = timer.C
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.log.Warn("watch: error", "err", err)
		case <-fire:
			fire = nil
			w.onChange(w)
		}
	}
}

// Close stops watching and waits for the goroutine.
func (w *Watcher) Close() error {
	err := w.fs.Close()
	<-w.done
	return err
}
