package actor

import (
	"errors"
	"testing"
)

func TestRegistry(t *testing.T) {
	k, _ := newKernel(t, Options{})
	a, b := attach(t, k), attach(t, k)
	gone, _ := k.Attach("gone", nil)
	gone.Exit(nil, nil)

	steps := []struct {
		name string
		pid  PID
		want error
	}{
		{"svc", a.PID(), nil},
		{"svc", a.PID(), nil}, // same owner again: no-op
		{"svc", b.PID(), ErrAlreadyExists},
		{"other", a.PID(), nil}, // one process, two names
		{"x", gone.PID(), ErrNotFound},
		{"", a.PID(), ErrInvalid},
	}
	for _, s := range steps {
		if err := k.Register(s.name, s.pid); !errors.Is(err, s.want) || (s.want == nil && err != nil) {
			t.Errorf("Register(%q, %v) = %v, want %v", s.name, s.pid, err, s.want)
		}
	}
	if pid, ok := k.Lookup("svc"); !ok || pid != a.PID() {
		t.Fatalf("lookup svc = %v %v", pid, ok)
	}
	if !k.Unregister("other") || k.Unregister("other") {
		t.Fatal("unregister should succeed once")
	}
	if _, ok := k.Lookup("other"); ok {
		t.Fatal("unregistered name still found")
	}
	a.Exit(nil, nil)
	if _, ok := k.Lookup("svc"); ok {
		t.Fatal("name not released on exit")
	}
	if err := k.Register("svc", b.PID()); err != nil {
		t.Fatalf("re-register released name: %v", err)
	}
	if len(k.names.m) != 1 {
		t.Fatalf("name table holds %d entries, want 1", len(k.names.m))
	}
}
