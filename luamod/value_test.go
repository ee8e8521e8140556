package luamod

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// newTestState returns an LState with the globals scripts see here: the
// standard libraries, `errors`, and `json` (normally loaded by require).
func newTestState(t testing.TB) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	OpenErrors(L)
	L.SetGlobal("json", OpenJSON(L))
	return L
}

// evalLua runs `return <expr>` (or a chunk with its own return when it
// contains "return") and returns the first result.
func evalLua(t testing.TB, L *lua.LState, src string) lua.LValue {
	t.Helper()
	if !strings.Contains(src, "return") {
		src = "return " + src
	}
	if err := L.DoString(src); err != nil {
		t.Fatalf("lua %q: %v", src, err)
	}
	v := L.Get(-1)
	L.Pop(L.GetTop())
	return v
}

// deepTable is Lua source for n nested tables: {{...{1}...}}.
func deepTable(n int) string {
	return strings.Repeat("{", n) + "1" + strings.Repeat("}", n)
}

var toGoCases = []struct {
	name, lua string
	want      any
	err       string // substring of the error message; "" means success
}{
	{"nil", "nil", nil, ""},
	{"true", "true", true, ""},
	{"integer", "42", 42.0, ""},
	{"float", "1.5", 1.5, ""},
	{"string", `"héllo"`, "héllo", ""},
	{"invalid utf8 kept", `"\255"`, "\xff", ""},
	{"NaN", "0/0", nil, ""},
	{"Inf", "1/0", nil, ""},
	{"NaN in object", "{a = 0/0, b = 1}", map[string]any{"a": nil, "b": 1.0}, ""},
	{"empty table", "{}", []any{}, ""},
	{"json.object()", "json.object()", map[string]any{}, ""},
	{"json.object(t)", "json.object({a = 1})", map[string]any{"a": 1.0}, ""},
	{"array", "{1, 'two', true}", []any{1.0, "two", true}, ""},
	{"array trailing nil", "{1, 2, nil}", []any{1.0, 2.0}, ""},
	{"array by index", "local t = {}; t[2] = 'b'; t[1] = 'a'; return t", []any{"a", "b"}, ""},
	{"object", "{b = 1, a = {c = 'x'}}", map[string]any{"a": map[string]any{"c": "x"}, "b": 1.0}, ""},
	{"nested arrays", "{{1}, {}, {{}}}", []any{[]any{1.0}, []any{}, []any{[]any{}}}, ""},
	{"numeric string keys", `{["1"] = 1}`, map[string]any{"1": 1.0}, ""},
	{"shared table twice", "local s = {1}; return {s, s}", []any{[]any{1.0}, []any{1.0}}, ""},
	{"error object", "errors.new{message = 'boom', kind = errors.NOT_FOUND}", "boom", ""},
	{"read-only proxy seen through", "{k = errors}", nil, "function at $.k.new"},
	{"depth 128", deepTable(128), nil, ""},
	{"depth 129", deepTable(129), nil, "nesting deeper than 128"},
	{"mixed keys", "{1, a = 2}", nil, "both string keys and array indices"},
	{"sparse", "{1, nil, 3}", nil, "sparse array"},
	{"sparse high index", "{[1] = 1, [1000] = 2}", nil, "sparse array"},
	{"zero index", "{[0] = 1}", nil, "invalid index 0"},
	{"negative index", "{[-1] = 1}", nil, "invalid index -1"},
	{"huge index", "{[2^60] = 1}", nil, "sparse array"},
	{"float key", "{[1.5] = 1}", nil, "non-integer number key 1.5"},
	{"boolean key", "{[true] = 1}", nil, "unsupported key type boolean"},
	{"table key", "{[{}] = 1}", nil, "unsupported key type table"},
	{"function", "print", nil, "unsupported value type function"},
	{"nested function path", "{a = {b = {1, print}}}", nil, "function at $.a.b[2]"},
	{"odd key path", `{["a b"] = print}`, nil, `at $["a b"]`},
	{"userdata", "io.stdout", nil, "unsupported value type userdata"},
	{"coroutine", "coroutine.create(function() end)", nil, "unsupported value type thread"},
	{"cycle", "local t = {}; t.self = t; return t", nil, "cyclic table at $.self"},
	{"cycle in array", "local t = {}; t[1] = {t}; return t", nil, "cyclic table at $[1][1]"},
	{"object marked with indices", "json.object({1, 2})", nil, "marked by json.object has number keys"},
}

