package luamod

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"reflect"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// fuzzStates hands each (possibly parallel) fuzz call its own LState.
var fuzzStates = sync.Pool{New: func() any { return lua.NewState(lua.Options{SkipOpenLibs: true}) }}

// FuzzJSONRoundTrip: arbitrary bytes are accepted by DecodeJSON and
// DecodeGoJSON exactly when encoding/json accepts them (and they nest at most
// MaxDepth deep); DecodeGoJSON equals encoding/json's result; EncodeGoJSON
// and EncodeJSON match encoding/json byte for byte; decode(encode(v)) == v.
func FuzzJSONRoundTrip(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		L := fuzzStates.Get().(*lua.LState)
		defer fuzzStates.Put(L)

		var std any
		stdErr := json.Unmarshal(data, &std)
		wantOK := stdErr == nil && depthOf(std) <= MaxDepth
		g, gErr := DecodeGoJSON(data)
		v, lErr := DecodeJSON(L, data)
		if (gErr == nil) != wantOK || (lErr == nil) != wantOK {
			t.Fatalf("accept mismatch on %q: encoding/json %v, DecodeGoJSON %v, DecodeJSON %v", data, stdErr, gErr, lErr)
		}
		if !wantOK {
			return
		}
		if !reflect.DeepEqual(g, std) {
			t.Fatalf("DecodeGoJSON(%q) = %#v, encoding/json %#v", data, g, std)
		}
		if enc, err := EncodeGoJSON(nil, g); err != nil || string(enc) != stdJSON(t, g) {
			t.Fatalf("EncodeGoJSON = %s (%v), encoding/json %s", enc, err, stdJSON(t, g))
		}
		checkLuaValue(t, L, v, g)
	})
}

// checkLuaValue checks a decoded Lua value against the plain data it was
// decoded from: ToGo gives luaNormal(g) (or fails exactly when g cannot live
// in Lua tables), EncodeJSON agrees with ToGo and encoding/json, and the
// JSON decodes back to the same value.
func checkLuaValue(t *testing.T, L *lua.LState, v lua.LValue, g any) {
	want, representable := luaNormal(g)
	lg, err := ToGo(v)
	if (err == nil) != representable {
		t.Fatalf("ToGo error %v, representable %v", err, representable)
	}
	enc, encErr := EncodeJSON(nil, v)
	if (encErr == nil) != (err == nil) {
		t.Fatalf("EncodeJSON error %v but ToGo error %v", encErr, err)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(lg, want) {
		t.Fatalf("ToGo = %#v, want %#v", lg, want)
	}
	if std := stdJSON(t, lg); string(enc) != std {
		t.Fatalf("EncodeJSON = %s, encoding/json %s", enc, std)
	}
	back, err := DecodeJSON(L, enc)
	if err != nil {
		t.Fatalf("decoding our own output %s: %v", enc, err)
	}
	if again, err := EncodeJSON(nil, back); err != nil || !bytes.Equal(again, enc) {
		t.Fatalf("re-encoding gives %s (%v), want %s", again, err, enc)
	}
}

// depthOf is the container nesting depth of decoded plain data.
func depthOf(v any) int {
	d := 0
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			d = max(d, depthOf(e))
		}
		return d + 1
	case map[string]any:
		for _, e := range x {
			d = max(d, depthOf(e))
		}
		return d + 1
	}
	return 0
}

