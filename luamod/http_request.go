package luamod

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

func registerRequestType(L *lua.LState) {
	registerMethods(L, requestType, map[string]lua.LGFunction{
		"method":          reqString(func(r *http.Request) string { return r.Method }),
		"path":            reqString(func(r *http.Request) string { return r.URL.Path }),
		"host":            reqString(func(r *http.Request) string { return r.Host }),
		"remote_addr":     reqString(func(r *http.Request) string { return r.RemoteAddr }),
		"content_type":    reqString(func(r *http.Request) string { return r.Header.Get("Content-Type") }),
		"content_length":  reqContentLength,
		"query":           reqQuery,
		"query_params":    reqQueryParams,
		"header":          reqHeader,
		"param":           reqParam,
		"params":          reqParams,
		"body":            reqBody,
		"body_json":       reqBodyJSON,
		"has_body":        reqHasBody,
		"is_content_type": reqIsContentType,
		"accepts":         reqAccepts,
	})
}

// applyRequestOptions handles http.request{timeout=ms, max_body=bytes}.
func (ex *Exchange) applyRequestOptions(opts *lua.LTable) error {
	if v, ok := opts.RawGetString("max_body").(lua.LNumber); ok {
		if v < 0 {
			return NewError(INVALID, "http.request: max_body must not be negative")
		}
		ex.maxBody = int64(v)
	}
	if v, ok := opts.RawGetString("timeout").(lua.LNumber); ok && v > 0 {
		_ = ex.ctl().SetReadDeadline(time.Now().Add(time.Duration(float64(v) * float64(time.Millisecond))))
	}
	return nil
}

func reqString(get func(*http.Request) string) lua.LGFunction {
	return func(L *lua.LState) int {
		ex := checkExchange(L, requestType)
		L.Push(lua.LString(get(ex.R)))
		return 1
	}
}

func reqContentLength(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	L.Push(lua.LNumber(ex.R.ContentLength))
	return 1
}

func reqQuery(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	vals, ok := ex.R.URL.Query()[L.CheckString(2)]
	if !ok || len(vals) == 0 {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(vals[0]))
	return 1
}

func reqQueryParams(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	q := ex.R.URL.Query()
	t := L.CreateTable(0, len(q))
	for k, vs := range q {
		t.RawSetString(k, lua.LString(strings.Join(vs, ",")))
	}
	L.Push(t)
	return 1
}

func reqHeader(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	vals := ex.R.Header.Values(L.CheckString(2))
	if len(vals) == 0 {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(strings.Join(vals, ", ")))
	return 1
}

func reqParam(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	name := L.CheckString(2)
	for _, p := range ex.Params {
		if p == name {
			L.Push(lua.LString(ex.R.PathValue(name)))
			return 1
		}
	}
	L.Push(lua.LNil)
	return 1
}

func reqParams(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	t := L.CreateTable(0, len(ex.Params))
	for _, p := range ex.Params {
		t.RawSetString(p, lua.LString(ex.R.PathValue(p)))
	}
	L.Push(t)
	return 1
}

// readBody reads the body once, honouring max_body.
func (ex *Exchange) readBody() ([]byte, error) {
	if ex.bodyRead {
		return ex.body, ex.bodyErr
	}
	ex.bodyRead = true
	limit := ex.maxBody
	data, err := io.ReadAll(io.LimitReader(ex.R.Body, limit+1))
	switch {
	case err != nil:
		ex.bodyErr = NewError(INTERNAL, "reading request body: %v", err)
	case int64(len(data)) > limit:
		ex.bodyErr = NewError(INVALID, "request body exceeds %d bytes", limit)
	default:
		ex.body = data
	}
	return ex.body, ex.bodyErr
}

func reqBody(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	data, err := ex.readBody()
	if err != nil {
		return Fail(L, err)
	}
	L.Push(lua.LString(data))
	return 1
}

func reqBodyJSON(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	data, err := ex.readBody()
	if err != nil {
		return Fail(L, err)
	}
	v, err := DecodeJSON(L, data)
	if err != nil {
		var le *Error
		if !errors.As(err, &le) {
			err = NewError(INVALID, "request body: %v", err)
		}
		return Fail(L, err)
	}
	L.Push(v)
	return 1
}

func reqHasBody(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	r := ex.R
	has := r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
	L.Push(lua.LBool(has))
	return 1
}

func reqIsContentType(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	want := strings.ToLower(strings.TrimSpace(L.CheckString(2)))
	mt, _, err := mime.ParseMediaType(ex.R.Header.Get("Content-Type"))
	L.Push(lua.LBool(err == nil && want != "" && strings.HasPrefix(mt, want)))
	return 1
}

func reqAccepts(L *lua.LState) int {
	ex := checkExchange(L, requestType)
	L.Push(lua.LBool(accepts(ex.R.Header.Values("Accept"), L.CheckString(2))))
	return 1
}

// accepts reports whether an Accept header admits content type ct. A missing
// header accepts everything; q=0 entries are refusals.
func accepts(headers []string, ct string) bool {
	if len(headers) == 0 {
		return true
	}
	want := strings.ToLower(strings.TrimSpace(ct))
	wantType, _, _ := strings.Cut(want, "/")
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || params["q"] == "0" || params["q"] == "0.0" {
				continue
			}
			if mt == "*/*" || mt == want || mt == wantType+"/*" {
				return true
			}
		}
	}
	return false
}
