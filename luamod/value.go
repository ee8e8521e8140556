package luamod

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// MaxDepth is the deepest nesting of tables (or JSON arrays/objects) that
// ToGo, EncodeJSON, EncodeGoJSON and the decoders accept. The outermost
// table is depth 1.
const MaxDepth = 128

// PlainValuer is implemented by the Go value of a userdata that may cross
// into plain data (message payloads, JSON). PlainValue must return plain
// data (nil, bool, float64, string, []any, map[string]any) that nobody
// mutates afterwards. *Error implements it: an error object becomes its
// message string.
type PlainValuer interface {
	PlainValue() any
}

// ToGo deep-copies a Lua value into plain Go data: nil, bool, float64,
// string, []any, map[string]any. Rules (SPEC 6): a table with keys 1..n
// and no holes becomes []any; a table with string keys becomes
// map[string]any; an empty table becomes []any{} unless marked by
// json.object (then map[string]any{}); NaN and ±Inf become nil; an error
// object (or any userdata whose Value is a PlainValuer) becomes its plain
// value. It returns an *Error of kind INVALID, never panics, for
// functions, other userdata, coroutines, channels, mixed keys, sparse
// arrays, non-string non-integer keys, cycles and nesting deeper than
// MaxDepth. A table shared twice (not a cycle) is copied twice.
// Call it only from the goroutine that owns the value's LState.
func ToGo(v lua.LValue) (any, error) {
	w := getWalker()
	defer putWalker(w)
	out, cerr := w.toGo(v)
	if cerr != nil {
		return nil, cerr.toError()
	}
	return out, nil
}

// walker holds the scratch state of one traversal; pooled so that ToGo,
// EncodeJSON and EncodeGoJSON do not allocate it per call.
type walker struct {
	pairs []luaPair     // stack of object members; each table uses a segment
	keys  []string      // the same for Go maps (EncodeGoJSON)
	path  []*lua.LTable // tables being visited, outermost first (cycle check)
}

type luaPair struct {
	k string
	v lua.LValue
}

var walkers = sync.Pool{New: func() any { return new(walker) }}

func getWalker() *walker { return walkers.Get().(*walker) }

func putWalker(w *walker) {
	if cap(w.pairs) > 4096 || cap(w.keys) > 4096 || cap(w.path) > MaxDepth {
		return
	}
	clear(w.pairs[:cap(w.pairs)]) // drop references to Lua values
	clear(w.keys[:cap(w.keys)])
	clear(w.path[:cap(w.path)])
	w.pairs, w.keys, w.path = w.pairs[:0], w.keys[:0], w.path[:0]
	walkers.Put(w)
}

func (w *walker) toGo(v lua.LValue) (any, *convError) {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(v), nil
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, nil
		}
		return f, nil
	case lua.LString:
		return string(v), nil
	case *lua.LTable:
		return w.tableToGo(v)
	case *lua.LUserData:
		if p, ok := v.Value.(PlainValuer); ok {
			return p.PlainValue(), nil
		}
	}
	return nil, unsupported(v)
}

func (w *walker) tableToGo(t *lua.LTable) (any, *convError) {
	t, n, members, cerr := w.open(t)
	if cerr != nil {
		return nil, cerr
	}
	defer w.close(members)
	if n >= 0 {
		out := make([]any, n)
		for i := range out {
			x, cerr := w.toGo(elem(t, i+1))
			if cerr != nil {
				return nil, cerr.at(indexSeg(i + 1))
			}
			out[i] = x
		}
		return out, nil
	}
	out := make(map[string]any, len(members))
	for _, m := range members {
		x, cerr := w.toGo(m.v)
		if cerr != nil {
			return nil, cerr.at(keySeg(m.k))
		}
		out[m.k] = x
	}
	return out, nil
}

