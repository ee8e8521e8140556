// Package luamod holds the Lua modules of luahost and the one conversion
// between Lua values and Go data that every boundary uses.
//
// This part of the package owns:
//
//   - value.go: ToGo (Lua -> plain Go data: nil, bool, float64, string,
//     []any, map[string]any) and ToLua (Go -> fresh Lua values), the JSON
//     object mark (MarkObject, IsObject) and read-only constant tables
//     (ReadOnly). Message payloads, write_json, write_event and the relay
//     all go through these rules, so a value means the same everywhere.
//   - json.go: EncodeJSON / EncodeGoJSON (compact, sorted keys, output equal
//     to encoding/json with HTML escaping off), DecodeJSON / DecodeGoJSON
//     (one recursive-descent parser, depth-limited to MaxDepth) and the
//     `json` module (OpenJSON).
//   - errors.go: the error objects scripts see (:kind(), :message(),
//     tostring, ==), the Go type behind them (*Error), the "nil, err"
//     convention (Fail) and the global `errors` (OpenErrors).
//
// Conversion rules (SPEC 6): a table with keys 1..n and no holes is an
// array; a table with string keys is an object; an empty table is [] unless
// marked by json.object(), then {}; NaN and ±Inf are null; an error object
// is its message. Functions, other userdata, coroutines, mixed keys, sparse
// arrays, non-string non-integer keys, cycles and nesting deeper than
// MaxDepth are errors of kind INVALID, never panics.
//
// Concurrency: functions taking an *lua.LState or Lua values must be called
// from the goroutine that owns that LState. EncodeGoJSON and DecodeGoJSON
// work on plain Go data and are safe for concurrent use.
//
// The package must not import luahost/runtime/...; the runtime depends on
// it, not the other way round.
package luamod
