package tests

import (
	"strings"
	"testing"
)

// Black-box tests of the `channel` global and time.after (SPEC 7.3).

func TestChannelBufferedFIFO(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local ch = channel.new(3)
ch:send(1); ch:send("two"); ch:send({k = true})
local a, oka = ch:receive()
local b, okb = ch:receive()
local c, okc = ch:receive()
local big = channel.new(100)
for i = 1, 100 do big:send(i) end
local ordered = true
for i = 1, 100 do if big:receive() ~= i then ordered = false end end
return {a = a, b = b, c = c, oks = {oka, okb, okc}, ordered = ordered}`,
	}, "")
	a.want("/h", `{"a":1,"b":"two","c":{"k":true},"oks":[true,true,true],"ordered":true}`)
}

func TestChannelClose(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local ch = channel.new(2)
ch:send("x"); ch:send("y")
ch:close()
local out = {}
out.first = {ch:receive()}
out.second = {ch:receive()}
local v, ok = ch:receive()
out.drained = {v == nil, ok}
local v2, ok2 = ch:receive()
out.drained_again = {v2 == nil, ok2}
local c_ok, c_err = pcall(ch.close, ch)
out.close_twice = {c_ok, tostring(c_err):find("closed channel", 1, true) ~= nil}
local s_ok, s_err = pcall(ch.send, ch, 1)
out.send_closed = {s_ok, tostring(s_err):find("closed channel", 1, true) ~= nil}
local sel_ok = pcall(channel.select, {ch:case_send(1)})
out.select_send_closed = sel_ok
local r = channel.select{ch:case_receive()}
out.select_recv_closed = {ok = r.ok, value_nil = r.value == nil, same = rawequal(r.channel, ch)}
-- closing an empty unbuffered channel
local u = channel.new()
u:close()
out.unbuffered = {u:receive()}
out.unbuffered[1] = out.unbuffered[1] == nil
return out`,
	}, "")
	a.want("/h", `{"close_twice":[false,true],"drained":[true,false],"drained_again":[true,false],`+
		`"first":["x",true],"second":["y",true],"select_recv_closed":{"ok":false,"same":true,"value_nil":true},`+
		`"select_send_closed":false,"send_closed":[false,true],"unbuffered":[true,false]}`)
}

func TestChannelSelectCasesAndDefault(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local ch = channel.new(1)
local function view(r)
  return {default = r.default, ok = r.ok, value = r.value, same = r.channel ~= nil and rawequal(r.channel, ch) or nil}
end
local out = {}
out.empty_recv = view(channel.select{ch:case_receive(), default = true})
out.send = view(channel.select{ch:case_send("v"), default = true})
out.full_send = view(channel.select{ch:case_send("w"), default = true})
out.recv = view(channel.select{ch:case_receive(), default = true})
out.unbuffered_send = view(channel.select{channel.new():case_send(1), default = true})
-- without default, a ready case is taken
ch:send(false)
out.recv_false = view(channel.select{ch:case_receive()})
out.bad_case = pcall(channel.select, {ch})
out.negative_cap = pcall(channel.new, -1)
return out`,
	}, "")
	a.want("/h", `{"bad_case":false,"empty_recv":{"default":true},"full_send":{"default":true},`+
		`"negative_cap":false,"recv":{"ok":true,"same":true,"value":"v"},"recv_false":{"ok":true,"same":true,"value":false},`+
		`"send":{"ok":true,"same":true},"unbuffered_send":{"default":true}}`)
}

// When several cases are ready, select takes each of them eventually and
// keeps each channel's order.
func TestChannelSelectServesAllReadyCases(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local c1, c2 = channel.new(50), channel.new(50)
for i = 1, 50 do c1:send(i); c2:send(-i) end
local n1, n2, next1, next2, ordered, early1, early2 = 0, 0, 1, -1, true, 0, 0
for i = 1, 100 do
  local r = channel.select{c1:case_receive(), c2:case_receive()}
  if rawequal(r.channel, c1) then
    n1 = n1 + 1
    if r.value ~= next1 then ordered = false end
    next1 = next1 + 1
    if i <= 50 then early1 = early1 + 1 end
  else
    n2 = n2 + 1
    if r.value ~= next2 then ordered = false end
    next2 = next2 - 1
    if i <= 50 then early2 = early2 + 1 end
  end
end
return {n1 = n1, n2 = n2, ordered = ordered, both_early = early1 > 0 and early2 > 0}`,
	}, "")
	a.want("/h", `{"both_early":true,"n1":50,"n2":50,"ordered":true}`)
}