// open starts visiting table t: it resolves t (see inspect), checks depth
// and cycles, and classifies it (see shape). It returns the resolved table,
// n >= 0 for an array of n elements or -1 for an object, and the object's
// members (unsorted, a segment of w.pairs). A successful open must be
// paired with close(members).
func (w *walker) open(t *lua.LTable) (*lua.LTable, int, []luaPair, *convError) {
	t, isObj := inspect(t)
	if len(w.path) >= MaxDepth {
		return nil, 0, nil, &convError{msg: "nesting deeper than " + strconv.Itoa(MaxDepth)}
	}
	if slices.Contains(w.path, t) {
		return nil, 0, nil, &convError{msg: "cyclic table"}
	}
	start := len(w.pairs)
	n, cerr := w.shape(t, isObj)
	if cerr != nil {
		w.pairs = w.pairs[:start]
		return nil, 0, nil, cerr
	}
	w.path = append(w.path, t)
	return t, n, w.pairs[start:], nil
}

// close ends the visit begun by open. Nested visits push their members
// after ours and pop them before we close, so popping len(members) entries
// restores the stack (members may point to an old backing array, which is
// fine: it is only read).
func (w *walker) close(members []luaPair) {
	w.path = w.path[:len(w.path)-1]
	w.pairs = w.pairs[:len(w.pairs)-len(members)]
}

// smallNumbers are pre-boxed keys for resuming t.Next after the array part
// without allocating.
var smallNumbers = func() (out [256]lua.LValue) {
	for i := range out {
		out[i] = lua.LNumber(i)
	}
	return out
}()

// shape classifies t by its raw keys: n >= 0 for an array of n elements,
// -1 for an object, whose string-keyed members it appends to w.pairs. It
// reads the array part by index and the hash part with t.Next starting
// after the array part; unlike t.ForEach this boxes no keys.
func (w *walker) shape(t *lua.LTable, isObj bool) (int, *convError) {
	maxN := t.MaxN()
	nInt, maxInt := 0, float64(maxN)
	for i := 1; i <= maxN; i++ {
		if t.RawGetInt(i) != lua.LNil {
			nInt++
		}
	}
	var from lua.LValue = lua.LNil
	if maxN > 0 && maxN < len(smallNumbers) {
		from = smallNumbers[maxN]
	} else if maxN > 0 {
		from = lua.LNumber(maxN)
	}
	start := len(w.pairs)
	for k, v := t.Next(from); k != lua.LNil; k, v = t.Next(k) {
		switch k := k.(type) {
		case lua.LString:
			w.pairs = append(w.pairs, luaPair{string(k), v})
			continue
		case lua.LNumber:
			if f := float64(k); f > float64(maxN) && f == math.Trunc(f) {
				nInt++
				maxInt = max(maxInt, f)
				continue
			}
		}
		return 0, badKey(k)
	}
	nStr := len(w.pairs) - start
	switch {
	case nStr > 0 && nInt > 0:
		return 0, &convError{msg: "table has both string keys and array indices"}
	case nStr > 0 || (isObj && nInt == 0):
		return -1, nil
	case isObj:
		return 0, &convError{msg: "table marked by json.object has number keys"}
	case maxInt != float64(nInt):
		return 0, &convError{msg: "sparse array: " + strconv.Itoa(nInt) +
			" elements but index " + strconv.FormatFloat(maxInt, 'g', -1, 64)}
	}
	return nInt, nil
}

func badKey(k lua.LValue) *convError {
	if n, ok := k.(lua.LNumber); ok {
		f := float64(n)
		if f == math.Trunc(f) {
			return &convError{msg: "sparse array: invalid index " + strconv.FormatFloat(f, 'g', -1, 64)}
		}
		return &convError{msg: "non-integer number key " + strconv.FormatFloat(f, 'g', -1, 64)}
	}
	return &convError{msg: "unsupported key type " + k.Type().String()}
}

// elem reads t[i] without metamethods. Lua puts integer keys below
// lua.MaxArrayIndex in the array part; Go code using RawSetH may not.
func elem(t *lua.LTable, i int) lua.LValue {
	if v := t.RawGetInt(i); v != lua.LNil {
		return v
	}
	return t.RawGetH(lua.LNumber(i))
}

