package host

import (
	"context"
	"strconv"
	"strings"
	"time"

	"luahost/runtime/registry"
	"luahost/runtime/script"
)

// unitCheckTimeout bounds running one script's top level at build time.
const unitCheckTimeout = 2 * time.Second

// checkUnits runs the top level of every function.lua and process.lua once
// on a scratch LState and checks that it returns a table with the named
// function. A script that compiles but is empty, half-saved, or misses its
// method is then a build error (the running version keeps serving on
// reload) instead of a 500 on every request.
func (b *builder) checkUnits(gen *Generation) {
	s := b.factory.New()
	defer s.Close()
	for _, e := range b.reg.Entries {
		if e.Kind != registry.KindFunctionLua && e.Kind != registry.KindProcessLua {
			continue
		}
		u, ok := gen.Units[e.ID]
		if !ok {
			continue // did not compile: already reported
		}
		if err := instantiateOnce(s, u); err != nil {
			b.errs = append(b.errs, &registry.Error{Pos: errorPos(e, err), ID: e.ID, Msg: msgAfterPos(err)})
		}
		s.L.SetTop(0)
	}
}

func instantiateOnce(s *script.State, u *script.Unit) error {
	ctx, cancel := context.WithTimeout(context.Background(), unitCheckTimeout)
	defer cancel()
	s.L.SetContext(ctx)
	defer s.L.RemoveContext()
	_, err := u.Instantiate(s)
	return err
}

// errorPos takes "file:line: msg" from a Lua error when it has one, else
// the entry's position in the registry.
func errorPos(e *registry.Entry, err error) registry.Pos {
	msg := script.ErrorMessage(err)
	if file, line, ok := splitPos(msg); ok {
		return registry.Pos{File: file, Line: line}
	}
	return e.Pos
}

func msgAfterPos(err error) string {
	msg := script.ErrorMessage(err)
	if _, _, ok := splitPos(msg); ok {
		parts := strings.SplitN(msg, ": ", 2)
		if len(parts) == 2 {
			return parts[1]
		}
	}
	return msg
}

// splitPos parses a leading "file:line:".
func splitPos(msg string) (string, int, bool) {
	head, _, ok := strings.Cut(msg, ": ")
	if !ok {
		return "", 0, false
	}
	i := strings.LastIndexByte(head, ':')
	if i <= 0 {
		return "", 0, false
	}
	line, err := strconv.Atoi(head[i+1:])
	if err != nil || line <= 0 {
		return "", 0, false
	}
	return head[:i], line, true
}
