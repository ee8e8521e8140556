package registry

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// sourceScheme is the only scheme `source:` accepts.
const sourceScheme = "file://"

// fSource resolves `source: file://PATH` against the declaring file's
// directory and checks that the script exists and is a regular file.
func fSource(c *entryCtx, name string, v *yaml.Node) {
	s, ok := c.str(name, v)
	if !ok {
		return
	}
	rel, found := strings.CutPrefix(s, sourceScheme)
	if !found {
		c.reject(name, v, "must start with %q, got %q", sourceScheme, s)
		return
	}
	if rel == "" {
		c.reject(name, v, "empty path after %q", sourceScheme)
		return
	}
	p, valid := c.l.fsys.join(c.f.dir, rel)
	if !valid {
		c.reject(name, v, "path %q leaves the registry's file system", rel)
		return
	}
	c.e.Source, c.e.SourcePos = p, c.f.pos(v)
	info, err := c.l.fsys.stat(p)
	switch {
	case err != nil:
		c.reject(name, v, "script %s: %s", c.l.fsys.display(p), describeFileErr(err))
	case info.IsDir():
		c.reject(name, v, "script %s is a directory", c.l.fsys.display(p))
	}
}

// fImports decodes `imports:` (alias -> library.lua reference).
func fImports(c *entryCtx, name string, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		c.reject(name, v, "expected a mapping of alias to library id, got %s", describe(v))
		return
	}
	c.e.Imports = map[string]string{}
	for _, p := range c.l.pairs(c.f, v, c.id) {
		if p.key == "" {
			c.reject(name, p.kpos, "empty alias")
			continue
		}
		if isNull(p.val) {
			c.reject(name+"."+p.key, p.kpos, "missing library id")
			continue
		}
		alias := p.key
		c.ref(name+"."+alias, p.val, KindLibraryLua, func(id string) { c.e.Imports[alias] = id })
	}
}
