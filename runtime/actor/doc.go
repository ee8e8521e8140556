// Package actor is luahost's actor kernel: it owns process identifiers
// (PIDs), spawning and exiting processes, registered names, mailboxes,
// monitors and links, exit reasons, and shutdown.
//
// It knows nothing of Lua, HTTP, SSE or YAML and imports no other project
// package. Payloads are opaque []any values that the caller has already
// deep-copied; the kernel never inspects or copies them.
//
// # Kinds of processes
//
// Every process is a *Proc registered in one Kernel under a PID that is never
// reused (an atomic counter). There are two ways to create one:
//
//   - Spawn starts a goroutine owned by the kernel that calls run(p). The
//     process exits when run returns (a panic is recovered, logged with its
//     stack and becomes an error exit carrying a *PanicError).
//   - Attach registers a process driven by the caller's goroutine (an HTTP
//     handler call, an SSE relay stream). The caller must call Proc.Exit
//     exactly when it is done; Shutdown waits for it.
//
// # Delivery
//
// Send never blocks: it finds the receiver in a sharded PID table (one
// read-locked shard, no global lock) and pushes into the receiver's Mailbox.
// A dead or unknown PID drops the message silently. Deliveries from one
// sender goroutine to one receiver arrive in the order sent.
//
// The default Mailbox is a QueueMailbox: two unbounded FIFO queues, one for
// messages and one for events, so consumers can drain events before
// messages.
//
// Mailbox overflow policy: the default QueueMailbox holds at most
// Options.MailboxLimit queued messages (default 100,000; the same bound
// applies to its event queue). A delivery that would exceed it is dropped and
// the receiving process is terminated with ErrMailboxOverflow: its context
// is cancelled with that cause, its exit error becomes ErrMailboxOverflow,
// and the kernel logs one warning. Any Mailbox whose Push method returns
// false gets the same treatment.
//
// # Exit semantics (SPEC 7.2)
//
// A process exits exactly once (Proc.Exit; later calls are no-ops). On exit
// the kernel, in this order: removes the PID from the table (later sends are
// dropped), releases its registered names, closes its mailbox if it has a
// Close method, sends EventExit{Result, Err} to every monitor, and, for every
// linked process, removes the link and — only if Err != nil — sends
// EventLinkDown to it. A linked process whose trap_links flag is false is
// then killed with ErrLinkedFailed (it still receives the event). Finally the
// exiting process's context is cancelled.
//
// A process that was killed — by Terminate (ErrTerminated), a failed link
// (ErrLinkedFailed) or mailbox overflow (ErrMailboxOverflow) — has its
// context cancelled with that cause, and whatever it passes to Exit (or
// returns from run), its exit result is nil and its exit error is the kill
// cause. The first kill wins. Shutdown cancels contexts with ErrShutdown but
// does not override exit values.
//
// Links are bidirectional, monitors one-way; both are removed when either
// side exits. Monitoring or linking a PID that is not alive fails with
// ErrNotFound.
//
// # Goroutines and shutdown
//
// The kernel starts exactly one goroutine per Spawn and no others. Shutdown
// cancels every process's context with cause ErrShutdown, refuses new
// processes, and waits until every spawned goroutine has returned and every
// attached process has called Exit, or until its context is done.
package actor
