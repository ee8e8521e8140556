package sse

import "testing"

func TestAppend(t *testing.T) {
	cases := []struct {
		name string
		ev   Event
		want string
	}{
		{"plain", Event{Name: "status", Data: []byte(`{"a":1}`)}, "event: status\ndata: {\"a\":1}\n\n"},
		{"id and retry", Event{ID: "7", HasID: true, Retry: 1500, HasRetry: true, Name: "x", Data: []byte(`"hi"`)},
			"id: 7\nretry: 1500\nevent: x\ndata: \"hi\"\n\n"},
		{"empty id", Event{HasID: true, Name: "x", Data: []byte(`1`)}, "id: \nevent: x\ndata: 1\n\n"},
		{"multiline data", Event{Name: "m", Data: []byte("a\nb\r\nc\rd")}, "event: m\ndata: a\ndata: b\ndata: c\ndata: d\n\n"},
		{"trailing newline", Event{Name: "m", Data: []byte("a\n")}, "event: m\ndata: a\n\n"},
		{"no name", Event{Data: []byte("1")}, "data: 1\n\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(Append(nil, &c.ev)); got != c.want {
				t.Fatalf("got %q want %q", got, c.want)
			}
		})
	}
}

func TestValidField(t *testing.T) {
	for s, want := range map[string]bool{"ok": true, "": true, "a\nb": false, "a\rb": false, "a\x00": false, "ünï": true} {
		if ValidField(s) != want {
			t.Errorf("ValidField(%q) = %v", s, !want)
		}
	}
}

func TestAppendComment(t *testing.T) {
	if got := string(AppendComment(nil, "ping")); got != ": ping\n\n" {
		t.Fatalf("got %q", got)
	}
}

// BenchmarkAppend measures encoding one event frame (name, id, a one-line
// JSON data field) into a reused buffer: the per-event cost of direct SSE
// streams.
func BenchmarkAppend(b *testing.B) {
	e := &Event{Name: "message", ID: "42", HasID: true, Data: []byte(`{"i":1,"t":1764100000000000000,"text":"hello"}`)}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = Append(buf[:0], e)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkAppendMultiline: data with newlines becomes several data lines.
func BenchmarkAppendMultiline(b *testing.B) {
	e := &Event{Name: "log", Data: []byte("line one\nline two\nline three\nline four")}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = Append(buf[:0], e)
	}
	b.SetBytes(int64(len(buf)))
}
