package luamod

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// OpenJSON builds the `json` module table (a read-only proxy):
//
//	json.encode(v)   -> string        | nil, err (kind INVALID)
//	json.decode(s)   -> value         | nil, err (kind INVALID)
//	json.object([t]) -> t marked as a JSON object (a new empty table if no t)
//
// Success returns exactly one value (SPEC 6). json.decode('null') is nil.
func OpenJSON(L *lua.LState) *lua.LTable {
	mod := L.CreateTable(0, 3)
	mod.RawSetString("encode", L.NewFunction(jsonEncode))
	mod.RawSetString("decode", L.NewFunction(jsonDecode))
	mod.RawSetString("object", L.NewFunction(jsonObject))
	return ReadOnly(L, mod)
}

// encodeBufs recycles json.encode output buffers; the result is copied into
// a Lua string, so a buffer is free again when jsonEncode returns.
var encodeBufs = sync.Pool{New: func() any { return new([]byte) }}

// putEncodeBuf returns a buffer taken from encodeBufs, unless it grew so
// large that keeping it would pin memory.
func putEncodeBuf(bp *[]byte) {
	if cap(*bp) <= 64<<10 {
		encodeBufs.Put(bp)
	}
}

func jsonEncode(L *lua.LState) int {
	bp := encodeBufs.Get().(*[]byte)
	b, err := EncodeJSON((*bp)[:0], L.Get(1))
	if err == nil {
		L.Push(lua.LString(b))
	}
	*bp = b
	putEncodeBuf(bp)
	if err != nil {
		return Fail(L, err)
	}
	return 1
}

func jsonDecode(L *lua.LState) int {
	s := L.CheckString(1)
	// The parser only reads its input and copies every string it keeps, so
	// viewing the Lua string's bytes without a copy is safe.
	v, err := DecodeJSON(L, unsafe.Slice(unsafe.StringData(s), len(s)))
	if err != nil {
		return Fail(L, err)
	}
	L.Push(v)
	return 1
}

func jsonObject(L *lua.LState) int {
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
		t := L.CreateTable(0, 0)
		MarkObject(L, t)
		L.Push(t)
	case *lua.LTable:
		if v.Metatable != lua.LNil && !IsObject(v) {
			L.ArgError(1, "table already has a metatable")
		}
		MarkObject(L, v)
		L.Push(v)
	default:
		L.TypeError(1, lua.LTTable)
	}
	return 1
}

// EncodeJSON appends the compact JSON text of v to buf, walking the Lua value
// directly (no intermediate Go data). The output is byte-for-byte what
// encoding/json (with SetEscapeHTML(false), without the trailing newline)
// produces for ToGo(v): object keys sorted, integral numbers without a
// fraction, invalid UTF-8 replaced by U+FFFD, and U+2028/U+2029 escaped.
// NaN and ±Inf encode as null. It fails exactly when ToGo fails (an *Error
// of kind INVALID naming the path, e.g. "cyclic table at $.a[2]"); on
// failure it returns buf with its original length. Call it only from the
// goroutine that owns v's LState.
func EncodeJSON(buf []byte, v lua.LValue) ([]byte, error) {
	w := getWalker()
	defer putWalker(w)
	out, cerr := w.encode(buf, v)
	if cerr != nil {
		return buf, cerr.toError()
	}
	return out, nil
}

func (w *walker) encode(b []byte, v lua.LValue) ([]byte, *convError) {
	switch v := v.(type) {
	case *lua.LNilType:
		return append(b, "null"...), nil
	case lua.LBool:
		return strconv.AppendBool(b, bool(v)), nil
	case lua.LNumber:
		return appendNumber(b, float64(v)), nil
	case lua.LString:
		return appendString(b, string(v)), nil
	case *lua.LTable:
		return w.encodeTable(b, v)
	case *lua.LUserData:
		if p, ok := v.Value.(PlainValuer); ok {
			return w.encodeGo(b, p.PlainValue(), len(w.path))
		}
	}
	return b, unsupported(v)
}

