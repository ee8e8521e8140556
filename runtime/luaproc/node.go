package luaproc

import (
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"

	"luahost/luamod"
	"luahost/runtime/actor"
	"luahost/runtime/script"
)

// Catalog is what spawning needs from the current generation.
type Catalog interface {
	// ProcessUnit returns the compiled process.lua entry with this full id.
	ProcessUnit(id string) (*script.Unit, bool)
	// IsHost reports whether id is a process.host entry.
	IsHost(id string) bool
}

// Node adapts the kernel to luamod.Processes. It is safe for concurrent use.
type Node struct {
	K       *actor.Kernel
	Log     *slog.Logger
	catalog atomic.Pointer[catalogBox]
	states  *script.Pool // idle LStates for processes
}

type catalogBox struct{ c Catalog }

var _ luamod.Processes = (*Node)(nil)

// NewNode creates a node over kernel k; processes get LStates from f.
func NewNode(k *actor.Kernel, f *script.Factory, log *slog.Logger) *Node {
	return &Node{K: k, Log: log, states: script.NewPool(f, 64)}
}

// SetCatalog swaps the catalog (on start and on reload).
func (n *Node) SetCatalog(c Catalog) { n.catalog.Store(&catalogBox{c}) }

func (n *Node) cat() Catalog {
	if b := n.catalog.Load(); b != nil {
		return b.c
	}
	return nil
}

// ParsePID parses a PID string for Lua callers (INVALID on error).
func ParsePID(s string) (actor.PID, error) {
	pid, err := actor.ParsePID(s)
	if err != nil {
		return actor.PID{}, luamod.NewError(luamod.INVALID, "malformed pid %q", s)
	}
	return pid, nil
}

// resolve turns a PID string or registered name into a PID.
func (n *Node) resolve(dest string) (actor.PID, error) {
	if strings.HasPrefix(dest, "{") {
		return ParsePID(dest)
	}
	pid, ok := n.K.Lookup(dest)
	if !ok {
		return actor.PID{}, luamod.NewError(luamod.NOT_FOUND, "no process registered as %q", dest)
	}
	return pid, nil
}

// Send delivers a message; a dead PID drops it silently.
func (n *Node) Send(from luamod.Self, dest, topic string, payload []any, shared bool) error {
	to, err := n.resolve(dest)
	if err != nil {
		return err
	}
	n.K.Deliver(to, actor.Message{From: senderPID(from), Topic: topic, Payload: payload, Shared: shared})
	return nil
}

// senderPID is from's PID without parsing its string when it is a
// process of this package.
func senderPID(from luamod.Self) actor.PID {
	if s, ok := from.(*self); ok {
		return s.p.PID()
	}
	pid, _ := actor.ParsePID(from.PID())
	return pid
}

// Terminate kills dest with "process terminated".
func (n *Node) Terminate(from, dest string) error {
	to, err := n.resolve(dest)
	if err != nil {
		return err
	}
	return kernelErr(n.K.Terminate(to), dest)
}

// Cancel delivers a CANCEL event with reason.
func (n *Node) Cancel(from, dest, reason string) error {
	to, err := n.resolve(dest)
	if err != nil {
		return err
	}
	src, _ := actor.ParsePID(from)
	return kernelErr(n.K.Cancel(src, to, reason), dest)
}

func (n *Node) relate(from, dest string, op func(a, b actor.PID) error) error {
	to, err := n.resolve(dest)
	if err != nil {
		return err
	}
	src, err := ParsePID(from)
	if err != nil {
		return err
	}
	return kernelErr(op(src, to), dest)
}

// Monitor makes from watch dest.
func (n *Node) Monitor(from, dest string) error { return n.relate(from, dest, n.K.Monitor) }

// Unmonitor removes a monitor.
func (n *Node) Unmonitor(from, dest string) error { return n.relate(from, dest, n.K.Demonitor) }

// Link links from and dest.
func (n *Node) Link(from, dest string) error { return n.relate(from, dest, n.K.Link) }

// Unlink removes a link.
func (n *Node) Unlink(from, dest string) error { return n.relate(from, dest, n.K.Unlink) }

// Register names pid.
func (n *Node) Register(name, pid string) error {
	p, err := ParsePID(pid)
	if err != nil {
		return err
	}
	return kernelErr(n.K.Register(name, p), pid)
}

// Lookup finds a registered name.
func (n *Node) Lookup(name string) (string, error) {
	pid, ok := n.K.Lookup(name)
	if !ok {
		return "", luamod.NewError(luamod.NOT_FOUND, "no process registered as %q", name)
	}
	return pid.String(), nil
}

// Unregister releases a name.
func (n *Node) Unregister(name string) error {
	if !n.K.Unregister(name) {
		return luamod.NewError(luamod.NOT_FOUND, "no process registered as %q", name)
	}
	return nil
}

// kernelErr maps kernel errors to Lua error kinds.
func kernelErr(err error, subject string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, actor.ErrNotFound):
		return luamod.NewError(luamod.NOT_FOUND, "%s: process not alive", subject)
	case errors.Is(err, actor.ErrAlreadyExists):
		return luamod.NewError(luamod.ALREADY_EXISTS, "%v", err)
	case errors.Is(err, actor.ErrInvalid):
		return luamod.NewError(luamod.INVALID, "%v", err)
	case errors.Is(err, actor.ErrShutdown):
		return luamod.NewError(luamod.CANCELED, "%v", err)
	}
	return luamod.NewError(luamod.INTERNAL, "%v", err)
}
