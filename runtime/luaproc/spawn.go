package luaproc

import (
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"luahost/luamod"
	"luahost/runtime/actor"
	"luahost/runtime/script"
)

// Spawn starts a process.lua entry on a process.host.
func (n *Node) Spawn(caller luamod.Self, id, host string, args []any, o luamod.SpawnOptions) (string, error) {
	ns := ""
	if caller != nil {
		ns = caller.Namespace()
	}
	id, host = qualify(ns, id), qualify(ns, host)
	var parent actor.PID
	if caller != nil {
		parent, _ = actor.ParsePID(caller.PID())
	}
	pid, err := n.SpawnUnit(id, host, args, actor.SpawnOptions{Parent: parent, Link: o.Link, Monitor: o.Monitor})
	if err != nil {
		return "", err
	}
	return pid.String(), nil
}

// SpawnUnit starts process entry id on host with plain-data args.
func (n *Node) SpawnUnit(id, host string, args []any, o actor.SpawnOptions) (actor.PID, error) {
	cat := n.cat()
	if cat == nil {
		return actor.PID{}, luamod.NewError(luamod.INTERNAL, "no application loaded")
	}
	unit, ok := cat.ProcessUnit(id)
	if !ok {
		return actor.PID{}, luamod.NewError(luamod.NOT_FOUND, "no process.lua entry %q", id)
	}
	if !cat.IsHost(host) {
		return actor.PID{}, luamod.NewError(luamod.NOT_FOUND, "no process.host %q", host)
	}
	mb := n.K.NewMailbox()
	o.Mailbox = mb
	pid, err := n.K.Spawn(host, n.run(unit, args, mb), o)
	if err != nil {
		return actor.PID{}, kernelErr(err, id)
	}
	return pid, nil
}

// qualify resolves a bare entry name in namespace ns.
func qualify(ns, id string) string {
	if ns == "" || strings.Contains(id, ":") {
		return id
	}
	return ns + ":" + id
}

// run is the body of a Lua process: it owns one State for its whole life.
func (n *Node) run(unit *script.Unit, args []any, mb *actor.QueueMailbox) actor.RunFunc {
	return func(p *actor.Proc) (any, error) {
		s := n.states.Get()
		pc := &luamod.ProcCtx{Self: newSelf(p, unit.ID, mb), Procs: n}
		s.L.SetContext(luamod.WithProcess(p.Context(), pc))
		clean := false
		defer func() {
			s.L.RemoveContext()
			if !clean {
				s.MarkBroken()
			}
			n.states.Put(s)
		}()
		result, err := n.call(s, unit, args)
		clean = p.Context().Err() == nil
		return result, err
	}
}

// call instantiates the unit and calls its main function with args. The
// first return value is the result; a Lua error, or a second return value
// that is a string or error object, makes it an error exit.
func (n *Node) call(s *script.State, unit *script.Unit, args []any) (any, error) {
	fn, err := unit.Instantiate(s)
	if err != nil {
		return nil, errors.New(script.ErrorMessage(err))
	}
	L := s.L
	base := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(luamod.ToLua(L, a))
	}
	if err := L.PCall(len(args), 2, nil); err != nil {
		return nil, errors.New(script.ErrorMessage(err))
	}
	first, second := L.Get(base+1), L.Get(base+2)
	L.SetTop(base)
	if reason := errorReason(second); reason != "" {
		return nil, errors.New(reason)
	}
	value, err := luamod.ToGo(first)
	if err != nil {
		return nil, fmt.Errorf("process result: %w", err)
	}
	return value, nil
}

// errorReason returns the message of a string or error object, else "".
func errorReason(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LString:
		return string(x)
	case *lua.LUserData:
		if e, ok := luamod.AsError(x); ok {
			return e.Error()
		}
	}
	return ""
}