func TestChannelTimeAfterFiresOnce(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local t0 = time.now()
local after = time.after("30ms")
local v, ok = after:receive()
local waited = time.now():sub(t0):milliseconds()
local out = {ok = ok, is_time = type(v:unix()) == "number" and v:unix_nano() >= t0:unix_nano(), waited_enough = waited >= 30}
-- it does not fire again: another timer wins
local other = time.after("50ms")
local r = channel.select{after:case_receive(), other:case_receive()}
out.second_from_after = rawequal(r.channel, after)
out.other_fired = rawequal(r.channel, other) and r.ok
-- nothing arrives on it later either
out.after_empty = channel.select{after:case_receive(), default = true}.default
-- durations as numbers and Duration objects
local r2 = channel.select{time.after(5 * time.MILLISECOND):case_receive(), time.after("5s"):case_receive()}
local d = time.parse_duration("5ms")
local r3 = channel.select{time.after(d):case_receive(), time.after("5s"):case_receive()}
out.number_duration = r2.ok and type(r2.value:unix()) == "number"
out.duration_object = r3.ok and type(r3.value:unix()) == "number"
out.bad_duration = pcall(time.after, "soon")
local zero = channel.select{time.after(0):case_receive(), time.after("5s"):case_receive()}
out.zero_fires = zero.ok and type(zero.value:unix()) == "number"
return out`,
	}, "")
	a.want("/h", `{"after_empty":true,"bad_duration":false,"duration_object":true,"is_time":true,"number_duration":true,`+
		`"ok":true,"other_fired":true,"second_from_after":false,"waited_enough":true,"zero_fires":true}`)
}

// One select waits on the inbox, the events channel and a timeout.
func TestChannelSelectInboxEventsTimeout(t *testing.T) {
	a := procApp(t, map[string]string{
		"later": `local parent = ...
time.sleep("20ms")
process.send(parent, "hello", "world")
process.inbox():receive()`,
		"quick": `return "q"`,
	}, map[string]string{
		"h": `local inbox, events = process.inbox(), process.events()
local function wait(timeout)
  local timer = time.after(timeout)
  local r = channel.select{inbox:case_receive(), events:case_receive(), timer:case_receive()}
  if rawequal(r.channel, inbox) then return "inbox " .. r.value:topic() .. " " .. r.value:payload():data() end
  if rawequal(r.channel, events) then return "events " .. r.value.kind .. " " .. r.value.result.value end
  if rawequal(r.channel, timer) then return "timeout " .. tostring(r.ok) end
  return "?"
end
local out = {}
local t0 = time.now()
out[1] = wait("30ms")
out[2] = time.now():sub(t0):milliseconds() >= 30
local pid = process.spawn("later", "processes", process.pid())
out[3] = wait("5s")
process.spawn_monitored("quick", "processes")
out[4] = wait("5s")
-- a user channel in the same select
local ch = channel.new(1)
ch:send("mine")
local r = channel.select{inbox:case_receive(), events:case_receive(), ch:case_receive(), time.after("5s"):case_receive()}
out[5] = rawequal(r.channel, ch) and r.value
process.terminate(pid)
return out`,
	}, "")
	a.want("/h", `["timeout true",true,"inbox hello world","events pid.exit q","mine"]`)
}

// Inbox and events channels belong to the process: Lua cannot close or send
// on them.
func TestChannelInboxIsReceiveOnly(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local out = {}
out.close_inbox = pcall(function() process.inbox():close() end)
out.send_inbox = pcall(function() process.inbox():send(1) end)
out.close_events = pcall(function() process.events():close() end)
-- the inbox still works afterwards
process.send(process.pid(), "still", "works")
out.after = recv():payload():data()
return out`,
	}, "")
	a.want("/h", `{"after":"works","close_events":false,"close_inbox":false,"send_inbox":false}`)
}

// Channels and other userdata cannot be sent between processes.
func TestChannelNotSendable(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local ch = channel.new(1)
local ok, err = process.send(process.pid(), "ch", ch)
local ok2, err2 = process.send(process.pid(), "ch", {inner = ch})
return {ok = ok == nil, kind = err:kind(), ok2 = ok2 == nil, kind2 = err2:kind()}`,
	}, "")
	a.want("/h", `{"kind":"INVALID","kind2":"INVALID","ok":true,"ok2":true}`)
}

// select returns as soon as the first of several timers fires.
func TestChannelSelectFirstTimerWins(t *testing.T) {
	a := procApp(t, nil, map[string]string{
		"h": `local out = {}
for i = 1, 5 do
  local slow, fast = time.after("2s"), time.after("5ms")
  local r = channel.select{slow:case_receive(), fast:case_receive()}
  out[i] = rawequal(r.channel, fast)
end
return out`,
	}, "")
	a.want("/h", "["+strings.TrimSuffix(strings.Repeat("true,", 5), ",")+"]")
}
