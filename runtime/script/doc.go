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
//     call are never seen by the next call on the same pooled LState. A chunk
//     that only requires modules and builds tables and functions may instead
//     be run once per State and its result reused for as long as no call
//     changed any of it (keep.go, keep_static.go): the next call then sees
//     exactly what a fresh run would build.
//   - Host modules and globals are built once per State, so a field read of
//     one must give the same value in every call (keep_static.go relies on
//     it when it lets a kept chunk read them).
//
// The package knows nothing of HTTP or of the Lua modules themselves: module
// loaders are injected by the composition root as a Modules map.
package script
