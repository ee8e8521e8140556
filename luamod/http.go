package luamod

import (
	"net/http"

	lua "github.com/yuin/gopher-lua"
)

const (
	requestType  = "luahost.http.request"
	responseType = "luahost.http.response"
)

// OpenHTTP builds the `http` module table (read-only).
func OpenHTTP(L *lua.LState) lua.LValue {
	registerRequestType(L)
	registerResponseType(L)
	mod := L.CreateTable(0, 6)
	mod.RawSetString("request", L.NewFunction(httpRequest))
	mod.RawSetString("response", L.NewFunction(httpResponse))
	for name, tbl := range httpConstants() {
		mod.RawSetString(name, ReadOnly(L, stringTable(L, tbl)))
	}
	mod.RawSetString("STATUS", ReadOnly(L, statusTable(L)))
	return ReadOnly(L, mod)
}

func currentExchange(L *lua.LState) *Exchange {
	return ExchangeFrom(L.Context())
}

// http.request([{timeout=ms, max_body=bytes}]) -> request | nil, err
func httpRequest(L *lua.LState) int {
	ex := currentExchange(L)
	if ex == nil {
		return Fail(L, NewError(INVALID, "http.request: not inside an HTTP handler"))
	}
	if opts, ok := L.Get(1).(*lua.LTable); ok {
		if err := ex.applyRequestOptions(opts); err != nil {
			return Fail(L, err)
		}
	}
	if ex.reqUD == nil {
		ex.reqUD = L.NewUserData()
		ex.reqUD.Value = ex
		ex.reqUD.Metatable = L.GetTypeMetatable(requestType)
	}
	L.Push(ex.reqUD)
	return 1
}

// http.response() -> response | nil, err
func httpResponse(L *lua.LState) int {
	ex := currentExchange(L)
	if ex == nil {
		return Fail(L, NewError(INVALID, "http.response: not inside an HTTP handler"))
	}
	if ex.resUD == nil {
		ex.resUD = L.NewUserData()
		ex.resUD.Value = ex
		ex.resUD.Metatable = L.GetTypeMetatable(responseType)
	}
	L.Push(ex.resUD)
	return 1
}

func checkExchange(L *lua.LState, typ string) *Exchange {
	ud := L.CheckUserData(1)
	ex, ok := ud.Value.(*Exchange)
	if !ok || ud.Metatable != L.GetTypeMetatable(typ) {
		L.ArgError(1, typ+" expected (use ':' to call methods)")
	}
	return ex
}

// registerMethods creates the metatable of a userdata type, stored where
// GetTypeMetatable finds it, and returns it.
func registerMethods(L *lua.LState, typ string, methods map[string]lua.LGFunction) *lua.LTable {
	mt := L.CreateTable(0, 2)
	L.G.Registry.RawSetString(typ, mt) // where GetTypeMetatable looks
	idx := L.CreateTable(0, len(methods))
	for name, fn := range methods {
		idx.RawSetString(name, L.NewFunction(fn))
	}
	mt.RawSetString("__index", idx)
	mt.RawSetString("__metatable", lua.LString("locked"))
	return mt
}

func stringTable(L *lua.LState, kv map[string]string) *lua.LTable {
	t := L.CreateTable(0, len(kv))
	for k, v := range kv {
		t.RawSetString(k, lua.LString(v))
	}
	return t
}

func httpConstants() map[string]map[string]string {
	return map[string]map[string]string{
		"METHOD": {
			"GET": http.MethodGet, "POST": http.MethodPost, "PUT": http.MethodPut,
			"DELETE": http.MethodDelete, "PATCH": http.MethodPatch, "HEAD": http.MethodHead,
			"OPTIONS": http.MethodOptions,
		},
		"CONTENT": {
			"JSON": "application/json", "FORM": "application/x-www-form-urlencoded",
			"MULTIPART": "multipart/form-data", "TEXT": "text/plain", "STREAM": "application/octet-stream",
		},
		"TRANSFER": {"CHUNKED": TransferChunked, "SSE": TransferSSE},
	}
}

// Transfer modes for res:set_transfer.
const (
	TransferChunked = "chunked"
	TransferSSE     = "sse"
)
