package tests

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Black-box tests of the `process` global (SPEC 7.1, 7.2): every test boots
// the host and drives processes from HTTP handlers, which answer with JSON.

var (
	handlerPIDRe = regexp.MustCompile(`^\{app:h\|0x[0-9a-f]{5,}\}$`)
	procPIDRe    = regexp.MustCompile(`^\{app:processes\|0x[0-9a-f]{5,}\}$`)
)

func TestProcessPIDAndID(t *testing.T) {
	a := procApp(t, map[string]string{
		"whoami": `local parent = ...
process.send(parent, "me", process.pid(), process.id())`,
	}, map[string]string{
		"h": `local me = process.pid()
local child = process.spawn("whoami", "processes", me)
local m = recv()
local p = m:payload()
return {
  me = me, child = child, again = process.pid() == me, id = process.id(),
  child_pid = p[1]:data(), child_id = p[2]:data(), from = m:from(), topic = m:topic(),
}`,
	}, "")
	var got struct {
		Me, Child, ID, From, Topic string
		ChildPID                   string `json:"child_pid"`
		ChildID                    string `json:"child_id"`
		Again                      bool
	}
	body := a.getJSON("/h", &got)
	if !handlerPIDRe.MatchString(got.Me) || !procPIDRe.MatchString(got.Child) {
		t.Fatalf("pid formats: %s", body)
	}
	if !got.Again || got.ID != "app:h" || got.ChildPID != got.Child || got.ChildID != "app:whoami" ||
		got.From != got.Child || got.Topic != "me" || got.Me == got.Child {
		t.Fatalf("%s", body)
	}
}

// PIDs are never reused: a later call and a later process get new numbers.
func TestProcessPIDsNotReused(t *testing.T) {
	a := procApp(t, map[string]string{"quick": `return 1`}, map[string]string{
		"h": `local seen, n = {}, 0
local function add(p) if seen[p] then return false end seen[p] = true n = n + 1 return true end
add(process.pid())
for i = 1, 50 do
  local p = process.spawn_monitored("quick", "processes")
  next_event()
  if not add(p) then return {dup = p} end
end
return {pid = process.pid(), n = n}`,
	}, "")
	var first, second struct {
		PID string
		N   int
	}
	a.getJSON("/h", &first)
	a.getJSON("/h", &second)
	if first.N != 51 || second.N != 51 || first.PID == second.PID || !handlerPIDRe.MatchString(second.PID) {
		t.Fatalf("%+v %+v", first, second)
	}
}

func TestProcessSendToPIDAndName(t *testing.T) {
	a := procApp(t, map[string]string{"echo": echoProc}, map[string]string{
		"h": `local pid = process.spawn("echo", "processes")
local ok1 = process.send(pid, "one", "by pid")
local m1 = recv()
local ok2, err = process.registry.register("echo_name", pid)
local ok3 = process.send("echo_name", "two", "by name")
local m2 = recv()
return {
  ok1 = ok1, ok2 = ok2, ok3 = ok3,
  r1 = {m1:topic(), m1:payload():data(), m1:from() == pid},
  r2 = {m2:topic(), m2:payload():data(), m2:from() == pid},
}`,
	}, "")
	a.want("/h", `{"ok1":true,"ok2":true,"ok3":true,"r1":["re:one","by pid",true],"r2":["re:two","by name",true]}`)
}

func TestProcessSendErrors(t *testing.T) {
	a := procApp(t, map[string]string{"echo": echoProc, "quick": `return 1`}, map[string]string{
		"h": `local echo = process.spawn("echo", "processes")
local function try(...)
  local ok, err = process.send(...)
  return {ok = ok == true, kind = err and err:kind()}
end
local out = {}
out.unknown_name = try("no_such_name", "t", 1)
out.malformed = try("{oops", "t", 1)
out.malformed2 = try("{app:processes|zz}", "t")
out.reserved = try(echo, "@exit", 1)
out.reserved_by_name = try("no_such_name", "@x")
out.func = try(echo, "t", function() end)
out.nested_func = try(echo, "t", {a = {f = print}})
out.second_func = try(echo, "t", 1, print)
out.userdata = try(echo, "t", process.inbox())
out.time_userdata = try(echo, "t", time.now())
out.coroutine = try(echo, "t", coroutine.create(function() end))
local dead = process.spawn_monitored("quick", "processes")
next_event()
out.dead = try(dead, "t", 1)
out.never_issued = try("{app:processes|0xfffffff}", "t", 1)
out.other_node = try("{node1@app:processes|0x00001}", "t", 1)
local cyc = {}
cyc.self = cyc
out.cyclic = try(echo, "t", cyc)
out.mixed_keys = try(echo, "t", {1, a = 2})
out.sparse = try(echo, "t", {[1] = 1, [3] = 3})
local function nest(n) local t = {} for i = 1, n do t = {t} end return t end
out.deep_ok = try(echo, "t", nest(100))
out.too_deep = try(echo, "t", nest(200))
-- none of the refused messages reached echo: after the reply to the
-- 100-deep table, the next reply is to "ping"
out.deep_reply = recv():topic()
process.send(echo, "ping")
out.next = recv():topic()
return out`,
	}, "")
	a.want("/h", `{"coroutine":{"kind":"INVALID","ok":false},"cyclic":{"kind":"INVALID","ok":false},"dead":{"ok":true},"deep_ok":{"ok":true},"deep_reply":"re:t",`+
		`"func":{"kind":"INVALID","ok":false},"malformed":{"kind":"INVALID","ok":false},`+
		`"malformed2":{"kind":"INVALID","ok":false},"mixed_keys":{"kind":"INVALID","ok":false},"nested_func":{"kind":"INVALID","ok":false},`+
		`"never_issued":{"ok":true},"next":"re:ping","other_node":{"ok":true},"reserved":{"kind":"INVALID","ok":false},`+
		`"reserved_by_name":{"kind":"INVALID","ok":false},"second_func":{"kind":"INVALID","ok":false},"sparse":{"kind":"INVALID","ok":false},`+
		`"time_userdata":{"kind":"INVALID","ok":false},"too_deep":{"kind":"INVALID","ok":false},`+
		`"unknown_name":{"kind":"NOT_FOUND","ok":false},"userdata":{"kind":"INVALID","ok":false}}`)
}

