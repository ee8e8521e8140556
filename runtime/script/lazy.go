package script

import (
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// Opening every standard library costs about 60 KB per LState, most of it
// for libraries a given script never touches (io alone is 17 KB), and even
// the base and string libraries cost about 12 KB. Every Lua process holds
// an LState for its whole life, so nothing is opened eagerly: each base
// function, each standard library and each host global is installed the
// first time a script reads its global name, and the string library is
// opened on the first string method call (s:upper()) or read of `string`.
// The loaders run on the State's owner goroutine.
//
// Observable differences from eager opening, none of them in the SPEC:
// pairs/next over the global table only see names already used, and
// getmetatable("") returns a small stub until the string library is open.

// stdLazy lists the standard libraries opened on first use. gopher-lua's
// own `channel` library is deliberately absent: luahost provides `channel`.
var stdLazy = map[string]lua.LGFunction{
	lua.StringLibName:    lua.OpenString,
	lua.TabLibName:       lua.OpenTable,
	lua.MathLibName:      lua.OpenMath,
	lua.OsLibName:        lua.OpenOs,
	lua.IoLibName:        lua.OpenIo,
	lua.DebugLibName:     lua.OpenDebug,
	lua.CoroutineLibName: lua.OpenCoroutine,
	lua.LoadLibName:      lua.OpenPackage,
}

func openLib(L *lua.LState, name string, open lua.LGFunction) {
	L.Push(L.NewFunction(open))
	L.Push(lua.LString(name))
	L.Call(1, 0)
}

// baseGlobal says how to recreate one global of gopher-lua's base library
// on a given LState. Only Go function values and immutable scalars are
// kept here; every LState gets its own *LFunction objects (they are
// mutable from Lua through debug.setfenv and debug.setupvalue, so they are
// never shared between LStates).
type baseGlobal struct {
	fn     lua.LGFunction   // a Go function, or nil for a scalar or _G
	upvals []lua.LGFunction // Go-function upvalues of fn (pairs, ipairs)
	value  lua.LValue       // an immutable scalar (_VERSION) when fn is nil
	self   bool             // the global table itself (_G)
}

// baseGlobals describes the base library, read once from a template LState
// on which lua.OpenBase ran. It is nil if the library holds something that
// cannot be recreated that way (a future gopher-lua); New then opens the
// base library eagerly, as before.
var baseGlobals = sync.OnceValue(func() map[string]baseGlobal {
	T := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer T.Close()
	openLib(T, lua.BaseLibName, lua.OpenBase)
	out := make(map[string]baseGlobal)
	ok := true
	T.G.Global.ForEach(func(k, v lua.LValue) {
		name, isStr := k.(lua.LString)
		if !isStr {
			ok = false
			return
		}
		switch v := v.(type) {
		case lua.LString, lua.LNumber, lua.LBool:
			out[string(name)] = baseGlobal{value: v}
		case *lua.LTable:
			ok = ok && v == T.G.Global
			out[string(name)] = baseGlobal{self: true}
		case *lua.LFunction:
			if !v.IsG {
				ok = false
				return
			}
			g := baseGlobal{fn: v.GFunction}
			for _, uv := range v.Upvalues {
				f, isFn := uv.Value().(*lua.LFunction)
				if !isFn || !f.IsG || len(f.Upvalues) != 0 {
					ok = false
					return
				}
				g.upvals = append(g.upvals, f.GFunction)
			}
			out[string(name)] = g
		default:
			ok = false
		}
	})
	if !ok {
		return nil
	}
	return out
})

// install sets the global name on L as lua.OpenBase would have.
func (b baseGlobal) install(L *lua.LState, name string) {
	g := L.G.Global
	switch {
	case b.self:
		g.RawSetString(name, g)
	case b.fn == nil:
		g.RawSetString(name, b.value)
	default:
		if name == "module" || name == "require" {
			// They read registry._LOADED, which OpenBase creates (with
			// _G in it) when it registers itself as a module.
			loaded := L.FindTable(L.G.Registry, "_LOADED", 1).(*lua.LTable)
			if loaded.RawGetString("_G") == lua.LNil {
				loaded.RawSetString("_G", g)
			}
		}
		up := make([]lua.LValue, len(b.upvals))
		for i, f := range b.upvals {
			up[i] = L.NewFunction(f)
		}
		g.RawSetString(name, L.NewClosure(b.fn, up...))
	}
}

// installLazyGlobals gives the global table an __index that installs a
// base function, a library or a host global on first access and then
// answers from the table, and gives strings a metatable that opens the
// string library on the first method call.
func installLazyGlobals(L *lua.LState, globals map[string]func(*lua.LState)) {
	base := baseGlobals()
	if base == nil {
		openLib(L, lua.BaseLibName, lua.OpenBase)
	}
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		g := L.G.Global
		name, ok := L.Get(2).(lua.LString)
		if !ok {
			return 0
		}
		if b, ok := base[string(name)]; ok {
			b.install(L, string(name))
		} else if open, ok := stdLazy[string(name)]; ok {
			openLib(L, string(name), open)
		} else if setup, ok := globals[string(name)]; ok {
			setup(L)
		} else {
			return 0
		}
		L.Push(g.RawGetString(string(name)))
		return 1
	}))
	L.G.Global.Metatable = mt

	stub := L.CreateTable(0, 1)
	stub.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		if L.GetMetatable(lua.LString("")) == stub {
			openLib(L, lua.StringLibName, lua.OpenString)
		}
		if L.GetMetatable(lua.LString("")) == stub {
			return 0 // cannot happen: OpenString replaces the metatable
		}
		L.Push(L.GetTable(L.Get(1), L.Get(2)))
		return 1
	}))
	L.SetMetatable(lua.LString(""), stub)
}
