package registry

import (
	"net"
	"strings"

	"gopkg.in/yaml.v3"
)

// fieldFunc decodes the non-null value of one field into c.e. name is the
// field's dotted path, for messages.
type fieldFunc func(c *entryCtx, name string, v *yaml.Node)

// luaFields are the fields of function.lua and process.lua.
var luaFields = map[string]fieldFunc{
	"source": fSource, "method": fHandler, "modules": fModules, "imports": fImports,
}

// kindFields lists, per kind, every key allowed besides name, kind and meta.
// Decoding is strict: any other key is an error.
var kindFields = map[Kind]map[string]fieldFunc{
	KindHTTPService: {"addr": fAddr, "timeouts": fTimeouts, "lifecycle": fLifecycle},
	KindHTTPRouter: {
		"prefix": fPrefix, "middleware": fMiddleware, "options": fOptions,
		"post_middleware": fPostMiddleware, "post_options": fPostOptions,
	},
	KindHTTPEndpoint:   {"method": fMethod, "path": fPath, "func": fFunc},
	KindFunctionLua:    luaFields,
	KindProcessLua:     luaFields,
	KindLibraryLua:     {"source": fSource, "modules": fModules, "imports": fImports},
	KindProcessHost:    {"host": fHostOptions, "lifecycle": fLifecycle},
	KindProcessService: {"process": fProcess, "host": fHostRef, "input": fInput, "lifecycle": fLifecycle},
}

// requiredFields lists, per kind, the fields that must be given.
var requiredFields = map[Kind][]string{
	KindHTTPService:    {"addr"},
	KindHTTPRouter:     {"meta.server"},
	KindHTTPEndpoint:   {"meta.router", "method", "path", "func"},
	KindFunctionLua:    {"source", "method"},
	KindProcessLua:     {"source", "method"},
	KindLibraryLua:     {"source"},
	KindProcessService: {"process", "host"},
}

func fAddr(c *entryCtx, name string, v *yaml.Node) {
	s, ok := c.str(name, v)
	if !ok {
		return
	}
	if _, _, err := net.SplitHostPort(s); err != nil {
		msg := err.Error()
		if ae, isAddr := err.(*net.AddrError); isAddr {
			msg = ae.Err
		}
		c.reject(name, v, "invalid address %q: %s", s, msg)
		return
	}
	c.e.Addr = s
}

func fPrefix(c *entryCtx, name string, v *yaml.Node) {
	if s, ok := c.str(name, v); ok {
		if msg := checkPrefix(s); msg != "" {
			c.reject(name, v, "%s", msg)
			return
		}
		c.e.Prefix = normalizePrefix(s)
	}
}

func fMiddleware(c *entryCtx, name string, v *yaml.Node) {
	c.e.Middleware, _ = c.strList(name, v)
}

func fPostMiddleware(c *entryCtx, name string, v *yaml.Node) {
	c.e.PostMiddleware, _ = c.strList(name, v)
}

func fOptions(c *entryCtx, name string, v *yaml.Node) {
	c.e.Options, _ = c.strMap(name, v)
}

func fPostOptions(c *entryCtx, name string, v *yaml.Node) {
	c.e.PostOptions, _ = c.strMap(name, v)
}

func fMethod(c *entryCtx, name string, v *yaml.Node) {
	s, ok := c.str(name, v)
	if !ok {
		return
	}
	m := strings.ToUpper(s)
	if !httpMethods[m] {
		c.reject(name, v, "invalid method %q (want one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS)", s)
		return
	}
	c.e.Method = m
}

func fPath(c *entryCtx, name string, v *yaml.Node) {
	s, ok := c.str(name, v)
	if !ok {
		return
	}
	for _, msg := range checkPath(s) {
		c.reject(name, v, "%s", msg)
	}
	c.e.Path = s
}

func fFunc(c *entryCtx, name string, v *yaml.Node) {
	c.ref(name, v, KindFunctionLua, func(id string) { c.e.Func = id })
}

func fHandler(c *entryCtx, name string, v *yaml.Node) {
	if s, ok := c.str(name, v); ok {
		if s == "" {
			c.reject(name, v, "must not be empty")
			return
		}
		c.e.Handler = s
	}
}

func fModules(c *entryCtx, name string, v *yaml.Node) {
	c.e.Modules, _ = c.strList(name, v)
}

func fProcess(c *entryCtx, name string, v *yaml.Node) {
	c.ref(name, v, KindProcessLua, func(id string) { c.e.Process = id })
}

func fHostRef(c *entryCtx, name string, v *yaml.Node) {
	c.ref(name, v, KindProcessHost, func(id string) { c.e.Host = id })
}

func fInput(c *entryCtx, name string, v *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		c.reject(name, v, "expected a list, got %s", describe(v))
		return
	}
	val, err := plainData(v)
	if err != nil {
		c.reject(name, err.node, "%s", err.msg)
		return
	}
	c.e.Input, _ = val.([]any)
}
