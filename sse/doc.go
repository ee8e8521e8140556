// Package sse encodes Server-Sent Events frames. It is shared by direct
// streaming (res:write_event) and the relay, so both put the same bytes on
// the wire. It has no dependencies beyond the standard library and keeps no
// state: every function appends to a caller-owned buffer.
package sse
