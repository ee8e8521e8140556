package actor

import "time"

// exitState is what a process leaves behind, taken under its lock.
type exitState struct {
	result   any
	err      error
	links    map[*Proc]struct{}
	monitors map[*Proc]struct{}
	watching map[*Proc]struct{}
	names    []string
}

// exit runs the exit semantics of the package doc once per process.
func (k *Kernel) exit(p *Proc, result any, err error) {
	st, ok := p.markDead(result, err)
	if !ok {
		return
	}
	k.table.remove(p)
	k.names.release(p, st.names)
	if c, ok := p.mb.(interface{ Close() }); ok {
		c.Close()
	}
	k.notifyExit(p, st)
	p.cancel(errExited)
	if p.attached {
		k.leave()
	}
}

// markDead flips p to dead and takes its relations, applying a kill cause.
// It returns false if p had already exited.
func (p *Proc) markDead(result any, err error) (exitState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead.Load() {
		return exitState{}, false
	}
	p.dead.Store(true)
	switch {
	case p.fixed:
		result, err = p.fixedRes, nil
	case p.killErr != nil:
		result, err = nil, p.killErr
	}
	st := exitState{result, err, p.links, p.monitors, p.watching, p.names}
	p.links, p.monitors, p.watching, p.names = nil, nil, nil, nil
	return st, true
}

// notifyExit tells monitors (EventExit) and, on an error exit, links
// (EventLinkDown, then a kill unless they trap links), and drops p from the
// monitor sets of the processes it watched. p's own lock is not held, so
// taking each peer's lock alone cannot deadlock.
func (k *Kernel) notifyExit(p *Proc, st exitState) {
	ev := Event{Kind: EventExit, From: p.pid, At: time.Now(), Result: st.result, Err: st.err}
	for w := range st.monitors {
		w.forget(p, watchingOf)
		k.deliver(w, ev)
	}
	ev.Kind = EventLinkDown
	for l := range st.links {
		l.forget(p, linksOf)
		if st.err == nil {
			continue
		}
		k.deliver(l, ev)
		if !l.trap.Load() {
			k.kill(l, ErrLinkedFailed)
		}
	}
	for t := range st.watching {
		t.forget(p, monitorsOf)
	}
}
