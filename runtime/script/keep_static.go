package script

import (
	lua "github.com/yuin/gopher-lua"
)

// A unit's chunk runs before every call, in a fresh env, so that nothing a
// call changes is seen by the next. Most chunks only require modules and
// build a table of functions: running them again builds the same thing.
// For those, the result of one run may be kept and reused by later calls
// on the same State, as long as no call changed any of it (keep.go checks
// that before each reuse). This file decides, once per compiled script,
// whether its chunk is of that kind.

// keepPlan is what Compile learns about a main chunk.
type keepPlan struct {
	ok       bool     // the chunk may be kept (see keepableChunk)
	requires []string // names it passes to require, in order
}

// Register contents tracked by keepableChunk.
const (
	regOther   = iota // anything not listed below
	regRequire        // the global `require`
	regName           // a constant string (consts[r] holds it)
	regFresh          // a table built by this run of the chunk
)

// keepableChunk reports whether running the main chunk p has no effect
// outside the values it builds and yields the same values (up to identity)
// on every run, given the same modules. It accepts straight-line code only
// (no jumps, loops or conditionals) whose instructions
//   - load constants, globals, upvalue-free closures and table fields,
//   - compute with them (arithmetic, concatenation, length, not),
//   - build tables and store into tables built by the chunk itself,
//   - call `require` with one constant name and use one result,
//
// up to the first RETURN. Global reads and field reads of host values are
// side-effect free and the same in every call (modules and globals are
// built once per State); the names passed to require are returned so that
// the unit can check that each is a built-in module, not a library whose
// chunk would run too. Everything else (SETGLOBAL, other calls, VARARG,
// SELF, jumps) makes the chunk not keepable.
func keepableChunk(p *lua.FunctionProto) keepPlan {
	// Indexed by register: A is 8 bits, B and C are 9 (no bounds to check).
	var kinds [512]uint8
	var consts [512]string
	var requires []string
	code := p.Code
	for pc := 0; pc < len(code); pc++ {
		inst := code[pc]
		op, a := int(inst>>26), int(inst>>18)&0xff
		b, c, bx := int(inst&0x1ff), int(inst>>9)&0x1ff, int(inst&0x3ffff)
		switch op {
		case lua.OP_MOVE:
			kinds[a], consts[a] = kinds[b], consts[b]
		case lua.OP_MOVEN: // R(A) := R(B), then C more MOVEs
			kinds[a], consts[a] = kinds[b], consts[b]
			for i := 0; i < c; i++ {
				pc++
				if pc >= len(code) || int(code[pc]>>26) != lua.OP_MOVE {
					return keepPlan{}
				}
				ma, mb := int(code[pc]>>18)&0xff, int(code[pc]&0x1ff)
				kinds[ma], consts[ma] = kinds[mb], consts[mb]
			}
		case lua.OP_LOADK:
			kinds[a] = regOther
			if s, ok := constant(p, bx).(lua.LString); ok {
				kinds[a], consts[a] = regName, string(s)
			}
		case lua.OP_LOADBOOL:
			if c != 0 { // skips the next instruction
				return keepPlan{}
			}
			kinds[a] = regOther
		case lua.OP_LOADNIL:
			for r := a; r <= b && r < len(kinds); r++ {
				kinds[r] = regOther
			}
		case lua.OP_GETGLOBAL:
			kinds[a] = regOther
			if constant(p, bx) == lua.LString("require") {
				kinds[a] = regRequire
			}
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV,
			lua.OP_MOD, lua.OP_POW, lua.OP_UNM, lua.OP_NOT, lua.OP_LEN, lua.OP_CONCAT:
			kinds[a] = regOther
		case lua.OP_NEWTABLE:
			kinds[a] = regFresh
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			if kinds[a] != regFresh {
				return keepPlan{}
			}
		case lua.OP_SETLIST:
			if kinds[a] != regFresh || b == 0 || c == 0 { // B=0: up to top; C=0: C in the next word
				return keepPlan{}
			}
		case lua.OP_CALL:
			if kinds[a] != regRequire || b != 2 || c != 2 || kinds[a+1] != regName {
				return keepPlan{}
			}
			requires = append(requires, consts[a+1])
			for r := a; r < len(kinds); r++ { // the call leaves only its result
				kinds[r] = regOther
			}
		case lua.OP_CLOSURE:
			if bx >= len(p.FunctionPrototypes) {
				return keepPlan{}
			}
			// The next NumUpvalues words bind the closure's upvalues to
			// locals of the chunk; they are not executed.
			pc += int(p.FunctionPrototypes[bx].NumUpvalues)
			kinds[a] = regOther
		case lua.OP_CLOSE:
		case lua.OP_RETURN:
			return keepPlan{ok: true, requires: requires}
		default:
			return keepPlan{}
		}
	}
	return keepPlan{}
}

func constant(p *lua.FunctionProto, i int) lua.LValue {
	if i < 0 || i >= len(p.Constants) {
		return lua.LNil
	}
	return p.Constants[i]
}
