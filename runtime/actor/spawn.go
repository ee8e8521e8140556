package actor

import (
	"fmt"
	"runtime/debug"
)

// SpawnOptions configure Spawn.
type SpawnOptions struct {
	// Parent is the spawning process; required when Link or Monitor is set.
	Parent PID
	// Link links Parent and the child; Monitor makes Parent monitor the child.
	// Both are in place before run starts, so an instant exit is still seen.
	Link, Monitor bool
	// Mailbox replaces the default QueueMailbox.
	Mailbox Mailbox
}

// RunFunc is a spawned process's body. Its return values become the exit
// values (see the package doc for overrides).
type RunFunc func(p *Proc) (any, error)

// Spawn starts a process on host in a new goroutine owned by the kernel and
// returns its PID. Errors: ErrInvalid (bad host, nil run), ErrNotFound
// (Link/Monitor with a Parent that is not alive; the child never runs),
// ErrShutdown (after Shutdown began).
func (k *Kernel) Spawn(host string, run RunFunc, o SpawnOptions) (PID, error) {
	if run == nil {
		return PID{}, fmt.Errorf("spawn: nil run function: %w", ErrInvalid)
	}
	if err := ValidName(host); err != nil {
		return PID{}, fmt.Errorf("spawn: host %q: %w", host, err)
	}
	if err := k.enter(); err != nil {
		return PID{}, err
	}
	p := k.newProc(host, o.Parent, o.Mailbox, false)
	k.table.put(p)
	if o.Link || o.Monitor {
		if err := k.relateChild(p, o); err != nil {
			k.table.remove(p)
			p.cancel(errExited)
			k.leave()
			return PID{}, err
		}
	}
	k.cancelIfClosing(p)
	go k.runProc(p, run)
	return p.pid, nil
}

// Attach registers a process driven by the caller's goroutine, for example
// an HTTP handler call or a relay stream; mb nil means a QueueMailbox. The
// caller owns the process and must call Exit exactly when done; Shutdown
// waits for that. Errors: ErrInvalid (bad host), ErrShutdown.
func (k *Kernel) Attach(host string, mb Mailbox) (*Proc, error) {
	if err := ValidName(host); err != nil {
		return nil, fmt.Errorf("attach: host %q: %w", host, err)
	}
	if err := k.enter(); err != nil {
		return nil, err
	}
	p := k.newProc(host, PID{}, mb, true)
	k.table.put(p)
	k.cancelIfClosing(p)
	return p, nil
}

// relateChild links and/or monitors the new child p from o.Parent under both
// locks, so it is all-or-nothing.
func (k *Kernel) relateChild(p *Proc, o SpawnOptions) error {
	parent := k.table.get(o.Parent)
	if parent == nil {
		return fmt.Errorf("spawn: parent %s: %w", o.Parent, ErrNotFound)
	}
	lockPair(parent, p)
	defer unlockPair(parent, p)
	if parent.dead.Load() {
		return fmt.Errorf("spawn: parent %s: %w", o.Parent, ErrNotFound)
	}
	if o.Link {
		addTo(&parent.links, p)
		addTo(&p.links, parent)
	}
	if o.Monitor {
		addTo(&p.monitors, parent)
		addTo(&parent.watching, p)
	}
	return nil
}

// runProc is the body of a spawned process's goroutine (owned by the
// kernel): run, recover a panic into an error exit, exit, and account for
// the goroutine's end so Shutdown can wait for it.
func (k *Kernel) runProc(p *Proc, run RunFunc) {
	defer k.leave()
	result, err := k.runSafe(p, run)
	k.exit(p, result, err)
}

func (k *Kernel) runSafe(p *Proc, run RunFunc) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := debug.Stack()
			k.log.Error("process panicked", "pid", p.pid.String(), "panic", fmt.Sprint(r), "stack", string(stack))
			result, err = nil, &PanicError{Value: r, Stack: stack}
		}
	}()
	return run(p)
}
