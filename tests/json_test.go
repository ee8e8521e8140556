package tests

import (
	"strings"
	"testing"
)

// TestJSONModule runs SPEC section 6 cases through a real handler.
func TestJSONModule(t *testing.T) {
	a := luaApp(t, "GET", "/json", `
  local out = {}
  local function enc(name, v)
    local s, err = json.encode(v)
    out[#out + 1] = name .. "=" .. (s or ("ERR:" .. err:kind()))
  end
  enc("nil", nil)
  enc("bool", true)
  enc("int", 42)
  enc("float", 1.5)
  enc("big", 2^53)
  enc("nan", 0/0)
  enc("inf", 1/0)
  enc("ninf", -1/0)
  enc("empty", {})
  enc("obj", json.object())
  enc("marked", json.object({a = 1}))
  enc("arr", {1, "two", {3}})
  enc("sorted", {b = 1, a = {d = 1, c = 2}})
  enc("str", "q\"<&>\n")
  enc("mixed", {1, 2, x = 3})
  enc("sparse", {1, nil, 3})
  local cyc = {}; cyc.me = cyc
  enc("cycle", cyc)
  local deep = {}
  local cur = deep
  for i = 1, 200 do cur.next = {}; cur = cur.next end
  enc("deep", deep)
  enc("func", {f = function() end})
  enc("co", coroutine.create(function() end))
  local one = select("#", json.encode(1))
  out[#out + 1] = "values=" .. one

  local v = json.decode('{"a":[1,2,{"b":null}],"c":"d","e":{}}')
  out[#out + 1] = "rt=" .. json.encode(v)
  out[#out + 1] = "first=" .. v.a[1]
  out[#out + 1] = "null=" .. tostring(json.decode("null"))
  local bad, err = json.decode("{oops")
  out[#out + 1] = "bad=" .. tostring(bad) .. ":" .. err:kind()
  local _, err2 = json.decode("[1] trailing")
  out[#out + 1] = "trailing=" .. err2:kind()
  local _, err3 = json.decode(string.rep("[", 200) .. string.rep("]", 200))
  out[#out + 1] = "deepdecode=" .. err3:kind()
  http.response():write(table.concat(out, "\n"))`)
	_, body := a.get("/json")
	want := strings.Join([]string{
		"nil=null", "bool=true", "int=42", "float=1.5", "big=9007199254740992", "nan=null", "inf=null", "ninf=null",
		"empty=[]", "obj={}", `marked={"a":1}`, `arr=[1,"two",[3]]`, `sorted={"a":{"c":2,"d":1},"b":1}`,
		`str="q\"<&>\n"`, "mixed=ERR:INVALID", "sparse=ERR:INVALID", "cycle=ERR:INVALID", "deep=ERR:INVALID",
		"func=ERR:INVALID", "co=ERR:INVALID", "values=1",
		`rt={"a":[1,2,{}],"c":"d","e":{}}`, "first=1", "null=nil", "bad=nil:INVALID", "trailing=INVALID",
		"deepdecode=INVALID",
	}, "\n")
	if body != want {
		t.Fatalf("got:\n%s\nwant:\n%s", body, want)
	}
}

func TestErrorsGlobal(t *testing.T) {
	a := luaApp(t, "GET", "/e", `
  local _, err = json.decode("x")
  return {errors.INVALID, errors.NOT_FOUND, errors.INTERNAL, errors.ALREADY_EXISTS, errors.TIMEOUT, errors.CANCELED,
          err:kind() == errors.INVALID, type(err:message()), tostring(err) == err:message()}`)
	if _, body := a.get("/e"); body != `["INVALID","NOT_FOUND","INTERNAL","ALREADY_EXISTS","TIMEOUT","CANCELED",true,"string",true]` {
		t.Fatalf("body %s", body)
	}
}