// convError is a conversion failure plus the path to the offending value,
// collected innermost first while the recursion unwinds.
type convError struct {
	msg  string
	path []string
}

func unsupported(v lua.LValue) *convError {
	return &convError{msg: "unsupported value type " + v.Type().String()}
}

func (c *convError) at(seg string) *convError {
	c.path = append(c.path, seg)
	return c
}

func (c *convError) toError() *Error {
	if len(c.path) == 0 {
		return &Error{Kind: INVALID, Msg: c.msg}
	}
	var b strings.Builder
	b.WriteString(c.msg)
	b.WriteString(" at $")
	for i := len(c.path) - 1; i >= 0; i-- {
		b.WriteString(c.path[i])
	}
	return &Error{Kind: INVALID, Msg: b.String()}
}

func indexSeg(i int) string { return "[" + strconv.Itoa(i) + "]" }

func keySeg(k string) string {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return "[" + strconv.Quote(k) + "]"
		}
	}
	if k == "" {
		return `[""]`
	}
	return "." + k
}

// ToLua converts Go data into fresh Lua values owned by L: nil, bool,
// numbers (every int/uint/float kind and json.Number; integers beyond 2^53
// lose precision), string and []byte (as a Lua string), slices and arrays
// (1-based tables), maps with string keys (tables marked as json objects,
// so that even an empty map encodes as {} again), error values (Lua error
// objects, see PushError) and PlainValuer values. Nil slices and maps become
// empty tables. Other types become their fmt %v string, so nothing is
// silently lost. Nesting deeper than MaxDepth becomes nil (this bounds
// cyclic Go data; a pointer or a convenience type counts as one level).
// Call it only from the goroutine that owns L.
func ToLua(L *lua.LState, v any) lua.LValue {
	c := toLuaConv{L: L}
	return c.value(v, 0)
}

type toLuaConv struct {
	L     *lua.LState
	objMT *lua.LTable // L's object metatable, fetched on first use
}

func (c *toLuaConv) value(v any, depth int) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case int:
		return lua.LNumber(x)
	case []any:
		if depth >= MaxDepth {
			return lua.LNil
		}
		t := c.L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, c.value(e, depth+1))
		}
		return t
	case map[string]any:
		if depth >= MaxDepth {
			return lua.LNil
		}
		if c.objMT == nil {
			c.objMT = objectMeta(c.L)
		}
		t := c.L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, c.value(e, depth+1))
		}
		t.Metatable = c.objMT
		return t
	case error:
		return PushError(c.L, x)
	}
	if depth >= MaxDepth {
		return lua.LNil
	}
	if n, ok := normalize(v); ok {
		return c.value(n, depth+1) // +1 bounds pointer and PlainValuer chains
	}
	return lua.LString(fmt.Sprint(v))
}

// Marker fields of the metatables this package creates. IsObject and the
// read-only check compare these fields, not metatable identity, so they work
// for tables of any LState.
const (
	objectMetaKey     = "luahost.json.object"
	objectMarkField   = "__luahost_json_object"
	readOnlyField     = "__luahost_readonly"
	readOnlyAssignKey = "luahost.readonly.newindex"
	readOnlyLenKey    = "luahost.readonly.len"
)

// MarkObject marks t as a JSON object (what json.object does): it encodes
// as {} when empty and may not hold array indices. It replaces t's
// metatable with one shared per LState (cached in L's registry); the
// metatable is protected (getmetatable returns false).
func MarkObject(L *lua.LState, t *lua.LTable) {
	t.Metatable = objectMeta(L)
}

// IsObject reports whether t is marked as a JSON object.
func IsObject(t *lua.LTable) bool {
	mt, ok := t.Metatable.(*lua.LTable)
	return ok && mt.RawGetString(objectMarkField) == lua.LTrue
}

