//go:build linux

package relay

import (
	"net"
	"net/http"
	"syscall"
	"time"
)

// connOutput writes to a hijacked connection without ever blocking: the
// stream owns the socket (net/http has released its goroutine and
// buffers), writes go straight to the non-blocking file descriptor, and a
// full socket is reported as errBlocked; the hub's poller then says when
// it drains (EPOLLOUT). So a stream worker is never held by a slow client.
type connOutput struct {
	c   net.Conn
	raw syscall.RawConn

	// tail and tailTimeout: final bytes that did not fit (see last);
	// close hands them to a goroutine that waits for the socket.
	tail        []byte
	tailTimeout time.Duration
}

// newConnOutput returns an output for a taken-over connection, or nil if
// its file descriptor cannot be reached.
func newConnOutput(c net.Conn) output {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	_ = c.SetDeadline(time.Time{}) // drop deadlines net/http set: writes here never wait
	return &connOutput{c: c, raw: raw}
}

func (o *connOutput) start(h http.Header) []byte { return responseHead(h) }

func (o *connOutput) write(p []byte, _ time.Duration) (int, error) {
	var n int
	var werr error
	err := o.raw.Write(func(fd uintptr) bool {
		n, werr = writeNonBlocking(int(fd), p)
		return true // never wait in the runtime poller
	})
	if err != nil {
		return n, err
	}
	return n, werr
}

// writeNonBlocking writes p to a non-blocking fd until all of it is out
// or the fd takes no more (errBlocked), and reports how much went out.
func writeNonBlocking(fd int, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := syscall.Write(fd, p[n:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return n, errBlocked
		case err != nil:
			return n, err
		case m == 0:
			return n, syscall.EPIPE
		}
		n += m
	}
	return n, nil
}

// last tries p at once; what does not fit is written by close, in the
// background, within timeout.
func (o *connOutput) last(p []byte, timeout time.Duration) {
	n, err := o.write(p, timeout)
	if err == errBlocked {
		o.tail, o.tailTimeout = p[n:], timeout
	}
}

func (o *connOutput) breakWrite() {} // writes never block

func (o *connOutput) close() {
	if len(o.tail) == 0 {
		_ = o.c.Close()
		return
	}
	tail, timeout, c := o.tail, o.tailTimeout, o.c
	o.tail = nil
	go func() { // owns c from here on; ends within timeout
		_ = c.SetWriteDeadline(time.Now().Add(timeout))
		_, _ = c.Write(tail)
		_ = c.Close()
	}()
}
