//go:build !linux

package relay

import "net"

// poller is Linux-only (epoll); elsewhere streams keep their request
// goroutine and learn of hang-ups from the request context.
type poller struct{}

func newPoller() (*poller, error)                         { return nil, errNoPoller }
func (p *poller) add(net.Conn, pollHandler) (int32, bool) { return 0, false }
func (p *poller) remove(int32)                            {}
func (p *poller) stop()                                   {}

// newConnOutput: connections are never taken over here.
func newConnOutput(net.Conn) output { return nil }
