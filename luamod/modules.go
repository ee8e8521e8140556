package luamod

import lua "github.com/yuin/gopher-lua"

// Loader builds the value require(name) returns, once per LState.
type Loader = func(L *lua.LState) lua.LValue

// Builtins is the explicit list of modules scripts load with require and must
// name in `modules:`. There is no self-registration: a module exists only if
// it is listed here.
func Builtins() map[string]Loader {
	return map[string]Loader{
		"http": OpenHTTP,
		"json": func(L *lua.LState) lua.LValue { return OpenJSON(L) },
		"time": OpenTime,
	}
}

// SetupGlobals installs the globals every LState has (besides the Lua
// standard libraries): `errors`, `channel` and `process`.
func SetupGlobals(L *lua.LState) {
	OpenErrors(L)
	OpenChannel(L)
	OpenProcess(L)
}
