package registry

import "time"

// Kind is the kind of a registry entry.
type Kind string

// The entry kinds the host understands.
const (
	KindHTTPService    Kind = "http.service"
	KindHTTPRouter     Kind = "http.router"
	KindHTTPEndpoint   Kind = "http.endpoint"
	KindFunctionLua    Kind = "function.lua"
	KindProcessLua     Kind = "process.lua"
	KindLibraryLua     Kind = "library.lua"
	KindProcessHost    Kind = "process.host"
	KindProcessService Kind = "process.service"
)

// Known reports whether k is one of the kinds above.
func (k Kind) Known() bool {
	_, ok := kindFields[k]
	return ok
}

// Registry is a loaded registry: the root file, its includes and every entry.
//
// When Load reports errors the Registry is partial (Files lists every YAML file
// read so far, which a watcher still needs) and must not be run.
type Registry struct {
	Root    string   // path of the root file: absolute for Load, fsys-relative for LoadFS
	Files   []string // every YAML file read (root + includes), same form as Root
	Entries []*Entry // declaration order: a file's entries, then its includes depth-first
	ByID    map[string]*Entry
}

// OfKind returns the entries of kind k in declaration order.
func (r *Registry) OfKind(k Kind) []*Entry {
	var out []*Entry
	for _, e := range r.Entries {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// Entry is one declared entry. Which fields are meaningful depends on Kind;
// the others keep their zero value.
type Entry struct {
	ID, Namespace, Name string
	Kind                Kind
	Pos                 Pos            // line of the entry's mapping (its first key)
	Dir                 string         // directory of the declaring YAML file
	Meta                map[string]any // free-form plain data

	// http.service
	Addr     string
	Timeouts Timeouts

	// http.router
	Server         string // resolved full id of meta.server
	Prefix         string // "" or "/x..." without a trailing "/"
	Middleware     []string
	Options        map[string]string
	PostMiddleware []string
	PostOptions    map[string]string

	// http.endpoint
	Router, Method, Path, Func string // Router and Func are full ids; Method is upper-case

	// function.lua, process.lua, library.lua
	Source    string // script path: absolute (Load) or fsys-relative (LoadFS)
	SourcePos Pos
	Handler   string            // the `method` field of function.lua / process.lua
	Modules   []string          // require-able modules the script may load
	Imports   map[string]string // alias -> full id of a library.lua

	// process.host
	Workers, QueueSize, LocalQueueSize int

	// process.service
	Process, Host string // full ids
	Input         []any  // plain data: nil, bool, float64, string, []any, map[string]any

	// http.service, process.host, process.service
	Lifecycle Lifecycle
}

// Timeouts of an http.service; zero means unset.
type Timeouts struct{ Read, Idle, Write time.Duration }

// Lifecycle says whether an entry starts with the app and how it restarts.
// AutoStart defaults to true (a deliberate deviation from Wippy).
type Lifecycle struct {
	AutoStart bool
	Restart   Restart
}

// Restart is the restart policy of a supervised entry. MaxAttempts 0 means no
// limit.
type Restart struct {
	MaxAttempts   int
	InitialDelay  time.Duration
	MaxDelay      time.Duration
	BackoffFactor float64
}

// Restart defaults, applied when the registry does not set a value.
const (
	DefaultInitialDelay  = 500 * time.Millisecond
	DefaultMaxDelay      = 30 * time.Second
	DefaultBackoffFactor = 2.0
)

// DefaultLifecycle is the lifecycle of an entry that declares none.
func DefaultLifecycle() Lifecycle {
	return Lifecycle{AutoStart: true, Restart: Restart{
		InitialDelay:  DefaultInitialDelay,
		MaxDelay:      DefaultMaxDelay,
		BackoffFactor: DefaultBackoffFactor,
	}}
}

// hasLifecycle reports whether entries of kind k carry a Lifecycle.
func hasLifecycle(k Kind) bool {
	return k == KindHTTPService || k == KindProcessHost || k == KindProcessService
}
