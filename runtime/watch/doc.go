// Package watch reports, debounced, that files an application depends on
// changed. It watches directories rather than files (fsnotify), so editors
// that write a temporary file and rename it over the original are seen, and
// filters events to the files the caller cares about.
//
// A Watcher owns one goroutine, started by New and stopped by Close, which
// waits for it.
package watch
