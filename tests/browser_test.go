package tests

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser test drives the example chat page (scripts/index.lua) in a
// real headless Chromium: the page's EventSource streams go through the SSE
// relay, the room process broadcasts, and the page's own fetch calls reach
// the Lua handlers.

const (
	// browserStepTimeout bounds each wait for something to show in the page.
	browserStepTimeout = 20 * time.Second
	// browserTestTimeout bounds the whole browser session, start included.
	browserTestTimeout = 2 * time.Minute
	// pollEvery is how often a page predicate is re-evaluated.
	pollEvery = 50 * time.Millisecond
)

// findChromium returns the path of a Chromium binary, or "" when none is
// installed.
func findChromium() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireChromium returns the Chromium path; without one it skips the test,
// or fails it under CI (CI=true), where .ci/run installs the browser.
func requireChromium(t *testing.T) string {
	t.Helper()
	if p := findChromium(); p != "" {
		return p
	}
	const how = "install it with: apt-get update && apt-get install -y chromium"
	if os.Getenv("CI") == "true" {
		t.Fatalf("chromium is not installed (looked for /usr/bin/chromium, chromium, chromium-browser in PATH) "+
			"and CI=true: .ci/run should have installed it; %s", how)
	}
	t.Skipf("chromium is not installed; %s", how)
	return ""
}

// browserPage is one headless Chromium tab opened on the example app.
type browserPage struct {
	t   *testing.T
	a   *app
	ctx context.Context // chromedp context of the tab (no deadline of its own)

	mu      sync.Mutex
	console []string // console calls and uncaught exceptions, for failure reports
}

// openBrowser starts headless Chromium on a fresh profile and returns a tab
// that has not navigated yet. Everything is torn down by t.Cleanup; when the
// test failed, a full-page screenshot is saved and its path logged first.
func openBrowser(t *testing.T, a *app, execPath string) *browserPage {
	t.Helper()
	shotDir := t.TempDir() // made before the browser, so removed after it stops
	profile := t.TempDir()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.WindowSize(1024, 900),
		chromedp.UserDataDir(profile),
	}
	// The whole session has one deadline; each wait has a shorter one.
	// (chromedp must not get a deadline on the context of its first Run
	// other than this one, as a deadline there stops the browser.)
	root, cancelRoot := context.WithTimeout(context.Background(), browserTestTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	var logMu sync.Mutex
	done := false
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		if !done {
			t.Logf("chromedp: "+format, args...)
		}
	}
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithErrorf(logf))

	p := &browserPage{t: t, a: a, ctx: ctx}

	// Start the browser (first Run) and subscribe to the page's console
	// before anything loads.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		cancelRoot()
		t.Fatalf("starting %s: %v", execPath, err)
	}
	var wg sync.WaitGroup
	consoleEvents := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for ev, err := range consoleEvents {
			if err != nil {
				return
			}
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			p.note("console." + string(ev.Type) + ": " + strings.Join(args, " "))
		}
	}()
	go func() {
		defer wg.Done()
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			p.note("exception: " + msg)
		}
	}()

	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelRoot()
		wg.Wait()
		logMu.Lock()
		done = true
		logMu.Unlock()
	})
	// Registered last, so it runs first: while the browser is still up.
	t.Cleanup(func() {
		if t.Failed() {
			p.report(shotDir)
		}
	})
	return p
}

func (p *browserPage) note(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.console = append(p.console, s)
}

// report logs what the page showed, its console, the host's log and a
// full-page screenshot.
func (p *browserPage) report(dir string) {
	t := p.t
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); err == nil {
		t.Logf("page text at failure:\n%s", text)
	} else {
		t.Logf("reading the page text: %v", err)
	}
	p.mu.Lock()
	if len(p.console) > 0 {
		t.Logf("page console:\n%s", strings.Join(p.console, "\n"))
	}
	p.mu.Unlock()
	t.Logf("host log:\n%s", p.a.logs.String())

	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Logf("taking a screenshot: %v", err)
		return
	}
	if d := os.Getenv("LUAHOST_BROWSER_ARTIFACTS"); d != "" {
		dir = d // keep it past the test (t.TempDir is removed at the end)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Logf("screenshot dir: %v", err)
			return
		}
	}
	path := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Logf("writing the screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the page at failure: %s (set LUAHOST_BROWSER_ARTIFACTS=DIR to keep it after the test)", path)
}

