package luamod

import (
	"math/rand/v2"
	"reflect"

	lua "github.com/yuin/gopher-lua"
)

const (
	channelType = "luahost.channel"
	caseType    = "luahost.channel.case"
)

// selectCase is one case of channel.select.
type selectCase struct {
	ud   *lua.LUserData // the channel's Lua object (returned as result.channel)
	ch   *Channel
	send bool
	val  lua.LValue
}

// OpenChannel installs the global `channel`.
func OpenChannel(L *lua.LState) {
	channelMeta(L)
	mod := L.CreateTable(0, 2)
	mod.RawSetString("new", L.NewFunction(chNew))
	mod.RawSetString("select", L.NewFunction(chSelect))
	L.SetGlobal("channel", ReadOnly(L, mod))
}

// channelMethods are the methods of channel objects; caseMethods (none)
// those of select cases.
var (
	channelMethods = map[string]lua.LGFunction{
		"send": chSend, "receive": chReceive, "close": chClose,
		"case_receive": chCaseReceive, "case_send": chCaseSend,
	}
	caseMethods = map[string]lua.LGFunction{}
)

// channelMeta returns the channel type's metatable, registering it once
// per LState (a channel can reach Lua through time.after or
// process.inbox() before the `channel` global is ever read). The case
// type is registered when the first case is made.
func channelMeta(L *lua.LState) *lua.LTable {
	return typeMeta(L, channelType, channelMethods)
}

// PushChannel returns the Lua object for c.
func PushChannel(L *lua.LState, c *Channel) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = c
	ud.Metatable = channelMeta(L)
	return ud
}

func checkChannel(L *lua.LState, n int) (*lua.LUserData, *Channel) {
	ud := L.CheckUserData(n)
	c, ok := ud.Value.(*Channel)
	if !ok {
		L.ArgError(n, "channel expected")
	}
	return ud, c
}

func chNew(L *lua.LState) int {
	capacity := L.OptInt(1, 0)
	if capacity < 0 {
		L.ArgError(1, "capacity must not be negative")
	}
	L.Push(PushChannel(L, NewBufferedChannel(capacity)))
	return 1
}

func chSend(L *lua.LState) int {
	_, c := checkChannel(L, 1)
	v := L.Get(2)
	for {
		ok, closed := c.b.trySend(v)
		if ok {
			return 0
		}
		if closed {
			L.RaiseError("send on closed channel")
		}
		if !wait(L, []backend{c.b}, []reflect.Value{c.b.sendWait()}) {
			return 0
		}
	}
}

func chReceive(L *lua.LState) int {
	_, c := checkChannel(L, 1)
	for {
		item, ok, closed := c.b.tryRecv()
		if ok {
			L.Push(c.toLua(L, item))
			L.Push(lua.LTrue)
			return 2
		}
		if closed || !waitRecv(L, c) {
			L.Push(lua.LNil)
			L.Push(lua.LFalse)
			return 2
		}
	}
}

// waitRecv blocks one receiver until c may have an item.
func waitRecv(L *lua.LState, c *Channel) bool {
	if buf, ok := c.b.(*buffer); ok {
		buf.addWaiter(1)
		defer buf.addWaiter(-1)
	}
	return wait(L, []backend{c.b}, []reflect.Value{c.b.recvWait()})
}

func chClose(L *lua.LState) int {
	_, c := checkChannel(L, 1)
	if _, isBuf := c.b.(*buffer); !isBuf {
		L.RaiseError("this channel cannot be closed")
	}
	if !c.b.close() {
		L.RaiseError("close of closed channel")
	}
	return 0
}

func newCase(L *lua.LState, sc *selectCase) int {
	ud := L.NewUserData()
	ud.Value = sc
	ud.Metatable = typeMeta(L, caseType, caseMethods)
	L.Push(ud)
	return 1
}

func chCaseReceive(L *lua.LState) int {
	ud, c := checkChannel(L, 1)
	return newCase(L, &selectCase{ud: ud, ch: c})
}

