package registry

import (
	"gopkg.in/yaml.v3"
)

// sub decodes the nested mapping v of field name with the given keys; any
// other key is an error.
func (c *entryCtx) sub(name string, v *yaml.Node, keys map[string]fieldFunc) {
	if v.Kind != yaml.MappingNode {
		c.reject(name, v, "expected a mapping, got %s", describe(v))
		return
	}
	for _, p := range c.l.pairs(c.f, v, c.id) {
		dec, ok := keys[p.key]
		if !ok {
			c.errorf(p.kpos, "unknown key %q in %s", p.key, name)
			continue
		}
		if isNull(p.val) {
			continue
		}
		field := name + "." + p.key
		c.info.pos[field] = c.f.pos(p.val)
		dec(c, field, p.val)
	}
}

var timeoutKeys = map[string]fieldFunc{
	"read": func(c *entryCtx, name string, v *yaml.Node) {
		c.e.Timeouts.Read, _ = c.duration(name, v)
	},
	"idle": func(c *entryCtx, name string, v *yaml.Node) {
		c.e.Timeouts.Idle, _ = c.duration(name, v)
	},
	"write": func(c *entryCtx, name string, v *yaml.Node) {
		c.e.Timeouts.Write, _ = c.duration(name, v)
	},
}

func fTimeouts(c *entryCtx, name string, v *yaml.Node) { c.sub(name, v, timeoutKeys) }

var hostKeys = map[string]fieldFunc{
	"workers": func(c *entryCtx, name string, v *yaml.Node) {
		c.e.Workers, _ = c.nonNegInt(name, v)
	},
	"queue_size": func(c *entryCtx, name string, v *yaml.Node) {
		c.e.QueueSize, _ = c.nonNegInt(name, v)
	},
	"local_queue_size": func(c *entryCtx, name string, v *yaml.Node) {
		c.e.LocalQueueSize, _ = c.nonNegInt(name, v)
	},
}

func fHostOptions(c *entryCtx, name string, v *yaml.Node) { c.sub(name, v, hostKeys) }

var lifecycleKeys = map[string]fieldFunc{
	"auto_start": func(c *entryCtx, name string, v *yaml.Node) {
		if b, ok := c.boolean(name, v); ok {
			c.e.Lifecycle.AutoStart = b
		}
	},
	"restart": fRestart,
}

func fLifecycle(c *entryCtx, name string, v *yaml.Node) { c.sub(name, v, lifecycleKeys) }

// restartKeys keep the default of a field whose value is rejected.
var restartKeys = map[string]fieldFunc{
	"max_attempts": func(c *entryCtx, name string, v *yaml.Node) {
		c.e.Lifecycle.Restart.MaxAttempts, _ = c.nonNegInt(name, v)
	},
	"initial_delay": func(c *entryCtx, name string, v *yaml.Node) {
		if d, ok := c.duration(name, v); ok {
			c.e.Lifecycle.Restart.InitialDelay = d
		}
	},
	"max_delay": func(c *entryCtx, name string, v *yaml.Node) {
		if d, ok := c.duration(name, v); ok {
			c.e.Lifecycle.Restart.MaxDelay = d
		}
	},
	"backoff_factor": func(c *entryCtx, name string, v *yaml.Node) {
		f, ok := c.number(name, v)
		if !ok {
			return
		}
		if f < 1 {
			c.reject(name, v, "must be at least 1, got %s", v.Value)
			return
		}
		c.e.Lifecycle.Restart.BackoffFactor = f
	},
}

// fRestart decodes lifecycle.restart and checks that an explicit max_delay is
// not below an explicit initial_delay.
func fRestart(c *entryCtx, name string, v *yaml.Node) {
	c.sub(name, v, restartKeys)
	r := c.e.Lifecycle.Restart
	_, hasInitial := c.info.pos[name+".initial_delay"]
	maxPos, hasMax := c.info.pos[name+".max_delay"]
	if hasInitial && hasMax && !c.info.bad[name+".initial_delay"] && !c.info.bad[name+".max_delay"] &&
		r.MaxDelay < r.InitialDelay {
		c.info.bad[name+".max_delay"] = true
		c.l.errorf(maxPos, c.id, "%s.max_delay: %s is less than initial_delay %s", name, r.MaxDelay, r.InitialDelay)
	}
}
