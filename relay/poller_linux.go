//go:build linux

package relay

import (
	"net"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// poller tells streams that their client hung up, without a goroutine per
// stream: one goroutine waits on an epoll set holding every stream's
// socket (edge-triggered, for RDHUP/HUP/ERR; bytes a client sends are
// ignored). It is started on first use and stopped by stop.
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
	seq  int32
	gone func()
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

// add watches conn; gone runs (on the poller goroutine, so it must not
// block) when the peer hangs up. It returns the key for remove.
func (p *poller) add(conn net.Conn, gone func()) (int32, bool) {
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
		ev := unix.EpollEvent{Events: unix.EPOLLRDHUP | unix.EPOLLIN | unix.EPOLLET, Fd: fd, Pad: seq}
		addErr = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(f), &ev)
	})
	if err != nil || addErr != nil {
		return 0, false
	}
	p.fds[fd] = pollEntry{seq: seq, gone: gone}
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
			ev := events[i]
			if ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) == 0 {
				continue
			}
			p.mu.Lock()
			e, ok := p.fds[ev.Fd]
			p.mu.Unlock()
			if ok && e.seq == ev.Pad {
				e.gone()
			}
		}
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
