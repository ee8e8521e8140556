package luamod

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

const (
	messageType = "luahost.process.message"
	payloadType = "luahost.process.payload"
)

// processFuncs are the functions of the `process` table. Go function
// values carry no per-LState data, so one map serves every LState; each
// LState still gets its own *lua.LFunction objects.
var processFuncs = map[string]lua.LGFunction{
	"pid": procPID, "id": procID, "send": procSend,
	"spawn":                  spawnVariant(SpawnOptions{}),
	"spawn_monitored":        spawnVariant(SpawnOptions{Monitor: true}),
	"spawn_linked":           spawnVariant(SpawnOptions{Link: true}),
	"spawn_linked_monitored": spawnVariant(SpawnOptions{Link: true, Monitor: true}),
	"terminate":              procTerminate, "cancel": procCancel,
	"monitor": relation((Processes).Monitor), "unmonitor": relation((Processes).Unmonitor),
	"link": relation((Processes).Link), "unlink": relation((Processes).Unlink),
	"get_options": procGetOptions, "set_options": procSetOptions,
	"inbox": procInbox, "events": procEvents,
}

// OpenProcess installs the global `process`, a read-only table. Every Lua
// process holds its LState for life, and a typical one uses two or three
// of its 19 fields, so the backing table is filled on first access of
// each field: a field is created once per LState and then read from the
// table, so process.inbox == process.inbox as before. The table always
// holds at least one function (pid), so converting `process` to plain
// data fails as it did when every field was set eagerly.
func OpenProcess(L *lua.LState) {
	mod := L.CreateTable(0, 4)
	fill := L.CreateTable(0, 1)
	fill.RawSetString("__index", L.NewFunction(processIndex))
	mod.Metatable = fill
	mod.RawSetString("pid", L.NewFunction(procPID))
	L.SetGlobal("process", ReadOnly(L, mod))
}

// processIndex is the __index of the table behind `process`: it creates
// the field on first access and stores it.
func processIndex(L *lua.LState) int {
	mod := L.CheckTable(1)
	name, ok := L.Get(2).(lua.LString)
	if !ok {
		return 0
	}
	var v lua.LValue
	if fn, ok := processFuncs[string(name)]; ok {
		v = L.NewFunction(fn)
	} else {
		switch name {
		case "registry":
			reg := L.CreateTable(0, 3)
			reg.RawSetString("register", L.NewFunction(regRegister))
			reg.RawSetString("lookup", L.NewFunction(regLookup))
			reg.RawSetString("unregister", L.NewFunction(regUnregister))
			v = ReadOnly(L, reg)
		case "event":
			ev := L.CreateTable(0, 3)
			ev.RawSetString("EXIT", lua.LString(EventExit))
			ev.RawSetString("LINK_DOWN", lua.LString(EventLinkDown))
			ev.RawSetString("CANCEL", lua.LString(EventCancel))
			v = ReadOnly(L, ev)
		default:
			return 0
		}
	}
	mod.RawSetString(string(name), v)
	L.Push(v)
	return 1
}

// proc returns the calling process context or raises.
func proc(L *lua.LState) *ProcCtx {
	pc := ProcessFrom(L.Context())
	if pc == nil {
		L.RaiseError("process functions are only available inside a handler or process")
	}
	return pc
}

func procPID(L *lua.LState) int {
	L.Push(lua.LString(proc(L).Self.PID()))
	return 1
}

func procID(L *lua.LState) int {
	L.Push(lua.LString(proc(L).Self.ID()))
	return 1
}

// okTrue pushes the `true` success result of process functions.
func okTrue(L *lua.LState) int {
	L.Push(lua.LTrue)
	return 1
}

