package actor

import "fmt"

// Monitor makes watcher receive EventExit when target exits. Monitoring
// twice is the same as once. ErrNotFound if either is not alive.
func (k *Kernel) Monitor(watcher, target PID) error {
	return k.relate(watcher, target, "monitor", func(w, t *Proc) {
		addTo(&t.monitors, w)
		addTo(&w.watching, t)
	})
}

// Demonitor removes watcher's monitor of target (no error if there was
// none). ErrNotFound if either is not alive.
func (k *Kernel) Demonitor(watcher, target PID) error {
	return k.relate(watcher, target, "demonitor", func(w, t *Proc) {
		delete(t.monitors, w)
		delete(w.watching, t)
	})
}

// Link links a and b both ways: an error exit of one sends EventLinkDown
// to the other (and kills it unless it traps links). Linking a process to
// itself is a no-op. ErrNotFound if either is not alive.
func (k *Kernel) Link(a, b PID) error {
	return k.relate(a, b, "link", func(x, y *Proc) {
		if x != y {
			addTo(&x.links, y)
			addTo(&y.links, x)
		}
	})
}

// Unlink removes the link between a and b (no error if there was none).
// ErrNotFound if either is not alive.
func (k *Kernel) Unlink(a, b PID) error {
	return k.relate(a, b, "unlink", func(x, y *Proc) {
		delete(x.links, y)
		delete(y.links, x)
	})
}

// relate applies change to two live processes under both their locks, so it
// cannot interleave with either one's exit.
func (k *Kernel) relate(a, b PID, op string, change func(x, y *Proc)) error {
	x, y := k.table.get(a), k.table.get(b)
	if x == nil {
		return fmt.Errorf("%s: %w", op, notFound(a))
	}
	if y == nil {
		return fmt.Errorf("%s: %w", op, notFound(b))
	}
	lockPair(x, y)
	defer unlockPair(x, y)
	if x.dead.Load() {
		return fmt.Errorf("%s: %w", op, notFound(a))
	}
	if y.dead.Load() {
		return fmt.Errorf("%s: %w", op, notFound(b))
	}
	change(x, y)
	return nil
}
