package script

import (
	"fmt"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Unit is one registry entry that runs Lua: a function.lua, process.lua or
// library.lua with its compiled program, allowed modules and imports. Units
// are immutable after construction and belong to one generation.
type Unit struct {
	ID      string          // registry id, e.g. "app:hello"
	Program *Program        // compiled script
	Method  string          // function to call in the returned table ("" for libraries)
	Modules map[string]bool // allow-list for require
	Imports map[string]*Unit
	Factory *Factory
}

// scope is the per-call require cache: each library is loaded at most once
// per call, and the cache is dropped with the call.
type scope struct {
	state  *State
	loaded map[*Unit]lua.LValue
}

// Instantiate runs the unit's chunk in a fresh environment on s and returns
// the function named by Method. It must run on s's owner goroutine, and it
// starts a new call on s: libraries loaded by an earlier call are loaded
// again when required. When an earlier call on s ran the chunk and nothing
// has changed what it built, that result is returned instead of running
// the chunk again (see keep.go). Errors carry the script's file:line.
func (u *Unit) Instantiate(s *State) (*lua.LFunction, error) {
	clear(s.loaded)
	f := s.frame(u)
	if fn := s.reuse(f); fn != nil {
		return fn, nil
	}
	env, exports, err := s.run(u)
	if err != nil {
		return nil, err
	}
	tbl, ok := exports.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("%s: script must return a table of functions, got %s", u.Program.Display, exports.Type())
	}
	fn, ok := tbl.RawGetString(u.Method).(*lua.LFunction)
	if !ok {
		return nil, fmt.Errorf("%s: returned table has no function %q (entry %s)", u.Program.Display, u.Method, u.ID)
	}
	f.record(s, env, exports, fn)
	return fn, nil
}

// load executes a library's chunk in a fresh env and returns its value.
func (s *State) load(u *Unit) (lua.LValue, error) {
	_, v, err := s.run(u)
	return v, err
}

// run executes a unit's chunk in a fresh env (see env.go) and returns the
// env and the chunk's value.
func (s *State) run(u *Unit) (*lua.LTable, lua.LValue, error) {
	L := s.L
	chunk := L.NewFunctionFromProto(u.Program.Proto)
	env := s.newEnv(u)
	chunk.Env = env
	if err := L.CallByParam(lua.P{Fn: chunk, NRet: 1, Protect: true}); err != nil {
		return nil, nil, err
	}
	v := L.Get(-1)
	L.Pop(1)
	return env, v, nil
}

// keepable reports whether the result of u's chunk may be kept between
// calls (see keep_static.go): the chunk qualifies and requires built-in
// modules only, never a library.
func (u *Unit) keepable() bool {
	if u.Program == nil || !u.Program.keep.ok {
		return false
	}
	for _, name := range u.Program.keep.requires {
		if _, lib := u.Imports[name]; lib || !u.Modules[name] {
			return false
		}
		if _, ok := u.Factory.Modules[name]; !ok {
			return false
		}
	}
	return true
}

// requireFor returns the `require` seen by code of unit u on s. Libraries
// are loaded at most once per call (s.loaded is reset by Instantiate).
func (s *State) requireFor(u *Unit) lua.LGFunction {
	return func(L *lua.LState) int {
		name := L.CheckString(1)
		if lib, ok := u.Imports[name]; ok {
			L.Push(s.library(L, lib))
			return 1
		}
		if u.Modules[name] {
			if v, ok := s.module(u.Factory, name); ok {
				L.Push(v)
				return 1
			}
		}
		L.RaiseError("%s", u.requireError(name))
		return 0
	}
}

func (s *State) library(L *lua.LState, lib *Unit) lua.LValue {
	if v, ok := s.loaded[lib]; ok {
		return v
	}
	v, err := s.load(lib)
	if err != nil {
		L.RaiseError("loading library %s: %s", lib.ID, ErrorMessage(err))
	}
	if s.loaded == nil {
		s.loaded = make(map[*Unit]lua.LValue)
	}
	s.loaded[lib] = v
	return v
}

func (u *Unit) requireError(name string) string {
	if _, known := u.Factory.Modules[name]; known {
		return fmt.Sprintf("module %q is not allowed for %s (add it to modules:)", name, u.ID)
	}
	avail := make([]string, 0, len(u.Modules)+len(u.Imports))
	for m := range u.Modules {
		avail = append(avail, m)
	}
	for a := range u.Imports {
		avail = append(avail, a)
	}
	sort.Strings(avail)
	return fmt.Sprintf("module %q not found for %s (available: %s)", name, u.ID, strings.Join(avail, ", "))
}
