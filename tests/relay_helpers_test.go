package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"luahost/runtime/actor"
)

// This file is the harness of the relay suite (SPEC 9, 11.3, 11.4).
//
// rlApp boots one application for every relay test:
//   - router "sse" (prefix /sse) with post_middleware [sse_relay] and the
//     post_options each test chooses; router "slow" (prefix /slow) with
//     sserelay.max_queue "16" (SPEC 11.3);
//   - GET /sse/open and GET /slow/open (the Lua handler rlOpenLua): sets
//     X-SSE-Relay to the query parameter cfg, or to json.encode({}) with
//     empty=1; status=N calls set_status(N), body=S writes S, ret=1 returns
//     a table, plain=1 answers "plain" without the header;
//   - a Lua process "recorder" (rlRecorderLua) that records every message
//     and event it gets and answers commands (rec.dump, rec.monitor,
//     rec.link, rec.terminate, rec.say, rec.stop, rec.fail);
//   - a Lua process "blaster" that sends N events to a list of PIDs;
//   - POST /api/spawn, /api/send, /api/ask, /api/blast on the root router,
//     so Go drives processes through real HTTP.

// rlRecorderLua is the recorder process: main(name) registers name (when
// given), traps links, and records {seq, at, topic, from, payloads} for
// messages and {seq, at, kind, from, value, error} for events.
const rlRecorderLua = `local time = require("time")
return {main = function(name)
  if name and name ~= "" then process.registry.register(name) end
  process.set_options{trap_links = true}
  local log, seq = {}, 0
  local function rec(t)
    seq = seq + 1
    t.seq = seq
    t.at = time.now():unix_nano()
    log[#log + 1] = t
  end
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select{inbox:case_receive(), events:case_receive()}
    if not r.ok then return "closed" end
    if r.channel == events then
      local ev = r.value
      local e = {kind = ev.kind, from = ev.from}
      if ev.result then
        e.value = ev.result.value
        if ev.result.error then e.error = tostring(ev.result.error) end
      end
      rec(e)
    else
      local m = r.value
      local topic = m:topic()
      local p = m:payload()
      local data = {}
      if p ~= nil then
        if type(p) == "table" then
          for i, x in ipairs(p) do data[i] = x:data() end
        else
          data[1] = p:data()
        end
      end
      if topic == "rec.dump" then
        process.send(m:from(), "rec.dump", log)
      elseif topic == "rec.monitor" then
        local ok, err = process.monitor(data[1])
        process.send(m:from(), "rec.ok", ok and "ok" or tostring(err))
      elseif topic == "rec.link" then
        local ok, err = process.link(data[1])
        process.send(m:from(), "rec.ok", ok and "ok" or tostring(err))
      elseif topic == "rec.terminate" then
        local ok, err = process.terminate(data[1])
        process.send(m:from(), "rec.ok", ok and "ok" or tostring(err))
      elseif topic == "rec.say" then
        local s = data[1]
        for i = 1, s.n do process.send(s.to, s.topic, i) end
        if s.exit then return "said" end
      elseif topic == "rec.stop" then
        return "stopped"
      elseif topic == "rec.fail" then
        error("recorder failed on purpose")
      else
        rec({topic = topic, from = m:from(), payloads = data})
      end
    end
  end
end}
`

// rlBlasterLua sends n events {i=I, pad=STRING(size)} with topic to every
// PID of targets, interleaved, as fast as it can (or, with burst > 0,
// sleeping 1ms after every burst events), and returns how long the loop
// took in milliseconds, sleeps excluded.
const rlBlasterLua = `local time = require("time")
return {main = function(targets, n, size, topic, burst)
  local pad = string.rep("x", size)
  local busy = 0
  local t0 = time.now()
  for i = 1, n do
    for _, pid in ipairs(targets) do
      process.send(pid, topic, {i = i, pad = pad})
    end
    if burst > 0 and i % burst == 0 then
      busy = busy + time.now():sub(t0):milliseconds()
      time.sleep("1ms")
      t0 = time.now()
    end
  end
  return busy + time.now():sub(t0):milliseconds()
end}
`

