package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"luahost/runtime/actor"
	"luahost/runtime/host"
)

// server is the system under test, running inside this process so that its
// memory and goroutines can be measured.
type server interface {
	addr() string
	// broadcast makes the room send events seq+1 .. seq+count to every
	// member, each stamped with its send time; it returns at once.
	broadcast(seq, count int)
	// active is the number of streams the server holds open.
	active() int
	shutdown(ctx context.Context) error
}

const (
	streamPath = "/sse/stream"
	helloPath  = "/hello"
	helloBody  = `{"message":"hello"}`
)

func startServer(target string, heartbeat time.Duration, log *slog.Logger) (server, error) {
	switch target {
	case targetLuahost:
		return startLuahost(heartbeat, log)
	case targetBaseline:
		return startBaseline(heartbeat)
	}
	return nil, fmt.Errorf("unknown target %q", target)
}

// ---------------------------------------------------------------------
// luahost: a generated registry with a relay router, a room process and a
// hello-world handler.

const luahostRegistry = `version: "1.0"
namespace: app
entries:
  - name: gateway
    kind: http.service
    addr: "127.0.0.1:0"
  - name: root
    kind: http.router
    meta: {server: gateway}
  - name: sse
    kind: http.router
    meta: {server: gateway}
    prefix: /sse
    post_middleware: [sse_relay]
  - name: processes
    kind: process.host
  - name: room_proc
    kind: process.lua
    source: file://room.lua
    method: main
    modules: [time]
  - name: room
    kind: process.service
    process: room_proc
    host: processes
  - name: open
    kind: function.lua
    source: file://open.lua
    method: handler
    modules: [http, json]
  - name: open.ep
    kind: http.endpoint
    meta: {router: sse}
    method: GET
    path: /stream
    func: open
  - name: hello
    kind: function.lua
    source: file://hello.lua
    method: handler
    modules: [http]
  - name: hello.ep
    kind: http.endpoint
    meta: {router: root}
    method: GET
    path: /hello
    func: hello
`

// roomLua is the broadcaster: it keeps its members (joined streams), greets
// each one with {"welcome":true}, and on "burst" {seq, events} sends every
// member events seq+1 .. seq+events stamped with the send time.
const roomLua = `local time = require("time")
return {main = function()
  local list, index, removed = {}, {}, 0
  local inbox = process.inbox()
  while true do
    local msg = inbox:receive()
    local topic = msg:topic()
    if topic == "burst" then
      local data = msg:payload():data()
      for i = 1, data.events do
        local ev = {i = data.seq + i, t = time.now():unix_nano()}
        for j = 1, #list do process.send(list[j], "sse.message", ev) end
      end
    elseif topic == "sse.join" then
      local pid = msg:payload():data().client_pid
      if not index[pid] then
        list[#list + 1] = pid
        index[pid] = #list
      end
      process.send(pid, "sse.message", {welcome = true})
    elseif topic == "sse.leave" then
      local pid = msg:payload():data().client_pid
      local i = index[pid]
      if i then
        local last = list[#list]
        list[i] = last
        index[last] = i
        list[#list] = nil
        index[pid] = nil
        removed = removed + 1
        if removed > 1000 + 2 * #list then -- a table keeps a slot per key ever set: copy it
          local fresh = {}
          for k, v in pairs(index) do fresh[k] = v end
          index, removed = fresh, 0
        end
      end
    end
  end
end}
`

const openLua = `local http = require("http")
local json = require("json")
return {handler = function()
  local room = process.registry.lookup("app:room")
  http.response():set_header("X-SSE-Relay", json.encode({target_pid = room, heartbeat_interval = %q}))
end}
`

const helloLua = `local http = require("http")
return {handler = function()
  http.response():write_json({message = "hello"})
end}
`

type luahostServer struct {
	h    *host.Host
	dir  string
	k    *actor.Kernel
	room actor.PID
	once sync.Once
	err  error
}

func startLuahost(heartbeat time.Duration, log *slog.Logger) (*luahostServer, error) {
	dir, err := os.MkdirTemp("", "ssebench-")
	if err != nil {
		return nil, err
	}
	files := map[string]string{
		"registry.yaml": luahostRegistry,
		"room.lua":      roomLua,
		"open.lua":      fmt.Sprintf(openLua, heartbeat.String()),
		"hello.lua":     helloLua,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	h, errs := host.Load(filepath.Join(dir, "registry.yaml"), log)
	if len(errs) > 0 {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("load: %v", errs)
	}
	if err := h.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &luahostServer{h: h, dir: dir, k: h.Kernel()}
	// The room is a process.service: wait until it has registered.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if pid, ok := s.k.Lookup("app:room"); ok {
			s.room = pid
			break
		}
		if time.Now().After(deadline) {
			_ = s.shutdown(context.Background())
			return nil, errors.New("the room process did not start")
		}
	}
	return s, nil
}

func (s *luahostServer) addr() string { return s.h.Addr("app:gateway") }

