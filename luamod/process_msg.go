package luamod

import (
	lua "github.com/yuin/gopher-lua"
)

// messageToLua converts an inbox item on the receiving goroutine.
func messageToLua(L *lua.LState, item any) lua.LValue {
	m, ok := item.(Message)
	if !ok {
		return lua.LNil
	}
	ud := L.NewUserData()
	ud.Value = &m
	ud.Metatable = typeMeta(L, messageType, messageMethods)
	return ud
}

// Methods of message and payload objects; their metatables are created on
// the first message an LState receives.
var (
	messageMethods = map[string]lua.LGFunction{"topic": msgTopic, "from": msgFrom, "payload": msgPayload}
	payloadMethods = map[string]lua.LGFunction{"data": payloadData}
)

// typeMeta returns the metatable of userdata type typ, registering it with
// methods (see registerMethods) the first time an LState needs it.
func typeMeta(L *lua.LState, typ string, methods map[string]lua.LGFunction) *lua.LTable {
	if mt, ok := L.G.Registry.RawGetString(typ).(*lua.LTable); ok {
		return mt
	}
	return registerMethods(L, typ, methods)
}

func checkMessage(L *lua.LState) *Message {
	ud := L.CheckUserData(1)
	m, ok := ud.Value.(*Message)
	if !ok {
		L.ArgError(1, "message expected (use ':' to call methods)")
	}
	return m
}

func msgTopic(L *lua.LState) int {
	L.Push(lua.LString(checkMessage(L).Topic))
	return 1
}

func msgFrom(L *lua.LState) int {
	m := checkMessage(L)
	if m.From == "" {
		L.Push(lua.LNil)
	} else {
		L.Push(lua.LString(m.From))
	}
	return 1
}

// payloadBox is the Go value of a Payload object.
type payloadBox struct{ v any }

func pushPayload(L *lua.LState, v any) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = &payloadBox{v}
	ud.Metatable = typeMeta(L, payloadType, payloadMethods)
	return ud
}

// msgPayload: nil with no payload, one Payload, or an array of Payloads.
func msgPayload(L *lua.LState) int {
	m := checkMessage(L)
	switch len(m.Payload) {
	case 0:
		L.Push(lua.LNil)
	case 1:
		L.Push(pushPayload(L, m.Payload[0]))
	default:
		t := L.CreateTable(len(m.Payload), 0)
		for _, p := range m.Payload {
			t.Append(pushPayload(L, p))
		}
		L.Push(t)
	}
	return 1
}

func payloadData(L *lua.LState) int {
	ud := L.CheckUserData(1)
	p, ok := ud.Value.(*payloadBox)
	if !ok {
		L.ArgError(1, "payload expected (use ':' to call methods)")
	}
	L.Push(ToLua(L, p.v))
	return 1
}

// eventToLua builds the event table of SPEC 7.2.
func eventToLua(L *lua.LState, item any) lua.LValue {
	ev, ok := item.(Event)
	if !ok {
		return lua.LNil
	}
	t := L.CreateTable(0, 5)
	t.RawSetString("kind", lua.LString(ev.Kind))
	t.RawSetString("from", lua.LString(ev.From))
	t.RawSetString("at", lua.LNumber(float64(ev.At.UnixNano())/1e9))
	if ev.Kind == EventCancel {
		t.RawSetString("reason", lua.LString(ev.Reason))
		return t
	}
	res := L.CreateTable(0, 2)
	res.RawSetString("value", ToLua(L, ev.Value))
	if ev.Err != "" {
		res.RawSetString("error", PushError(L, NewError(INTERNAL, "%s", ev.Err)))
	}
	t.RawSetString("result", res)
	return t
}
