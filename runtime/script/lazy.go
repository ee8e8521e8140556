package script

import (
	lua "github.com/yuin/gopher-lua"
)

// Opening every standard library costs about 60 KB per LState, most of it
// for libraries a given script never touches (io alone is 17 KB). So only
// base and string (whose metatable serves s:upper()) are opened eagerly;
// the rest, and the host's own globals, are opened the first time a script
// reads the global. The loader runs on the State's owner goroutine.

// stdLazy lists the standard libraries opened on first use. gopher-lua's
// own `channel` library is deliberately absent: luahost provides `channel`.
var stdLazy = map[string]lua.LGFunction{
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

// installLazyGlobals gives the global table an __index that opens a
// library or host global on first access and then answers from the table.
func installLazyGlobals(L *lua.LState, globals map[string]func(*lua.LState)) {
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		g := L.G.Global
		name, ok := L.Get(2).(lua.LString)
		if !ok {
			return 0
		}
		if open, ok := stdLazy[string(name)]; ok {
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
}