func TestToGo(t *testing.T) {
	L := newTestState(t)
	for _, tc := range toGoCases {
		t.Run(tc.name, func(t *testing.T) {
			v := evalLua(t, L, tc.lua)
			got, err := ToGo(v)
			checkConv(t, got, err, tc.want, tc.err)
			if tc.name == "depth 128" {
				return // checked below by TestDepthLimits
			}
			if err == nil && !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ToGo(%s) = %#v, want %#v", tc.lua, got, tc.want)
			}
		})
	}
}

// checkConv checks an error against the wanted substring, and that errors
// are *Error of kind INVALID.
func checkConv(t *testing.T, got any, err error, want any, wantErr string) {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got %#v, want error containing %q", got, wantErr)
	}
	if !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("error %q does not contain %q", err, wantErr)
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != INVALID {
		t.Fatalf("error %#v is not an *Error of kind INVALID", err)
	}
}

func TestDepthLimits(t *testing.T) {
	L := newTestState(t)
	v := evalLua(t, L, deepTable(128))
	got, err := ToGo(v)
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for x, ok := got.([]any); ok; x, ok = x[0].([]any) {
		depth++
	}
	if depth != 128 {
		t.Fatalf("depth %d, want 128", depth)
	}
	// A Go map that contains itself: EncodeGoJSON errors, ToLua stops.
	m := map[string]any{}
	m["m"] = m
	if _, err := EncodeGoJSON(nil, m); err == nil || !strings.Contains(err.Error(), "nesting deeper") {
		t.Fatalf("EncodeGoJSON(cyclic map) err = %v", err)
	}
	if tb, ok := ToLua(L, m).(*lua.LTable); !ok || tb.RawGetString("m") == lua.LNil {
		t.Fatal("ToLua(cyclic map) did not build tables")
	}
	var self any
	self = &self
	if _, err := EncodeGoJSON(nil, self); err == nil {
		t.Fatal("EncodeGoJSON(self-pointer) succeeded")
	}
	if v := ToLua(L, self); v != lua.LNil {
		t.Fatalf("ToLua(self-pointer) = %v", v)
	}
}

func TestToLuaRoundTrip(t *testing.T) {
	L := newTestState(t)
	for _, tc := range toGoCases {
		if tc.err != "" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			g1, err := ToGo(evalLua(t, L, tc.lua))
			if err != nil {
				t.Fatal(err)
			}
			g2, err := ToGo(ToLua(L, g1))
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := luaNormal(g1); !reflect.DeepEqual(want, g2) {
				t.Fatalf("round trip: %#v != %#v", g2, want)
			}
		})
	}
}

type named string

type plainThing struct{}

func (plainThing) PlainValue() any { return "plain" }