// do runs actions on the tab with a step deadline.
func (p *browserPage) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("browser: %s: %v", what, err)
	}
}

// waitFor polls a JavaScript function in the page, with the given
// arguments, until it returns a truthy value, and decodes that value into T.
func waitFor[T any](p *browserPage, what, fn string, args ...any) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserStepTimeout+5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.PollFunction[T](fn,
		chromedp.WithPollingInterval(pollEvery),
		chromedp.WithPollingTimeout(browserStepTimeout),
		chromedp.WithPollingArgs(args...)))
	if err != nil {
		p.t.Fatalf("browser: waiting up to %v for %s: %v", browserStepTimeout, what, err)
	}
	return v
}

// hasLine is a page predicate: the list (a CSS selector) has an <li> of the
// class cls whose text is exactly text.
const hasLine = `(list, cls, text) => [...document.querySelectorAll(list + " > li")]
	.some(li => li.classList.contains(cls) && li.textContent === text)`

func (p *browserPage) waitLine(list, cls, text string) {
	p.t.Helper()
	waitFor[bool](p, "a "+cls+" line "+`"`+text+`" in `+list, hasLine, list, cls, text)
}

// say posts a chat message from Go, as any HTTP client would.
func say(a *app, user, text string) {
	a.t.Helper()
	body, _ := json.Marshal(map[string]string{"user": user, "text": text})
	code, _, resp := a.do("POST", "/api/say", string(body), map[string]string{"Content-Type": "application/json"})
	if code != 200 || resp != `{"ok":true}` {
		a.t.Fatalf("POST /api/say: %d %s", code, resp)
	}
}

func TestBrowserChatPage(t *testing.T) {
	execPath := requireChromium(t)
	a := startExample(t)
	p := openBrowser(t, a, execPath)

	p.do("opening the chat page", chromedp.Navigate(a.base+"/"))
	if title := waitFor[string](p, "the page title", `() => document.title`); title != "luahost chat" {
		t.Fatalf("title = %q", title)
	}
	name := waitFor[string](p, "the generated user name", `() => document.getElementById("name").value`)
	if !strings.HasPrefix(name, "guest-") {
		t.Fatalf("user name = %q, want guest-N", name)
	}

	// a) The managed stream connects and the room announces us.
	waitFor[bool](p, `#status "open"`, `() => document.getElementById("status").textContent === "open"`)
	p.waitLine("#messages", "presence", name+" joined")

	// b) A message sent to the room process from outside the page is
	// broadcast to the page's stream.
	say(a, "bot", "hello from the test")
	p.waitLine("#messages", "chat", "bot: hello from the test")

	// c) A message typed in the page goes out through fetch and comes back
	// through the stream.
	p.do("typing and sending a message",
		chromedp.WaitVisible(chromedp.ID("text")),
		chromedp.SendKeys(chromedp.ID("text"), "typed in the browser"),
		chromedp.Click(chromedp.ID("send")),
	)
	p.waitLine("#messages", "chat", name+": typed in the browser")
	if v := waitFor[string](p, "the input to be cleared",
		`() => document.getElementById("text").value === "" ? "cleared" : false`); v != "cleared" {
		t.Fatalf("input after send: %q", v)
	}

	// d) The detached stream shows its PID; attaching it to the room makes
	// it receive the room's broadcasts too.
	pid := waitFor[string](p, "#detached-pid to show a PID",
		`() => { const s = document.getElementById("detached-pid").textContent;
			return /^\{[^{}|]+\|0x[0-9a-f]{5,}\}$/.test(s) ? s : false; }`)
	t.Logf("detached stream pid %s", pid)
	p.do("attaching the detached stream",
		chromedp.WaitEnabled(chromedp.ID("attach")),
		chromedp.Click(chromedp.ID("attach")),
	)
	waitFor[bool](p, `#detached-status "attached"`,
		`() => document.getElementById("detached-status").textContent === "attached"`)
	p.waitLine("#detached-log", "presence", name+"-detached joined")

	say(a, "bot", "for the detached panel")
	p.waitLine("#detached-log", "chat", "bot: for the detached panel")
	p.waitLine("#messages", "chat", "bot: for the detached panel")
	if online := waitFor[string](p, "#online", `() => document.getElementById("online").textContent`); online != "2" {
		t.Fatalf("online = %q, want 2 (the page's managed stream and the attached one)", online)
	}
}
