// Package registry owns the registry file: the YAML that declares an
// application's HTTP services, routers, endpoints, Lua functions, libraries,
// processes, process hosts and supervised services.
//
// It loads a root file and its includes strictly (unknown keys are errors),
// validates the whole graph (kinds, required fields, value types, durations,
// routes, references between entries, conflicting addresses, prefixes and
// routes) and reports every problem at once, each with file:line and the id of
// the entry it belongs to. It also computes the difference between two loaded
// registries for hot reload.
//
// The package is pure data: it depends on gopkg.in/yaml.v3 and the standard
// library only. It never runs scripts; it only checks that they exist.
// Loaded values are immutable by convention: callers must not modify a
// Registry or its entries after Load returns, so a Registry may be shared by
// any number of goroutines.
package registry