func (s *luahostServer) broadcast(seq, count int) {
	s.k.Send(s.room, s.room, "burst", []any{map[string]any{"seq": float64(seq), "events": float64(count)}})
}

func (s *luahostServer) active() int { return s.h.Relay().Active() }

func (s *luahostServer) shutdown(ctx context.Context) error {
	s.once.Do(func() {
		s.err = s.h.Shutdown(ctx)
		os.RemoveAll(s.dir)
	})
	return s.err
}

// ---------------------------------------------------------------------
// baseline: a straightforward net/http SSE server with the same wire
// format — one goroutine per stream, a 1024-deep buffered channel, one
// flush per event, a ticker per stream for heartbeats, and a room
// goroutine that fans events out over the channels.

const baselineQueue = 1024

type baseSub struct {
	ch   chan []byte
	kill chan struct{} // closed by the room when ch overflows
	dead bool          // owned by the room
}

type baseBurst struct{ seq, count int }

type baselineServer struct {
	srv       *http.Server
	ln        net.Listener
	heartbeat time.Duration

	joins    chan *baseSub
	leaves   chan *baseSub
	bursts   chan baseBurst
	quit     chan struct{} // closed at shutdown: streams say goodbye
	stopRoom chan struct{}
	roomDone chan struct{}
	streams  atomic.Int64
	once     sync.Once
	err      error
}

var (
	frameWelcome = []byte("event: sse.message\ndata: {\"welcome\":true}\n\n")
	framePing    = []byte(": ping\n\n")
	frameSlow    = []byte("event: done\ndata: {\"reason\":\"slow consumer\"}\n\n")
	frameBye     = []byte("event: done\ndata: {\"reason\":\"server shutting down\"}\n\n")
)

func startBaseline(heartbeat time.Duration) (*baselineServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &baselineServer{
		ln: ln, heartbeat: heartbeat,
		joins: make(chan *baseSub), leaves: make(chan *baseSub),
		bursts: make(chan baseBurst, 4096), quit: make(chan struct{}),
		stopRoom: make(chan struct{}), roomDone: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+streamPath, b.stream)
	mux.HandleFunc("GET "+helloPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, helloBody)
	})
	b.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}
	go b.room()
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

func (b *baselineServer) addr() string { return b.ln.Addr().String() }

func (b *baselineServer) broadcast(seq, count int) {
	select {
	case b.bursts <- baseBurst{seq, count}:
	case <-b.roomDone:
	}
}

func (b *baselineServer) active() int { return int(b.streams.Load()) }

// room owns the member list (swap-remove on leave, like the Lua room).
func (b *baselineServer) room() {
	defer close(b.roomDone)
	var list []*baseSub
	index := map[*baseSub]int{}
	send := func(s *baseSub, frame []byte) {
		if s.dead {
			return
		}
		select {
		case s.ch <- frame:
		default:
			s.dead = true
			close(s.kill)
		}
	}
	for {
		select {
		case s := <-b.joins:
			index[s] = len(list)
			list = append(list, s)
			send(s, frameWelcome)
		case s := <-b.leaves:
			if i, ok := index[s]; ok {
				last := list[len(list)-1]
				list[i] = last
				index[last] = i
				list = list[:len(list)-1]
				delete(index, s)
			}
		case bu := <-b.bursts:
			for i := 1; i <= bu.count; i++ {
				frame := fmt.Appendf(nil, "event: sse.message\ndata: {\"i\":%d,\"t\":%d}\n\n", bu.seq+i, time.Now().UnixNano())
				for _, s := range list {
					send(s, frame)
				}
			}
		case <-b.stopRoom:
			return
		}
	}
}

func (b *baselineServer) stream(w http.ResponseWriter, r *http.Request) {
	b.streams.Add(1)
	defer b.streams.Add(-1)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flusher := w.(http.Flusher)
	flusher.Flush()
	sub := &baseSub{ch: make(chan []byte, baselineQueue), kill: make(chan struct{})}
	select {
	case b.joins <- sub:
	case <-b.quit:
		return
	}
	defer func() {
		select {
		case b.leaves <- sub:
		case <-b.roomDone:
		}
	}()
	var tick <-chan time.Time
	if b.heartbeat > 0 {
		t := time.NewTicker(b.heartbeat)
		defer t.Stop()
		tick = t.C
	}
	write := func(frame []byte) bool {
		if _, err := w.Write(frame); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	for {
		select {
		case frame := <-sub.ch:
			if !write(frame) {
				return
			}
		case <-tick:
			if !write(framePing) {
				return
			}
		case <-sub.kill:
			write(frameSlow)
			return
		case <-b.quit:
			write(frameBye)
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (b *baselineServer) shutdown(ctx context.Context) error {
	b.once.Do(func() {
		close(b.quit)
		if err := b.srv.Shutdown(ctx); err != nil {
			b.err = err
			_ = b.srv.Close()
		}
		close(b.stopRoom)
		<-b.roomDone
	})
	return b.err
}
