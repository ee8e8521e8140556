// Package luaproc runs Lua processes on the actor kernel and gives Lua code
// (processes and HTTP handler calls) its view of the kernel through the
// luamod.Processes interface.
//
// A Lua process is one kernel-owned goroutine with one LState for its whole
// life: the State is taken when the process starts, the main function runs
// under the process context (so terminate, a failed link or shutdown
// interrupts Lua code and every blocking call), and the State goes back to a
// pool after a clean exit. Panics are recovered by the kernel (one of the
// two recovery points of the host) and become error exits.
//
// An HTTP handler call becomes a process lazily (Lazy): the kernel entry is
// created on the first process.* call that needs a PID, and exits when the
// handler returns, so plain handlers pay nothing.
package luaproc
