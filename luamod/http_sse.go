package luamod

import (
	"math"

	lua "github.com/yuin/gopher-lua"

	"luahost/sse"
)

// resWriteEvent implements res:write_event{name=, data=, id=?, retry=?} -> err.
// Missing name/data are argument errors (raised); everything else returns an
// error object and writes nothing.
func resWriteEvent(L *lua.LState) int {
	ex := checkExchange(L, responseType)
	ev := checkEvent(L, L.CheckTable(2))
	if ex.wrote && !ex.sse {
		return fail(L, NewError(INVALID, "write_event: response body already started in non-SSE mode"))
	}
	if !sse.ValidField(ev.Name) {
		return fail(L, NewError(INVALID, "write_event: event name %s", sse.ErrBadField))
	}
	if ev.HasID && !sse.ValidField(ev.ID) {
		return fail(L, NewError(INVALID, "write_event: event id %s", sse.ErrBadField))
	}
	data, err := EncodeJSON(nil, L.GetField(L.Get(2), "data"))
	if err != nil {
		return fail(L, NewError(INVALID, "write_event: data: %v", err))
	}
	if ctx := L.Context(); ctx != nil && ctx.Err() != nil {
		return fail(L, NewError(INTERNAL, "write_event: client disconnected"))
	}
	ev.Data = data
	if !ex.sse {
		ex.enterSSE()
	}
	frame := sse.Append(make([]byte, 0, len(data)+len(ev.Name)+32), &ev)
	if err := ex.Write(frame); err != nil {
		return fail(L, NewError(INTERNAL, "write_event: client disconnected: %v", err))
	}
	if err := ex.ctl().Flush(); err != nil {
		return fail(L, NewError(INTERNAL, "write_event: client disconnected: %v", err))
	}
	return ok(L)
}

// checkEvent reads name, id and retry; data is encoded by the caller.
func checkEvent(L *lua.LState, t *lua.LTable) sse.Event {
	var ev sse.Event
	name, isStr := t.RawGetString("name").(lua.LString)
	if !isStr {
		L.ArgError(2, "write_event: field 'name' (string) is required")
	}
	if t.RawGetString("data") == lua.LNil {
		L.ArgError(2, "write_event: field 'data' is required")
	}
	ev.Name = string(name)
	switch id := t.RawGetString("id").(type) {
	case lua.LString:
		ev.ID, ev.HasID = string(id), true
	case lua.LNumber:
		ev.ID, ev.HasID = id.String(), true
	case *lua.LNilType:
	default:
		L.ArgError(2, "write_event: field 'id' must be a string")
	}
	switch r := t.RawGetString("retry").(type) {
	case lua.LNumber:
		if r < 0 || float64(r) != math.Trunc(float64(r)) {
			L.ArgError(2, "write_event: field 'retry' must be a non-negative integer (milliseconds)")
		}
		ev.Retry, ev.HasRetry = int64(r), true
	case *lua.LNilType:
	default:
		L.ArgError(2, "write_event: field 'retry' must be a number (milliseconds)")
	}
	return ev
}