func (w *walker) encodeTable(b []byte, t *lua.LTable) ([]byte, *convError) {
	t, n, members, cerr := w.open(t)
	if cerr != nil {
		return b, cerr
	}
	defer w.close(members)
	if n >= 0 {
		b = append(b, '[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				b = append(b, ',')
			}
			if b, cerr = w.encode(b, elem(t, i)); cerr != nil {
				return b, cerr.at(indexSeg(i))
			}
		}
		return append(b, ']'), nil
	}
	slices.SortFunc(members, func(x, y luaPair) int { return strings.Compare(x.k, y.k) })
	b = append(b, '{')
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, m.k), ':')
		if b, cerr = w.encode(b, m.v); cerr != nil {
			return b, cerr.at(keySeg(m.k))
		}
	}
	return append(b, '}'), nil
}

// EncodeGoJSON appends the compact JSON text of plain Go data (and the
// convenience types ToLua accepts) to buf, with the same output rules as
// EncodeJSON; for the plain data types it matches encoding/json
// (SetEscapeHTML(false)) byte for byte, except that NaN/±Inf encode as null,
// nil slices and maps as [] and {}, []byte as a string, and an error as its
// message. Unsupported types (funcs, channels, structs) and nesting deeper
// than MaxDepth are errors (*Error, kind INVALID); buf is then returned
// unchanged. Safe for concurrent use on values nobody mutates meanwhile.
func EncodeGoJSON(buf []byte, v any) ([]byte, error) {
	w := getWalker()
	defer putWalker(w)
	out, cerr := w.encodeGo(buf, v, 0)
	if cerr != nil {
		return buf, cerr.toError()
	}
	return out, nil
}

// encodeGo encodes v, which sits inside depth containers.
func (w *walker) encodeGo(b []byte, v any, depth int) ([]byte, *convError) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		return appendNumber(b, x), nil
	case string:
		return appendString(b, x), nil
	case int:
		return appendNumber(b, float64(x)), nil
	case []any:
		return w.encodeGoArray(b, x, depth)
	case map[string]any:
		return w.encodeGoMap(b, x, depth)
	case error:
		return appendString(b, x.Error()), nil
	}
	if depth >= MaxDepth {
		return b, &convError{msg: "nesting deeper than " + strconv.Itoa(MaxDepth)}
	}
	if n, ok := normalize(v); ok {
		return w.encodeGo(b, n, depth+1) // +1 bounds pointer and PlainValuer chains
	}
	return b, &convError{msg: fmt.Sprintf("unsupported Go type %T", v)}
}

func (w *walker) encodeGoArray(b []byte, x []any, depth int) ([]byte, *convError) {
	if depth >= MaxDepth {
		return b, &convError{msg: "nesting deeper than " + strconv.Itoa(MaxDepth)}
	}
	b = append(b, '[')
	for i, e := range x {
		if i > 0 {
			b = append(b, ',')
		}
		var cerr *convError
		if b, cerr = w.encodeGo(b, e, depth+1); cerr != nil {
			return b, cerr.at(indexSeg(i + 1))
		}
	}
	return append(b, ']'), nil
}

func (w *walker) encodeGoMap(b []byte, x map[string]any, depth int) ([]byte, *convError) {
	if depth >= MaxDepth {
		return b, &convError{msg: "nesting deeper than " + strconv.Itoa(MaxDepth)}
	}
	start := len(w.keys)
	defer func() { w.keys = w.keys[:start] }()
	for k := range x {
		w.keys = append(w.keys, k)
	}
	keys := w.keys[start:]
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':')
		var cerr *convError
		if b, cerr = w.encodeGo(b, x[k], depth+1); cerr != nil {
			return b, cerr.at(keySeg(k))
		}
	}
	return append(b, '}'), nil
}

// appendNumber formats f like encoding/json (ES6 number formatting), with
// NaN and ±Inf as null.
func appendNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 && (f != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	abs, format := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // 1e-07 -> 1e-7, as encoding/json does
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString quotes s like encoding/json with HTML escaping off.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
