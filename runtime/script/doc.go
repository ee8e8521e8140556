// Package script compiles Lua scripts once per generation and runs them on
// pooled LStates.
//
// Ownership rules:
//   - A *Program (compiled *lua.FunctionProto) is read-only after Compile and
//     is shared by every LState that runs it, on any goroutine.
//   - A *State (one *lua.LState plus its cached module tables) has exactly one
//     owner goroutine at a time: whoever took it from a Pool (or created it for
//     a process) until it is returned with Put.
//   - Every call instantiates the script's chunk in a fresh global environment
//     (see Unit.Instantiate), so globals and module-level locals written by one
//     call are never seen by the next call on the same pooled LState.
//
// The package knows nothing of HTTP or of the Lua modules themselves: module
// loaders are injected by the composition root as a Modules map.
package script
