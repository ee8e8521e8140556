// Package endpoint adapts one function.lua entry to an http.Handler.
//
// For each request the handler goroutine takes a State from the entry's
// pool, owns it for the whole call (the LState's context is the request
// context, so a client disconnect or shutdown interrupts Lua code), and gives
// it back. Panics are recovered here (one of the two recovery points of the
// host) and logged with the stack; the State is then discarded.
package endpoint
