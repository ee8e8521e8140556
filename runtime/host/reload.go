package host

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"luahost/runtime/registry"
	"luahost/runtime/watch"
)

// Reload builds a new generation from the registry file and swaps it in
// (SPEC 10): on any error the current generation keeps serving and every
// problem is logged with file:line. After a swap, new requests run the new
// code; requests and streams already running finish on the old code;
// servers are started, stopped or rebound as the registry says; services
// whose entry or code changed are restarted. Reloads are serialised.
func (h *Host) Reload() error {
	h.reloadMu.Lock()
	defer h.reloadMu.Unlock()
	start := time.Now()
	gen, reg, errs := build(h.path, h.rt)
	h.lastReg = reg
	if len(errs) > 0 {
		for _, e := range errs {
			h.log.Error("reload failed; still serving the previous version", "error", e.Error())
		}
		return errs
	}
	old := h.gen.Load()
	retired, started, err := h.syncServers(gen)
	if err != nil {
		h.log.Error("reload failed; still serving the previous version", "error", err.Error())
		return err
	}
	h.gen.Store(gen)
	h.rt.node.SetCatalog(gen)
	for _, s := range started {
		h.run(s)
	}
	restarted := h.syncServices(old, gen)
	h.retireServers(retired)
	old.retire()
	ch := registry.Diff(old.Reg, gen.Reg)
	h.log.Info("reloaded", "added", ch.Added, "removed", ch.Removed, "changed", ch.Changed,
		"scripts", changedScripts(old, gen), "restarted", restarted, "took", time.Since(start).Round(time.Microsecond))
	return nil
}

// retire releases a replaced generation's LStates: idle ones now, busy ones
// when their request finishes.
func (g *Generation) retire() {
	for _, p := range g.Pools {
		p.Close()
	}
}

// changedScripts lists scripts whose source changed, was added or removed.
func changedScripts(old, gen *Generation) []string {
	var out []string
	for path, p := range gen.Programs {
		if o, ok := old.Programs[path]; !ok || o.Hash != p.Hash {
			out = append(out, p.Display)
		}
	}
	for path, p := range old.Programs {
		if _, ok := gen.Programs[path]; !ok {
			out = append(out, p.Display)
		}
	}
	slices.Sort(out)
	return out
}

// fingerprint identifies what a service runs: its entry and the code of its
// process and every library it imports, transitively.
func (g *Generation) fingerprint(e *registry.Entry) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%v|%+v|", e.Process, e.Host, e.Input, e.Lifecycle)
	seen := map[string]bool{}
	var add func(id string)
	add = func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		u, ok := g.Units[id]
		if !ok {
			return
		}
		h.Write(u.Program.Hash[:])
		ents := g.Reg.ByID[id]
		aliases := make([]string, 0, len(ents.Imports))
		for a := range ents.Imports {
			aliases = append(aliases, a)
		}
		slices.Sort(aliases)
		for _, a := range aliases {
			fmt.Fprintf(h, "%s=", a)
			add(ents.Imports[a])
		}
	}
	add(e.Process)
	return string(h.Sum(nil))
}

// Watch reloads the application whenever the registry file(s) or a script
// they reference change (debounced). It runs until Shutdown.
func (h *Host) Watch() error {
	w, err := watch.New(h.watchFiles(), watch.DefaultDebounce, h.log, func(w *watch.Watcher) {
		_ = h.Reload()
		w.SetFiles(h.watchFiles())
	})
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	h.mu.Lock()
	h.watcher = w
	h.mu.Unlock()
	h.log.Info("watching for changes", "files", len(h.watchFiles()))
	return nil
}

// watchFiles lists the registry files and scripts of the current
// generation, plus those the last (maybe failed) reload referenced, so a
// fix in a newly referenced file is seen.
func (h *Host) watchFiles() []string {
	gen := h.gen.Load()
	files := slices.Clone(gen.Reg.Files)
	for path := range gen.Programs {
		files = append(files, path)
	}
	h.reloadMu.Lock()
	last := h.lastReg
	h.reloadMu.Unlock()
	if last != nil {
		files = append(files, last.Files...)
		for _, e := range last.Entries {
			if e.Source != "" {
				files = append(files, e.Source)
			}
		}
	}
	return files
}
