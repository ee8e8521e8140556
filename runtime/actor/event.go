package actor

import (
	"strconv"
	"time"
)

// Message is one delivery to a process's inbox. From is the sender (zero when
// the sender is not a process). Payload is opaque plain data, owned by the
// receiver once delivered; the sender must not retain or mutate it.
type Message struct {
	From    PID
	Topic   string
	Payload []any
	// Shared: this Payload slice goes out in other messages too (a
	// broadcast loop sending one unchanged table). Payloads are never
	// mutated after sending, so a receiver may cache what it derives from
	// a shared one (an encoding) under &Payload[i].
	Shared bool
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventExit: a monitored process exited (normally or not).
	EventExit EventKind = iota + 1
	// EventLinkDown: a linked process exited with an error.
	EventLinkDown
	// EventCancel: another process asked this one to cancel (cooperative).
	EventCancel
)

// String returns the Lua-visible kind: "pid.exit", "pid.link.down",
// "pid.cancel".
func (k EventKind) String() string {
	switch k {
	case EventExit:
		return "pid.exit"
	case EventLinkDown:
		return "pid.link.down"
	case EventCancel:
		return "pid.cancel"
	}
	return "pid.unknown(" + strconv.Itoa(int(k)) + ")"
}

// Event is a system delivery. For EventExit and EventLinkDown, From is the
// exited process and Result/Err its exit values; for EventCancel, From is
// the requester and Reason its text.
type Event struct {
	Kind   EventKind
	From   PID
	At     time.Time
	Result any
	Err    error
	Reason string
}
