package luamod

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

func registerResponseType(L *lua.LState) {
	registerMethods(L, responseType, map[string]lua.LGFunction{
		"set_status":       resSetStatus,
		"set_header":       resSetHeader,
		"set_content_type": resSetContentType,
		"set_transfer":     resSetTransfer,
		"write":            resWrite,
		"write_json":       resWriteJSON,
		"flush":            resFlush,
		"write_event":      resWriteEvent,
	})
}

// ok pushes the nil that means success for response methods.
func ok(L *lua.LState) int {
	L.Push(lua.LNil)
	return 1
}

// fail returns just the error object: response methods return `err` alone.
func fail(L *lua.LState, err error) int {
	L.Push(PushError(L, err))
	return 1
}

func errCommitted(what string) error {
	return NewError(INVALID, "%s: response body already started", what)
}

func resSetStatus(L *lua.LState) int {
	ex := checkExchange(L, responseType)
	code := L.CheckInt(2)
	if ex.wrote {
		return fail(L, errCommitted("set_status"))
	}
	if code < 100 || code > 999 {
		return fail(L, NewError(INVALID, "set_status: invalid status code %d", code))
	}
	ex.status = code
	return ok(L)
}

func resSetHeader(L *lua.LState) int {
	ex := checkExchange(L, responseType)
	name, value := L.CheckString(2), L.CheckString(3)
	if ex.wrote {
		return fail(L, errCommitted("set_header"))
	}
	if !validHeaderName(name) || strings.ContainsAny(value, "\r\n\x00") {
		return fail(L, NewError(INVALID, "set_header: invalid header %q", name))
	}
	ex.W.Header().Set(name, value)
	return ok(L)
}

func resSetContentType(L *lua.LState) int {
	ex := checkExchange(L, responseType)
	ct := L.CheckString(2)
	if ex.wrote {
		return fail(L, errCommitted("set_content_type"))
	}
	if strings.ContainsAny(ct, "\r\n\x00") {
		return fail(L, NewError(INVALID, "set_content_type: invalid content type"))
	}
	ex.W.Header().Set("Content-Type", ct)
	return ok(L)
}

func resSetTransfer(L *lua.LState) int {
	ex := checkExchange(L, responseType)
	mode := L.CheckString(2)
	if ex.wrote {
		return fail(L, errCommitted("set_transfer"))
	}
	switch mode {
	case TransferSSE:
		ex.enterSSE()
	case TransferChunked:
		ex.W.Header().Del("Content-Length")
	default:
		return fail(L, NewError(INVALID, "set_transfer: unknown transfer %q (use http.TRANSFER.SSE or CHUNKED)", mode))
	}
	return ok(L)
}

func resWrite(L *lua.LState) int {
	ex := checkExchange(L, responseType)
	s := L.CheckString(2)
	if err := ex.Write([]byte(s)); err != nil {
		return fail(L, NewError(INTERNAL, "write: %v", err))
	}
	return ok(L)
}

func resWriteJSON(L *lua.LState) int {
	ex := checkExchange(L, responseType)
	bp := encodeBufs.Get().(*[]byte)
	defer putEncodeBuf(bp)
	body, err := EncodeJSON((*bp)[:0], L.Get(2))
	*bp = body
	if err != nil {
		return fail(L, NewError(INVALID, "write_json: %v", err))
	}
	if err := ex.WriteJSON(body); err != nil { // Write does not keep body
		return fail(L, NewError(INTERNAL, "write_json: %v", err))
	}
	return ok(L)
}

func resFlush(L *lua.LState) int {
	ex := checkExchange(L, responseType)
	if err := ex.Flush(); err != nil {
		return fail(L, NewError(INTERNAL, "flush: %v", err))
	}
	return ok(L)
}

func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}