// msg:payload() shapes and trailing-nil trimming, on messages a handler
// sends to itself.
func TestProcessPayloadShapes(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local me = process.pid()
local function shape(m)
  local p = m:payload()
  if p == nil then return m:topic() .. " nil" end
  if type(p) == "table" then
    local parts = {}
    for i = 1, #p do parts[i] = json.encode(p[i]:data()) end
    return m:topic() .. " array " .. #p .. " " .. table.concat(parts, ",")
  end
  return m:topic() .. " " .. type(p) .. " " .. json.encode(p:data())
end
process.send(me, "none")
process.send(me, "one_nil", nil)
process.send(me, "one", 1)
process.send(me, "trailing", 1, nil, nil)
process.send(me, "nils", nil, nil, nil)
process.send(me, "several", 1, "two", {x = true})
process.send(me, "hole", 1, nil, 3)
process.send(me, "table", {1, 2, {k = "v"}})
process.send(me, "false", false)
process.send(me, "object", json.object())
process.send(me, "nested_object", {a = json.object(), b = {}})
process.send(me, "float", 1.5, -0.25)
local out = {}
for i = 1, 12 do
  local m = recv()
  out[i] = shape(m)
  if m:from() ~= me then out[i] = out[i] .. " bad from" end
end
return out`,
	}, "")
	var got []string
	a.getJSON("/h", &got)
	want := []string{
		"none nil",
		"one_nil userdata null",
		"one userdata 1",
		"trailing userdata 1",
		"nils userdata null",
		`several array 3 1,"two",{"x":true}`,
		"hole array 3 1,null,3",
		`table userdata [1,2,{"k":"v"}]`,
		"false userdata false",
		"object userdata {}",
		`nested_object userdata {"a":{},"b":[]}`,
		"float array 2 1.5,-0.25",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestProcessPayloadDeepCopy(t *testing.T) {
	a := procApp(t, map[string]string{
		// mutator waits for "go" before reading the first message, then
		// mutates what it got and sends it back.
		"mutator": `local first = process.inbox():receive()
process.inbox():receive() -- "go"
local d = first:payload():data()
table.insert(d.n, "added")
process.send(first:from(), "back", d)`,
	}, map[string]string{
		"h": `local me = process.pid()
local out = {}
-- to itself: the copy is taken at send time
local t = {a = {1, 2}, s = "x"}
process.send(me, "t", t)
t.a[1] = 99; t.s = "changed"; t.extra = true
local m = recv()
local d = m:payload():data()
out.self = {a1 = d.a[1], s = d.s, extra = d.extra == nil}
d.a[2] = 77
out.data_again = m:payload():data().a[2]
out.sender_a2 = t.a[2]
-- across processes, both directions
local pid = process.spawn("mutator", "processes")
local u = {n = {1}}
process.send(pid, "m", u)
u.n[1] = 5
process.send(pid, "go")
local back = recv():payload():data()
out.back = back.n
out.mine = u.n
return out`,
	}, "")
	a.want("/h", `{"back":[1,"added"],"data_again":2,"mine":[5],"self":{"a1":1,"extra":true,"s":"x"},"sender_a2":2}`)
}

// Messages sent before the receiver first calls process.inbox() are kept,
// in order — for a spawned process and for a handler call.
func TestProcessMessagesBeforeInbox(t *testing.T) {
	a := procApp(t, map[string]string{
		"drainer": `local parent = ...
time.sleep("50ms")
local got, ordered = 0, true
for i = 1, 100 do
  local m = recv("2s")
  if m == nil then break end
  got = got + 1
  if m:payload():data() ~= i then ordered = false end
end
process.send(parent, "done", got, ordered)`,
		"burst": `local parent = ...
for i = 1, 20 do process.send(parent, "n", i) end
return "sent"`,
	}, map[string]string{
		"h": `local me = process.pid()
local pid = process.spawn("drainer", "processes", me)
for i = 1, 100 do process.send(pid, "n", i) end
local m = recv()
local p = m:payload()
return {got = p[1]:data(), ordered = p[2]:data()}`,
		"self": `local me = process.pid()
process.spawn_monitored("burst", "processes", me)
local ev = next_event() -- wait on events only; the inbox is untouched
local got = {}
for i = 1, 20 do
  local m = recv("1s")
  if m == nil then break end
  got[i] = m:payload():data()
end
return {exit = ev.result.value, got = got}`,
	}, "")
	a.want("/h", `{"got":100,"ordered":true}`)
	a.want("/self", `{"exit":"sent","got":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}`)
}

// Messages from one sender to one receiver arrive in the order sent.
func TestProcessSendOrderBetweenProcesses(t *testing.T) {
	a := procApp(t, map[string]string{
		"sender": `local parent = ...
for i = 1, 1000 do process.send(parent, "n", i) end`,
	}, map[string]string{
		"h": `process.spawn("sender", "processes", process.pid())
for i = 1, 1000 do
  local m = recv()
  if m == nil then return {missing = i} end
  if m:payload():data() ~= i then return {out_of_order = i} end
end
return {ok = true}`,
	}, "")
	a.want("/h", `{"ok":true}`)
}

func TestProcessSpawnVariants(t *testing.T) {
	a := procApp(t, map[string]string{
		"quick": `return ...`,
		"fail":  `error("fail", 0)`,
	}, map[string]string{
		"h": `process.set_options{trap_links = true}
local out = {}
local p1 = process.spawn("quick", "processes", "a")
local p2 = process.spawn_monitored("quick", "processes", "b")
local ev = next_event()
out.monitored = {ev.kind, ev.from == p2, ev.result.value}
local p3 = process.spawn_linked("fail", "processes")
ev = next_event()
out.linked = {ev.kind, ev.from == p3, ev.result.error:message()}
local p4 = process.spawn_linked_monitored("fail", "processes")
local e1, e2 = next_event(), next_event()
local kinds = {e1.kind, e2.kind}
table.sort(kinds)
out.linked_monitored = {kinds[1], kinds[2], e1.from == p4 and e2.from == p4}
out.distinct = p1 ~= p2 and p2 ~= p3 and p3 ~= p4
return out`,
	}, "")
	a.want("/h", `{"distinct":true,"linked":["pid.link.down",true,"fail"],`+
		`"linked_monitored":["pid.exit","pid.link.down",true],"monitored":["pid.exit",true,"b"]}`)
}

func TestProcessSpawnNotFound(t *testing.T) {
	a := procApp(t, map[string]string{"quick": `return ...`}, map[string]string{
		"h": `local function try(f, ...)
  local pid, err = f(...)
  return {pid = pid ~= nil, kind = err and err:kind()}
end
local out = {}
out.unknown_entry = try(process.spawn, "nope", "processes")
out.unknown_host = try(process.spawn, "quick", "nohost")
out.function_entry = try(process.spawn, "h", "processes")
out.service_as_host = try(process.spawn, "quick", "gateway")
out.other_namespace = try(process.spawn, "other:quick", "processes")
out.monitored = try(process.spawn_monitored, "nope", "processes")
out.linked = try(process.spawn_linked, "quick", "nohost")
out.linked_monitored = try(process.spawn_linked_monitored, "nope", "nohost")
out.bad_arg = try(process.spawn, "quick", "processes", function() end)
-- none of the failed spawns produced an event
out.no_event = next_event("20ms") == nil
return out`,
	}, "")
	a.want("/h", `{"bad_arg":{"kind":"INVALID","pid":false},"function_entry":{"kind":"NOT_FOUND","pid":false},`+
		`"linked":{"kind":"NOT_FOUND","pid":false},"linked_monitored":{"kind":"NOT_FOUND","pid":false},`+
		`"monitored":{"kind":"NOT_FOUND","pid":false},"no_event":true,"other_namespace":{"kind":"NOT_FOUND","pid":false},`+
		`"service_as_host":{"kind":"NOT_FOUND","pid":false},"unknown_entry":{"kind":"NOT_FOUND","pid":false},`+
		`"unknown_host":{"kind":"NOT_FOUND","pid":false}}`)
}

// Bare names resolve in the caller's namespace; full ids work too; spawn
// arguments are deep-copied plain data.
func TestProcessSpawnNamesAndArgs(t *testing.T) {
	a := procApp(t, map[string]string{
		"args": `local parent, n, s, t, b = ...
process.inbox():receive() -- "go": the spawner has mutated its copy by now
t.list[1] = "child changed"
process.send(parent, "args", {n = n, s = s, t = t, b = b, count = select("#", ...), id = process.id()})`,
	}, map[string]string{
		"h": `local me = process.pid()
local t = {list = {1, 2}, k = "v"}
local bare = process.spawn("args", "processes", me, 7, "str", t, false)
t.list[2] = "parent changed"
process.send(bare, "go")
local r1 = recv():payload():data()
local full = process.spawn("app:args", "app:processes", me, 1, "x", {list = {}}, true, nil, nil)
process.send(full, "go")
local r2 = recv():payload():data()
return {bare = r1, full = {id = r2.id, count = r2.count}, mine = t.list}`,
	}, "")
	a.want("/h", `{"bare":{"b":false,"count":5,"id":"app:args","n":7,"s":"str","t":{"k":"v","list":["child changed",2]}},`+
		`"full":{"count":5,"id":"app:args"},"mine":[1,"parent changed"]}`)
}

// Exit semantics: result value, the four ways to exit with an error, and
// the fields of the EXIT event.
func TestProcessExitResults(t *testing.T) {
	a := procApp(t, map[string]string{
		"ret":         `return ...`,
		"ret_nothing": ``,
		"lua_error":   `error("boom")`,
		"rt_error": `local x = nil
return x.y`,
		"ret_string": `return nil, "bad thing"`,
		"ret_err_obj": `local _, e = process.send("no_such_name", "x")
return nil, e`,
		"ret_non_err": `return "v", 2`,
		"ret_true":    `return "w", true`,
		"blocker":     `recv("60s")`,
	}, map[string]string{
		"h": `local t0 = time.now():unix_nano() / 1e9
local function run(pid)
  local ev = next_event()
  local t1 = time.now():unix_nano() / 1e9
  local e = ev.result.error
  local msg = e and e:message():gsub("^.*/", "")
  return {kind = ev.kind, from_ok = ev.from == pid, at_ok = type(ev.at) == "number" and ev.at >= t0 - 0.001 and ev.at <= t1 + 0.01,
    value = ev.result.value, err = msg, err_type = e and type(e), same_str = e and tostring(e) == e:message()}
end
local function spawn(name, ...) return process.spawn_monitored(name, "processes", ...) end
local out = {}
out.ret_table = run(spawn("ret", {a = 1, b = {"x", true}}))
out.ret_number = run(spawn("ret", 42))
out.ret_nothing = run(spawn("ret_nothing"))
out.lua_error = run(spawn("lua_error"))
out.rt_error = run(spawn("rt_error"))
out.ret_string = run(spawn("ret_string"))
out.ret_err_obj = run(spawn("ret_err_obj"))
local _, same_err = process.send("no_such_name", "x")
if out.ret_err_obj.err == same_err:message() then out.ret_err_obj.err = "the error object's message" end
out.ret_non_err = run(spawn("ret_non_err"))
out.ret_true = run(spawn("ret_true"))
local b = spawn("blocker")
out.terminate_ok = process.terminate(b)
out.terminated = run(b)
return out`,
	}, "")
	ok := `"at_ok":true,"from_ok":true,"kind":"pid.exit"`
	errOf := func(msg string) string {
		return fmt.Sprintf(`{"at_ok":true,"err":%q,"err_type":"userdata","from_ok":true,"kind":"pid.exit","same_str":true}`, msg)
	}
	want := `{` +
		`"lua_error":` + errOf(fmt.Sprintf("p_lua_error.lua:%d: boom", procLine(1))) + `,` +
		`"ret_err_obj":` + errOf("the error object's message") + `,` +
		`"ret_non_err":{` + ok + `,"value":"v"},` +
		`"ret_nothing":{` + ok + `},` +
		`"ret_number":{` + ok + `,"value":42},` +
		`"ret_string":` + errOf("bad thing") + `,` +
		`"ret_table":{` + ok + `,"value":{"a":1,"b":["x",true]}},` +
		`"ret_true":{` + ok + `,"value":"w"},` +
		`"rt_error":` + errOf(fmt.Sprintf("p_rt_error.lua:%d: attempt to index a non-table object(nil) with key 'y'", procLine(2))) + `,` +
		`"terminate_ok":true,` +
		`"terminated":` + errOf("process terminated") +
		`}`
	a.want("/h", want)
}

// Every monitor gets EXIT, whichever process monitors.
func TestProcessEveryMonitorGetsExit(t *testing.T) {
	a := procApp(t, map[string]string{
		"target": `process.inbox():receive()
return "last words"`,
		"watch": `local parent, target = ...
local ok = process.monitor(target)
process.send(parent, "watching", ok)
local ev = next_event()
process.send(parent, "exit", ev and ev.kind, ev and ev.from == target, ev and ev.result.value)`,
	}, map[string]string{
		"h": `local me = process.pid()
local target = process.spawn_monitored("target", "processes")
for i = 1, 3 do
  process.spawn("watch", "processes", me, target)
  if recv():payload():data() ~= true then return {watching = false} end
end
process.send(target, "quit")
local reports = {}
for i = 1, 3 do
  local p = recv():payload()
  reports[i] = {p[1]:data(), p[2]:data(), p[3]:data()}
end
local ev = next_event()
reports[4] = {ev.kind, ev.from == target, ev.result.value}
return reports`,
	}, "")
	one := `["pid.exit",true,"last words"]`
	a.want("/h", "["+strings.Repeat(one+",", 3)+one+"]")
}

// LINK_DOWN goes to linked processes only on error exits; EXIT goes to
// monitors on every exit. Explicit link/unlink behave like spawn_linked.
func TestProcessLinkDownOnlyOnErrorExit(t *testing.T) {
	a := procApp(t, map[string]string{
		"quick": `return "fine"`,
		"gated": `local m = process.inbox():receive()
if m:topic() == "fail" then error("gated failure", 0) end
return "normal"`,
	}, map[string]string{
		"h": `process.set_options{trap_links = true}
local evs, names = {}, {}
local function collect(n)
  for i = 1, n do
    local ev = next_event()
    if ev == nil then table.insert(evs, "timeout") return end
    table.insert(evs, ev.kind .. " " .. (names[ev.from] or "?"))
  end
end
-- c1: linked + monitored, exits normally -> only EXIT
local c1 = process.spawn_linked_monitored("quick", "processes")
names[c1] = "c1"
collect(1)
-- c2: explicitly linked then unlinked, monitored, fails -> only EXIT
local c2 = process.spawn_monitored("gated", "processes")
names[c2] = "c2"
local l1 = process.link(c2)
local u1 = process.unlink(c2)
process.send(c2, "fail")
collect(1)
-- c3: explicitly linked and monitored, fails -> EXIT and LINK_DOWN
local c3 = process.spawn("gated", "processes")
names[c3] = "c3"
local l2 = process.link(c3)
local m2 = process.monitor(c3)
process.send(c3, "fail")
collect(2)
return {events = evs, calls = {l1, u1, l2, m2}}`,
	}, "")
	var got struct {
		Events []string
		Calls  []bool
	}
	body := a.getJSON("/h", &got)
	// c3's two events may come in either order.
	if len(got.Events) != 4 || got.Events[0] != "pid.exit c1" || got.Events[1] != "pid.exit c2" ||
		!(got.Events[2] == "pid.exit c3" && got.Events[3] == "pid.link.down c3" ||
			got.Events[3] == "pid.exit c3" && got.Events[2] == "pid.link.down c3") {
		t.Fatalf("events: %s", body)
	}
	if len(got.Calls) != 4 || !got.Calls[0] || !got.Calls[1] || !got.Calls[2] || !got.Calls[3] {
		t.Fatalf("calls: %s", body)
	}
}

// A linked process with trap_links=false dies with "linked process failed";
// with trap_links=true it receives LINK_DOWN on process.events() and lives.
func TestProcessLinkedFailurePropagates(t *testing.T) {
	a := procApp(t, map[string]string{
		"gated": `process.inbox():receive()
error("child failed", 0)`,
		// middle links to a gated child, hands its pid to the parent and
		// blocks; trap decides its fate.
		"middle": `local parent, trap = ...
process.set_options{trap_links = trap}
local child = process.spawn_linked("gated", "processes")
process.send(parent, "child", child)
local ev = next_event("10s")
if ev == nil then return "no event" end
local e = ev.result.error
return {kind = ev.kind, from_child = ev.from == child, err = e and e:message(), value = ev.result.value == nil, at = type(ev.at)}`,
	}, map[string]string{
		"h": `local out = {}
for _, trap in ipairs({false, true}) do
  local mid = process.spawn_monitored("middle", "processes", process.pid(), trap)
  local child = recv():payload():data()
  process.send(child, "go")
  local ev = next_event()
  local e = ev.result.error
  out[tostring(trap)] = {from_mid = ev.from == mid, err = e and e:message(), value = ev.result.value}
end
return out`,
	}, "")
	a.want("/h", `{"false":{"err":"linked process failed","from_mid":true},`+
		`"true":{"from_mid":true,"value":{"at":"number","err":"child failed","from_child":true,"kind":"pid.link.down","value":true}}}`)
}

// Links work both ways: when the spawner of a linked child fails, the
// child (trap_links=false) dies too.
func TestProcessLinksAreBidirectional(t *testing.T) {
	a := procApp(t, map[string]string{
		"child": `process.inbox():receive()
return "never"`,
		"parent": `local h = ...
local c = process.spawn_linked("child", "processes")
process.send(h, "child", c)
process.inbox():receive()
error("parent failed", 0)`,
	}, map[string]string{
		"h": `local p = process.spawn_monitored("parent", "processes", process.pid())
local c = recv():payload():data()
local mon = process.monitor(c)
process.send(p, "fail")
local evs = {}
for i = 1, 2 do
  local ev = next_event()
  if ev == nil then break end
  local who = (ev.from == p and "parent") or (ev.from == c and "child") or "?"
  evs[who] = ev.result.error and ev.result.error:message()
end
return {monitor = mon, events = evs}`,
	}, "")
	a.want("/h", `{"events":{"child":"linked process failed","parent":"parent failed"},"monitor":true}`)
}

// A process that terminates itself exits with "process terminated".
func TestProcessTerminateSelf(t *testing.T) {
	a := procApp(t, map[string]string{
		"self_term": `process.terminate(process.pid())
time.sleep("10s")
return "survived"`,
	}, map[string]string{
		"h": `local t0 = time.now()
process.spawn_monitored("self_term", "processes")
local ev = next_event()
return {err = ev.result.error and ev.result.error:message(), value = ev.result.value, prompt = time.now():sub(t0):seconds() < 5}`,
	}, "")
	a.want("/h", `{"err":"process terminated","prompt":true}`)
}

// hwatchProcs are helpers for tests of a handler call's own exit: hwatch
// monitors the handler call given as its argument, reports "monitoring",
// and then answers every message with the EXIT event it saw; linked_child
// registers the name it is given and blocks.
var hwatchProcs = map[string]string{
	"hwatch": `local hpid, name = ...
process.registry.register(name)
local ok = process.monitor(hpid)
process.send(hpid, "monitoring", ok == true)
local ev = next_event("10s")
local exit = ev and {kind = ev.kind, from_handler = ev.from == hpid, error = ev.result.error ~= nil}
while true do
  local m = process.inbox():receive()
  process.send(m:from(), "exit", exit)
end`,
	"linked_child": `local parent, name = ...
process.registry.register(name)
process.send(parent, "ready")
process.inbox():receive()
return "never"`,
}

// hwatchCheck is the body of /check?n=N: what watcher "hwatchN" saw and
// whether the linked child "childN" is still registered.
var hwatchCheck = `local n = http.request():query("n")
local ok = process.send("hwatch" .. n, "query")
if not ok then return {ready = false} end
local exit = recv():payload():data()
local pid, err = process.registry.lookup("child" .. n)
return {exit = exit, child = pid and "alive" or err:kind()}`

// A handler call that returns normally exits normally: monitors get a
// normal EXIT and linked processes live on.
func TestProcessHandlerNormalReturnKeepsLinks(t *testing.T) {
	a := procApp(t, hwatchProcs, map[string]string{
		"ok": `local me = process.pid()
process.spawn("hwatch", "processes", me, "hwatch1")
recv() -- monitoring
process.spawn_linked("linked_child", "processes", me, "child1")
recv() -- ready
return {done = true}`,
		"check": hwatchCheck,
	}, "")
	a.want("/ok", `{"done":true}`)
	a.want("/check?n=1", `{"child":"alive","exit":{"error":false,"from_handler":true,"kind":"pid.exit"}}`)
}

// A handler call that fails with a Lua error is an error exit (SPEC 7.2:
// a Lua error makes an error exit): monitors see the error and linked
// processes that do not trap links die with it.
func TestProcessHandlerErrorIsErrorExit(t *testing.T) {
	a := procApp(t, hwatchProcs, map[string]string{
		"fail": `local me = process.pid()
process.spawn("hwatch", "processes", me, "hwatch2")
recv() -- monitoring
process.spawn_linked("linked_child", "processes", me, "child2")
recv() -- ready
error("handler failed", 0)`,
		"check": hwatchCheck,
	}, "")
	if code, body := a.get("/fail"); code != 500 || body != "handler failed\n" {
		t.Fatalf("%d %q", code, body)
	}
	last := a.poll("/check?n=2", 3*time.Second, func(body string) bool {
		return strings.Contains(body, `"child":"NOT_FOUND"`)
	})
	if want := `{"child":"NOT_FOUND","exit":{"error":true,"from_handler":true,"kind":"pid.exit"}}`; last != want {
		t.Fatalf("got  %s\nwant %s", last, want)
	}
}

// process.* works inside coroutines, and a process blocked inside a
// coroutine can still be terminated.
func TestProcessAPIInsideCoroutine(t *testing.T) {
	a := procApp(t, map[string]string{
		"co_block": `local parent = ...
local co = coroutine.create(function()
  process.send(parent, "ready", process.pid())
  process.inbox():receive()
  time.sleep("60s")
end)
local ok = coroutine.resume(co)
return "resumed " .. tostring(ok)`,
	}, map[string]string{
		"h": `local me = process.pid()
local co = coroutine.wrap(function()
  process.send(process.pid(), "co", 1)
  local m = recv()
  coroutine.yield({pid_same = process.pid() == me, value = m:payload():data(), same_inbox = rawequal(process.inbox(), process.inbox())})
end)
local out = co()
local p = process.spawn_monitored("co_block", "processes", me)
local m = recv()
out.child_pid = m:payload():data() == p
process.terminate(p)
local ev = next_event()
out.exit = ev.result.error and ev.result.error:message()
return out`,
	}, "")
	a.want("/h", `{"child_pid":true,"exit":"process terminated","pid_same":true,"same_inbox":true,"value":1}`)
}

// Processes reuse pooled Lua states, but globals written by one process are
// never seen by another (as for handlers, SPEC 4).
func TestProcessGlobalsDoNotLeak(t *testing.T) {
	a := procApp(t, map[string]string{
		"setter": `local before = {leaked_g, via_g}
leaked_g = "yes"
_G.via_g = "yes"
return {before = #before == 0, now = via_g}`,
		"reader": `return {leaked_g == nil, via_g == nil}`,
	}, map[string]string{
		"h": `local out = {}
for i = 1, 20 do
  local name = (i % 2 == 0) and "reader" or "setter"
  process.spawn_monitored(name, "processes")
  out[i] = json.encode(next_event().result.value)
end
local seen = {}
for _, v in ipairs(out) do seen[v] = true end
local keys = {}
for k in pairs(seen) do table.insert(keys, k) end
table.sort(keys)
return keys`,
	}, "")
	a.want("/h", `["[true,true]","{\"before\":true,\"now\":\"yes\"}"]`)
}

