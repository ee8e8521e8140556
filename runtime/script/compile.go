package script

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Program is one compiled script. It is immutable and safe to share.
type Program struct {
	Path    string // file it was read from
	Display string // name used in error messages ("scripts/hello.lua")
	Proto   *lua.FunctionProto
	Hash    [32]byte // SHA-256 of the source: tells a reload what changed

	keep keepPlan // whether the chunk's result may be kept (keep_static.go)
}

// CompileError is a script that failed to load or compile, located by file:line.
type CompileError struct {
	File string
	Line int
	Msg  string
}

func (e *CompileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// CompileFile reads and compiles the script at path; display names it in
// error messages and tracebacks.
func CompileFile(path, display string) (*Program, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &CompileError{File: display, Msg: "cannot read script: " + unwrapPathErr(err)}
	}
	return Compile(src, path, display)
}

// Compile compiles source text.
func Compile(src []byte, path, display string) (*Program, error) {
	chunk, err := parse.Parse(bytes.NewReader(src), display)
	if err != nil {
		return nil, parseError(display, src, err)
	}
	proto, err := lua.Compile(chunk, display)
	if err != nil {
		return nil, &CompileError{File: display, Msg: strings.TrimSpace(err.Error())}
	}
	dropChunkArg(proto)
	return &Program{Path: path, Display: display, Proto: proto, Hash: sha256.Sum256(src), keep: keepableChunk(proto)}, nil
}

// dropChunkArg stops every call of the main chunk from building a Lua 5.0
// `arg` table. gopher-lua (lua.CompatVarArg) marks a vararg function that
// does not use `...` as needing one, and builds it on each call (a table
// with a 32-slot string map for its "n" field). In a nested function the
// table is bound to a local named `arg`; the main chunk declares no such
// local, so nothing can read the table and the flag is only a cost there.
func dropChunkArg(proto *lua.FunctionProto) {
	proto.IsVarArg &^= lua.VarArgNeedsArg
}

func parseError(display string, src []byte, err error) error {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return &CompileError{File: display, Msg: strings.TrimSpace(err.Error())}
	}
	msg := strings.TrimSpace(pe.Message)
	if pe.Pos.Line == parse.EOF {
		last := bytes.Count(bytes.TrimRight(src, "\n"), []byte("\n")) + 1
		return &CompileError{File: display, Line: last, Msg: msg + " at end of file"}
	}
	if pe.Token != "" {
		msg = fmt.Sprintf("%s near '%s'", msg, pe.Token)
	}
	return &CompileError{File: display, Line: pe.Pos.Line, Msg: msg}
}

func unwrapPathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
