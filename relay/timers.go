package relay

import "time"

// timers holds a stream's heartbeat, idle and hard-timeout timers. They are
// runtime timers with a callback (no goroutine until one fires) that raise
// a signal in the stream's box. A disabled timer is nil. Owned by the
// goroutine running the stream's step.
type timers struct {
	hb, idle, hard *time.Timer
	// wd is the write deadline of a blocked socket (wdAt when due).
	wd    *time.Timer
	wdAt  time.Time
	raise func(signal) // set when the stream is built
	// idleAt, hardAt are when the idle and hard timers are due: a timer
	// that fired just before a reset leaves a stale signal, which due
	// tells apart.
	idleAt, hardAt time.Time
}

// due reports whether a raised idle or hard signal is current.
func (t *timers) due(sig signal) bool {
	at := t.idleAt
	switch sig {
	case sigHard:
		at = t.hardAt
	case sigWriteTimeout:
		at = t.wdAt
	}
	return !at.IsZero() && !time.Now().Before(at)
}

func (t *timers) startTimers(cfg Config) {
	t.resetHeartbeat(cfg.Heartbeat)
	t.resetIdle(cfg.IdleTimeout)
	t.resetHard(cfg.HardTimeout)
}

func (t *timers) reset(tm **time.Timer, d time.Duration, sig signal) {
	if d <= 0 || t.raise == nil {
		if *tm != nil {
			(*tm).Stop()
			*tm = nil
		}
		return
	}
	if *tm != nil {
		(*tm).Reset(d) // re-arms the callback; no allocation on the hot path
		return
	}
	raise := t.raise
	*tm = time.AfterFunc(d, func() { raise(sig) })
}

func (t *timers) resetHeartbeat(d time.Duration) { t.reset(&t.hb, d, sigHeartbeat) }
func (t *timers) resetIdle(d time.Duration) {
	t.idleAt = dueAt(d)
	t.reset(&t.idle, d, sigIdle)
}

func (t *timers) resetHard(d time.Duration) {
	t.hardAt = dueAt(d)
	t.reset(&t.hard, d, sigHard)
}

// resetWriteDeadline (re)starts the write deadline; 0 stops it.
func (t *timers) resetWriteDeadline(d time.Duration) {
	t.wdAt = dueAt(d)
	t.reset(&t.wd, d, sigWriteTimeout)
}

func dueAt(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

func (t *timers) stopTimers() {
	t.reset(&t.hb, 0, 0)
	t.reset(&t.idle, 0, 0)
	t.reset(&t.hard, 0, 0)
	t.reset(&t.wd, 0, 0)
}
