package luamod

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestErrorKindsFromGo(t *testing.T) {
	base := NewError(NOT_FOUND, "no process %q", "x")
	cases := []struct {
		name string
		err  error
		kind Kind
		msg  string
	}{
		{"*Error", base, NOT_FOUND, `no process "x"`},
		{"wrapped *Error", fmt.Errorf("lookup: %w", base), NOT_FOUND, `lookup: no process "x"`},
		{"plain error", io.EOF, INTERNAL, "EOF"},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), TIMEOUT, "call: context deadline exceeded"},
		{"canceled", context.Canceled, CANCELED, "context canceled"},
	}
	L := newTestState(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := PushError(L, tc.err)
			e, ok := AsError(v)
			if !ok || e.Kind != tc.kind || e.Msg != tc.msg || e.Error() != tc.msg {
				t.Fatalf("got %#v, want %s %q", e, tc.kind, tc.msg)
			}
			if !errors.Is(e, tc.err) {
				t.Fatal("error object does not wrap the Go error")
			}
			if L.GetTop() != 0 {
				t.Fatal("PushError changed the stack")
			}
		})
	}
	if PushError(L, nil) != lua.LNil {
		t.Fatal("PushError(nil) is not nil")
	}
}

// TestErrorObjectsInLua checks what scripts see: methods, tostring,
// equality, the read-only `errors` global, and the nil, err convention.
func TestErrorObjectsInLua(t *testing.T) {
	L := newTestState(t)
	L.SetGlobal("fail", L.NewFunction(func(L *lua.LState) int {
		return Fail(L, NewError(Kind(L.CheckString(1)), "%s", L.CheckString(2)))
	}))
	L.SetGlobal("kind_of", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(CheckError(L, 1).Kind))
		return 1
	}))
	script := `
		local function check(cond, msg) if not cond then error(msg, 2) end end
		for _, k in ipairs({"INVALID", "NOT_FOUND", "INTERNAL", "ALREADY_EXISTS", "TIMEOUT", "CANCELED"}) do
			check(errors[k] == k, "constant " .. k)
		end
		check(not pcall(function() errors.INVALID = "x" end), "constants are read-only")
		check(not pcall(function() errors.NEW_KIND = "x" end), "no new constants")
		check(errors.INVALID == "INVALID", "constant unchanged")

		local v, err = fail("NOT_FOUND", "no such name")
		check(v == nil and err ~= nil, "nil, err")
		check(select("#", fail("INVALID", "x")) == 2, "two values")
		check(err:kind() == errors.NOT_FOUND, "kind")
		check(err:message() == "no such name", "message")
		check(tostring(err) == "no such name", "tostring")
		check(err == err, "err == err")
		local _, same = fail("NOT_FOUND", "no such name")
		local _, other = fail("INVALID", "no such name")
		check(err == same and err ~= other, "equality by kind and message")
		check(getmetatable(err) == false, "protected metatable")
		check(kind_of(err) == "NOT_FOUND", "CheckError")
		check(not pcall(kind_of, "not an error"), "CheckError raises")
		check(not pcall(err.kind, {}), "method on a non-error raises")

		local e = errors.new("mine")
		check(e:kind() == errors.INTERNAL and e:message() == "mine", "errors.new(string)")
		e = errors.new{message = "gone", kind = errors.NOT_FOUND}
		check(e:kind() == errors.NOT_FOUND and tostring(e) == "gone", "errors.new(table)")
		check(not pcall(errors.new, {message = "x", kind = "BOGUS"}), "unknown kind raises")
		check(not pcall(errors.new), "errors.new() raises")

		local ok, raised = pcall(error, e)
		check(not ok and raised == e, "error objects can be raised and caught")
	`
	if err := L.DoString(script); err != nil {
		t.Fatal(err)
	}
}

func TestErrorRaisedToGo(t *testing.T) {
	L := newTestState(t)
	err := L.DoString(`error(errors.new{message = "bad input", kind = errors.INVALID})`)
	var apiErr *lua.ApiError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %T %v", err, err)
	}
	e, ok := AsError(apiErr.Object)
	if !ok || e.Kind != INVALID || !strings.Contains(e.Msg, "bad input") {
		t.Fatalf("raised object = %v", apiErr.Object)
	}
}
