package script

import (
	"errors"

	lua "github.com/yuin/gopher-lua"
)

// ErrorMessage returns the Lua error message of err without the traceback
// ("scripts/x.lua:3: boom").
func ErrorMessage(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) && ae.Object != nil {
		if ud, ok := ae.Object.(*lua.LUserData); ok {
			if e, ok := ud.Value.(error); ok {
				return e.Error()
			}
		}
		return ae.Object.String()
	}
	return err.Error()
}

// Traceback returns the Lua stack traceback carried by err, if any.
func Traceback(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		return ae.StackTrace
	}
	return ""
}
