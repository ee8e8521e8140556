// Package relay implements the sse_relay post-match middleware: it turns an
// HTTP request whose Lua handler set the X-SSE-Relay header into a
// long-lived Server-Sent Events stream that is itself a process on the
// actor kernel (SPEC section 9, 11.3, 11.4).
//
// Ownership and concurrency:
//   - A stream lives on the goroutine of the HTTP request that created it
//     (no extra goroutine per stream). That goroutine owns the stream state
//     and the ResponseWriter.
//   - Other processes reach the stream through the kernel: their sends land
//     in the stream's box (box.go) on the sender's goroutine; the box never
//     blocks and wakes the stream goroutine through a 1-buffered channel.
//   - A box that exceeds its limits (max_queue events or max_queue_bytes)
//     marks the stream as a slow consumer and breaks a write that may be
//     blocked, so one slow client never holds a sender or another stream.
//   - Middleware.Shutdown closes one channel that every stream watches;
//     each stream then says goodbye ("server shutting down") and ends.
//
// The package knows nothing of Lua: payloads are plain Go data, encoded to
// JSON by the Encoder the host injects.
package relay
