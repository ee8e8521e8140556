//go:build linux

package relay

import (
	"net"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// poller tells streams that their client hung up or that their socket
// can take more bytes, without a goroutine per stream: one goroutine waits
// on an epoll set holding every stream's socket (edge-triggered, for
// RDHUP/HUP/ERR and OUT; bytes a client sends are ignored). Edge-triggered
// OUT fires when a socket that refused a write (EAGAIN) drains, which is
// the only time a stream wants it. It is started on first use and stopped
// by stop.
type poller struct {
	mu    sync.Mutex
	epfd  int
	seq   int32
	fds   map[int32]pollEntry // by fd
	stopc chan struct{}
	done  chan struct{}
	once  sync.Once
}

type pollEntry struct {
	seq int32
	h   pollHandler
}

func newPoller() (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	p := &poller{epfd: epfd, fds: map[int32]pollEntry{}, stopc: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p, nil
}

// add watches conn for h. It returns the key for remove.
func (p *poller) add(conn net.Conn, h pollHandler) (int32, bool) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return 0, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var fd int32
	var addErr error
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	seq := p.seq
	err = raw.Control(func(f uintptr) {
		fd = int32(f)
		ev := unix.EpollEvent{Events: unix.EPOLLRDHUP | unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLET, Fd: fd, Pad: seq}
		addErr = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(f), &ev)
	})
	if err != nil || addErr != nil {
		return 0, false
	}
	p.fds[fd] = pollEntry{seq: seq, h: h}
	return fd, true
}

// remove stops watching fd; call it before closing the connection.
func (p *poller) remove(fd int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.fds, fd)
	_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, int(fd), nil)
}

func (p *poller) run() {
	defer close(p.done)
	events := make([]unix.EpollEvent, 128)
	for {
		select {
		case <-p.stopc:
			return
		default:
		}
		n, err := unix.EpollWait(p.epfd, events, 200) // ms; bounds how long stop waits
		if err != nil && err != unix.EINTR {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		for i := 0; i < n; i++ {
			p.dispatch(events[i])
		}
	}
}

func (p *poller) dispatch(ev unix.EpollEvent) {
	hup := ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
	out := ev.Events&unix.EPOLLOUT != 0
	if !hup && !out {
		return
	}
	p.mu.Lock()
	e, ok := p.fds[ev.Fd]
	p.mu.Unlock()
	if !ok || e.seq != ev.Pad {
		return
	}
	if hup {
		e.h.hangup()
	} else {
		e.h.writable()
	}
}

// stop ends the poller goroutine and waits for it (idempotent).
func (p *poller) stop() {
	p.once.Do(func() {
		close(p.stopc)
		<-p.done
		_ = unix.Close(p.epfd)
	})
}
