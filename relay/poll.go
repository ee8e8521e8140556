package relay

// pollHandler receives a socket's readiness on the poller goroutine
// (poller_linux.go); it must not block.
type pollHandler interface {
	// hangup: the peer closed or reset the connection.
	hangup()
	// writable: the socket can take bytes again.
	writable()
}