// FuzzLuaValueCopy builds an arbitrary Lua value (see valueBuilder) and
// checks: ToGo and EncodeJSON fail together; EncodeJSON and EncodeGoJSON
// equal encoding/json on ToGo's result; ToGo(ToLua(ToGo(v))) equals
// luaNormal(ToGo(v)). Nothing may panic.
func FuzzLuaValueCopy(f *testing.F) {
	f.Add([]byte{5, 3, 2, 1, 2, 2, 4, 3, 'a', 'b', 'c'})
	f.Add([]byte{6, 2, 1, 'k', 2, 7, 0, 5, 0})
	f.Add([]byte{5, 1, 9, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		L := fuzzStates.Get().(*lua.LState)
		defer fuzzStates.Put(L)
		b := &valueBuilder{L: L, data: data}
		v := b.value(0)

		g1, err := ToGo(v)
		enc, encErr := EncodeJSON(nil, v)
		if (err == nil) != (encErr == nil) {
			t.Fatalf("ToGo error %v but EncodeJSON error %v", err, encErr)
		}
		if err != nil {
			return
		}
		if std := stdJSON(t, g1); string(enc) != std {
			t.Fatalf("EncodeJSON = %s, encoding/json %s", enc, std)
		}
		if genc, err := EncodeGoJSON(nil, g1); err != nil || !bytes.Equal(genc, enc) {
			t.Fatalf("EncodeGoJSON = %s (%v), EncodeJSON %s", genc, err, enc)
		}
		want, representable := luaNormal(g1)
		g2, err := ToGo(ToLua(L, g1))
		if (err == nil) != representable {
			t.Fatalf("ToGo(ToLua) error %v, representable %v", err, representable)
		}
		if err == nil && !reflect.DeepEqual(g2, want) {
			t.Fatalf("ToGo(ToLua(%#v)) = %#v, want %#v", g1, g2, want)
		}
	})
}

// valueBuilder interprets fuzz bytes as a program that builds a Lua value.
// Each value starts with an opcode byte (mod 12): nil, boolean, small
// integer, float64 from 8 bytes (NaN, ±Inf, -0 included), string, array
// (elements may be nil: holes), string-keyed table, table with odd keys
// (floats, booleans, 0, negative, huge, mixed), json.object table, a
// reference to an earlier table (a cycle when it is an ancestor), a function,
// and a userdata (an error object or an opaque one). Exhausted input reads
// as zeros, which build nil, so every program terminates.
type valueBuilder struct {
	L      *lua.LState
	data   []byte
	pos    int
	tables []*lua.LTable
}

func (b *valueBuilder) next() byte {
	if b.pos >= len(b.data) {
		return 0
	}
	b.pos++
	return b.data[b.pos-1]
}

func (b *valueBuilder) bytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b.next()
	}
	return out
}

func (b *valueBuilder) value(depth int) lua.LValue {
	op := b.next()
	if depth > MaxDepth+3 {
		return lua.LNil
	}
	switch op % 12 {
	case 1:
		return lua.LBool(op&0x10 != 0)
	case 2:
		return lua.LNumber(int8(b.next()))
	case 3:
		return lua.LNumber(math.Float64frombits(binary.LittleEndian.Uint64(b.bytes(8))))
	case 4:
		return lua.LString(b.bytes(int(b.next() % 16)))
	case 5, 6, 7, 8:
		return b.table(op, depth)
	case 9:
		if len(b.tables) > 0 {
			return b.tables[int(b.next())%len(b.tables)]
		}
	case 10:
		return b.L.NewFunction(func(*lua.LState) int { return 0 })
	case 11:
		if op&0x10 != 0 {
			return PushError(b.L, NewError(INVALID, "%s", b.bytes(int(b.next()%8))))
		}
		return b.L.NewUserData()
	}
	return lua.LNil
}

func (b *valueBuilder) table(op byte, depth int) lua.LValue {
	t := b.L.NewTable()
	b.tables = append(b.tables, t)
	n := int(b.next() % 8)
	for i := 1; i <= n; i++ {
		var key lua.LValue = lua.LNumber(i)
		switch op % 12 {
		case 6, 8:
			key = lua.LString(b.bytes(int(b.next() % 4)))
		case 7:
			key = b.oddKey()
		}
		t.RawSet(key, b.value(depth+1))
	}
	if op%12 == 8 {
		MarkObject(b.L, t)
	}
	return t
}

func (b *valueBuilder) oddKey() lua.LValue {
	switch k := b.next(); k % 7 {
	case 0:
		return lua.LNumber(float64(k) + 0.5)
	case 1:
		return lua.LBool(k&0x10 != 0)
	case 2:
		return lua.LNumber(-int(k % 3))
	case 3:
		return lua.LNumber(1 << 40)
	case 4:
		return lua.LString([]byte{k})
	default:
		return lua.LNumber(int(k%4) + 1)
	}
}
