// Package relay implements the sse_relay post-match middleware: it turns an
// HTTP request whose Lua handler set the X-SSE-Relay header into a
// long-lived Server-Sent Events stream that is itself a process on the
// actor kernel (SPEC section 9, 11.3, 11.4).
//
// Ownership and concurrency:
//   - On HTTP/1.1 (Linux) a stream takes its connection over from net/http
//     (middleware_serve.go) and then has no goroutine of its own. Its
//     state is owned by whichever goroutine holds its running flag: a
//     worker of the hub's run queue (runq.go, one worker per CPU) while it
//     has work. Writes go straight to the non-blocking socket
//     (output_conn_linux.go); what a full socket does not take waits in the
//     stream's buffer until the hub's epoll poller (poller_linux.go)
//     reports the socket writable, so a worker never waits for a client.
//   - Elsewhere (HTTP/2, non-Linux, test writers) the request goroutine
//     owns the stream and blocks in its writes (httpOutput).
//   - Other processes reach a stream through the kernel: their sends land
//     in the stream's box (box.go) on the sender's goroutine; the box never
//     blocks and wakes the stream (queues it on the run queue, or signals
//     the request goroutine through a 1-buffered channel).
//   - A box that exceeds its limits (max_queue events or max_queue_bytes)
//     marks the stream as a slow consumer, so one slow client never holds a
//     sender or another stream.
//   - Timers (heartbeat, idle, hard, write deadline; timers.go) are runtime
//     timers whose callbacks only raise a signal in the box.
//   - Hub.Shutdown raises a shutdown signal in every stream's box; each
//     stream then says goodbye ("server shutting down") and ends, and the
//     poller and workers stop once every stream has.
//
// The package knows nothing of Lua: payloads are plain Go data, encoded to
// JSON by the Encoder the host injects. Shared payloads (one message sent
// to many streams) are encoded once (frames.go).
package relay
