package luamod

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// stdJSON is encoding/json's output with HTML escaping off and without the
// trailing newline: the reference EncodeJSON and EncodeGoJSON must match.
func stdJSON(t testing.TB, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

var encodeCases = []struct{ name, lua, want string }{
	{"nil", "nil", `null`},
	{"bools", "{true, false}", `[true,false]`},
	{"integer", "42", `42`},
	{"negative integer", "-7", `-7`},
	{"minus zero", "-0.0", `-0`},
	{"float", "1.5", `1.5`},
	{"2^53", "2^53", `9007199254740992`},
	{"1e20", "1e20", `100000000000000000000`},
	{"1e21", "1e21", `1e+21`},
	{"1e-7", "1e-7", `1e-7`},
	{"1e-6", "1e-6", `0.000001`},
	{"third", "1/3", `0.3333333333333333`},
	{"NaN", "0/0", `null`},
	{"Inf", "{1/0, -1/0}", `[null,null]`},
	{"empty table", "{}", `[]`},
	{"json.object()", "json.object()", `{}`},
	{"array", "{1, 'a', {}}", `[1,"a",[]]`},
	{"sorted keys", "{b = 1, a = 2, C = 3, aa = {z = 1, y = json.object()}}", `{"C":3,"a":2,"aa":{"y":{},"z":1},"b":1}`},
	{"escapes", `"q\" b\\ \n\r\t\b\f \1 \31 /"`, `"q\" b\\ \n\r\t\b\f \u0001 \u001f /"`},
	{"no html escaping", `"<a href='x'>&</a>"`, `"<a href='x'>&</a>"`},
	{"unicode", `"é ✓ 😀"`, `"é ✓ 😀"`},
	{"line separators", "\"\xe2\x80\xa8\xe2\x80\xa9\"", `"\u2028\u2029"`},
	{"invalid utf8", `"a\255b\192"`, `"a\ufffdb\ufffd"`},
	{"DEL", `"\127"`, "\"\x7f\""},
	{"error object", "{err = errors.new('boom')}", `{"err":"boom"}`},
}

func TestEncodeJSON(t *testing.T) {
	L := newTestState(t)
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			v := evalLua(t, L, tc.lua)
			got, err := EncodeJSON([]byte("prefix:"), v)
			if err != nil {
				t.Fatal(err)
			}
			if s := string(got); s != "prefix:"+tc.want {
				t.Fatalf("EncodeJSON(%s) = %s, want %s", tc.lua, s, tc.want)
			}
			g, err := ToGo(v)
			if err != nil {
				t.Fatal(err)
			}
			if std := stdJSON(t, g); std != tc.want {
				t.Fatalf("encoding/json gives %s, want %s", std, tc.want)
			}
			if b, err := EncodeGoJSON(nil, g); err != nil || string(b) != tc.want {
				t.Fatalf("EncodeGoJSON = %s, %v", b, err)
			}
		})
	}
}

func TestEncodeJSONErrors(t *testing.T) {
	L := newTestState(t)
	for _, tc := range toGoCases {
		if tc.err == "" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			v := evalLua(t, L, tc.lua)
			got, err := EncodeJSON([]byte("keep"), v)
			checkConv(t, got, err, nil, tc.err)
			if string(got) != "keep" {
				t.Fatalf("buffer not restored: %q", got)
			}
			_, err2 := ToGo(v)
			if err2 == nil || err.Error() != err2.Error() {
				t.Fatalf("ToGo error %v differs from EncodeJSON error %v", err2, err)
			}
		})
	}
}

