package script

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func testFactory() *Factory {
	return &Factory{Modules: Modules{
		"answer": func(L *lua.LState) lua.LValue { return lua.LNumber(42) },
	}}
}

func mustCompile(t *testing.T, src, name string) *Program {
	t.Helper()
	p, err := Compile([]byte(src), name, name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompileErrorsCarryFileLine(t *testing.T) {
	cases := map[string]string{
		"return {\n  x = = 1\n}\n":             "bad.lua:2: syntax error near '='",
		"local function f()\n  if true then\n": "bad.lua:2: syntax error at end of file",
	}
	for src, want := range cases {
		_, err := Compile([]byte(src), "bad.lua", "bad.lua")
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("got %v, want prefix %q", err, want)
		}
	}
}

func TestInstantiateIsolatesGlobals(t *testing.T) {
	f := testFactory()
	u := &Unit{ID: "app:u", Method: "main", Factory: f, Modules: map[string]bool{"answer": true},
		Program: mustCompile(t, `local n = 0
return {main = function() n = n + 1; local seen = g; g = "set"; return n, seen, require("answer") end}`, "u.lua")}
	s := f.New()
	defer s.Close()
	for i := 0; i < 3; i++ {
		fn, err := u.Instantiate(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.L.CallByParam(lua.P{Fn: fn, NRet: 3, Protect: true}); err != nil {
			t.Fatal(err)
		}
		n, seen, answer := s.L.Get(-3), s.L.Get(-2), s.L.Get(-1)
		s.L.SetTop(0)
		if n != lua.LNumber(1) || seen != lua.LNil || answer != lua.LNumber(42) {
			t.Fatalf("call %d: n=%v seen=%v answer=%v", i, n, seen, answer)
		}
	}
}

func TestRequireErrors(t *testing.T) {
	f := testFactory()
	u := &Unit{ID: "app:u", Method: "main", Factory: f, Modules: map[string]bool{},
		Program: mustCompile(t, `return {main = function()
  local ok1, e1 = pcall(require, "answer")
  local ok2, e2 = pcall(require, "nope")
  return tostring(e1) .. "|" .. tostring(e2)
end}`, "u.lua")}
	s := f.New()
	defer s.Close()
	fn, err := u.Instantiate(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}); err != nil {
		t.Fatal(err)
	}
	got := s.L.Get(-1).String()
	if !strings.Contains(got, `module "answer" is not allowed for app:u`) || !strings.Contains(got, `module "nope" not found for app:u`) {
		t.Fatalf("got %q", got)
	}
}

func TestMissingMethod(t *testing.T) {
	f := testFactory()
	u := &Unit{ID: "app:u", Method: "handler", Factory: f, Program: mustCompile(t, `return {other = function() end}`, "u.lua")}
	s := f.New()
	defer s.Close()
	if _, err := u.Instantiate(s); err == nil || !strings.Contains(err.Error(), `no function "handler"`) {
		t.Fatalf("err %v", err)
	}
}

func TestLazyLibraries(t *testing.T) {
	f := testFactory()
	f.Globals = map[string]func(*lua.LState){"extra": func(L *lua.LState) { L.SetGlobal("extra", lua.LString("yes")) }}
	s := f.New()
	defer s.Close()
	if s.L.G.Global.RawGetString("math") != lua.LNil {
		t.Fatal("math opened eagerly")
	}
	if err := s.L.DoString(`assert(math.floor(2.5) == 2); assert(table.concat({"a","b"}) == "ab"); assert(extra == "yes"); assert(("x"):upper() == "X")`); err != nil {
		t.Fatal(err)
	}
}

func TestPoolReuseAndClose(t *testing.T) {
	p := NewPool(testFactory(), 1)
	a, b := p.Get(), p.Get()
	p.Put(a)
	p.Put(b) // over the idle limit: closed
	if p.Idle() != 1 {
		t.Fatalf("idle %d", p.Idle())
	}
	if got := p.Get(); got != a {
		t.Fatal("pool did not reuse the idle state")
	}
	broken := p.Get()
	broken.MarkBroken()
	p.Put(broken)
	if p.Idle() != 0 {
		t.Fatal("broken state kept")
	}
	p.Put(a)
	p.Close()
	if p.Idle() != 0 {
		t.Fatal("closed pool kept idle states")
	}
	p.Put(p.Get())
	if p.Idle() != 0 {
		t.Fatal("closed pool accepted a state")
	}
}

func TestLazyBaseAndString(t *testing.T) {
	f := testFactory()
	s := f.New()
	defer s.Close()
	g := s.L.G.Global
	for _, name := range []string{"print", "pairs", "string", "_G"} {
		if g.RawGetString(name) != lua.LNil {
			t.Fatalf("%s installed eagerly", name)
		}
	}
	// A string method before `string` is ever read opens the library.
	if err := s.L.DoString(`assert(("abc"):upper() == "ABC")
assert(getmetatable("").__index == string)
function string.twice(x) return x .. x end
assert(("ab"):twice() == "abab")
assert(_G == getfenv(0) and _G._G == _G and type(_VERSION) == "string")
local n = 0
for k, v in pairs({a = 1, b = 2}) do n = n + v end
for i, v in ipairs({10, 20}) do n = n + v end
assert(n == 33)
assert(select("#", 1, 2) == 2 and tostring(12) == "12" and type(print) == "function")
assert(pcall(error, "x") == false)
assert(rawget(_G, "print") == print)
assert(not pcall(setfenv, print, {}))
assert(string.format("%d", 7) == "7")
`); err != nil {
		t.Fatal(err)
	}
	if g.RawGetString("print") == lua.LNil || g.RawGetString("string") == lua.LNil {
		t.Fatal("used globals were not kept in the global table")
	}
	if g.RawGetString("xpcall") != lua.LNil {
		t.Fatal("unused base function installed")
	}
}

func TestLazyStringGlobalFirst(t *testing.T) {
	s := testFactory().New()
	defer s.Close()
	if err := s.L.DoString(`local up = string.upper
assert(("x"):upper() == "X" and up("y") == "Y")
assert(("abc"):len() == 3 and ("abc"):sub(2) == "bc")
assert(("x").nope == nil)`); err != nil {
		t.Fatal(err)
	}
}

func TestLazyBaseMatchesOpenBase(t *testing.T) {
	ref := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer ref.Close()
	openLib(ref, lua.BaseLibName, lua.OpenBase)
	s := testFactory().New()
	defer s.Close()
	n := 0
	ref.G.Global.ForEach(func(k, v lua.LValue) {
		n++
		got := s.L.GetGlobal(string(k.(lua.LString)))
		if got.Type() != v.Type() {
			t.Errorf("%s: %s, want %s", k, got.Type(), v.Type())
		}
	})
	if n < 25 || len(baseGlobals()) != n {
		t.Fatalf("base library: %d globals, lazily known %d", n, len(baseGlobals()))
	}
	// module/require find registry._LOADED as after OpenBase.
	if err := s.L.DoString(`local ok, err = pcall(require, "nope")
assert(not ok and not tostring(err):find("index"), tostring(err))`); err != nil {
		t.Fatal(err)
	}
}

func TestEnvChain(t *testing.T) {
	f := testFactory()
	lib := &Unit{ID: "app:lib", Factory: f, Program: mustCompile(t, `libglobal = "lib"
return {env = function() return _G end, read = function() return libglobal, shared end}`, "lib.lua")}
	u := &Unit{ID: "app:u", Method: "main", Factory: f, Imports: map[string]*Unit{"lib": lib},
		Program: mustCompile(t, `local lib = require("lib")
return {main = function()
  local before = shared
  shared = "u"
  _G.viaG = true
  local libval, libshared = lib.read()
  assert(libval == "lib" and libshared == nil, "library env is its own")
  assert(lib.env() ~= _G and rawget(_G, "shared") == "u" and viaG == true)
  assert(rawget(_G, "print") == nil and type(print) == "function" and print == getfenv(0).print)
  assert(require("lib") == lib)
  local n = 0
  for k in pairs(_G) do n = n + 1 end
  return before, n
end}`, "u.lua")}
	p := NewPool(f, 1)
	defer p.Close()
	for i := 0; i < 3; i++ {
		s := p.Get()
		fn, err := u.Instantiate(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.L.CallByParam(lua.P{Fn: fn, NRet: 2, Protect: true}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if before, n := s.L.Get(-2), s.L.Get(-1); before != lua.LNil || n != lua.LNumber(2) {
			t.Fatalf("call %d: before=%v, %v globals written", i, before, n)
		}
		p.Put(s)
		if s.frames[u].base.RawGetString("_G") != lua.LFalse || len(s.loaded) != 0 || len(s.bound) != 0 {
			t.Fatal("an idle State keeps the last call's env or libraries")
		}
	}
}

func TestEnvFramesBounded(t *testing.T) {
	f := testFactory()
	s := f.New()
	defer s.Close()
	prog := mustCompile(t, `return {main = function() return x end}`, "u.lua")
	for i := 0; i < 3*maxFrames; i++ {
		u := &Unit{ID: "app:u", Method: "main", Factory: f, Program: prog}
		if _, err := u.Instantiate(s); err != nil {
			t.Fatal(err)
		}
		if len(s.frames) > maxFrames {
			t.Fatalf("%d frames", len(s.frames))
		}
	}
}

func TestChunkBuildsNoArgTable(t *testing.T) {
	p := mustCompile(t, `local function f(...) return arg end
return {f = f, g = function(...) return select("#", ...) end}`, "u.lua")
	if p.Proto.IsVarArg&lua.VarArgNeedsArg != 0 {
		t.Fatal("main chunk still builds an arg table")
	}
	// Nested vararg functions keep Lua 5.0's arg (gopher-lua's default).
	if p.Proto.FunctionPrototypes[0].IsVarArg&lua.VarArgNeedsArg == 0 {
		t.Fatal("nested function lost its arg table")
	}
}
