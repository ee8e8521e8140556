package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"luahost/runtime/host"
	"luahost/runtime/registry"
)

// version is set with -ldflags "-X main.version=..." for releases.
var version = "0.1.0-dev"

// shutdownTimeout bounds a graceful shutdown (SPEC 11.4: exit within 10 s).
const shutdownTimeout = 9 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"run"}
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "luahost: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  luahost run [--watch] [--log-level debug|info|warn|error] [--log-format text|json] [REGISTRY]
  luahost check REGISTRY
  luahost version
REGISTRY defaults to registry.yaml; "luahost" alone runs it.
`)
}

func versionString() string {
	v := "luahost " + version
	if bi, ok := debug.ReadBuildInfo(); ok {
		v += " (" + bi.GoVersion
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += ", " + s.Value[:12]
			}
		}
		v += ")"
	}
	return v
}

func cmdRun(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := fs.String("log-level", "info", "debug, info, warn or error")
	format := fs.String("log-format", "text", "text or json")
	watchFlag := fs.Bool("watch", false, "reload scripts and registry when they change")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	path, ok := registryArg(fs, stderr, "registry.yaml")
	if !ok {
		return 2
	}
	log, err := newLogger(stderr, *level, *format)
	if err != nil {
		fmt.Fprintln(stderr, "luahost:", err)
		return 2
	}
	return serve(path, *watchFlag, log, stderr)
}

func serve(path string, watch bool, log *slog.Logger, stderr io.Writer) int {
	sig := make(chan os.Signal, 2) // room for the first and the "hurry up" signal
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	h, errs := host.Load(path, log)
	if len(errs) > 0 {
		printErrors(stderr, errs)
		return 1
	}
	if err := h.Start(); err != nil {
		fmt.Fprintln(stderr, "luahost:", err)
		return 1
	}
	if watch {
		if err := h.Watch(); err != nil {
			log.Error("hot reload unavailable", "err", err)
		}
	}
	waitForSignal(sig, log)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Warn("shutdown incomplete", "err", err)
	}
	log.Info("stopped")
	return 0
}

// waitForSignal blocks until SIGINT/SIGTERM; a second signal exits at once.
func waitForSignal(sig <-chan os.Signal, log *slog.Logger) {
	s := <-sig
	log.Info("shutting down", "signal", s.String())
	go func() {
		<-sig
		log.Warn("second signal: exiting now")
		os.Exit(1)
	}()
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	path, ok := registryArg(fs, stderr, "registry.yaml")
	if !ok {
		return 2
	}
	gen, errs := host.Check(path)
	if len(errs) > 0 {
		printErrors(stderr, errs)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (%d entries, %d scripts)\n", path, len(gen.Reg.Entries), len(gen.Programs))
	return 0
}

func registryArg(fs *flag.FlagSet, stderr io.Writer, def string) (string, bool) {
	switch fs.NArg() {
	case 0:
		return def, true
	case 1:
		return fs.Arg(0), true
	}
	fmt.Fprintln(stderr, "luahost: expected at most one REGISTRY argument")
	return "", false
}

func printErrors(w io.Writer, errs registry.Errors) {
	for _, e := range errs {
		fmt.Fprintln(w, e)
	}
	fmt.Fprintf(w, "%d error(s)\n", len(errs))
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q (debug, info, warn, error)", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q (text or json)", format)
}