// payloadArgs deep-copies arguments from..top into plain data; trailing
// nils after the first payload are dropped (SPEC 7.1 deviation).
func payloadArgs(L *lua.LState, from int) ([]any, error) {
	top := L.GetTop()
	for top > from && L.Get(top) == lua.LNil {
		top--
	}
	if top < from {
		return nil, nil
	}
	out := make([]any, 0, top-from+1)
	for i := from; i <= top; i++ {
		v, err := ToGo(L.Get(i))
		if err != nil {
			return nil, NewError(INVALID, "payload %d: %v", i-from+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func procSend(L *lua.LState) int {
	pc := proc(L)
	dest, topic := L.CheckString(1), L.CheckString(2)
	if strings.HasPrefix(topic, "@") {
		return Fail(L, NewError(INVALID, "topic %q: topics starting with @ are reserved", topic))
	}
	payload, shared, err := pc.sent.args(L, 3)
	if err != nil {
		return Fail(L, err)
	}
	if err := pc.Procs.Send(pc.Self, dest, topic, payload, shared); err != nil {
		return Fail(L, err)
	}
	return okTrue(L)
}

func spawnVariant(o SpawnOptions) lua.LGFunction {
	return func(L *lua.LState) int {
		pc := proc(L)
		id, host := L.CheckString(1), L.CheckString(2)
		args, err := payloadArgs(L, 3)
		if err != nil {
			return Fail(L, err)
		}
		pid, err := pc.Procs.Spawn(pc.Self, id, host, args, o)
		if err != nil {
			return Fail(L, err)
		}
		L.Push(lua.LString(pid))
		return 1
	}
}

func procTerminate(L *lua.LState) int {
	pc := proc(L)
	if err := pc.Procs.Terminate(pc.Self.PID(), L.CheckString(1)); err != nil {
		return Fail(L, err)
	}
	return okTrue(L)
}

func procCancel(L *lua.LState) int {
	pc := proc(L)
	if err := pc.Procs.Cancel(pc.Self.PID(), L.CheckString(1), L.OptString(2, "")); err != nil {
		return Fail(L, err)
	}
	return okTrue(L)
}

func relation(op func(Processes, string, string) error) lua.LGFunction {
	return func(L *lua.LState) int {
		pc := proc(L)
		if err := op(pc.Procs, pc.Self.PID(), L.CheckString(1)); err != nil {
			return Fail(L, err)
		}
		return okTrue(L)
	}
}

func procGetOptions(L *lua.LState) int {
	pc := proc(L)
	t := L.CreateTable(0, 1)
	t.RawSetString("trap_links", lua.LBool(pc.Self.TrapLinks()))
	L.Push(t)
	return 1
}

func procSetOptions(L *lua.LState) int {
	pc := proc(L)
	t := L.CheckTable(1)
	switch v := t.RawGetString("trap_links").(type) {
	case lua.LBool:
		pc.Self.SetTrapLinks(bool(v))
	case *lua.LNilType:
	default:
		L.ArgError(1, "trap_links must be a boolean")
	}
	return okTrue(L)
}

func procInbox(L *lua.LState) int {
	pc := proc(L)
	return pushProcChannel(L, &pc.inboxUD, pc.Self.Inbox, messageToLua)
}

func procEvents(L *lua.LState) int {
	pc := proc(L)
	return pushProcChannel(L, &pc.eventsUD, pc.Self.Events, eventToLua)
}

// pushProcChannel pushes the process's inbox or events channel, creating
// it on first use so every call in one process returns the same object.
func pushProcChannel(L *lua.LState, cache **lua.LUserData, src func() Source, conv func(*lua.LState, any) lua.LValue) int {
	if *cache == nil {
		*cache = PushChannel(L, NewSourceChannel(src(), conv))
	}
	L.Push(*cache)
	return 1
}

func regRegister(L *lua.LState) int {
	pc := proc(L)
	name := L.CheckString(1)
	pid := L.OptString(2, pc.Self.PID())
	if err := pc.Procs.Register(name, pid); err != nil {
		return Fail(L, err)
	}
	return okTrue(L)
}

func regLookup(L *lua.LState) int {
	pc := proc(L)
	pid, err := pc.Procs.Lookup(L.CheckString(1))
	if err != nil {
		return Fail(L, err)
	}
	L.Push(lua.LString(pid))
	return 1
}

func regUnregister(L *lua.LState) int {
	pc := proc(L)
	if err := pc.Procs.Unregister(L.CheckString(1)); err != nil {
		return Fail(L, err)
	}
	return okTrue(L)
}
