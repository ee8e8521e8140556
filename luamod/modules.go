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

// Globals lists the host's global tables; the script package installs
// each on first access (every function sets the global of its name).
func Globals() map[string]func(L *lua.LState) {
	return map[string]func(L *lua.LState){
		"errors":  OpenErrors,
		"channel": OpenChannel,
		"process": OpenProcess,
	}
}

// SetupGlobals installs every host global at once (for tests and tools that
// build plain LStates).
func SetupGlobals(L *lua.LState) {
	for _, open := range Globals() {
		open(L)
	}
}
