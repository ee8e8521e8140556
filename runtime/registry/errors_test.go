package registry

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Pos: Pos{"registry.yaml", 12}, ID: "app:x", Msg: "boom"}, "registry.yaml:12: app:x: boom"},
		{&Error{Pos: Pos{"a/b.yaml", 1}, Msg: "no id"}, "a/b.yaml:1: no id"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestErrorsSortAndErr(t *testing.T) {
	var none Errors
	if none.Err() != nil {
		t.Fatal("empty Errors.Err() must be nil")
	}
	es := Errors{
		{Pos: Pos{"b.yaml", 1}, Msg: "z"},
		{Pos: Pos{"a.yaml", 10}, Msg: "a"},
		{Pos: Pos{"a.yaml", 2}, Msg: "y"},
		{Pos: Pos{"a.yaml", 2}, Msg: "x"},
	}
	es.sort()
	want := "a.yaml:2: x\na.yaml:2: y\na.yaml:10: a\nb.yaml:1: z"
	if got := es.Error(); got != want {
		t.Errorf("sorted = %q, want %q", got, want)
	}
	var target Errors
	if err := es.Err(); !errors.As(err, &target) || len(target) != 4 {
		t.Errorf("Err() = %v, want the Errors", err)
	}
}

func TestDisplayPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	parent := filepath.Dir(wd)
	tests := []struct{ in, want string }{
		{filepath.Join(wd, "registry.yaml"), "registry.yaml"},
		{filepath.Join(wd, "testdata", "x.yaml"), filepath.Join("testdata", "x.yaml")},
		{filepath.Join(wd, "..foo"), "..foo"},
		{filepath.Join(parent, "other.yaml"), filepath.Join(parent, "other.yaml")},
		{wd, "."},
	}
	for _, tt := range tests {
		if got := DisplayPath(tt.in); got != tt.want {
			t.Errorf("DisplayPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoadMissingRoot(t *testing.T) {
	reg, errs := Load("testdata/does-not-exist.yaml")
	want := "testdata/does-not-exist.yaml:1: cannot read registry file: file not found"
	if errs.Error() != want {
		t.Errorf("got %q, want %q", errs.Error(), want)
	}
	if reg == nil || len(reg.Files) != 0 {
		t.Errorf("want an empty registry, got %+v", reg)
	}
}
