package relay

import (
	"errors"
	"net/http"
	"time"
)

// output is where a stream's bytes go. Only the goroutine currently
// running the stream's step calls start, write and last; breakWrite may be
// called from any goroutine (a sender whose push overflowed the queue).
type output interface {
	// start sends the 200 status line and headers h, or returns them in
	// wire format for the caller to send ahead of the first frames.
	start(h http.Header) []byte
	// write sends p and reports how many bytes went out. An output that
	// blocks (httpOutput) returns only when all of p is flushed or the
	// write failed (its deadline is timeout). One that never blocks
	// (connOutput) returns errBlocked with the count written so far when
	// the socket is full; the stream retries when the poller reports the
	// socket writable.
	write(p []byte, timeout time.Duration) (int, error)
	// last sends the final bytes of the stream; close follows. It may
	// finish in the background (bounded by timeout).
	last(p []byte, timeout time.Duration)
	// breakWrite makes a write blocked on a slow client fail now.
	breakWrite()
	// close ends the connection (after last).
	close()
}

// errBlocked: the socket cannot take more bytes now.
var errBlocked = errors.New("relay: socket full")

// httpOutput writes through the ResponseWriter; used when the connection
// cannot be taken over (HTTP/2, test writers). The request goroutine then
// stays with the stream, and a write blocks it.
type httpOutput struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (o *httpOutput) start(h http.Header) []byte {
	dst := o.w.Header()
	for k, v := range h {
		dst[k] = v
	}
	o.w.WriteHeader(http.StatusOK)
	_ = o.rc.Flush()
	return nil
}

func (o *httpOutput) write(p []byte, timeout time.Duration) (int, error) {
	_ = o.rc.SetWriteDeadline(time.Now().Add(timeout))
	if len(p) > 0 {
		if _, err := o.w.Write(p); err != nil {
			return 0, err
		}
	}
	return len(p), o.rc.Flush()
}

func (o *httpOutput) last(p []byte, timeout time.Duration) {
	if len(p) > 0 {
		_, _ = o.write(p, timeout)
	}
}

func (o *httpOutput) breakWrite() { _ = o.rc.SetWriteDeadline(time.Now()) }
func (o *httpOutput) close()      {}

// responseHead renders the status line and headers of a taken-over
// stream. The body is delimited by the end of the connection.
func responseHead(h http.Header) []byte {
	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	b := bytesWriter(make([]byte, 0, 256))
	b = append(b, "HTTP/1.1 200 OK\r\n"...)
	_ = h.Write(&b)
	return append(b, "\r\n"...)
}

type bytesWriter []byte

func (b *bytesWriter) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}
