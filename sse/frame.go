package sse

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// ErrBadField is returned for an event name or id containing CR, LF or NUL,
// which would let it inject raw lines into the stream.
var ErrBadField = errors.New("must not contain CR, LF or NUL")

// ValidField reports whether s can be sent as an event name or id.
func ValidField(s string) bool {
	return !strings.ContainsAny(s, "\r\n\x00")
}

// Event is one frame. Data is already encoded (JSON in luahost) and may
// contain newlines: each line becomes its own "data:" line.
type Event struct {
	ID       string
	HasID    bool
	Retry    int64 // milliseconds; sent when HasRetry
	HasRetry bool
	Name     string
	Data     []byte
}

// Append appends the wire form of e to buf:
// "id: ID\n" (if any) "retry: MS\n" (if any) "event: NAME\n" "data: ...\n" "\n".
// The caller validates Name and ID with ValidField.
func Append(buf []byte, e *Event) []byte {
	if e.HasID {
		buf = append(buf, "id: "...)
		buf = append(buf, e.ID...)
		buf = append(buf, '\n')
	}
	if e.HasRetry {
		buf = AppendRetry(buf, e.Retry)
	}
	if e.Name != "" {
		buf = append(buf, "event: "...)
		buf = append(buf, e.Name...)
		buf = append(buf, '\n')
	}
	buf = AppendData(buf, e.Data)
	return append(buf, '\n')
}

// AppendData appends "data: LINE\n" for each line of data (a trailing line
// break in data does not produce an empty extra line).
func AppendData(buf, data []byte) []byte {
	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			buf = append(buf, "data: "...)
			buf = append(buf, data...)
			return append(buf, '\n')
		}
		buf = append(buf, "data: "...)
		buf = append(buf, data[:i]...)
		buf = append(buf, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
		if len(data) == 0 {
			return buf
		}
	}
}

// AppendRetry appends "retry: MS\n".
func AppendRetry(buf []byte, ms int64) []byte {
	buf = append(buf, "retry: "...)
	buf = strconv.AppendInt(buf, ms, 10)
	return append(buf, '\n')
}

// AppendComment appends ": TEXT\n\n" (used for heartbeats: ": ping").
func AppendComment(buf []byte, text string) []byte {
	buf = append(buf, ": "...)
	buf = append(buf, text...)
	return append(buf, '\n', '\n')
}