// rlOpenLua is the handler behind /sse/open and /slow/open.
const rlOpenLua = `local http = require("http")
local json = require("json")
return {handler = function()
  local req, res = http.request(), http.response()
  if req:query("plain") then
    res:set_header("X-Foo", "bar")
    res:write("plain")
    return
  end
  local cfg = req:query("cfg")
  if req:query("empty") then cfg = json.encode({}) end
  if cfg then res:set_header("X-SSE-Relay", cfg) end
  local st = req:query("status")
  if st then res:set_status(tonumber(st)) end
  local body = req:query("body")
  if body then res:write(body) end
  if req:query("ret") then return {ret = true} end
end}
`

// rlAPILua holds the /api handlers; each reads a JSON body.
const rlAPILua = `local http = require("http")
local json = require("json")
local time = require("time")
local function body() return http.request():body_json() end
local function recv(d)
  local inbox = process.inbox()
  local r = channel.select{inbox:case_receive(), time.after(d or "5s"):case_receive()}
  if r.channel == inbox and r.ok then return r.value end
  return nil
end
return {
  spawn = function()
    local b = body()
    local pid, err = process.spawn("recorder", "processes", b.name or "")
    if not pid then error(err:message()) end
    http.response():write(pid)
  end,
  send = function()
    local b = body()
    local ok, err
    if b.payloads then
      ok, err = process.send(b.to, b.topic, unpack(b.payloads, 1, #b.payloads))
    else
      ok, err = process.send(b.to, b.topic)
    end
    return {ok = ok == true, err = err and err:message() or ""}
  end,
  ask = function()
    local b = body()
    local ok, err
    if b.payload ~= nil then
      ok, err = process.send(b.to, b.topic, b.payload)
    else
      ok, err = process.send(b.to, b.topic)
    end
    if not ok then error(err:message()) end
    local m = recv()
    if m == nil then error("no reply") end
    return {reply = m:payload():data()}
  end,
  blast = function()
    local b = body()
    local pid, err = process.spawn_monitored("blaster", "processes", b.to, b.n, b.size, b.topic, b.burst or 0)
    if not pid then error(err:message()) end
    local evs = process.events()
    local r = channel.select{evs:case_receive(), time.after("30s"):case_receive()}
    if r.channel ~= evs then error("blaster did not finish") end
    local res = r.value.result
    return {ms = res.value or -1, err = res.error and tostring(res.error) or ""}
  end,
}
`

// rlEntries is the registry of rlApp; sseOpts is the YAML of the sse
// router's post_options (a map body, "" for none).
func rlEntries(sseOpts string) string {
	opts := ""
	if sseOpts != "" {
		opts = "    post_options: {" + sseOpts + "}\n"
	}
	var b strings.Builder
	b.WriteString(`
  - name: processes
    kind: process.host
  - name: recorder
    kind: process.lua
    source: file://recorder.lua
    method: main
    modules: [time]
  - name: blaster
    kind: process.lua
    source: file://blaster.lua
    method: main
    modules: [time]
  - name: sse
    kind: http.router
    meta: {server: gateway}
    prefix: /sse
    post_middleware: [sse_relay]
` + opts + `
  - name: slow
    kind: http.router
    meta: {server: gateway}
    prefix: /slow
    post_middleware: [sse_relay]
    post_options: {"sserelay.max_queue": "16"}` + relayOpenEntries("/open") + `
  - name: open.slow
    kind: http.endpoint
    meta: {router: slow}
    method: GET
    path: /open
    func: open
`)
	for _, name := range []string{"spawn", "send", "ask", "blast"} {
		b.WriteString(`
  - name: api_` + name + `
    kind: function.lua
    source: file://api.lua
    method: ` + name + `
    modules: [http, json, time]
  - name: api_` + name + `.ep
    kind: http.endpoint
    meta: {router: root}
    method: POST
    path: /api/` + name + `
    func: api_` + name + `
`)
	}
	return b.String()
}

// rlApp is a running relay application.
type rlApp struct {
	*app
}

// newRelayApp boots rlApp; sseOpts are the sse router's post_options.
func newRelayApp(t *testing.T, sseOpts string) *rlApp {
	t.Helper()
	return newRelayAppWith(t, sseOpts, "")
}