func TestToLuaTypes(t *testing.T) {
	L := newTestState(t)
	one := 1
	cases := []struct {
		name string
		in   any
		want string // JSON of ToGo(ToLua(in))
	}{
		{"nil", nil, `null`},
		{"ints", []any{int8(-1), int16(2), int32(3), int64(4), uint(5), uint8(6), uint64(7), uintptr(8)}, `[-1,2,3,4,5,6,7,8]`},
		{"floats", []any{float32(1.5), 2.25}, `[1.5,2.25]`},
		{"json.Number", []any{json.Number("12"), json.Number("x")}, `[12,"x"]`},
		{"bytes", []byte("hi"), `"hi"`},
		{"named string", named("n"), `"n"`},
		{"string slice", []string{"a", "b"}, `["a","b"]`},
		{"int array", [2]int{1, 2}, `[1,2]`},
		{"string map", map[string]string{"k": "v"}, `{"k":"v"}`},
		{"int map", map[string]int{"k": 1}, `{"k":1}`},
		{"nil slice", []any(nil), `[]`},
		{"nil map", map[string]any(nil), `{}`},
		{"empty map", map[string]any{}, `{}`},
		{"pointer", &one, `1`},
		{"nil pointer", (*int)(nil), `null`},
		{"plain valuer", plainThing{}, `"plain"`},
		{"error", NewError(NOT_FOUND, "gone"), `"gone"`},
		{"unsupported", struct{ A int }{1}, `"{1}"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lv := ToLua(L, tc.in)
			b, err := EncodeJSON(nil, lv)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Fatalf("got %s, want %s", b, tc.want)
			}
		})
	}
	if e, ok := AsError(ToLua(L, NewError(NOT_FOUND, "gone"))); !ok || e.Kind != NOT_FOUND {
		t.Fatalf("ToLua(*Error) is not an error object: %v", e)
	}
}

func TestObjectMark(t *testing.T) {
	L1, L2 := newTestState(t), newTestState(t)
	t1, t2 := L1.NewTable(), L2.NewTable()
	MarkObject(L1, t1)
	MarkObject(L2, t2)
	if !IsObject(t1) || !IsObject(t2) || IsObject(L1.NewTable()) {
		t.Fatal("IsObject wrong")
	}
	if t1.Metatable == t2.Metatable {
		t.Fatal("metatable shared across states")
	}
	t3 := L1.NewTable()
	MarkObject(L1, t3)
	if t3.Metatable != t1.Metatable {
		t.Fatal("metatable not reused within a state")
	}
	// Lua sees a protected metatable and cannot replace it.
	L1.SetGlobal("o", t1)
	if v := evalLua(t, L1, "getmetatable(o)"); v != lua.LFalse {
		t.Fatalf("getmetatable = %v", v)
	}
	if err := L1.DoString("setmetatable(o, {})"); err == nil {
		t.Fatal("setmetatable on object succeeded")
	}
	// Decoded objects, json.object({}) and ToLua maps are marked.
	for _, src := range []string{`json.decode('{"a":1}')`, "json.object({})", "json.object(json.object())"} {
		if tb, ok := evalLua(t, L1, src).(*lua.LTable); !ok || !IsObject(tb) {
			t.Fatalf("%s not marked", src)
		}
	}
	if err := L1.DoString("json.object(setmetatable({}, {}))"); err == nil {
		t.Fatal("json.object accepted a table with a metatable")
	}
	if err := L1.DoString("json.object(1)"); err == nil {
		t.Fatal("json.object accepted a number")
	}
}

func TestReadOnly(t *testing.T) {
	L := newTestState(t)
	inner := L.NewTable()
	inner.RawSetString("A", lua.LString("a"))
	inner.RawSetInt(1, lua.LNumber(10))
	L.SetGlobal("ro", ReadOnly(L, inner))
	if v := evalLua(t, L, "ro.A .. #ro .. ro[1]"); v.String() != "a110" {
		t.Fatalf("read through proxy = %v", v)
	}
	for _, src := range []string{"ro.A = 'x'", "ro.B = 1", "ro[2] = 1", "setmetatable(ro, nil)"} {
		if err := L.DoString(src); err == nil {
			t.Fatalf("%s succeeded", src)
		}
	}
	if err := L.DoString("ro.A = 'x'"); !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("error %v does not say read-only", err)
	}
	if inner.RawGetString("A").String() != "a" || inner.RawGetString("B") != lua.LNil {
		t.Fatal("proxy target modified")
	}
	// Conversions see through the proxy (mixed keys here, so: an error).
	inner.RawSetInt(1, lua.LNil)
	got, err := ToGo(ReadOnly(L, ReadOnly(L, inner)))
	if err != nil || !reflect.DeepEqual(got, map[string]any{"A": "a"}) {
		t.Fatalf("ToGo(proxy) = %#v, %v", got, err)
	}
}

func TestToGoNeverPanics(t *testing.T) {
	L := newTestState(t)
	ud := L.NewUserData()
	ud.Value = 42
	values := []lua.LValue{ud, L.NewFunction(func(*lua.LState) int { return 0 }), lua.LChannel(make(chan lua.LValue)), L}
	for _, v := range values {
		if _, err := ToGo(v); err == nil {
			t.Errorf("ToGo(%s) succeeded", v.Type())
		}
		if _, err := EncodeJSON(nil, v); err == nil {
			t.Errorf("EncodeJSON(%s) succeeded", v.Type())
		}
	}
}

// luaNormal is what plain data looks like after a trip through Lua tables,
// where nil cannot be stored: object members that are nil vanish, trailing
// nil elements vanish, and an interior nil element makes the array sparse,
// which ToGo rejects (ok is false).
func luaNormal(v any) (out any, ok bool) {
	switch x := v.(type) {
	case []any:
		n := len(x)
		for n > 0 && x[n-1] == nil {
			n--
		}
		arr := make([]any, n)
		for i := range n {
			if x[i] == nil {
				return nil, false
			}
			if arr[i], ok = luaNormal(x[i]); !ok {
				return nil, false
			}
		}
		return arr, true
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if e == nil {
				continue
			}
			if m[k], ok = luaNormal(e); !ok {
				return nil, false
			}
		}
		return m, true
	}
	return v, true
}
