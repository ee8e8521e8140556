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