func TestEncodeGoJSON(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want string
		err  string
	}{
		{"plain", map[string]any{"b": []any{1.0, "x", nil, true}, "a": map[string]any{}}, `{"a":{},"b":[1,"x",null,true]}`, ""},
		{"NaN", []any{math.NaN(), math.Inf(1)}, `[null,null]`, ""},
		{"nil slice and map", []any{[]any(nil), map[string]any(nil)}, `[[],{}]`, ""},
		{"convenience", map[string]any{"n": int64(5), "s": []string{"x"}, "e": NewError(INVALID, "bad")}, `{"e":"bad","n":5,"s":["x"]}`, ""},
		{"func", map[string]any{"f": func() {}}, "", "unsupported Go type func() at $.f"},
		{"chan", []any{1.0, make(chan int)}, "", "unsupported Go type chan int at $[2]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EncodeGoJSON(nil, tc.in)
			checkConv(t, got, err, nil, tc.err)
			if tc.err == "" && string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

var decodeCases = []struct {
	name, in string
	want     any    // ToGo of the decoded Lua value
	err      string // "" means success
}{
	{"null", `null`, nil, ""},
	{"spaces", " \t\r\n true \n", true, ""},
	{"integer", `42`, 42.0, ""},
	{"float", `-1.5e3`, -1500.0, ""},
	{"minus zero", `-0`, math.Copysign(0, -1), ""},
	{"long integer", `12345678901234567890`, 12345678901234567890.0, ""},
	{"underflow", `1e-400`, 0.0, ""},
	{"string escapes", `"a\"\\\/\b\f\n\r\t\u00e9\u2028"`, "a\"\\/\b\f\n\r\té\u2028", ""},
	{"surrogate pair", `"\ud83d\ude00"`, "😀", ""},
	{"lone surrogate", `"\ud83dx"`, "\ufffdx", ""},
	{"bad surrogate pair", `"\ud83d\u0041"`, "\ufffdA", ""},
	{"invalid utf8", "\"a\xffb\"", "a\ufffdb", ""},
	{"array", `[1, "a", [], {}]`, []any{1.0, "a", []any{}, map[string]any{}}, ""},
	{"object", `{"b": {"c": [true]}, "a": null}`, map[string]any{"b": map[string]any{"c": []any{true}}}, ""},
	{"only null members", `{"a": null}`, map[string]any{}, ""},
	{"duplicate key", `{"a": 1, "a": 2}`, map[string]any{"a": 2.0}, ""},
	{"trailing null element", `[1, null]`, []any{1.0}, ""},
	{"depth 128", strings.Repeat("[", 128) + strings.Repeat("]", 128), nil, ""},
	{"depth 129", strings.Repeat("[", 129) + strings.Repeat("]", 129), nil, "nesting deeper than 128"},
	{"object depth 129", strings.Repeat(`{"a":`, 129) + "1" + strings.Repeat("}", 129), nil, "nesting deeper than 128"},
	{"empty", ``, nil, "invalid JSON"},
	{"garbage", `nul`, nil, "invalid JSON"},
	{"trailing garbage", `{} x`, nil, "invalid JSON"},
	{"two values", `1 2`, nil, "invalid JSON"},
	{"trailing comma", `[1,]`, nil, "invalid JSON"},
	{"object trailing comma", `{"a":1,}`, nil, "invalid JSON"},
	{"missing colon", `{"a" 1}`, nil, "invalid JSON"},
	{"single quotes", `'a'`, nil, "invalid JSON"},
	{"leading zero", `01`, nil, "invalid JSON"},
	{"bare minus", `-`, nil, "invalid JSON"},
	{"dot without digits", `1.`, nil, "invalid JSON"},
	{"exponent without digits", `1e+`, nil, "invalid JSON"},
	{"plus sign", `+1`, nil, "invalid JSON"},
	{"out of range", `1e400`, nil, "invalid JSON"},
	{"control char", "\"a\nb\"", nil, "invalid JSON"},
	{"bad escape", `"\x"`, nil, "invalid JSON"},
	{"short unicode escape", `"\u12"`, nil, "invalid JSON"},
	{"unterminated string", `"abc`, nil, "invalid JSON"},
	{"unterminated array", `[1`, nil, "invalid JSON"},
	{"bom", "\xef\xbb\xbf1", nil, "invalid JSON"},
}

func TestDecodeJSON(t *testing.T) {
	L := newTestState(t)
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := DecodeJSON(L, []byte(tc.in))
			checkConv(t, v, err, nil, tc.err)
			_, goErr := DecodeGoJSON([]byte(tc.in))
			if (err == nil) != (goErr == nil) {
				t.Fatalf("DecodeJSON err %v but DecodeGoJSON err %v", err, goErr)
			}
			var std any
			stdErr := json.Unmarshal([]byte(tc.in), &std)
			if (stdErr == nil) != (err == nil) && !strings.Contains(tc.name, "depth 129") {
				t.Fatalf("encoding/json err %v, ours %v", stdErr, err)
			}
			if err != nil || strings.HasPrefix(tc.name, "depth") {
				return
			}
			got, err := ToGo(v)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) || math.Signbit(asFloat(got)) != math.Signbit(asFloat(tc.want)) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func asFloat(v any) float64 { f, _ := v.(float64); return f }

func TestDecodeGoJSONMatchesStd(t *testing.T) {
	in := `{"a":[1,null,"x",{"b":null}],"c":{},"d":[],"e":-0.5e-3}`
	got, err := DecodeGoJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

// TestJSONModule runs the module the way scripts use it.
func TestJSONModule(t *testing.T) {
	L := newTestState(t)
	script := `
		local function check(cond, msg) if not cond then error(msg, 2) end end
		local s, err = json.encode({b = {1, 2}, a = "x"})
		check(s == '{"a":"x","b":[1,2]}' and err == nil, "encode: " .. tostring(s))
		check(select("#", json.encode({})) == 1, "encode returns one value")
		check(json.encode() == "null", "encode() is null")
		check(json.encode(json.object()) == "{}", "object")

		local t = {}; t.self = t
		local v, err = json.encode(t)
		check(v == nil and err:kind() == errors.INVALID, "cycle error")
		check(tostring(err):find("cyclic") ~= nil, "cycle message")
		check(select("#", json.encode(print)) == 2, "failure returns two values")

		local d = json.decode('{"list":[1,2,3],"name":"n","nested":{"ok":true}}')
		check(d.list[3] == 3 and #d.list == 3 and d.name == "n" and d.nested.ok, "decode")
		check(json.decode("null") == nil and select("#", json.decode("null")) == 1, "null")
		local v, err = json.decode("[1,")
		check(v == nil and err:kind() == errors.INVALID, "decode error")
		check(json.encode(json.decode('{"a":{}, "b":[]}')) == '{"a":{},"b":[]}', "round trip")
		check(not pcall(json.decode), "decode without argument raises")
		check(not pcall(function() json.encode = nil end), "module is read-only")
	`
	if err := L.DoString(script); err != nil {
		t.Fatal(err)
	}
}

func TestJSONRoundTripLua(t *testing.T) {
	L := newTestState(t)
	for _, tc := range toGoCases {
		if tc.err != "" || tc.name == "invalid utf8 kept" { // JSON repairs it: see encodeCases
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			v := evalLua(t, L, tc.lua)
			b, err := EncodeJSON(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeJSON(L, b)
			if err != nil {
				t.Fatalf("decode %s: %v", b, err)
			}
			g1, _ := ToGo(v)
			g2, err := ToGo(back)
			if want, _ := luaNormal(g1); err != nil || !reflect.DeepEqual(g2, want) {
				t.Fatalf("Lua->JSON->Lua: %#v (%v), want %#v", g2, err, want)
			}
		})
	}
}

func benchTable(b *testing.B, src string) lua.LValue {
	L := lua.NewState()
	b.Cleanup(L.Close)
	L.SetGlobal("json", OpenJSON(L))
	return evalLua(b, L, src)
}

const helloTable = `{message = "hello, world", ok = true}`

// nestedTable has 20 fields across three levels.
const nestedTable = `{
	id = 12345, name = "stream-7", active = true, ratio = 0.75,
	tags = {"a", "b", "c"}, owner = {id = 9, name = "ops", email = "ops@example.com"},
	stats = {count = 1024, bytes = 1048576, rate = 12.5, last = "2024-01-01T00:00:00Z"},
	meta = {region = "eu", zone = "b", note = "line\nbreak"},
	empty = json.object(), list = {1, 2, 3, 4}, flag = false, title = "Hello <world>",
}`

func BenchmarkEncodeJSON(b *testing.B) {
	for _, bc := range []struct{ name, src string }{{"hello", helloTable}, {"nested20", nestedTable}} {
		b.Run(bc.name, func(b *testing.B) {
			v := benchTable(b, bc.src)
			buf := make([]byte, 0, 1024)
			b.ReportAllocs()
			for b.Loop() {
				out, err := EncodeJSON(buf[:0], v)
				if err != nil {
					b.Fatal(err)
				}
				buf = out
			}
		})
	}
}

func BenchmarkToGo(b *testing.B) {
	for _, bc := range []struct{ name, src string }{{"hello", helloTable}, {"nested20", nestedTable}} {
		b.Run(bc.name, func(b *testing.B) {
			v := benchTable(b, bc.src)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ToGo(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	L := lua.NewState()
	b.Cleanup(L.Close)
	data := []byte(`{"id":12345,"name":"stream-7","tags":["a","b","c"],"owner":{"id":9,"name":"ops"},"ratio":0.75}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeJSON(L, data); err != nil {
			b.Fatal(err)
		}
	}
}