// process.send never blocks the sender, even when the receiver does not
// read (SPEC 7.1).
func TestProcessSendNeverBlocks(t *testing.T) {
	a := procApp(t, map[string]string{"sleeper": `time.sleep("60s")`}, map[string]string{
		"h": `local p = process.spawn_monitored("sleeper", "processes")
local payload = string.rep("x", 100)
local t0 = time.now()
for i = 1, 20000 do
  if not process.send(p, "m", payload, i) then return {failed = i} end
end
local secs = time.now():sub(t0):seconds()
process.terminate(p)
local ev = next_event()
return {sent = 20000, quick = secs < 10, exit = ev.result.error:message()}`,
	}, "")
	a.want("/h", `{"exit":"process terminated","quick":true,"sent":20000}`)
}

// A process whose mailbox overflows (100,000 unread messages, README) is
// terminated with "mailbox overflow"; the sender is never blocked or failed.
func TestProcessMailboxOverflow(t *testing.T) {
	a := procApp(t, map[string]string{"sleeper": `time.sleep("60s")`}, map[string]string{
		"h": `local p = process.spawn_monitored("sleeper", "processes")
local all_true = true
for i = 1, 100001 do
  if process.send(p, "m", i) ~= true then all_true = false end
end
local ev = next_event("3s")
if ev == nil then return {all_true = all_true, exit = "none within 3s"} end
return {all_true = all_true, err = ev.result.error and ev.result.error:message(), from = ev.from == p}`,
	}, "")
	a.want("/h", `{"all_true":true,"err":"mailbox overflow","from":true}`)
	if !strings.Contains(a.logs.String(), "mailbox overflow") {
		t.Fatalf("no log line about the overflow:\n%s", a.logs.String())
	}
}

