package relay

// Scheduling a taken-over stream on the hub's workers.

// schedule queues the stream on the hub's workers unless it is queued or
// running already; an idle stream has no goroutine.
func (s *stream) schedule() {
	if s.running.CompareAndSwap(false, true) {
		s.hub.runq.push(s)
	}
}

// runOnce is one turn of a worker at the stream: a step, then back to the
// end of the queue if more work arrived meanwhile. It re-checks after
// clearing running, so a wake-up that raced the exit is not lost.
func (s *stream) runOnce() {
	if s.step() {
		return // ended: running stays set, nothing runs again
	}
	if s.hasWork() {
		s.hub.runq.push(s)
		return
	}
	s.release()
}

// release gives up the stream (clears running) and takes it back if work
// arrived meanwhile. It reads s.blocked before letting go: afterwards
// another worker may own the stream.
func (s *stream) release() {
	withMsgs := !s.blocked
	s.running.Store(false)
	if s.box.pending(withMsgs) && s.running.CompareAndSwap(false, true) {
		s.hub.runq.push(s)
	}
}

// hasWork reports whether a step would do something: while the socket is
// full, queued messages wait in the box (where the queue limits apply)
// and only signals and kernel events count.
func (s *stream) hasWork() bool { return s.box.pending(!s.blocked) }

// hangup and writable implement pollHandler (called on the poller
// goroutine).
func (s *stream) hangup() { s.box.raise(sigGone) }

func (s *stream) writable() {
	if s.wantWrite.Load() {
		s.box.raise(sigWritable)
	}
}
