package luamod

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The `process` table is filled on first access of each field; to Lua it
// must look exactly as when every field was set eagerly.
func TestProcessTableFilledLazily(t *testing.T) {
	L := newTestState(t)
	OpenProcess(L)
	OpenChannel(L)
	if v := evalLua(t, L, `local names = {"pid", "id", "send", "spawn", "spawn_monitored", "spawn_linked",
  "spawn_linked_monitored", "terminate", "cancel", "monitor", "unmonitor", "link", "unlink",
  "get_options", "set_options", "inbox", "events"}
for _, n in ipairs(names) do
  assert(type(process[n]) == "function", n)
  assert(process[n] == process[n], n .. " identity")
end
assert(process.nope == nil and process.__index == nil and process[1] == nil)
assert(type(process.registry.lookup) == "function" and process.registry == process.registry)
assert(process.event.EXIT == "pid.exit" and process.event.LINK_DOWN == "pid.link.down")
assert(process.event.CANCEL == "pid.cancel" and #process == 0)
assert(getmetatable(process) == false and getmetatable(process.event) == false)
return "ok"`); v.String() != "ok" {
		t.Fatal(v)
	}
	for _, src := range []string{"process.send = nil", "process.fresh = 1", "process.registry.lookup = nil",
		"process.event.EXIT = 1", "process.nope2 = 1"} {
		if err := L.DoString(src); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("%s: %v", src, err)
		}
	}
	if err := L.DoString(`process.pid()`); err == nil || !strings.Contains(err.Error(), "only available inside") {
		t.Fatalf("process.pid outside a process: %v", err)
	}
}

func TestProcessTableConversions(t *testing.T) {
	L := newTestState(t)
	OpenProcess(L)
	proc := L.GetGlobal("process")
	if _, err := ToGo(proc); err == nil { // before any field was read
		t.Fatal("process converted to plain data")
	}
	ev, err := ToGo(L.GetField(proc, "event"))
	if err != nil || ev.(map[string]any)["EXIT"] != EventExit || len(ev.(map[string]any)) != 3 {
		t.Fatalf("process.event = %#v, %v", ev, err)
	}
	if _, err := ToGo(L.GetField(proc, "registry")); err == nil {
		t.Fatal("process.registry converted to plain data")
	}
}

func TestMessageTypesRegisteredOnUse(t *testing.T) {
	L := newTestState(t)
	OpenProcess(L)
	for _, typ := range []string{messageType, payloadType, channelType, caseType} {
		if L.G.Registry.RawGetString(typ) != lua.LNil {
			t.Fatalf("%s registered before use", typ)
		}
	}
	L.SetGlobal("m", messageToLua(L, Message{Topic: "t", From: "{a|0x00001}", Payload: []any{"x", 2.0}}))
	if v := evalLua(t, L, `local p = m:payload()
return m:topic() .. m:from() .. p[1]:data() .. p[2]:data() .. tostring(getmetatable(m))`); v.String() != "t{a|0x00001}x2locked" {
		t.Fatal(v)
	}
	if L.G.Registry.RawGetString(caseType) != lua.LNil {
		t.Fatal("case type registered before use")
	}
	OpenChannel(L)
	if v := evalLua(t, L, `local ch = channel.new(1)
ch:send(5)
local r = channel.select{ch:case_receive()}
return r.value`); v != lua.LNumber(5) {
		t.Fatal(v)
	}
}