// newRelayAppWith boots rlApp with extra registry entries.
func newRelayAppWith(t *testing.T, sseOpts, extra string) *rlApp {
	t.Helper()
	a := startApp(t, rlEntries(sseOpts)+extra, map[string]string{
		"recorder.lua": rlRecorderLua,
		"blaster.lua":  rlBlasterLua,
		"open.lua":     rlOpenLua,
		"api.lua":      rlAPILua,
	})
	return &rlApp{a}
}

// post sends a JSON body to path and returns the status and body.
func (a *rlApp) post(path string, body any) (int, string) {
	a.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		a.t.Fatal(err)
	}
	code, _, out := a.do("POST", path, string(data), map[string]string{"Content-Type": "application/json"})
	return code, out
}

// spawnRecorder starts a recorder process (registered as name when name
// is not "") and returns its PID.
func (a *rlApp) spawnRecorder(name string) string {
	a.t.Helper()
	code, body := a.post("/api/spawn", map[string]any{"name": name})
	if code != 200 || !rlPIDRe.MatchString(body) {
		a.t.Fatalf("spawn recorder: %d %q", code, body)
	}
	return body
}

// send makes a Lua handler call process.send(to, topic, payloads...) and
// requires that it returned true.
func (a *rlApp) send(to, topic string, payloads ...any) {
	a.t.Helper()
	req := map[string]any{"to": to, "topic": topic}
	if len(payloads) > 0 {
		req["payloads"] = payloads
	}
	code, body := a.post("/api/send", req)
	if code != 200 || body != `{"err":"","ok":true}` {
		a.t.Fatalf("send %s %s: %d %s", to, topic, code, body)
	}
}

// control sends sse.control with payload to the stream (from a handler
// call process, over HTTP POST).
func (a *rlApp) control(stream string, payload any) {
	a.t.Helper()
	a.send(stream, "sse.control", payload)
}

