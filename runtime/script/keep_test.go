package script

import (
	"fmt"
	"slices"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestKeepableChunk(t *testing.T) {
	cases := []struct {
		src      string
		ok       bool
		requires []string
	}{
		{`local http = require("http") return {handler = function() http.x() end}`, true, []string{"http"}},
		{`local a, b = require("a"), require("b") local M = {} function M.h() end return M`, true, []string{"a", "b"}},
		{`local t = {1, 2, 3, a = "x", b = {c = true}} return {h = function() return t end}`, true, nil},
		{`local n = 5 * 2 .. "x" local s = string.upper local k = #"abc" return {h = function() return n, s, k end}`, true, nil},
		{`local f = function() end local t = {f = f} t.g = f return t`, true, nil},
		{`local x = nil local y = not x return {}`, true, nil},
		{`x = 1 return {}`, false, nil},
		{`function helper() end return {}`, false, nil},
		{`local t = os.time() return {}`, false, nil},
		{`string.x = 1 return {}`, false, nil},
		{`local s = string s.x = 1 return {}`, false, nil},
		{`local a = b and c return {}`, false, nil},
		{`local a = b == c return {}`, false, nil},
		{`for i = 1, 2 do end return {}`, false, nil},
		{`if x then end return {}`, false, nil},
		{`local r = require("a", "b") return {}`, false, nil},
		{`local a, b = require("x") return {}`, false, nil},
		{`require("x") return {}`, false, nil},
		{`local name = "x" .. "y" local m = require(name) return {}`, false, nil},
		{`local M = setmetatable({}, {}) return M`, false, nil},
		{`return {...}`, false, nil},
		{`local s = ("x"):upper() return {}`, false, nil},
		{`return require("x")`, false, nil},
	}
	for _, c := range cases {
		p := mustCompile(t, c.src, "k.lua")
		if p.keep.ok != c.ok || (c.ok && !slices.Equal(p.keep.requires, c.requires)) {
			t.Errorf("%s: keep %v %q, want %v %q", c.src, p.keep.ok, p.keep.requires, c.ok, c.requires)
		}
	}
}

// callUnit instantiates u on a State of p, calls its method and returns
// the first result as a string; the State goes back to p.
func callUnit(t *testing.T, p *Pool, u *Unit) (string, *lua.LFunction) {
	t.Helper()
	s := p.Get()
	defer p.Put(s)
	fn, err := u.Instantiate(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}); err != nil {
		t.Fatal(err)
	}
	return s.L.Get(-1).String(), fn
}

func TestKeptChunkReused(t *testing.T) {
	f := testFactory()
	u := &Unit{ID: "app:u", Method: "main", Factory: f, Modules: map[string]bool{"answer": true},
		Program: mustCompile(t, `local answer = require("answer")
local str = string
local M = {}
function M.main() return str.lower(tostring(answer) .. tostring(g)) end
return M`, "u.lua")}
	p := NewPool(f, 1)
	defer p.Close()
	got, first := callUnit(t, p, u)
	s := p.Get()
	// Only what the chunk built is recorded (env, M, M.main), not the
	// module or the global string table it reads.
	if k := s.frames[u].keep.cur; k == nil || len(k.tables) != 2 || len(k.funcs) != 1 {
		t.Fatalf("kept %+v", k)
	}
	p.Put(s)
	for i := 0; i < 3; i++ {
		again, fn := callUnit(t, p, u)
		if again != got || got != "42nil" {
			t.Fatalf("call %d: %q, first %q", i, again, got)
		}
		if fn != first {
			t.Fatal("the chunk ran again although nothing changed")
		}
	}
}

func TestKeptChunkDroppedOnChange(t *testing.T) {
	const chunk = `local cfg = {a = {b = 1}, list = {1, 2}}
local n = 0
local M = {}
function M.main()
  local seen = tostring(cfg.a.b) .. tostring(n) .. tostring(M.extra) .. tostring(g) .. tostring(#cfg.list) .. tostring(getmetatable(cfg))
  %s
  return seen
end
return M`
	changes := []string{
		`cfg.a.b = 2`,
		`cfg.a = {b = 5}`,
		`cfg.list[3] = 3`,
		`table.insert(cfg.list, 9)`,
		`n = n + 1`,
		`M.extra = 1`,
		`g = 1`,
		`_G.g = 1`,
		`rawset(_G, "g", 1)`,
		`setmetatable(cfg, {})`,
		`setfenv(M.main, setmetatable({g = 1}, {__index = _G}))`,
		`debug.setupvalue(M.main, 2, 7)`,
		`cfg.a = nil; cfg.a = {b = 1}`,
	}
	f := testFactory()
	for _, change := range changes {
		u := &Unit{ID: "app:u", Method: "main", Factory: f, Program: mustCompile(t, fmt.Sprintf(chunk, change), "u.lua")}
		if !u.keepable() {
			t.Fatalf("%s: chunk not keepable", change)
		}
		p := NewPool(f, 1)
		for i := 0; i < 2*maxKeepMisses; i++ {
			if got, _ := callUnit(t, p, u); got != "10nilnil2nil" {
				t.Fatalf("%s: call %d saw %q", change, i, got)
			}
		}
		p.Close()
	}
}

func TestKeptChunkUnchangedByReads(t *testing.T) {
	f := testFactory()
	u := &Unit{ID: "app:u", Method: "main", Factory: f, Program: mustCompile(t, `local cfg = {a = {b = 1}}
local M = {}
function M.main()
  local t = {}
  for k, v in pairs(cfg) do t[k] = v end
  cfg.a.b = cfg.a.b  -- same value: nothing changed
  local x = M.main and _G.nothing
  return cfg.a.b
end
return M`, "u.lua")}
	p := NewPool(f, 1)
	defer p.Close()
	_, first := callUnit(t, p, u)
	if _, fn := callUnit(t, p, u); fn != first {
		t.Fatal("reads dropped the kept chunk")
	}
}

func TestKeepLimits(t *testing.T) {
	f := testFactory()
	lib := &Unit{ID: "app:lib", Factory: f, Program: mustCompile(t, `return {}`, "lib.lua")}
	withLib := &Unit{ID: "app:u", Method: "main", Factory: f, Imports: map[string]*Unit{"lib": lib},
		Program: mustCompile(t, `local lib = require("lib") return {main = function() return lib end}`, "u.lua")}
	notAllowed := &Unit{ID: "app:u", Method: "main", Factory: f,
		Program: mustCompile(t, `local a = require("answer") return {main = function() return a end}`, "u.lua")}
	if withLib.keepable() || notAllowed.keepable() {
		t.Fatal("a chunk requiring a library or an unlisted module is kept")
	}
	// A unit whose calls always change its chunk's result stops being kept.
	counter := &Unit{ID: "app:c", Method: "main", Factory: f,
		Program: mustCompile(t, `local n = 0 return {main = function() n = n + 1 return n end}`, "c.lua")}
	p := NewPool(f, 1)
	defer p.Close()
	for i := 0; i < maxKeepMisses+3; i++ {
		if got, _ := callUnit(t, p, counter); got != "1" {
			t.Fatalf("call %d: %s", i, got)
		}
	}
	s := p.Get()
	defer p.Put(s)
	if k := s.frames[counter].keep; !k.never || k.cur != nil {
		t.Fatalf("keep state %+v", k)
	}
}
