package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"luahost/runtime/host"
)

// Relay benchmarks (issue: SSE relay). Run:
//
//	go test -run '^$' -bench 'Relay|GoFanout' -benchtime 1x ./tests/
//
// BenchmarkRelayFanout and BenchmarkGoFanout broadcast the same events to
// the same number of streams (LUAHOST_FANOUT_STREAMS, default 1000) in the
// same run, so their deliveries/s can be compared as a ratio.

const fanoutEvents = 50 // bursts per benchmark iteration

// benchRelayApp boots a host with a broadcaster process and a relay router.
func benchRelayApp(b *testing.B) (*host.Host, string) {
	// A deep queue: the one-stream benchmark bursts b.N events at once.
	entries := header + relayRouter("    post_options: {sserelay.max_queue: \"10000000\", sserelay.max_queue_bytes: \"1000000000\"}\n") + `
  - name: processes
    kind: process.host
  - name: caster_proc
    kind: process.lua
    source: file://caster.lua
    method: main
    modules: [time]
  - name: caster
    kind: process.service
    process: caster_proc
    host: processes` + relayOpenEntries("/stream")
	files := map[string]string{
		"registry.yaml": entries,
		// The caster keeps its members and, on "burst" {events, shared},
		// sends every member `events` messages stamped with the send time:
		// one table per event for all members if shared, else a new
		// table per member (each then copied and encoded on its own).
		"caster.lua": `local time = require("time")
return {main = function()
  local members, n = {}, 0
  local inbox = process.inbox()
  while true do
    local msg = inbox:receive()
    local topic, data = msg:topic(), msg:payload() and msg:payload():data()
    if topic == "sse.join" then members[#members + 1] = data.client_pid
    elseif topic == "burst" then
      for i = 1, data.events do
        local stamp = time.now():unix_nano()
        if data.shared then
          local ev = {i = i, t = stamp}
          for _, pid in ipairs(members) do process.send(pid, "sse.message", ev) end
        else
          for _, pid in ipairs(members) do process.send(pid, "sse.message", {i = i, t = stamp}) end
        end
      end
    elseif topic == "count" then process.send(data, "count", #members)
    end
  end
end}`,
		"open.lua": `local http = require("http")
local json = require("json")
return {handler = function()
  local caster = process.registry.lookup("app:caster")
  http.response():set_header("X-SSE-Relay", json.encode({target_pid = caster, heartbeat_interval = "0s"}))
end}`,
	}
	h := benchHost(b, files)
	// Streams opened before the caster service registered its name would
	// have no target and never get a burst.
	eventually(b, 10*time.Second, "the caster service to register", func() bool {
		_, ok := h.Kernel().Lookup("app:caster")
		return ok
	})
	return h, h.Addr("app:gateway")
}

// fanClient is one raw SSE connection that records receive latencies.
type fanClient struct {
	conn net.Conn
	br   *bufio.Reader
}

func dialStream(addr, path string) (*fanClient, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", path, addr)
	br := bufio.NewReaderSize(conn, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if resp.StatusCode != 200 {
		conn.Close()
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	// Chunked transfer: wrap the body reader.
	return &fanClient{conn: conn, br: bufio.NewReader(resp.Body)}, nil
}

// readEvents reads n data lines carrying {"t": send_unix_nano} and appends
// the latencies.
func (c *fanClient) readEvents(n int, lat *[]time.Duration) error {
	for got := 0; got < n; {
		line, err := c.br.ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var ev struct {
			T int64 `json:"t"`
		}
		if json.Unmarshal([]byte(line[6:]), &ev) == nil && ev.T > 0 {
			*lat = append(*lat, time.Since(time.Unix(0, ev.T)))
		}
		got++
	}
	return nil
}

// runFanout opens streams clients, triggers bursts and reports
// deliveries/s and latency percentiles.
func runFanout(b *testing.B, addr, path string, streams int, trigger func()) {
	clients := make([]*fanClient, 0, streams)
	for i := 0; i < streams; i++ {
		c, err := dialStream(addr, path)
		if err != nil {
			b.Fatalf("stream %d: %v", i, err)
		}
		clients = append(clients, c)
	}
	defer func() {
		for _, c := range clients {
			c.conn.Close()
		}
	}()
	b.ResetTimer()
	for iter := 0; iter < b.N; iter++ {
		lats := make([][]time.Duration, len(clients))
		var wg sync.WaitGroup
		errs := make(chan error, len(clients)) // one slot per client: never blocks
		start := time.Now()
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = c.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
				if err := c.readEvents(fanoutEvents, &lats[i]); err != nil {
					errs <- err
				}
			}()
		}
		trigger()
		wg.Wait()
		elapsed := time.Since(start)
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		var all []time.Duration
		for _, l := range lats {
			all = append(all, l...)
		}
		slices.Sort(all)
		b.ReportMetric(float64(streams*fanoutEvents)/elapsed.Seconds(), "deliveries/s")
		if len(all) > 0 {
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
		}
	}
}

func fanoutStreams() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("LUAHOST_FANOUT_STREAMS"), &n); err == nil && n > 0 {
		return n
	}
	return 1000
}

// BenchmarkRelayFanout: one Lua process broadcasts bursts to N relay
// streams, building a new table for every member (the slow way).
func BenchmarkRelayFanout(b *testing.B) { benchRelayFanout(b, false) }

// BenchmarkRelayFanoutShared: the same, one table per event for all
// members (copied and encoded once).
func BenchmarkRelayFanoutShared(b *testing.B) { benchRelayFanout(b, true) }

func benchRelayFanout(b *testing.B, shared bool) {
	h, addr := benchRelayApp(b)
	streams := fanoutStreams()
	k := h.Kernel()
	runFanout(b, addr, "/sse/stream", streams, func() {
		pid, _ := k.Lookup("app:caster")
		k.Send(pid, pid, "burst", []any{map[string]any{"events": float64(fanoutEvents), "shared": shared}})
	})
}

// BenchmarkGoFanout is the baseline: a plain net/http SSE server with one
// goroutine per stream, a buffered channel each, one flush per event.
func BenchmarkGoFanout(b *testing.B) {
	var mu sync.Mutex
	var subs []chan []byte
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch := make(chan []byte, 1024) // as deep as the relay's default queue
		mu.Lock()
		subs = append(subs, ch)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		for {
			select {
			case msg := <-ch:
				if _, err := w.Write(msg); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			case <-r.Context().Done():
				return
			}
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	streams := fanoutStreams()
	runFanout(b, ln.Addr().String(), "/", streams, func() {
		for i := 1; i <= fanoutEvents; i++ {
			mu.Lock()
			list := slices.Clone(subs)
			mu.Unlock()
			stamp := time.Now().UnixNano()
			for _, ch := range list {
				ch <- []byte(fmt.Sprintf("event: sse.message\ndata: {\"i\":%d,\"t\":%d}\n\n", i, stamp))
			}
		}
	})
}

// BenchmarkRelayOneStream: events/s through one stream, end to end.
func BenchmarkRelayOneStream(b *testing.B) {
	h, addr := benchRelayApp(b)
	c, err := dialStream(addr, "/sse/stream")
	if err != nil {
		b.Fatal(err)
	}
	defer c.conn.Close()
	k := h.Kernel()
	pid, _ := k.Lookup("app:caster")
	b.ResetTimer()
	start := time.Now()
	k.Send(pid, pid, "burst", []any{map[string]any{"events": float64(b.N)}})
	var lat []time.Duration
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Minute))
	if err := c.readEvents(b.N, &lat); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

var _ = io.Discard
