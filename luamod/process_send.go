package luamod

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// sendCache lets a process that sends one unchanged table many times (a
// broadcast loop: `for _, pid in ipairs(members) do process.send(pid,
// "sse.message", ev) end`) deep-copy it once. Each send still checks the
// table against the copy (a walk that allocates nothing) and copies again
// on any difference, so a table changed between sends goes out as it is
// at each send. The copy is shared by every message it went out in; it is
// never mutated, and receivers such as the relay encode it once for all.
// Owned by the process's goroutine.
type sendCache struct {
	t   *lua.LTable
	out []any // the payload list [copy of t]
}

// args returns the payload of a send whose payload arguments start at
// from, and whether it is the cached (shared) list.
func (c *sendCache) args(L *lua.LState, from int) ([]any, bool, error) {
	t, ok := L.Get(from).(*lua.LTable)
	if !ok || L.GetTop() != from {
		p, err := payloadArgs(L, from)
		return p, false, err
	}
	if c.t == t && sameTable(t, c.out[0], 1) {
		return c.out, true, nil
	}
	p, err := payloadArgs(L, from)
	if err != nil {
		c.t, c.out = nil, nil
		return nil, false, err
	}
	c.t, c.out = t, p
	return p, false, nil
}

// sameValue reports whether ToGo(v) would equal g. It is conservative:
// false means "copy again", never a wrong true.
func sameValue(v lua.LValue, g any, depth int) bool {
	switch v := v.(type) {
	case lua.LBool:
		b, ok := g.(bool)
		return ok && b == bool(v)
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return g == nil
		}
		x, ok := g.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(f)
	case lua.LString:
		s, ok := g.(string)
		return ok && s == string(v)
	case *lua.LTable:
		return sameTable(v, g, depth+1)
	}
	return false // nil inside a table cannot be, userdata is copied again
}

// sameTable compares a plain table (no metatable: not marked, not a
// read-only proxy) with its earlier copy g.
func sameTable(t *lua.LTable, g any, depth int) bool {
	if t.Metatable != lua.LNil || depth > MaxDepth {
		return false
	}
	switch x := g.(type) {
	case []any:
		return sameArray(t, x, depth)
	case map[string]any:
		return len(x) > 0 && sameObject(t, x, depth)
	}
	return false
}

// sameArray: t holds exactly x's elements at 1..len(x) in its array part
// and nothing else.
func sameArray(t *lua.LTable, x []any, depth int) bool {
	n := len(x)
	if t.MaxN() != n {
		return false
	}
	for i := range n {
		v := t.RawGetInt(i + 1)
		if v == lua.LNil || !sameValue(v, x[i], depth) {
			return false
		}
	}
	var after lua.LValue = lua.LNil
	if n > 0 && n < len(smallNumbers) {
		after = smallNumbers[n]
	} else if n > 0 {
		after = lua.LNumber(n)
	}
	k, _ := t.Next(after)
	return k == lua.LNil
}

// sameObject: t has exactly x's keys, all strings, with the same values.
func sameObject(t *lua.LTable, x map[string]any, depth int) bool {
	if t.MaxN() != 0 {
		return false
	}
	count := 0
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		ks, ok := k.(lua.LString)
		if !ok {
			return false
		}
		gv, ok := x[string(ks)]
		if !ok || !sameValue(v, gv, depth) {
			return false
		}
		count++
	}
	return count == len(x)
}