// A handler call can be terminated by another process (here through a
// registered name): the request ends with a 500, and the handler keeps
// serving later requests.
func TestProcessHandlerTerminated(t *testing.T) {
	a := procApp(t, map[string]string{
		"killer": `local name = ...
wait_until(function() return process.registry.lookup(name) end)
process.terminate(name)`,
	}, map[string]string{
		"victim": `local name = "victim_" .. http.request():query("n")
process.registry.register(name)
process.spawn("killer", "processes", name)
recv("10s")
return {survived = true}`,
	}, "")
	for i := 0; i < 3; i++ {
		code, body := a.get(fmt.Sprintf("/victim?n=%d", i))
		if code != 500 || body != "process terminated\n" {
			t.Fatalf("request %d: %d %q", i, code, body)
		}
	}
}

// Many concurrent handler calls talk to one named process; every reply
// reaches the handler call that asked.
func TestProcessConcurrentRequestReply(t *testing.T) {
	a := procApp(t, map[string]string{"echo": echoProc}, map[string]string{
		"start": `local pid = process.spawn("echo", "processes")
return {ok = process.registry.register("shared_echo", pid)}`,
		"ask": `local i = tonumber(http.request():query("i"))
local got = ask("shared_echo", "q", i, process.pid())
return {i = got}`,
	}, "")
	a.want("/start", `{"ok":true}`)
	const n = 50
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		go func() {
			code, body := a.get(fmt.Sprintf("/ask?i=%d", i))
			if want := fmt.Sprintf(`{"i":%d}`, i); code != 200 || body != want {
				errs <- fmt.Sprintf("ask %d: %d %s", i, code, body)
				return
			}
			errs <- ""
		}()
	}
	for i := 0; i < n; i++ {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// A handler call that is linked to a failing process (trap_links=false) is
// itself killed: the request ends with a 500 naming the cause.
func TestProcessHandlerKilledByLinkedFailure(t *testing.T) {
	a := procApp(t, map[string]string{"fail": `time.sleep("20ms")
error("child failed", 0)`}, map[string]string{
		"h": `process.spawn_linked("fail", "processes")
local m = recv("10s")
return {survived = true}`,
	}, "")
	start := time.Now()
	code, body := a.get("/h")
	if code != 500 || body != "linked process failed\n" {
		t.Fatalf("%d %q", code, body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("handler not interrupted promptly: %v", d)
	}
}

func TestProcessCancel(t *testing.T) {
	a := procApp(t, map[string]string{
		"canceller": `local h = ...
process.cancel(h, "from a process")`,
		"cancellable": `local parent = ...
process.send(parent, "ready")
local ev = next_event()
process.send(parent, "got", {kind = ev.kind, from = ev.from, reason = ev.reason, at = type(ev.at), result = ev.result == nil})
return "cancelled cleanly"`,
	}, map[string]string{
		"h": `local me = process.pid()
local pid = process.spawn_monitored("cancellable", "processes", me)
recv() -- ready
local ok = process.cancel(pid, "shutting down")
local got = recv():payload():data()
local ev = next_event()
-- a handler call receives CANCEL too
local c = process.spawn("canceller", "processes", me)
local cev = next_event()
return {ok = ok, from_is_me = got.from == me, kind = got.kind, reason = got.reason, at = got.at,
  no_result = got.result, exit = {ev.kind, ev.result.value, ev.result.error == nil},
  handler_cancel = {cev.kind, cev.from == c, cev.reason}}`,
	}, "")
	a.want("/h", `{"at":"number","exit":["pid.exit","cancelled cleanly",true],"from_is_me":true,"handler_cancel":["pid.cancel",true,"from a process"],`+
		`"kind":"pid.cancel","no_result":true,"ok":true,"reason":"shutting down"}`)
}

// monitor/unmonitor/link/unlink of a PID that is not alive fail with
// NOT_FOUND; a malformed PID is INVALID.
func TestProcessRelationsToDeadPID(t *testing.T) {
	a := procApp(t, map[string]string{"quick": `return 1`}, map[string]string{
		"h": `local dead = process.spawn_monitored("quick", "processes")
next_event()
local out = {}
for _, name in ipairs({"monitor", "unmonitor", "link", "unlink"}) do
  local ok, err = process[name](dead)
  local ok2, err2 = process[name]("{bad")
  local ok3, err3 = process[name]("no_such_name")
  local ok4, err4 = process[name]("{node1@app:processes|0x00001}")
  out[name] = {dead = err and err:kind(), malformed = err2 and err2:kind(), unknown_name = err3 and err3:kind(),
    other_node = err4 and err4:kind(), any_ok = ok ~= nil or ok2 ~= nil or ok3 ~= nil or ok4 ~= nil}
end
return out`,
	}, "")
	one := `{"any_ok":false,"dead":"NOT_FOUND","malformed":"INVALID","other_node":"NOT_FOUND","unknown_name":"NOT_FOUND"}`
	a.want("/h", `{"link":`+one+`,"monitor":`+one+`,"unlink":`+one+`,"unmonitor":`+one+`}`)
}

// After unmonitor, the target's exit sends no EXIT to the former monitor.
func TestProcessUnmonitorStopsExit(t *testing.T) {
	a := procApp(t, map[string]string{
		"named": `process.registry.register("unmon_target")
process.inbox():receive()
return "bye"`,
		"quick": `return "q"`,
	}, map[string]string{
		"h": `local p = process.spawn_monitored("named", "processes")
local reg = wait_until(function() return process.registry.lookup("unmon_target") end)
local un = process.unmonitor(p)
process.send(p, "quit")
-- the name is released when p exits
local gone = wait_until(function() return process.registry.lookup("unmon_target") == nil end)
local q = process.spawn_monitored("quick", "processes")
local ev = next_event()
return {registered = reg == p, unmonitor = un, gone = gone, first_event_from_q = ev.from == q, value = ev.result.value}`,
	}, "")
	a.want("/h", `{"first_event_from_q":true,"gone":true,"registered":true,"unmonitor":true,"value":"q"}`)
}

func TestProcessOptions(t *testing.T) {
	a := procApp(t, map[string]string{
		"opts": `local parent = ...
local before = process.get_options().trap_links
process.set_options{trap_links = true}
local mid = process.get_options().trap_links
process.set_options{}
local kept = process.get_options().trap_links
process.set_options{trap_links = false}
process.send(parent, "opts", {before, mid, kept, process.get_options().trap_links})`,
	}, map[string]string{
		"h": `local before = process.get_options().trap_links
process.set_options{trap_links = true}
local mid = process.get_options().trap_links
local bad = pcall(process.set_options, {trap_links = "yes"})
process.spawn("opts", "processes", process.pid())
local p = recv():payload():data()
return {handler = {before, mid, process.get_options().trap_links}, bad_type_accepted = bad, process = p}`,
	}, "")
	a.want("/h", `{"bad_type_accepted":false,"handler":[false,true,true],"process":[false,true,true,false]}`)
}

func TestProcessRegistry(t *testing.T) {
	a := procApp(t, map[string]string{
		"echo": echoProc,
		"owner": `local parent = ...
local ok = process.registry.register("temp_name")
process.send(parent, "registered", ok)
process.inbox():receive()
return "done"`,
	}, map[string]string{
		"h": `local me = process.pid()
local out = {}
out.register = process.registry.register("me_name")
out.lookup_self = process.registry.lookup("me_name") == me
local _, e = process.registry.lookup("never_registered")
out.lookup_missing = e and e:kind()
out.unregister = process.registry.unregister("me_name")
local pid, e2 = process.registry.lookup("me_name")
out.after_unregister = {pid == nil, e2 and e2:kind()}
-- register another process under a name; send through the name
local echo = process.spawn("echo", "processes")
out.register_other = process.registry.register("echo_alias", echo)
out.lookup_other = process.registry.lookup("echo_alias") == echo
process.send("echo_alias", "hi")
local r = recv()
out.via_name = {r:topic(), r:from() == echo}
-- a name held by another live process
local ok3, e3 = process.registry.register("echo_alias")
out.taken = {ok3 == nil, e3 and e3:kind()}
-- a name owned by a process is released when it exits
local owner = process.spawn_monitored("owner", "processes", me)
out.owner_registered = recv():payload():data()
out.owner_lookup = process.registry.lookup("temp_name") == owner
process.send(owner, "quit")
out.released = wait_until(function()
  local p, err = process.registry.lookup("temp_name")
  return p == nil and err:kind() == errors.NOT_FOUND
end) == true
out.send_after_release = select(2, process.send("temp_name", "x")):kind()
out.reregister = process.registry.register("temp_name")
local function kind(ok, err) return {ok == nil, err and err:kind()} end
out.empty_name = kind(process.registry.register(""))
out.dead_pid = kind(process.registry.register("dead_name", owner))
out.bad_pid = kind(process.registry.register("bad_name", "{bad"))
return out`,
		"later": `local pid, err = process.registry.lookup("me_name")
local h, herr = process.registry.lookup("handler_owned")
return {me_name = err and err:kind(), handler_owned = herr and herr:kind()}`,
		"owns": `return {ok = process.registry.register("handler_owned"), pid = process.registry.lookup("handler_owned") == process.pid()}`,
	}, "")
	a.want("/h", `{"after_unregister":[true,"NOT_FOUND"],"bad_pid":[true,"INVALID"],"dead_pid":[true,"NOT_FOUND"],"empty_name":[true,"INVALID"],"lookup_missing":"NOT_FOUND","lookup_other":true,`+
		`"lookup_self":true,"owner_lookup":true,"owner_registered":true,"register":true,"register_other":true,`+
		`"released":true,"reregister":true,"send_after_release":"NOT_FOUND",`+
		`"taken":[true,"ALREADY_EXISTS"],"unregister":true,"via_name":["re:hi",true]}`)
	// A handler call's names are released when the handler returns.
	a.want("/owns", `{"ok":true,"pid":true}`)
	a.poll("/later", 5*time.Second, func(body string) bool {
		return body == `{"handler_owned":"NOT_FOUND","me_name":"NOT_FOUND"}`
	})
}

func TestProcessEventConstantsAndChannelsIdentity(t *testing.T) {
	a := procApp(t, map[string]string{
		"ident": `local parent = ...
process.send(parent, "ident", {
  inbox = rawequal(process.inbox(), process.inbox()),
  events = rawequal(process.events(), process.events()),
  distinct = not rawequal(process.inbox(), process.events()),
})`,
	}, map[string]string{
		"h": `local inbox, events = process.inbox(), process.events()
process.spawn("ident", "processes", process.pid())
local child = recv():payload():data()
return {
  exit = process.event.EXIT, link_down = process.event.LINK_DOWN, cancel = process.event.CANCEL,
  readonly = not pcall(function() process.event.EXIT = "x" end),
  still = process.event.EXIT,
  handler = {inbox = rawequal(inbox, process.inbox()), events = rawequal(events, process.events()),
    distinct = not rawequal(inbox, events)},
  child = child,
}`,
	}, "")
	a.want("/h", `{"cancel":"pid.cancel","child":{"distinct":true,"events":true,"inbox":true},`+
		`"exit":"pid.exit","handler":{"distinct":true,"events":true,"inbox":true},"link_down":"pid.link.down",`+
		`"readonly":true,"still":"pid.exit"}`)
}

// A runaway process does not stop others and can be terminated; terminating
// a process blocked in receive, select, sleep or a channel returns promptly.
func TestProcessTerminateRunawayAndBlocked(t *testing.T) {
	a := procApp(t, map[string]string{
		"echo": echoProc,
		"spin": `local parent = ...
process.send(parent, "ready")
while true do end`,
		"recv": `local parent = ...
process.send(parent, "ready")
process.inbox():receive()
return "woke"`,
		"select": `local parent = ...
process.send(parent, "ready")
channel.select{process.inbox():case_receive(), process.events():case_receive(), time.after("60s"):case_receive()}
return "woke"`,
		"sleep": `local parent = ...
process.send(parent, "ready")
time.sleep("60s")
return "woke"`,
		"chan": `local parent = ...
local ch = channel.new()
process.send(parent, "ready")
ch:receive()
return "woke"`,
		"chan_send": `local parent = ...
local ch = channel.new(1)
ch:send(1)
process.send(parent, "ready")
ch:send(2) -- full: blocks
return "woke"`,
		// pcall catches the interruption of the inner call, but not the
		// loop around it.
		"pcall_sleep": `local parent = ...
process.send(parent, "ready")
while true do pcall(time.sleep, "60s") end`,
		"pcall_spin": `local parent = ...
process.send(parent, "ready")
while true do pcall(function() while true do end end) end`,
	}, map[string]string{
		"h": `local me = process.pid()
local out = {}
local spin = process.spawn_monitored("spin", "processes", me)
recv()
-- others keep working while spin runs
local echo = process.spawn("echo", "processes")
out.echo_while_spinning = ask(echo, "ping", "x")
for _, name in ipairs({"spin", "recv", "select", "sleep", "chan", "chan_send", "pcall_sleep", "pcall_spin"}) do
  local pid = spin
  if name ~= "spin" then
    pid = process.spawn_monitored(name, "processes", me)
    recv() -- ready
  end
  local t0 = time.now()
  local ok = process.terminate(pid)
  local ev = next_event("10s")
  local ms = time.now():sub(t0):milliseconds()
  out[name] = {ok = ok, from = ev and ev.from == pid, err = ev and ev.result.error:message(), value = ev and ev.result.value, prompt = ms < 2000}
end
out.echo_after = ask(echo, "ping", "y")
return out`,
	}, "")
	one := `{"err":"process terminated","from":true,"ok":true,"prompt":true}`
	a.want("/h", `{"chan":`+one+`,"chan_send":`+one+`,"echo_after":"y","echo_while_spinning":"x","pcall_sleep":`+one+`,"pcall_spin":`+one+
		`,"recv":`+one+`,"select":`+one+`,"sleep":`+one+`,"spin":`+one+`}`)
}

// Host shutdown ends blocked and runaway processes promptly.
func TestProcessShutdownEndsBlockedProcesses(t *testing.T) {
	a := procApp(t, map[string]string{
		"spin":  `while true do end`,
		"sleep": `time.sleep("60s")`,
		"recv":  `process.inbox():receive()`,
	}, map[string]string{
		"h": `for _, n in ipairs({"spin", "sleep", "recv"}) do process.spawn(n, "processes") end
return {ok = true}`,
	}, "")
	a.want("/h", `{"ok":true}`)
	if n := a.h.Kernel().Count(); n != 3 {
		t.Fatalf("live processes = %d, want 3", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := a.h.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown took %v", d)
	}
	if n := a.h.Kernel().Count(); n != 0 {
		t.Fatalf("live processes after shutdown = %d", n)
	}
}

// A handler call is a process only while it runs: a process monitoring it
// gets EXIT when the handler returns, and its PID is dead afterwards.
func TestProcessHandlerPIDDiesOnReturn(t *testing.T) {
	a := procApp(t, map[string]string{
		"watcher": `local hpid = ...
process.registry.register("watcher")
local ok, err = process.monitor(hpid)
process.send(hpid, "monitoring", ok == true)
local ev = next_event("10s")
local exit = ev and {kind = ev.kind, from_handler = ev.from == hpid, value = ev.result.value, err = ev.result.error ~= nil}
while true do
  local m = process.inbox():receive()
  process.send(m:from(), "exit", exit, hpid)
end`,
	}, map[string]string{
		"first": `process.spawn("watcher", "processes", process.pid())
local m = recv()
return {monitoring = m:payload():data(), pid = process.pid()}`,
		"second": `local ok, err = process.send("watcher", "query")
if not ok then return {ready = false} end
local p = recv():payload()
local hpid = p[2]:data()
local sent = process.send(hpid, "hello")
local _, merr = process.monitor(hpid)
local _, lerr = process.link(hpid)
return {ready = true, exit = p[1]:data(), send_dead = sent, monitor_dead = merr and merr:kind(), link_dead = lerr and lerr:kind()}`,
	}, "")
	var first struct {
		Monitoring bool
		PID        string
	}
	a.getJSON("/first", &first)
	if !first.Monitoring || !regexp.MustCompile(`^\{app:first\|0x[0-9a-f]{5,}\}$`).MatchString(first.PID) {
		t.Fatalf("%+v", first)
	}
	a.want("/second", `{"exit":{"err":false,"from_handler":true,"kind":"pid.exit"},"link_dead":"NOT_FOUND","monitor_dead":"NOT_FOUND","ready":true,"send_dead":true}`)
}

// A handler that never touches process.* still works, and one that does
// can talk to a named process (request/reply).
func TestProcessHandlerRequestReplyByName(t *testing.T) {
	a := procApp(t, map[string]string{
		"kv": `process.registry.register("kv")
local store = {}
while true do
  local m = process.inbox():receive()
  local p = m:payload()
  if m:topic() == "put" then store[p[1]:data()] = p[2]:data() process.send(m:from(), "ok")
  elseif m:topic() == "get" then process.send(m:from(), "value", store[p:data()]) end
end`,
	}, map[string]string{
		"start": `local pid = process.spawn("kv", "processes")
return {started = wait_until(function() return process.registry.lookup("kv") end) == pid}`,
		"put":   `return {topic = ask("kv", "put", "k", {n = 1}) == nil and recv("1ms") == nil}`,
		"get":   `return {value = ask("kv", "get", "k")}`,
		"plain": `return {plain = true}`,
	}, "")
	a.want("/plain", `{"plain":true}`)
	a.want("/start", `{"started":true}`)
	a.want("/put", `{"topic":true}`)
	for i := 0; i < 3; i++ {
		a.want("/get", `{"value":{"n":1}}`)
	}
}
