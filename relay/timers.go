package relay

import "time"

// timers holds a stream's heartbeat, idle and hard-timeout timers. A
// disabled timer is nil, and its channel accessor returns nil, which a
// select never picks. Owned by the stream goroutine.
type timers struct {
	hb, idle, hard *time.Timer
}

func (t *timers) startTimers(cfg Config) {
	t.resetHeartbeat(cfg.Heartbeat)
	t.resetIdle(cfg.IdleTimeout)
	t.resetHard(cfg.HardTimeout)
}

func reset(tm **time.Timer, d time.Duration) {
	if d <= 0 {
		if *tm != nil {
			(*tm).Stop()
			*tm = nil
		}
		return
	}
	if *tm == nil {
		*tm = time.NewTimer(d)
		return
	}
	(*tm).Reset(d) // Go 1.23+: Reset drains a fired, unread timer
}

func (t *timers) resetHeartbeat(d time.Duration) { reset(&t.hb, d) }
func (t *timers) resetIdle(d time.Duration)      { reset(&t.idle, d) }
func (t *timers) resetHard(d time.Duration)      { reset(&t.hard, d) }

func (t *timers) stopTimers() {
	reset(&t.hb, 0)
	reset(&t.idle, 0)
	reset(&t.hard, 0)
}

func timerC(tm *time.Timer) <-chan time.Time {
	if tm == nil {
		return nil
	}
	return tm.C
}

func (t *timers) hbC() <-chan time.Time   { return timerC(t.hb) }
func (t *timers) idleC() <-chan time.Time { return timerC(t.idle) }
func (t *timers) hardC() <-chan time.Time { return timerC(t.hard) }
