package script

import (
	lua "github.com/yuin/gopher-lua"
)

// Keeping a chunk's result (see keep_static.go for which chunks qualify).
//
// After a keepable chunk ran, the State records every table and function
// reachable from its env and its exports: each table's entries and
// metatable, each function's env and upvalue values. The State's modules
// and globals are left out: they outlive every call anyway, kept or not
// (see shared). Before the next call of the unit on that State, the record
// is compared with the live values; if nothing changed, the call reuses
// the env and the exports instead of running the chunk again. Any change a call made — a global written, a
// module-level local assigned, a field of the exports set, a metatable or
// an env replaced — shows up in the comparison, and the next call runs the
// chunk afresh, exactly as without keeping. What a call could observe of
// the reuse is only the identity of the objects (tostring of a function).

// Bounds on what is kept. A chunk whose result reaches a userdata, a
// thread or a channel (whose state the record cannot see), or more than
// maxKeptValues values, is never kept; a unit whose calls changed the
// kept result maxKeepMisses times in a row stops being kept on that State.
const (
	maxKeptValues = 512
	maxKeepMisses = 4
)

// kept is one recorded chunk result.
type kept struct {
	env    *lua.LTable
	fn     *lua.LFunction // the unit's method, from the exports
	tables []keptTable
	funcs  []keptFunc
	vals   []lua.LValue // recorded contents, indexed by the records
}

type keptTable struct {
	t          *lua.LTable
	meta       lua.LValue
	start, end int // vals[start:end] = key, value, key, value, ...
}

type keptFunc struct {
	f          *lua.LFunction
	env        *lua.LTable
	start, end int // vals[start:end] = upvalue values
}

// keepState is a frame's keeping status.
type keepState struct {
	never  bool // the unit is not kept on this State
	misses int  // kept results invalidated in a row
	cur    *kept
}

// reuse returns the kept method of f's unit when no call changed the kept
// result, binding `_G` to its env for the call; otherwise it drops the
// result and returns nil.
func (s *State) reuse(f *frame) *lua.LFunction {
	k := f.keep.cur
	if k == nil {
		return nil
	}
	if !k.unchanged() {
		f.keep.cur = nil
		f.keep.misses++
		f.keep.never = f.keep.misses >= maxKeepMisses
		return nil
	}
	f.keep.misses = 0
	s.bindG(f, k.env)
	return k.fn
}

// record keeps the result of a chunk that just ran on s (env, exports,
// method) when the unit qualifies.
func (f *frame) record(s *State, env *lua.LTable, exports lua.LValue, fn *lua.LFunction) {
	if f.keep.never {
		return
	}
	k := &kept{env: env, fn: fn}
	w := keepWalker{k: k, seen: f.shared(s)}
	if !w.visit(env) || !w.visit(exports) {
		f.keep.never = true
		return
	}
	f.keep.cur = k
}

// shared returns the values of s that outlive every call whether or not
// a chunk result is kept: built-in modules, globals (also as copied into
// f's base) and f's require. A call that changes one of them changes it
// for later calls in any case, so the record leaves them out.
func (f *frame) shared(s *State) map[lua.LValue]bool {
	seen := make(map[lua.LValue]bool)
	for _, v := range s.modules {
		seen[v] = true
	}
	add := func(_, v lua.LValue) { seen[v] = true }
	s.L.G.Global.ForEach(add)
	f.base.ForEach(add)
	delete(seen, f.g) // base._G: this call's env
	return seen
}

// keepWalker records everything reachable from the values it visits,
// except the values already in seen.
type keepWalker struct {
	k    *kept
	seen map[lua.LValue]bool
}

func (w *keepWalker) visit(v lua.LValue) bool {
	switch v := v.(type) {
	case *lua.LNilType, lua.LBool, lua.LNumber, lua.LString:
		return true
	case *lua.LTable:
		return w.seen[v] || w.table(v)
	case *lua.LFunction:
		return w.seen[v] || w.function(v)
	}
	return false // userdata, thread, channel
}

func (w *keepWalker) table(t *lua.LTable) bool {
	w.seen[t] = true
	k := w.k
	start := len(k.vals)
	for key, val := t.Next(lua.LNil); key != lua.LNil; key, val = t.Next(key) {
		k.vals = append(k.vals, key, val)
	}
	k.tables = append(k.tables, keptTable{t: t, meta: t.Metatable, start: start, end: len(k.vals)})
	return w.visitFrom(start)
}

func (w *keepWalker) function(f *lua.LFunction) bool {
	w.seen[f] = true
	k := w.k
	start := len(k.vals)
	for _, uv := range f.Upvalues {
		k.vals = append(k.vals, uv.Value())
	}
	k.funcs = append(k.funcs, keptFunc{f: f, env: f.Env, start: start, end: len(k.vals)})
	return w.visitFrom(start)
}

// visitFrom visits the values recorded from start on; false (nothing is
// kept) if the record grew past maxKeptValues or reached a value that
// cannot be kept.
func (w *keepWalker) visitFrom(start int) bool {
	if len(w.k.vals) > maxKeptValues {
		return false
	}
	for _, v := range w.k.vals[start:] {
		if !w.visit(v) {
			return false
		}
	}
	return true
}

// unchanged reports whether every recorded table and function still holds
// exactly what was recorded. Nothing new can have become reachable without
// a recorded table or function changing.
func (k *kept) unchanged() bool {
	for i := range k.tables {
		if !k.tables[i].unchanged(k.vals) {
			return false
		}
	}
	for i := range k.funcs {
		if !k.funcs[i].unchanged(k.vals) {
			return false
		}
	}
	return true
}

func (r *keptTable) unchanged(vals []lua.LValue) bool {
	if r.t.Metatable != r.meta {
		return false
	}
	i := r.start
	for key, val := r.t.Next(lua.LNil); key != lua.LNil; key, val = r.t.Next(key) {
		if i == r.end || vals[i] != key || vals[i+1] != val {
			return false
		}
		i += 2
	}
	return i == r.end
}

func (r *keptFunc) unchanged(vals []lua.LValue) bool {
	f := r.f
	if f.Env != r.env || len(f.Upvalues) != r.end-r.start {
		return false
	}
	for i, uv := range f.Upvalues {
		if uv.Value() != vals[r.start+i] {
			return false
		}
	}
	return true
}