// ask sends topic (with payload unless nil) to a recorder and returns its
// reply's data, raw.
func (a *rlApp) ask(to, topic string, payload any) json.RawMessage {
	a.t.Helper()
	req := map[string]any{"to": to, "topic": topic}
	if payload != nil {
		req["payload"] = payload
	}
	code, body := a.post("/api/ask", req)
	if code != 200 {
		a.t.Fatalf("ask %s %s: %d %s", to, topic, code, body)
	}
	var out struct {
		Reply json.RawMessage `json:"reply"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		a.t.Fatalf("ask %s %s: %v in %s", to, topic, err, body)
	}
	return out.Reply
}

// rlRecord is one entry of a recorder's log.
type rlRecord struct {
	Seq      int               `json:"seq"`
	At       float64           `json:"at"` // unix nanoseconds
	Topic    string            `json:"topic"`
	From     string            `json:"from"`
	Payloads []json.RawMessage `json:"payloads"`
	Kind     string            `json:"kind"`
	Value    json.RawMessage   `json:"value"`
	Error    string            `json:"error"`
}

func (r rlRecord) String() string {
	if r.Kind != "" {
		return fmt.Sprintf("#%d event %s from %s value=%s error=%q", r.Seq, r.Kind, r.From, r.Value, r.Error)
	}
	var ps []string
	for _, p := range r.Payloads {
		ps = append(ps, string(p))
	}
	return fmt.Sprintf("#%d %s from %s [%s]", r.Seq, r.Topic, r.From, strings.Join(ps, ", "))
}

// payload decodes the only payload of a message record.
func (r rlRecord) payload(t *testing.T) map[string]any {
	t.Helper()
	if len(r.Payloads) != 1 {
		t.Fatalf("record %v: want exactly one payload", r)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Payloads[0], &m); err != nil {
		t.Fatalf("record %v: payload is not an object: %v", r, err)
	}
	return m
}

// records returns a recorder's log.
func (a *rlApp) records(rec string) []rlRecord {
	a.t.Helper()
	raw := a.ask(rec, "rec.dump", nil)
	var out []rlRecord
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("dump %s: %v in %s", rec, err, raw)
	}
	return out
}

// topics returns the topics of a recorder's message records, in order.
func rlTopics(recs []rlRecord) []string {
	var out []string
	for _, r := range recs {
		if r.Kind == "" {
			out = append(out, r.Topic)
		}
	}
	return out
}

// waitRecords polls a recorder until cond holds for its log and returns
// that log.
func (a *rlApp) waitRecords(rec string, d time.Duration, what string, cond func([]rlRecord) bool) []rlRecord {
	a.t.Helper()
	deadline := time.Now().Add(d)
	for {
		recs := a.records(rec)
		if cond(recs) {
			return recs
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("timed out after %v waiting for %s; %s has %v", d, what, rec, recs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitTopic waits until the recorder got a message with topic and returns
// the first such record.
func (a *rlApp) waitTopic(rec, topic string) rlRecord {
	a.t.Helper()
	recs := a.waitRecords(rec, 5*time.Second, topic, func(rs []rlRecord) bool { return rlFind(rs, topic) >= 0 })
	return recs[rlFind(recs, topic)]
}

func rlFind(recs []rlRecord, topic string) int {
	for i, r := range recs {
		if r.Kind == "" && r.Topic == topic {
			return i
		}
	}
	return -1
}

// watch makes a fresh recorder monitor and link the stream; it returns
// the recorder's PID.
func (a *rlApp) watch(stream string) string {
	a.t.Helper()
	w := a.spawnRecorder("")
	for _, cmd := range []string{"rec.monitor", "rec.link"} {
		if got := string(a.ask(w, cmd, stream)); got != `"ok"` {
			a.t.Fatalf("%s %s: %s", cmd, stream, got)
		}
	}
	return w
}

// checkRelayExit waits until watcher (from watch) saw the stream's EXIT
// and requires SPEC 9.3: value "sse relay closed", no error, exactly one
// EXIT, no LINK_DOWN.
func (a *rlApp) checkRelayExit(watcher, stream string) {
	a.t.Helper()
	recs := a.waitRecords(watcher, 5*time.Second, "EXIT of "+stream, func(rs []rlRecord) bool {
		for _, r := range rs {
			if r.Kind == "pid.exit" {
				return true
			}
		}
		return false
	})
	exits := 0
	for _, r := range recs {
		switch r.Kind {
		case "pid.exit":
			exits++
			if r.From != stream || string(r.Value) != `"sse relay closed"` || r.Error != "" {
				a.t.Fatalf("monitor got %v, want EXIT from %s with value \"sse relay closed\" and no error", r, stream)
			}
		case "":
		default:
			a.t.Fatalf("watcher got %v; a stream end is a normal exit (links get nothing)", r)
		}
	}
	if exits != 1 {
		a.t.Fatalf("watcher got %d EXIT events: %v", exits, recs)
	}
}

// waitActive polls until the relay hub has n open streams.
func (a *rlApp) waitActive(n int) {
	a.t.Helper()
	eventually(a.t, 5*time.Second, fmt.Sprintf("%d active relay streams", n), func() bool { return a.h.Relay().Active() == n })
}

var rlPIDRe = regexp.MustCompile(`^\{app:(gateway|processes)\|0x[0-9a-f]{5,}\}$`)

// rlURL is the open URL for cfg (a JSON string, or a value to encode).
func rlURL(cfg any) string {
	s, ok := cfg.(string)
	if !ok {
		data, err := json.Marshal(cfg)
		if err != nil {
			panic(err)
		}
		s = string(data)
	}
	return "/sse/open?cfg=" + url.QueryEscape(s)
}

// rlClient is an SSE client: a goroutine reads frames into a list that
// the test consumes with deadlines.
type rlClient struct {
	t      *testing.T
	resp   *http.Response
	cancel context.CancelFunc

	mu     sync.Mutex
	frames []string
	err    error // set when the body ended
	notify chan struct{}
	pos    int // next frame the test reads
}

// rlTransport never reuses connections, so each stream is its own TCP
// connection and closing a body disconnects the client.
var rlTransport = &http.Transport{DisableKeepAlives: true, MaxIdleConnsPerHost: -1}

// openStream GETs path with headers hdr and requires a 200
// text/event-stream response.
func (a *rlApp) openStream(path string, hdr map[string]string) *rlClient {
	a.t.Helper()
	c, code, body := a.tryOpen(path, hdr)
	if c == nil {
		a.t.Fatalf("GET %s: %d %q, want a stream", path, code, body)
	}
	return c
}

// tryOpen GETs path; a 200 event stream returns a client, anything else
// returns the status and body.
func (a *rlApp) tryOpen(path string, hdr map[string]string) (*rlClient, int, string) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	req, err := http.NewRequestWithContext(ctx, "GET", a.base+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Transport: rlTransport}).Do(req)
	if err != nil {
		cancel()
		a.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		return nil, resp.StatusCode, string(data)
	}
	c := &rlClient{t: a.t, resp: resp, cancel: cancel, notify: make(chan struct{}, 1)}
	a.t.Cleanup(c.close)
	go c.read()
	return c, 200, ""
}

func (c *rlClient) read() {
	br := bufio.NewReader(c.resp.Body)
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err == nil && line != "\n" {
			continue
		}
		c.mu.Lock()
		if err == nil {
			c.frames = append(c.frames, b.String())
		} else {
			if b.Len() > 0 {
				c.frames = append(c.frames, b.String()) // a partial frame
			}
			c.err = err
		}
		c.mu.Unlock()
		b.Reset()
		select {
		case c.notify <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

// close disconnects the client.
func (c *rlClient) close() {
	c.cancel()
	c.resp.Body.Close()
}

// frame returns the next frame (including pings), or ok=false when the
// stream ended before one arrived. It fails the test after d.
func (c *rlClient) frame(d time.Duration) (string, bool) {
	c.t.Helper()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		if c.pos < len(c.frames) {
			f := c.frames[c.pos]
			c.pos++
			c.mu.Unlock()
			return f, true
		}
		ended := c.err != nil
		c.mu.Unlock()
		if ended {
			return "", false
		}
		select {
		case <-c.notify:
		case <-deadline.C:
			c.t.Fatalf("no SSE frame within %v", d)
		}
	}
}

// next returns the next frame that is not a ": ping" comment; it fails
// the test if the stream ends first.
func (c *rlClient) next() string {
	c.t.Helper()
	for {
		f, ok := c.frame(5 * time.Second)
		if !ok {
			c.t.Fatalf("stream ended; frames so far: %q", c.all())
		}
		if f != rlPing {
			return f
		}
	}
}

// expect requires the next non-ping frames to be want, byte for byte.
func (c *rlClient) expect(want ...string) {
	c.t.Helper()
	for _, w := range want {
		if got := c.next(); got != w {
			c.t.Fatalf("frame:\n got %q\nwant %q", got, w)
		}
	}
}

// expectEnd requires that the next non-ping frame is the `done` event
// with reason, followed by the end of the stream.
func (c *rlClient) expectEnd(reason string) {
	c.t.Helper()
	c.expect(rlDone(reason))
	c.expectEOF()
}

// expectEOF requires that the stream ends (only pings may come first).
func (c *rlClient) expectEOF() {
	c.t.Helper()
	for {
		f, ok := c.frame(5 * time.Second)
		if !ok {
			return
		}
		if f != rlPing {
			c.t.Fatalf("want end of stream, got %q", f)
		}
	}
}

func (c *rlClient) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.frames...)
}

// ready reads the detached ready event and returns the stream PID; it
// checks the frame byte for byte against topic and metadata (JSON, "" for
// none).
func (c *rlClient) ready(topic, metadata string) string {
	c.t.Helper()
	f := c.next()
	m := rlReadyRe.FindStringSubmatch(f)
	if m == nil {
		c.t.Fatalf("want a ready event, got %q", f)
	}
	pid := m[1]
	if want := rlReady(topic, metadata, pid); f != want {
		c.t.Fatalf("ready:\n got %q\nwant %q", f, want)
	}
	return pid
}

var rlReadyRe = regexp.MustCompile(`^event: ready\ndata: \{.*"stream_pid":"(\{app:gateway\|0x[0-9a-f]{5,}\})"\}\n\n$`)

const rlPing = ": ping\n\n"

func rlReady(topic, metadata, pid string) string {
	md := ""
	if metadata != "" {
		md = `"metadata":` + metadata + `,`
	}
	return `event: ready` + "\n" + `data: {"message_topic":` + rlQuote(topic) + `,` + md + `"stream_pid":"` + pid + `"}` + "\n\n"
}

func rlEvent(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }

func rlDone(reason string) string { return rlEvent("done", `{"reason":`+rlQuote(reason)+`}`) }

func rlQuote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// openDetached opens a detached stream with cfg and returns the client
// and the stream PID (checked against rlPIDRe).
func (a *rlApp) openDetached(cfg map[string]any) (*rlClient, string) {
	a.t.Helper()
	c := a.openStream(rlURL(cfg), nil)
	topic, _ := cfg["message_topic"].(string)
	if topic == "" {
		topic = "sse.message"
	}
	md := ""
	if m, ok := cfg["metadata"]; ok {
		data, _ := json.Marshal(m)
		md = string(data)
	}
	pid := c.ready(topic, md)
	if !rlPIDRe.MatchString(pid) {
		a.t.Fatalf("stream pid %q", pid)
	}
	return c, pid
}

// openManaged opens a stream whose target is rec (cfg gets target_pid)
// and returns the client, the stream PID taken from the sse.join rec got,
// and that join record.
func (a *rlApp) openManaged(rec string, cfg map[string]any, hdr map[string]string) (*rlClient, string, rlRecord) {
	a.t.Helper()
	if cfg == nil {
		cfg = map[string]any{}
	}
	cfg["target_pid"] = rec
	c := a.openStream(rlURL(cfg), hdr)
	join := a.waitTopic(rec, "sse.join")
	pid, _ := join.payload(a.t)["client_pid"].(string)
	if !rlPIDRe.MatchString(pid) || join.From != pid {
		a.t.Fatalf("join %v: client_pid and sender must be the stream pid", join)
	}
	return c, pid, join
}

// goTarget is a process driven by the test itself (attached to the
// kernel): it records deliveries with a sequence number shared by every
// goTarget of a test, so the order of deliveries to different processes
// is observable. It exits when the kernel shuts down or the test ends.
type goTarget struct {
	proc *actor.Proc
	pid  string
	seq  *atomic.Int64

	mu     sync.Mutex
	msgs   []goDelivery
	events []actor.Event
}

type goDelivery struct {
	seq     int64
	at      time.Time
	from    string
	topic   string
	payload []any
}

func (a *rlApp) goTarget(seq *atomic.Int64) *goTarget {
	a.t.Helper()
	g := &goTarget{seq: seq}
	p, err := a.h.Kernel().Attach("test", g)
	if err != nil {
		a.t.Fatal(err)
	}
	g.proc, g.pid = p, p.PID().String()
	go func() {
		<-p.Context().Done()
		p.Exit(nil, nil)
	}()
	a.t.Cleanup(func() { p.Exit(nil, nil) }) // runs before the host's shutdown
	return g
}

func (g *goTarget) PushMessage(m actor.Message) bool {
	g.mu.Lock()
	g.msgs = append(g.msgs, goDelivery{seq: g.seq.Add(1), at: time.Now(), from: m.From.String(), topic: m.Topic, payload: m.Payload})
	g.mu.Unlock()
	return true
}

func (g *goTarget) PushEvent(e actor.Event) bool {
	g.mu.Lock()
	g.events = append(g.events, e)
	g.mu.Unlock()
	return true
}

func (g *goTarget) deliveries() []goDelivery {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]goDelivery(nil), g.msgs...)
}

func (g *goTarget) exits() []actor.Event {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]actor.Event(nil), g.events...)
}

// wait polls until the target got a message with topic and returns it.
func (g *goTarget) wait(t *testing.T, topic string) goDelivery {
	t.Helper()
	var got goDelivery
	eventually(t, 5*time.Second, topic+" at "+g.pid, func() bool {
		for _, d := range g.deliveries() {
			if d.topic == topic {
				got = d
				return true
			}
		}
		return false
	})
	return got
}

func (g *goTarget) topics() []string {
	var out []string
	for _, d := range g.deliveries() {
		out = append(out, d.topic)
	}
	return out
}

func mustPID(t *testing.T, s string) actor.PID {
	t.Helper()
	pid, err := actor.ParsePID(s)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
