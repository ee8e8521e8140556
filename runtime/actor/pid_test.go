package actor

import (
	"errors"
	"strings"
	"testing"
)

func TestPIDRoundTrip(t *testing.T) {
	cases := []struct {
		pid  PID
		want string
	}{
		{PID{Host: "app:gateway", Seq: 12}, "{app:gateway|0x0000c}"},
		{PID{Host: "h", Seq: 0}, "{h|0x00000}"},
		{PID{Host: "h", Seq: 0xfffff}, "{h|0xfffff}"},
		{PID{Host: "h", Seq: 0x100000}, "{h|0x100000}"},
		{PID{Host: "h", Seq: ^uint64(0)}, "{h|0xffffffffffffffff}"},
		{PID{Node: "node1", Host: "app.fn:x-y_z", Seq: 0xabcde}, "{node1@app.fn:x-y_z|0xabcde}"},
	}
	for _, c := range cases {
		if got := c.pid.String(); got != c.want {
			t.Errorf("String(%#v) = %q, want %q", c.pid, got, c.want)
		}
		got, err := ParsePID(c.want)
		if err != nil || got != c.pid {
			t.Errorf("ParsePID(%q) = %#v, %v", c.want, got, err)
		}
	}
}

func TestParsePIDRejects(t *testing.T) {
	bad := []string{
		"", "{", "}", "{}", "h|0x00001", "{h|0x00001", "h|0x00001}",
		"{|0x00001}", "{h|}", "{h|0x}", "{h|0x0001}", "{h|00x00001}", "{h|0X00001}",
		"{h|0x0000A}", "{h|0x000001}", "{h|0x1ffffffffffffffff}", "{h|0x10000000000000000}",
		"{h|0x0000g}", "{h|0x-0001}", "{h|0x+0001}", "{h|0x_0001}", "{h|0x00001 }", "{ h|0x00001}",
		"{h|x|0x00001}", "{h|0x00001|}", "{@h|0x00001}", "{n@|0x00001}", "{a@b@c|0x00001}",
		"{h{|0x00001}", "{h}|0x00001}", "{h\n|0x00001}", "{hé|0x00001}", "{h\x00|0x00001}",
		"{" + strings.Repeat("h", maxNameLen+1) + "|0x00001}",
	}
	for _, s := range bad {
		if p, err := ParsePID(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePID(%q) = %#v, %v; want ErrInvalid", s, p, err)
		}
	}
}

func TestPIDIsZeroAndValidName(t *testing.T) {
	if !(PID{}).IsZero() || (PID{Seq: 1}).IsZero() || (PID{Host: "h"}).IsZero() {
		t.Fatal("IsZero")
	}
	for name, ok := range map[string]bool{"app:x": true, "a b": false, "": false, "a|b": false, "~!#": true} {
		if got := ValidName(name) == nil; got != ok {
			t.Errorf("ValidName(%q) ok=%v, want %v", name, got, ok)
		}
	}
}

func TestKernelIssuesParsablePIDs(t *testing.T) {
	k, _ := newKernel(t, Options{Node: "n1"})
	a, b := attach(t, k), attach(t, k)
	if a.PID() == b.PID() || a.PID().Node != "n1" {
		t.Fatalf("pids %v %v", a.PID(), b.PID())
	}
	got, err := ParsePID(a.PID().String())
	if err != nil || got != a.PID() || !k.Alive(got) {
		t.Fatalf("parse %v: %v %v", a.PID(), got, err)
	}
	if _, err := k.Attach("bad host", nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("attach bad host: %v", err)
	}
	if _, err := k.Spawn("bad|host", waitCtx, SpawnOptions{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("spawn bad host: %v", err)
	}
}

func FuzzParsePID(f *testing.F) {
	for _, s := range []string{"{app:gateway|0x0000c}", "{n@h|0xabcdef}", "{h|0x000001}", "{h|0xffffffffffffffff}", "{a@b@c|0x00001}", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePID(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		// Strict parsing: only canonical strings are accepted.
		if got := p.String(); got != s {
			t.Fatalf("ParsePID(%q).String() = %q", s, got)
		}
		if q, err := ParsePID(p.String()); err != nil || q != p {
			t.Fatalf("round trip of %q: %#v %v", s, q, err)
		}
	})
}
