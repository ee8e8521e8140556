package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// dialer opens loopback connections from a rotating set of 127.0.0.x
// source addresses, so that tens of thousands of connections do not
// exhaust one address's ephemeral ports.
type dialer struct {
	addr string
	srcs []*net.TCPAddr
}

func newDialer(addr string, srcIPs []string) (*dialer, error) {
	d := &dialer{addr: addr}
	for _, s := range srcIPs {
		ip := net.ParseIP(s)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("source address %q is not a loopback address", s)
		}
		d.srcs = append(d.srcs, &net.TCPAddr{IP: ip})
	}
	return d, nil
}

// dial connects connection number i (which picks its source address).
func (d *dialer) dial(ctx context.Context, i int) (net.Conn, error) {
	nd := net.Dialer{Timeout: 10 * time.Second, Control: bindNoPort}
	if len(d.srcs) > 0 {
		nd.LocalAddr = d.srcs[i%len(d.srcs)]
	}
	return nd.DialContext(ctx, "tcp", d.addr)
}

// sseEvent is one dispatched event (a comment is reported with name ":").
type sseEvent struct {
	name string
	data []byte // valid until the next call to next
}

// sseReader reads events from an SSE response body without allocating per
// event: it keeps the last event name and data line in reusable buffers.
type sseReader struct {
	br   *bufio.Reader
	name []byte
	data []byte
}

var errTooLong = errors.New("sse line too long")

// next returns the next event or comment.
func (r *sseReader) next() (sseEvent, error) {
	r.name = r.name[:0]
	r.data = r.data[:0]
	have := false
	for {
		line, err := r.br.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return sseEvent{}, errTooLong
			}
			if errors.Is(err, io.EOF) && len(line) == 0 {
				return sseEvent{}, io.EOF
			}
			return sseEvent{}, err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if have {
				name := string(r.name)
				if name == "" {
					name = "message"
				}
				return sseEvent{name: name, data: r.data}, nil
			}
		case line[0] == ':':
			return sseEvent{name: ":"}, nil
		case bytes.HasPrefix(line, []byte("event: ")):
			r.name = append(r.name, line[7:]...)
			have = true
		case bytes.HasPrefix(line, []byte("data: ")):
			if len(r.data) > 0 {
				r.data = append(r.data, '\n')
			}
			r.data = append(r.data, line[6:]...)
			have = true
		default: // id:, retry: and anything else
			have = true
		}
	}
}

// openStream sends GET path over conn and checks that an SSE stream starts.
func openStream(conn net.Conn, addr, path string) (*sseReader, error) {
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", path, addr); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(conn, 2048)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		return nil, fmt.Errorf("content type %q", ct)
	}
	return &sseReader{br: bufio.NewReaderSize(resp.Body, 1024)}, nil
}

// stampOf extracts the integer "t" field (send time, unix ns) from a JSON
// object without decoding it; ok is false when there is none.
func stampOf(data []byte) (int64, bool) {
	i := bytes.Index(data, []byte(`"t":`))
	if i < 0 {
		return 0, false
	}
	var v int64
	n := 0
	for _, c := range data[i+4:] {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int64(c-'0')
		n++
	}
	return v, n > 0
}

// reasonOf extracts the "reason" string of a done event.
func reasonOf(data []byte) string {
	i := bytes.Index(data, []byte(`"reason":"`))
	if i < 0 {
		return "unknown"
	}
	rest := data[i+10:]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return string(rest[:j])
	}
	return "unknown"
}

// isWelcome reports whether data is the room's join acknowledgement.
func isWelcome(data []byte) bool {
	return bytes.Contains(data, []byte(`"welcome":true`))
}
