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
// again when required. Errors carry the script's file:line.
func (u *Unit) Instantiate(s *State) (*lua.LFunction, error) {
	clear(s.loaded)
	exports, err := s.load(u)
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
	return fn, nil
}

// load executes a unit's chunk in a fresh env (see env.go).
func (s *State) load(u *Unit) (lua.LValue, error) {
	L := s.L
	chunk := L.NewFunctionFromProto(u.Program.Proto)
	chunk.Env = s.newEnv(u)
	if err := L.CallByParam(lua.P{Fn: chunk, NRet: 1, Protect: true}); err != nil {
		return nil, err
	}
	v := L.Get(-1)
	L.Pop(1)
	return v, nil
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
