package actor

import (
	"fmt"
	"slices"
	"sync"
)

// nameTable maps registered names to processes. Lock order: nameTable.mu
// before a Proc's mu; exit releases the Proc's mu before taking this one.
type nameTable struct {
	mu sync.RWMutex
	m  map[string]*Proc
}

// Register binds name to the live process pid. Registering the same name
// to the same process again is a no-op. Errors: ErrInvalid (empty name),
// ErrNotFound (pid not alive), ErrAlreadyExists (held by another live
// process). A name is released when its process exits.
func (k *Kernel) Register(name string, pid PID) error {
	if name == "" {
		return fmt.Errorf("register: empty name: %w", ErrInvalid)
	}
	p := k.table.get(pid)
	if p == nil {
		return fmt.Errorf("register %q: %w", name, notFound(pid))
	}
	return k.names.register(name, p)
}

// Lookup returns the live process registered as name.
func (k *Kernel) Lookup(name string) (PID, bool) {
	k.names.mu.RLock()
	p := k.names.m[name]
	k.names.mu.RUnlock()
	if p == nil || p.dead.Load() {
		return PID{}, false
	}
	return p.pid, true
}

// Unregister releases name; it reports whether the name was registered.
func (k *Kernel) Unregister(name string) bool {
	t := &k.names
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.m[name]
	if p == nil {
		return false
	}
	delete(t.m, name)
	p.mu.Lock()
	p.names = slices.DeleteFunc(p.names, func(n string) bool { return n == name })
	p.mu.Unlock()
	return !p.dead.Load()
}

func (t *nameTable) register(name string, p *Proc) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.m[name]
	if cur != nil && cur != p && !cur.dead.Load() {
		return fmt.Errorf("register %q: held by %s: %w", name, cur.pid, ErrAlreadyExists)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead.Load() {
		return fmt.Errorf("register %q: %w", name, notFound(p.pid))
	}
	if cur == p {
		return nil
	}
	p.names = append(p.names, name)
	if t.m == nil {
		t.m = make(map[string]*Proc)
	}
	t.m[name] = p
	return nil
}

// release drops the names an exited process still held.
func (t *nameTable) release(p *Proc, names []string) {
	if len(names) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, n := range names {
		if t.m[n] == p {
			delete(t.m, n)
		}
	}
}
