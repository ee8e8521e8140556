package luamod

import (
	"reflect"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// sendArgs runs the cache on t as the only payload argument.
func sendArgs(L *lua.LState, c *sendCache, t lua.LValue) ([]any, bool, error) {
	L.SetTop(0)
	L.Push(t)
	defer L.SetTop(0)
	return c.args(L, 1)
}

func TestSendCacheReusesUnchangedTable(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(`ev = {i = 1, t = 2, tags = {"a", "b"}, nested = {x = {y = true}}}`); err != nil {
		t.Fatal(err)
	}
	ev := L.GetGlobal("ev")
	var c sendCache
	p1, shared, err := sendArgs(L, &c, ev)
	if err != nil || shared {
		t.Fatalf("first send: shared %v err %v", shared, err)
	}
	p2, shared, err := sendArgs(L, &c, ev)
	if err != nil || !shared || &p1[0] != &p2[0] {
		t.Fatalf("second send not shared: %v %v", shared, err)
	}
	for _, change := range []string{
		`ev.i = 2`, `ev.tags[3] = "c"`, `ev.tags[3] = nil`, `ev.nested.x.y = false`,
		`ev.extra = 0`, `ev.extra = nil`, `ev.t = 0/0`, `ev.t = -0.0`, `ev.t = 0`,
		`ev.tags = {"a", "b"}`, `setmetatable(ev.nested, {})`,
	} {
		if err := L.DoString(change); err != nil {
			t.Fatal(err)
		}
		want, err := ToGo(ev)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := sendArgs(L, &c, ev)
		if err != nil || !reflect.DeepEqual(got, []any{want}) {
			t.Fatalf("after %s: sent %#v, want %#v", change, got, want)
		}
	}
	if got, shared, _ := sendArgs(L, &c, lua.LString("x")); shared || got[0] != "x" {
		t.Fatalf("string payload: %#v %v", got, shared)
	}
}

// FuzzSendCache builds a value (see valueBuilder), sends it, changes one of
// its tables as the rest of the input says, and sends it again: the second
// payload must equal a fresh ToGo of the changed value (or both fail).
func FuzzSendCache(f *testing.F) {
	f.Add([]byte{6, 2, 1, 'k', 2, 7, 0, 5, 0, 1, 0, 2, 9})
	f.Add([]byte{5, 3, 2, 1, 2, 2, 4, 3, 'a', 'b', 'c', 0, 1, 0})
	f.Add([]byte{5, 2, 5, 1, 2, 3, 2, 4, 0, 2, 1, 0, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		L := fuzzStates.Get().(*lua.LState)
		defer fuzzStates.Put(L)
		b := &valueBuilder{L: L, data: data}
		v := b.value(0)
		var c sendCache
		if _, _, err := sendArgs(L, &c, v); err != nil {
			return
		}
		for round := 0; round < 3; round++ {
			mutate(b)
			want, werr := ToGo(v)
			got, _, err := sendArgs(L, &c, v)
			if (err == nil) != (werr == nil) {
				t.Fatalf("round %d: cache error %v, ToGo error %v", round, err, werr)
			}
			if err != nil {
				return
			}
			if !reflect.DeepEqual(got, []any{want}) {
				t.Fatalf("round %d: sent %#v, want %#v", round, got, want)
			}
		}
	})
}

// mutate changes one of the built tables: sets a key (array index, string
// or odd) to a new value or to nil, or leaves everything as it is.
func mutate(b *valueBuilder) {
	op := b.next()
	if len(b.tables) == 0 || op%4 == 0 {
		return
	}
	t := b.tables[int(b.next())%len(b.tables)]
	var key lua.LValue
	switch op % 4 {
	case 1:
		key = lua.LNumber(int(b.next()%6) + 1)
	case 2:
		key = lua.LString(b.bytes(int(b.next() % 3)))
	default:
		key = b.oddKey()
	}
	if key == lua.LNil {
		return
	}
	if b.next()%3 == 0 {
		t.RawSet(key, lua.LNil)
		return
	}
	t.RawSet(key, b.value(1))
}
