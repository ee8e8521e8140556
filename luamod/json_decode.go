package luamod

import (
	"encoding/json"

	lua "github.com/yuin/gopher-lua"
)

// DecodeGoJSON parses one JSON document into plain Go data with
// encoding/json (objects -> map[string]any, arrays -> []any, numbers ->
// float64). Nesting deeper than MaxDepth is refused. Errors are *Error of
// kind INVALID.
func DecodeGoJSON(data []byte) (any, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, NewError(INVALID, "invalid JSON: %v", err)
	}
	if tooDeep(v, 1) {
		return nil, NewError(INVALID, "invalid JSON: nesting deeper than %d", MaxDepth)
	}
	return v, nil
}

// DecodeJSON parses one JSON document into fresh Lua values owned by L:
// null -> lua.LNil, arrays -> 1-based tables (a null element leaves a
// hole), objects -> string-keyed tables marked as JSON objects (so {} and
// {"a":null} encode as {} again). Call it only from the goroutine that owns L.
func DecodeJSON(L *lua.LState, data []byte) (lua.LValue, error) {
	v, err := DecodeGoJSON(data)
	if err != nil {
		return lua.LNil, err
	}
	return decodedToLua(L, v), nil
}

// tooDeep reports whether v nests containers deeper than MaxDepth.
func tooDeep(v any, depth int) bool {
	switch x := v.(type) {
	case []any:
		if depth > MaxDepth {
			return true
		}
		for _, e := range x {
			if tooDeep(e, depth+1) {
				return true
			}
		}
	case map[string]any:
		if depth > MaxDepth {
			return true
		}
		for _, e := range x {
			if tooDeep(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// decodedToLua converts decoded JSON, marking every object table.
func decodedToLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case []any:
		t := L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, decodedToLua(L, e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, decodedToLua(L, e))
		}
		MarkObject(L, t)
		return t
	}
	return ToLua(L, v)
}
