package script

import (
	lua "github.com/yuin/gopher-lua"
)

// Every call runs a unit's chunk in a fresh, empty global table (its env),
// so a global written by one call is never seen by another (a kept chunk
// result, keep.go, is reused only while its env is still empty). What the env
// reads but does not hold comes through a chain of __index tables that
// belong to the State and are built once per unit:
//
//	env (per call, empty) --meta--> base (per State and unit)
//	    base: _G = the current call's env, require = the unit's require,
//	          plus a copy of each global of the State read so far
//	    base --meta.__index--> copyGlobal: reads L.G.Global (lazy.go), keeps
//	          the value in base
//
// An empty env costs one small allocation; building `_G` and `require`
// into each env cost a Go map, a key slice, a key-index map and a closure
// per call. Copying used globals into base keeps a global read at two
// table look-ups, as it was with env --> globals.
//
// Observable differences from an env holding _G and require itself, none
// of them in the SPEC: rawget(_G, "require") and rawget(_G, "_G") are nil,
// pairs(_G) lists only globals the call wrote, and assigning nil to `_G`
// or `require` leaves the unit's value visible.

// frame is the per-State, per-unit part of the chain.
type frame struct {
	unit *Unit
	meta *lua.LTable // metatable of every env of the unit: {__index = base}
	base *lua.LTable
	g    *lua.LTable // the env that base._G holds, nil for none
	keep keepState   // the unit's kept chunk result (keep.go)
}

// maxFrames bounds the frames a State keeps. A pooled handler State runs
// one unit and its libraries; the process pool's States run many units
// across reloads, so past the bound the cache starts over.
const maxFrames = 16

// newEnv returns an empty env for one call of u, with `_G` bound to it.
func (s *State) newEnv(u *Unit) *lua.LTable {
	f := s.frame(u)
	env := s.L.CreateTable(0, 0)
	env.Metatable = f.meta
	s.bindG(f, env)
	return env
}

// bindG makes env the `_G` of f's unit until the call ends.
func (s *State) bindG(f *frame, env *lua.LTable) {
	if f.g != env {
		f.base.RawSetString("_G", env)
		f.g = env
	}
	s.bound = append(s.bound, f)
}

// frame returns u's frame on s, building it on first use.
func (s *State) frame(u *Unit) *frame {
	if f := s.last; f != nil && f.unit == u { // a pooled State runs one unit
		return f
	}
	if f, ok := s.frames[u]; ok {
		s.last = f
		return f
	}
	if s.frames == nil || len(s.frames) >= maxFrames {
		s.frames = make(map[*Unit]*frame, 1)
	}
	L := s.L
	base := L.CreateTable(0, 4)
	base.Metatable = s.globalsMeta()
	base.RawSetString("require", L.NewFunction(s.requireFor(u)))
	meta := L.CreateTable(0, 1)
	meta.RawSetString("__index", base)
	f := &frame{unit: u, meta: meta, base: base, keep: keepState{never: !u.keepable()}}
	s.frames[u] = f
	s.last = f
	return f
}

// globalsMeta is the metatable of every base on s: {__index = copyGlobal}.
func (s *State) globalsMeta() *lua.LTable {
	if s.copyMeta == nil {
		s.copyMeta = s.L.CreateTable(0, 1)
		s.copyMeta.RawSetString("__index", s.L.NewFunction(copyGlobal))
	}
	return s.copyMeta
}

// copyGlobal is base's __index(base, name): the State's global of that
// name (installed on first use, see lazy.go), kept in base when it exists.
// Globals of a State are set up once and then only read, so the copy stays
// equal to the original.
func copyGlobal(L *lua.LState) int {
	base := L.CheckTable(1)
	key := L.Get(2)
	v := L.GetTable(L.G.Global, key)
	if name, ok := key.(lua.LString); ok && v != lua.LNil {
		base.RawSetString(string(name), v)
	}
	L.Push(v)
	return 1
}

// endCall drops what the State still references from the last call (its
// envs, unless kept for the next call, and loaded libraries), so an idle
// State does not keep them alive.
func (s *State) endCall() {
	for i, f := range s.bound {
		if k := f.keep.cur; k == nil || k.env != f.g {
			// false, not nil: replacing a value costs less than
			// deleting the key and adding it again on the next call.
			f.base.RawSetString("_G", lua.LFalse)
			f.g = nil
		}
		s.bound[i] = nil
	}
	s.bound = s.bound[:0]
	clear(s.loaded)
}
