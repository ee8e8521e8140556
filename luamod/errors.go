package luamod

import (
	"context"
	"errors"
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// Kind classifies an error the way scripts see it (errors.INVALID, ...).
type Kind string

// The error kinds exposed to scripts as constants of the global `errors`.
const (
	INVALID        Kind = "INVALID"
	NOT_FOUND      Kind = "NOT_FOUND"
	INTERNAL       Kind = "INTERNAL"
	ALREADY_EXISTS Kind = "ALREADY_EXISTS"
	TIMEOUT        Kind = "TIMEOUT"
	CANCELED       Kind = "CANCELED"
)

// Kinds lists every kind, in the order they are documented.
var Kinds = []Kind{INVALID, NOT_FOUND, INTERNAL, ALREADY_EXISTS, TIMEOUT, CANCELED}

// Error is the Go side of a Lua error object. Error() returns Msg, so a Go
// error that reaches a script prints the same text the script sees.
type Error struct {
	Kind  Kind
	Msg   string
	cause error // the Go error PushError wrapped, if any (see Unwrap)
}

// NewError returns an error of the given kind; format and args are as in
// fmt.Sprintf.
func NewError(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the Go error this one was made from by PushError, or nil.
func (e *Error) Unwrap() error { return e.cause }

// PlainValue makes an error object convertible to plain data: ToGo, EncodeJSON
// and process messages carry an error object as its message string.
func (e *Error) PlainValue() any { return e.Msg }

// errorOf turns any Go error into an *Error. An *Error anywhere in the chain
// gives the kind (the message stays err.Error(), so wrapping context is kept);
// context.DeadlineExceeded gives TIMEOUT and context.Canceled gives CANCELED;
// everything else is INTERNAL.
func errorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		if error(e) == err {
			return e
		}
		return &Error{Kind: e.Kind, Msg: err.Error(), cause: err}
	}
	kind := INTERNAL
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		kind = TIMEOUT
	case errors.Is(err, context.Canceled):
		kind = CANCELED
	}
	return &Error{Kind: kind, Msg: err.Error(), cause: err}
}

// PushError returns the Lua error object (a userdata) for err, or lua.LNil
// when err is nil. Despite its name it does NOT push onto the Lua stack; use
// L.Push(PushError(L, err)) or Fail. The kind follows errorOf.
// Call it only from the goroutine that owns L.
func PushError(L *lua.LState, err error) lua.LValue {
	if err == nil {
		return lua.LNil
	}
	ud := L.NewUserData()
	ud.Value = errorOf(err)
	ud.Metatable = errorMeta(L)
	return ud
}

// Fail pushes nil and the error object for err and returns 2: the
// "nil, err" convention for expected failures in an LGFunction.
func Fail(L *lua.LState, err error) int {
	L.Push(lua.LNil)
	L.Push(PushError(L, err))
	return 2
}

// AsError returns the *Error behind a Lua error object.
func AsError(v lua.LValue) (*Error, bool) {
	if ud, ok := v.(*lua.LUserData); ok {
		e, ok := ud.Value.(*Error)
		return e, ok
	}
	return nil, false
}

// CheckError returns the error object at stack index n or raises an argument
// error.
func CheckError(L *lua.LState, n int) *Error {
	if e, ok := AsError(L.Get(n)); ok {
		return e
	}
	L.ArgError(n, "error object expected, got "+L.Get(n).Type().String())
	return nil
}

const errorMetaKey = "luahost.error"

// errorMeta returns the error-object metatable of L, building it once per
// LState (cached in the registry) so that __eq is the same function for every
// error object, which Lua requires for == to call it.
func errorMeta(L *lua.LState) *lua.LTable {
	if mt, ok := L.G.Registry.RawGetString(errorMetaKey).(*lua.LTable); ok {
		return mt
	}
	methods := L.CreateTable(0, 2)
	methods.RawSetString("kind", L.NewFunction(errKind))
	methods.RawSetString("message", L.NewFunction(errMessage))
	mt := L.CreateTable(0, 4)
	mt.RawSetString("__index", methods)
	mt.RawSetString("__tostring", L.NewFunction(errMessage))
	mt.RawSetString("__eq", L.NewFunction(errEqual))
	mt.RawSetString("__metatable", lua.LFalse)
	L.G.Registry.RawSetString(errorMetaKey, mt)
	return mt
}

func errKind(L *lua.LState) int {
	L.Push(lua.LString(CheckError(L, 1).Kind))
	return 1
}

func errMessage(L *lua.LState) int {
	L.Push(lua.LString(CheckError(L, 1).Msg))
	return 1
}

// errEqual: two error objects are equal when kind and message are.
func errEqual(L *lua.LState) int {
	a, okA := AsError(L.Get(1))
	b, okB := AsError(L.Get(2))
	L.Push(lua.LBool(okA && okB && a.Kind == b.Kind && a.Msg == b.Msg))
	return 1
}

// OpenErrors sets the global `errors`: a read-only table with the kind
// constants and errors.new(message) / errors.new{message=, kind=} (kind
// defaults to INTERNAL) for scripts that want to return their own errors.
func OpenErrors(L *lua.LState) {
	t := L.CreateTable(0, len(Kinds)+1)
	for _, k := range Kinds {
		t.RawSetString(string(k), lua.LString(k))
	}
	t.RawSetString("new", L.NewFunction(errNew))
	L.SetGlobal("errors", ReadOnly(L, t))
}

func errNew(L *lua.LState) int {
	kind, msg := INTERNAL, ""
	switch v := L.Get(1).(type) {
	case lua.LString:
		msg = string(v)
	case *lua.LTable:
		msg = lua.LVAsString(v.RawGetString("message"))
		if k, ok := v.RawGetString("kind").(lua.LString); ok {
			kind = Kind(k)
		}
	default:
		L.ArgError(1, "string or table expected")
	}
	if !knownKind(kind) {
		L.ArgError(1, "unknown error kind "+string(kind))
	}
	L.Push(PushError(L, &Error{Kind: kind, Msg: msg}))
	return 1
}

func knownKind(k Kind) bool {
	for _, known := range Kinds {
		if k == known {
			return true
		}
	}
	return false
}