func objectMeta(L *lua.LState) *lua.LTable {
	if mt, ok := L.G.Registry.RawGetString(objectMetaKey).(*lua.LTable); ok {
		return mt
	}
	mt := L.CreateTable(0, 2)
	mt.RawSetString(objectMarkField, lua.LTrue)
	mt.RawSetString("__metatable", lua.LFalse)
	L.G.Registry.RawSetString(objectMetaKey, mt)
	return mt
}

// inspect sees through read-only proxies (to the table they expose) and
// reports whether the table is marked as an object.
func inspect(t *lua.LTable) (*lua.LTable, bool) {
	for range MaxDepth { // bounds a (pathological) chain of proxies
		mt, ok := t.Metatable.(*lua.LTable)
		if !ok {
			return t, false
		}
		if mt.RawGetString(objectMarkField) == lua.LTrue {
			return t, true
		}
		target, ok := mt.RawGetString("__index").(*lua.LTable)
		if !ok || mt.RawGetString(readOnlyField) != lua.LTrue {
			return t, false
		}
		t = target
	}
	return t, false
}

// ReadOnly returns an empty proxy table that reads from t (__index, and #
// through __len) and raises "attempt to modify a read-only table" on every
// assignment; its metatable is protected. ToGo and EncodeJSON see through
// the proxy to t. Note that gopher-lua has no __pairs: pairs/ipairs over
// the proxy yield nothing. Used for every constant table.
func ReadOnly(L *lua.LState, t *lua.LTable) *lua.LTable {
	// The two metamethods are created once per LState and kept directly in
	// the registry (a table of their own would cost more than they do).
	assign, ok := L.G.Registry.RawGetString(readOnlyAssignKey).(*lua.LFunction)
	if !ok {
		assign = L.NewFunction(readOnlyAssign)
		L.G.Registry.RawSetString(readOnlyAssignKey, assign)
	}
	length, ok := L.G.Registry.RawGetString(readOnlyLenKey).(*lua.LFunction)
	if !ok {
		length = L.NewFunction(readOnlyLen)
		L.G.Registry.RawSetString(readOnlyLenKey, length)
	}
	mt := L.CreateTable(0, 5)
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", assign)
	mt.RawSetString("__len", length)
	mt.RawSetString("__metatable", lua.LFalse)
	mt.RawSetString(readOnlyField, lua.LTrue)
	proxy := L.CreateTable(0, 0)
	proxy.Metatable = mt
	return proxy
}

func readOnlyAssign(L *lua.LState) int {
	L.RaiseError("attempt to modify a read-only table (field %s)", L.Get(2).String())
	return 0
}

func readOnlyLen(L *lua.LState) int {
	t, _ := inspect(L.CheckTable(1))
	L.Push(lua.LNumber(t.Len()))
	return 1
}

// normalize restates a value of the convenience types ToLua and
// EncodeGoJSON accept (see ToLua) with the core types (nil, bool, float64,
// string, []any, map[string]any), one level deep (a pointer yields its
// pointee, which the caller normalizes again), using reflection only for
// what the type switch misses. ok is false for unsupported types.
func normalize(v any) (out any, ok bool) {
	switch x := v.(type) {
	case PlainValuer:
		return x.PlainValue(), true
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f, true
		}
		return string(x), true
	case []byte:
		return string(x), true
	case int64:
		return float64(x), true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.String:
		return rv.String(), true
	case reflect.Bool:
		return rv.Bool(), true
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, true
		}
		return rv.Elem().Interface(), true // the caller normalizes again
	case reflect.Slice, reflect.Array:
		return normalizeSeq(rv), true
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			m := make(map[string]any, rv.Len())
			for it := rv.MapRange(); it.Next(); {
				m[it.Key().String()] = it.Value().Interface()
			}
			return m, true
		}
	}
	return nil, false
}

func normalizeSeq(rv reflect.Value) any {
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		return string(rv.Bytes())
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}
