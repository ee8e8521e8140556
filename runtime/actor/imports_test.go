package actor

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportBoundary keeps the layout rule true: the kernel imports no Lua,
// HTTP, YAML or other project package.
func TestImportBoundary(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		banned := dep == "net/http" || strings.Contains(dep, "gopher-lua") ||
			strings.Contains(dep, "yaml") || strings.Contains(dep, "gopher-luar") ||
			strings.HasPrefix(dep, "luahost/") && dep != "luahost/runtime/actor"
		if banned {
			t.Errorf("forbidden dependency %s", dep)
		}
	}
}