func chCaseSend(L *lua.LState) int {
	ud, c := checkChannel(L, 1)
	return newCase(L, &selectCase{ud: ud, ch: c, send: true, val: L.Get(2)})
}

// chSelect implements channel.select{case, ..., default=true?}.
func chSelect(L *lua.LState) int {
	t := L.CheckTable(1)
	cases := make([]*selectCase, 0, t.Len())
	for i := 1; i <= t.Len(); i++ {
		ud, ok := t.RawGetInt(i).(*lua.LUserData)
		sc, isCase := (*selectCase)(nil), false
		if ok {
			sc, isCase = ud.Value.(*selectCase)
		}
		if !isCase {
			L.ArgError(1, "channel.select: entries must be cases from ch:case_receive() or ch:case_send(v)")
		}
		cases = append(cases, sc)
	}
	hasDefault := lua.LVAsBool(t.RawGetString("default"))
	for {
		if res := trySelect(L, cases); res != nil {
			L.Push(res)
			return 1
		}
		if hasDefault || len(cases) == 0 {
			res := L.CreateTable(0, 1)
			res.RawSetString("default", lua.LTrue)
			L.Push(res)
			return 1
		}
		if !waitCases(L, cases) {
			res := L.CreateTable(0, 1)
			res.RawSetString("ok", lua.LFalse)
			L.Push(res)
			return 1
		}
	}
}

// trySelect tries every case once, starting at a random one so no case
// starves; it returns the result table or nil.
func trySelect(L *lua.LState, cases []*selectCase) *lua.LTable {
	n := len(cases)
	if n == 0 {
		return nil
	}
	start := rand.IntN(n)
	for i := 0; i < n; i++ {
		sc := cases[(start+i)%n]
		if sc.send {
			ok, closed := sc.ch.b.trySend(sc.val)
			if closed {
				L.RaiseError("send on closed channel")
			}
			if ok {
				return selectResult(L, sc, lua.LNil, true)
			}
			continue
		}
		item, ok, closed := sc.ch.b.tryRecv()
		if ok {
			return selectResult(L, sc, sc.ch.toLua(L, item), true)
		}
		if closed {
			return selectResult(L, sc, lua.LNil, false)
		}
	}
	return nil
}

func selectResult(L *lua.LState, sc *selectCase, v lua.LValue, ok bool) *lua.LTable {
	res := L.CreateTable(0, 3)
	res.RawSetString("channel", sc.ud)
	res.RawSetString("value", v)
	res.RawSetString("ok", lua.LBool(ok))
	return res
}

func waitCases(L *lua.LState, cases []*selectCase) bool {
	bs := make([]backend, 0, len(cases))
	chans := make([]reflect.Value, 0, len(cases))
	for _, sc := range cases {
		bs = append(bs, sc.ch.b)
		if sc.send {
			chans = append(chans, sc.ch.b.sendWait())
			continue
		}
		if buf, ok := sc.ch.b.(*buffer); ok {
			buf.addWaiter(1)
			defer buf.addWaiter(-1)
		}
		chans = append(chans, sc.ch.b.recvWait())
	}
	return wait(L, bs, chans)
}

// wait blocks until one of chans fires (true) or the LState's context ends
// (false). chans[i] belongs to backends[i], which gets back any value the
// wait consumed (a timer's tick). Zero Values never fire.
func wait(L *lua.LState, backends []backend, chans []reflect.Value) bool {
	var done <-chan struct{}
	if ctx := L.Context(); ctx != nil {
		done = ctx.Done()
	}
	if len(chans) == 1 && chans[0].IsValid() {
		if sig, ok := chans[0].Interface().(<-chan struct{}); ok {
			select { // fast path: one signal channel, no reflection
			case <-sig:
				return true
			case <-done:
				return false
			}
		}
	}
	sel := make([]reflect.SelectCase, 0, len(chans)+1)
	sel = append(sel, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(done)})
	for _, c := range chans {
		sel = append(sel, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: c})
	}
	chosen, v, ok := reflect.Select(sel)
	if chosen == 0 {
		return false
	}
	if ok {
		backends[chosen-1].woke(v)
	}
	return true
}
