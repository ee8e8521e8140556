package actor

import (
	"fmt"
	"strconv"
	"strings"
)

// PID identifies a process: {HOST|0xNNNNN} or {NODE@HOST|0xNNNNN}.
// Seq is unique within one Kernel and never reused; Host is the id the
// process runs under (process host, service or function id). PIDs are
// comparable values and safe to use as map keys.
type PID struct {
	Node string
	Host string
	Seq  uint64
}

// seqDigits is the minimum number of hex digits in a PID string.
const seqDigits = 5

// maxNameLen bounds a node or host name so PID strings stay small.
const maxNameLen = 256

// IsZero reports whether p is the zero PID (no process).
func (p PID) IsZero() bool { return p == PID{} }

// String formats p as {HOST|0x0000c}, or {NODE@HOST|0x0000c} with a node:
// lower-case hex, zero-padded to at least five digits.
func (p PID) String() string {
	b := make([]byte, 0, len(p.Node)+len(p.Host)+24)
	b = append(b, '{')
	if p.Node != "" {
		b = append(b, p.Node...)
		b = append(b, '@')
	}
	b = append(b, p.Host...)
	b = append(b, "|0x"...)
	var digits [16]byte
	hex := strconv.AppendUint(digits[:0], p.Seq, 16)
	for i := len(hex); i < seqDigits; i++ {
		b = append(b, '0')
	}
	b = append(b, hex...)
	b = append(b, '}')
	return string(b)
}

// ParsePID parses the canonical forms produced by String and nothing else:
// braces, an optional NODE@, a valid HOST (see ValidName), '|', "0x" and
// lower-case hex digits (at least five; no leading zero beyond that padding;
// at most 64 bits). Errors wrap ErrInvalid.
func ParsePID(s string) (PID, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return PID{}, badPID(s, "missing braces")
	}
	body := s[1 : len(s)-1]
	bar := strings.IndexByte(body, '|')
	if bar < 0 {
		return PID{}, badPID(s, "missing '|'")
	}
	var p PID
	p.Host = body[:bar]
	if at := strings.IndexByte(p.Host, '@'); at >= 0 {
		p.Node, p.Host = p.Host[:at], p.Host[at+1:]
		if err := ValidName(p.Node); err != nil {
			return PID{}, badPID(s, "node: "+err.Error())
		}
	}
	if err := ValidName(p.Host); err != nil {
		return PID{}, badPID(s, "host: "+err.Error())
	}
	seq, err := parseSeq(body[bar+1:])
	if err != nil {
		return PID{}, badPID(s, err.Error())
	}
	p.Seq = seq
	return p, nil
}

func parseSeq(s string) (uint64, error) {
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return 0, fmt.Errorf("number must start with 0x")
	}
	if len(digits) < seqDigits || len(digits) > 16 {
		return 0, fmt.Errorf("number must have %d to 16 hex digits", seqDigits)
	}
	if len(digits) > seqDigits && digits[0] == '0' {
		return 0, fmt.Errorf("number has extra leading zeros")
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return 0, fmt.Errorf("number must be lower-case hex")
		}
	}
	return strconv.ParseUint(digits, 16, 64)
}

// ValidName reports whether s can be a PID node or host name: 1 to 256
// printable ASCII bytes other than space and the separators { } | @.
// Every PID the kernel issues has valid names, so String/ParsePID round-trip.
func ValidName(s string) error {
	if s == "" {
		return fmt.Errorf("empty name: %w", ErrInvalid)
	}
	if len(s) > maxNameLen {
		return fmt.Errorf("name longer than %d bytes: %w", maxNameLen, ErrInvalid)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ' || c >= 0x7f:
			return fmt.Errorf("name has a non-printable or non-ASCII byte: %w", ErrInvalid)
		case c == '{' || c == '}' || c == '|' || c == '@':
			return fmt.Errorf("name contains %q: %w", c, ErrInvalid)
		}
	}
	return nil
}

// badPID builds a parse error; long input is cut so errors stay readable.
func badPID(s, why string) error {
	const max = 64
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Errorf("malformed pid %q: %s: %w", s, why, ErrInvalid)
}
