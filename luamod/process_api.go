package luamod

import (
	"context"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Event kinds as Lua sees them (process.event.*).
const (
	EventExit     = "pid.exit"
	EventLinkDown = "pid.link.down"
	EventCancel   = "pid.cancel"
)

// Message is one mailbox message as plain data.
type Message struct {
	Topic   string
	From    string // sender PID, "" when none
	Payload []any  // plain data, already deep-copied
}

// Event is one process event as plain data.
type Event struct {
	Kind   string // EventExit, EventLinkDown or EventCancel
	From   string
	At     time.Time
	Value  any    // result value (EXIT / LINK_DOWN)
	Err    string // error message; "" when the exit was normal
	Reason string // CANCEL reason
}

// SpawnOptions selects the spawn variant.
type SpawnOptions struct{ Link, Monitor bool }

// Processes is what the `process` global needs from the runtime. PIDs are
// strings on this side. Expected failures are *Error values with kinds
// INVALID (malformed PID, bad topic) or NOT_FOUND (unknown name, entry,
// host, or a PID that is not alive where that matters).
type Processes interface {
	// Send delivers payload; shared says the same slice went out before
	// (see sendCache) and must stay unmodified.
	Send(from Self, dest, topic string, payload []any, shared bool) error
	Spawn(self Self, id, host string, args []any, o SpawnOptions) (string, error)
	Terminate(from, dest string) error
	Cancel(from, dest, reason string) error
	Monitor(from, dest string) error
	Unmonitor(from, dest string) error
	Link(from, dest string) error
	Unlink(from, dest string) error
	Register(name, pid string) error
	Lookup(name string) (string, error)
	Unregister(name string) error
}

// Self is the calling process. Inbox items are Message values, Events items
// are Event values.
type Self interface {
	PID() string
	ID() string        // registry entry id of the running script
	Namespace() string // for resolving bare entry names in spawn
	Inbox() Source
	Events() Source
	TrapLinks() bool
	SetTrapLinks(bool)
}

// ProcCtx is the process context of one LState call: who is running and
// how to reach the runtime. It also caches the Lua channel objects so that
// process.inbox() returns the same object on every call.
type ProcCtx struct {
	Self  Self
	Procs Processes

	inboxUD, eventsUD *lua.LUserData // created on first use, per call
	sent              sendCache
}

type procKey struct{}

// WithProcess returns a context carrying pc.
func WithProcess(ctx context.Context, pc *ProcCtx) context.Context {
	return context.WithValue(ctx, procKey{}, pc)
}

// ProcessFrom returns the process context in ctx, or nil.
func ProcessFrom(ctx context.Context) *ProcCtx {
	if ctx == nil {
		return nil
	}
	pc, _ := ctx.Value(procKey{}).(*ProcCtx)
	return pc
}
