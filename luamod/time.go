package luamod

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	lua "github.com/yuin/gopher-lua"
	luar "layeh.com/gopher-luar"
)

// Time is the Lua view of a point in time: t:unix(), t:unix_nano(),
// t:sub(other) -> Duration, t:format_rfc3339(). Methods are exposed through
// gopher-luar with snake_case names.
type Time struct{ T time.Time }

func (t *Time) Unix() int64           { return t.T.Unix() }
func (t *Time) UnixNano() int64       { return t.T.UnixNano() }
func (t *Time) Sub(o *Time) *Duration { return &Duration{D: t.T.Sub(o.T)} }
func (t *Time) FormatRFC3339() string { return t.T.Format(time.RFC3339Nano) }
func (t *Time) String() string        { return t.T.Format(time.RFC3339Nano) }

// Duration is the Lua view of a time span: d:seconds(), d:milliseconds(),
// d:nanoseconds().
type Duration struct{ D time.Duration }

func (d *Duration) Seconds() float64    { return d.D.Seconds() }
func (d *Duration) Milliseconds() int64 { return d.D.Milliseconds() }
func (d *Duration) Nanoseconds() int64  { return d.D.Nanoseconds() }
func (d *Duration) String() string      { return d.D.String() }

// OpenTime builds the `time` module table (read-only).
func OpenTime(L *lua.LState) lua.LValue {
	luar.GetConfig(L).MethodNames = snakeMethodNames
	mod := L.CreateTable(0, 10)
	mod.RawSetString("sleep", L.NewFunction(timeSleep))
	mod.RawSetString("now", L.NewFunction(timeNow))
	mod.RawSetString("after", L.NewFunction(timeAfter))
	mod.RawSetString("parse_duration", L.NewFunction(timeParseDuration))
	for name, d := range map[string]time.Duration{
		"NANOSECOND": time.Nanosecond, "MICROSECOND": time.Microsecond,
		"MILLISECOND": time.Millisecond, "SECOND": time.Second,
		"MINUTE": time.Minute, "HOUR": time.Hour,
	} {
		mod.RawSetString(name, lua.LNumber(d))
	}
	return ReadOnly(L, mod)
}

// snakeMethodNames maps UnixNano to unix_nano, FormatRFC3339 to format_rfc3339.
func snakeMethodNames(_ reflect.Type, m reflect.Method) []string {
	var b strings.Builder
	prevLower := false
	for i, r := range m.Name {
		if unicode.IsUpper(r) && i > 0 && prevLower {
			b.WriteByte('_')
		}
		prevLower = unicode.IsLower(r)
		b.WriteRune(unicode.ToLower(r))
	}
	return []string{b.String()}
}

// CheckDuration reads a duration argument: a Go duration string ("100ms"),
// a number of nanoseconds, or a Duration object. Raises an argument error.
func CheckDuration(L *lua.LState, n int) time.Duration {
	d, err := ToDuration(L.Get(n))
	if err != nil {
		L.ArgError(n, err.Error())
	}
	return d
}

// ToDuration converts a Lua duration value.
func ToDuration(v lua.LValue) (time.Duration, error) {
	switch x := v.(type) {
	case lua.LNumber:
		return time.Duration(x), nil
	case lua.LString:
		d, err := time.ParseDuration(string(x))
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", string(x))
		}
		return d, nil
	case *lua.LUserData:
		if d, ok := x.Value.(*Duration); ok {
			return d.D, nil
		}
	}
	return 0, fmt.Errorf("duration expected (string like \"100ms\", nanoseconds, or Duration), got %s", v.Type())
}

// time.sleep(d): returns early (with no error) when the caller's context
// ends; the interrupted Lua code then stops at its next instruction.
func timeSleep(L *lua.LState) int {
	d := CheckDuration(L, 1)
	if d <= 0 {
		return 0
	}
	t := time.NewTimer(d)
	defer t.Stop()
	var done <-chan struct{}
	if ctx := L.Context(); ctx != nil {
		done = ctx.Done()
	}
	select {
	case <-t.C:
	case <-done:
	}
	return 0
}

func timeNow(L *lua.LState) int {
	L.Push(luar.New(L, &Time{T: time.Now()}))
	return 1
}

func timeParseDuration(L *lua.LState) int {
	d, err := ToDuration(L.Get(1))
	if err != nil {
		return Fail(L, NewError(INVALID, "%v", err))
	}
	L.Push(luar.New(L, &Duration{D: d}))
	return 1
}

// time.after(d) -> channel that receives one Time after d (see
// timerBackend: nothing outlives an abandoned timeout).
func timeAfter(L *lua.LState) int {
	d := CheckDuration(L, 1)
	c := &Channel{b: &timerBackend{t: time.NewTimer(d)}, conv: timeToLua}
	L.Push(PushChannel(L, c))
	return 1
}

func timeToLua(L *lua.LState, item any) lua.LValue {
	if t, ok := item.(*Time); ok {
		return luar.New(L, t)
	}
	return lua.LNil
}
