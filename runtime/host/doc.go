// Package host is the composition root: it turns a registry into a running
// application (HTTP servers, routers, Lua endpoints) and owns its lifetime.
//
// A Generation is everything built from one registry load: compiled
// programs, units, pools and one route table per server. It is immutable
// once built; servers read the current generation's handler through an
// atomic pointer, so a later reload can swap it without touching open
// connections. The Host owns the listeners and server goroutines; Shutdown
// stops them and waits.
package host
