package registry

import (
	"gopkg.in/yaml.v3"
)

// meta decodes the free-form `meta:` mapping and, for routers and endpoints,
// the reference it carries (meta.server, meta.router).
func (c *entryCtx) meta(v *yaml.Node) {
	if isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		c.reject("meta", v, "expected a mapping, got %s", describe(v))
		return
	}
	val, err := plainData(v)
	if err != nil {
		c.reject("meta", err.node, "%s", err.msg)
	} else {
		c.e.Meta, _ = val.(map[string]any)
	}
	switch c.e.Kind {
	case KindHTTPRouter:
		c.metaRef(v, "server", KindHTTPService, func(id string) { c.e.Server = id })
	case KindHTTPEndpoint:
		c.metaRef(v, "router", KindHTTPRouter, func(id string) { c.e.Router = id })
	}
}

func (c *entryCtx) metaRef(m *yaml.Node, key string, want Kind, set func(string)) {
	v := lookup(m, key)
	if isNull(v) {
		return
	}
	field := "meta." + key
	c.seen[field] = true
	c.info.pos[field] = c.f.pos(v)
	c.ref(field, v, want, set)
}
