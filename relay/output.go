package relay

import (
	"net"
	"net/http"
	"time"
)

// output is where a stream's bytes go. Only the goroutine currently
// running the stream's step writes; breakWrite may be called from any
// goroutine (a sender whose push overflowed the queue).
type output interface {
	// start sends the 200 status line and headers h (with the first
	// frames in buf for outputs that can send them together).
	start(h http.Header, buf []byte, timeout time.Duration) error
	// write sends p and flushes, under a fresh write deadline.
	write(p []byte, timeout time.Duration) error
	// breakWrite makes a write blocked on a slow client fail now.
	breakWrite()
	// close ends the connection (after the last frame).
	close()
}

// httpOutput writes through the ResponseWriter; used when the connection
// cannot be taken over (HTTP/2, test writers). The request goroutine then
// stays with the stream.
type httpOutput struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (o *httpOutput) start(h http.Header, buf []byte, timeout time.Duration) error {
	dst := o.w.Header()
	for k, v := range h {
		dst[k] = v
	}
	o.w.WriteHeader(http.StatusOK)
	return o.write(buf, timeout)
}

func (o *httpOutput) write(p []byte, timeout time.Duration) error {
	_ = o.rc.SetWriteDeadline(time.Now().Add(timeout))
	if len(p) > 0 {
		if _, err := o.w.Write(p); err != nil {
			return err
		}
	}
	return o.rc.Flush()
}

func (o *httpOutput) breakWrite() { _ = o.rc.SetWriteDeadline(time.Now()) }
func (o *httpOutput) close()      {}

// connOutput writes to a hijacked connection: the stream owns it, net/http
// has released its goroutine and buffers. The body is delimited by the end
// of the connection (Connection: close), so frames go out unframed.
type connOutput struct {
	c net.Conn
}

func (o *connOutput) start(h http.Header, buf []byte, timeout time.Duration) error {
	head := make([]byte, 0, 256+len(buf))
	head = append(head, "HTTP/1.1 200 OK\r\n"...)
	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	hb := headerBytes(h)
	head = append(head, hb...)
	head = append(head, "\r\n"...)
	head = append(head, buf...)
	return o.write(head, timeout)
}

func (o *connOutput) write(p []byte, timeout time.Duration) error {
	if len(p) == 0 {
		return nil
	}
	_ = o.c.SetWriteDeadline(time.Now().Add(timeout))
	_, err := o.c.Write(p)
	return err
}

func (o *connOutput) breakWrite() { _ = o.c.SetWriteDeadline(time.Now()) }
func (o *connOutput) close()      { _ = o.c.Close() }

// headerBytes renders h in wire format ("Key: value\r\n" lines).
func headerBytes(h http.Header) []byte {
	var b bytesWriter
	_ = h.Write(&b)
	return b
}

type bytesWriter []byte

func (b *bytesWriter) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}
