package actor

import (
	"context"
	"fmt"
)

// enter accounts for a new spawned goroutine or attached process, refusing
// it once Shutdown has begun. Checking closing after the increment means
// Shutdown either sees this process in live or this call sees closing.
func (k *Kernel) enter() error {
	k.live.Add(1)
	if k.closing.Load() {
		k.leave()
		return ErrShutdown
	}
	return nil
}

// leave ends the accounting started by enter and wakes Shutdown when the
// last process is gone.
func (k *Kernel) leave() {
	if k.live.Add(-1) == 0 && k.closing.Load() {
		k.idleOnce.Do(func() { close(k.idle) })
	}
}

// cancelIfClosing cancels a process that was inserted into the table while
// Shutdown was already walking it (Shutdown sets closing before the walk, so
// one of the two always sees the process).
func (k *Kernel) cancelIfClosing(p *Proc) {
	if k.closing.Load() {
		p.cancel(ErrShutdown)
	}
}

// Shutdown cancels every process's context with cause ErrShutdown, refuses
// new processes, and waits until every spawned goroutine has returned and
// every attached process has exited. If ctx ends first it returns an error
// wrapping context.Cause(ctx). It may be called more than once.
func (k *Kernel) Shutdown(ctx context.Context) error {
	k.closing.Store(true)
	for _, p := range k.table.snapshot() {
		p.cancel(ErrShutdown)
	}
	if k.live.Load() == 0 {
		k.idleOnce.Do(func() { close(k.idle) })
	}
	select {
	case <-k.idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("actor shutdown: %d processes still running: %w", k.live.Load(), context.Cause(ctx))
	}
}
