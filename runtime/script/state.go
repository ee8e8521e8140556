package script

import (
	lua "github.com/yuin/gopher-lua"
)

// Loader builds the value `require(name)` returns for a built-in module. It
// runs once per LState; the result is cached on the State.
type Loader func(L *lua.LState) lua.LValue

// Modules is the explicit list of built-in modules an entry may require.
type Modules map[string]Loader

// Setup prepares a brand-new LState (globals such as `errors`, `process`,
// `channel`). It is injected by the composition root.
type Setup func(L *lua.LState)

// StateOptions tunes LState memory. Zero values take the defaults below.
type StateOptions struct {
	CallStackSize    int // frames; default 200
	RegistrySize     int // initial value stack slots; default 128 (gopher-lua minimum)
	RegistryMaxSize  int // growth limit; default 256*1024
	RegistryGrowStep int // default 128
}

func (o StateOptions) withDefaults() lua.Options {
	lo := lua.Options{
		CallStackSize:       o.CallStackSize,
		RegistrySize:        o.RegistrySize,
		RegistryMaxSize:     o.RegistryMaxSize,
		RegistryGrowStep:    o.RegistryGrowStep,
		MinimizeStackMemory: true,
	}
	if lo.CallStackSize == 0 {
		lo.CallStackSize = 200
	}
	if lo.RegistrySize == 0 {
		lo.RegistrySize = 128
	}
	if lo.RegistryMaxSize == 0 {
		lo.RegistryMaxSize = 256 * 1024
	}
	if lo.RegistryGrowStep == 0 {
		lo.RegistryGrowStep = 128
	}
	return lo
}

// State is one LState with its cached built-in module tables. It has one
// owner goroutine at a time (see package doc).
type State struct {
	L       *lua.LState
	modules map[string]lua.LValue
	broken  bool

	frames   map[*Unit]*frame     // per-unit env chains (env.go)
	bound    []*frame             // frames whose _G is an env of the current call
	last     *frame               // the frame used last
	copyMeta *lua.LTable          // metatable of every frame base (env.go)
	loaded   map[*Unit]lua.LValue // libraries loaded by the current call
}

// Factory creates States with the same libraries, globals and modules.
type Factory struct {
	Modules Modules
	// Globals are installed on first access of their name (see lazy.go);
	// each function must set the global of that name.
	Globals map[string]func(L *lua.LState)
	Setup   Setup // eager per-State setup, run after the base libraries
	Options StateOptions
}

// Initial string-key capacities of the registry and global tables. A Go map
// created for at most 8 entries is a single group.
const (
	registryHint = 8
	globalHint   = 8
)

// New creates a fresh State. Every standard library (base functions one by
// one) and every entry of Globals is opened on first use (see lazy.go).
func (f *Factory) New() *State {
	opts := f.Options.withDefaults()
	opts.SkipOpenLibs = true
	L := lua.NewState(opts)
	// gopher-lua sizes the registry and global tables for 32 and 64 string
	// keys (about 7 KB); with every library opened lazily (lazy.go) a
	// process LState holds a handful of each, and the maps grow on demand.
	L.G.Registry = L.CreateTable(0, registryHint)
	L.G.Global = L.CreateTable(0, globalHint)
	L.Env = L.G.Global
	installLazyGlobals(L, f.Globals)
	if f.Setup != nil {
		f.Setup(L)
	}
	return &State{L: L, modules: make(map[string]lua.LValue)}
}

// module returns the cached module value, loading it on first use.
func (s *State) module(f *Factory, name string) (lua.LValue, bool) {
	if v, ok := s.modules[name]; ok {
		return v, true
	}
	load, ok := f.Modules[name]
	if !ok {
		return nil, false
	}
	v := load(s.L)
	s.modules[name] = v
	return v, true
}

// MarkBroken stops the State from being returned to a pool (for example
// after a Go panic left it in an unknown condition).
func (s *State) MarkBroken() { s.broken = true }

// Close releases the LState.
func (s *State) Close() { s.L.Close() }
