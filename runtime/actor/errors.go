package actor

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers compare with errors.Is; the kernel wraps them with
// context (for example the PID concerned) using %w.
var (
	// ErrNotFound: the PID is not alive, or the name is not registered.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: the name is registered to another live process.
	ErrAlreadyExists = errors.New("already exists")
	// ErrInvalid: a malformed PID, name or argument.
	ErrInvalid = errors.New("invalid argument")
	// ErrTerminated is the exit error of a process ended by Kernel.Terminate.
	ErrTerminated = errors.New("process terminated")
	// ErrLinkedFailed is the exit error of a process with trap_links=false
	// whose linked process exited with an error.
	ErrLinkedFailed = errors.New("linked process failed")
	// ErrMailboxOverflow is the exit error of a process whose mailbox refused
	// a delivery.
	ErrMailboxOverflow = errors.New("mailbox overflow")
	// ErrShutdown is the context cause of every process when the kernel shuts
	// down, and the error of Spawn/Attach afterwards.
	ErrShutdown = errors.New("host shutting down")
)

// PanicError is the exit error of a spawned process whose run function
// panicked. Stack is the goroutine stack captured at recovery.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// errExited is the context cause of a process that exited on its own.
var errExited = errors.New("process exited")
