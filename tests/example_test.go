package tests

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startExample boots the repository's own example application (registry.yaml
// and scripts/) on a free port.
func startExample(t *testing.T) *app {
	t.Helper()
	dir := t.TempDir()
	reg, err := os.ReadFile("../registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(string(reg), `addr: "127.0.0.1:8080"`, `addr: "127.0.0.1:0"`, 1)
	writeFiles(t, dir, map[string]string{"registry.yaml": yaml})
	err = filepath.WalkDir("../scripts", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("..", p)
		writeFiles(t, dir, map[string]string{rel: string(data)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return bootApp(t, filepath.Join(dir, "registry.yaml"))
}

func TestExampleApp(t *testing.T) {
	a := startExample(t)
	if code, body := a.get("/api/hello/ann?greeting=Hi"); code != 200 || body != `{"message":"Hi, ann!","name":"ann"}` {
		t.Fatalf("hello: %d %s", code, body)
	}
	code, _, body := a.do("POST", "/api/echo", `{"x":[1,2]}`, map[string]string{"Content-Type": "application/json"})
	if code != 200 || body != `{"body":{"x":[1,2]},"content_type":"application/json","method":"POST","path":"/api/echo"}` {
		t.Fatalf("echo: %d %s", code, body)
	}
	if code, _, body := a.do("POST", "/api/echo", `{bad`, nil); code != 400 || !strings.Contains(body, `"kind":"INVALID"`) {
		t.Fatalf("echo bad json: %d %s", code, body)
	}
	if code, body := a.get("/"); code != 200 || !strings.Contains(body, "EventSource") {
		t.Fatalf("index: %d", code)
	}
}

func TestExampleProgressStreamsIncrementally(t *testing.T) {
	a := startExample(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := openSSE(t, ctx, a.base+"/api/progress?steps=3&delay=200ms")
	var frames []string
	var stamps []time.Time
	for {
		f, err := s.next()
		if err != nil {
			break
		}
		frames = append(frames, f)
		stamps = append(stamps, time.Now())
	}
	want := []string{
		"event: status\ndata: {\"state\":\"started\",\"steps\":3}\n\n",
		"id: 1\nevent: progress\ndata: {\"percent\":33,\"step\":1}\n\n",
		"id: 2\nevent: progress\ndata: {\"percent\":66,\"step\":2}\n\n",
		"id: 3\nevent: progress\ndata: {\"percent\":100,\"step\":3}\n\n",
		"event: status\ndata: {\"state\":\"complete\"}\n\n",
	}
	if strings.Join(frames, "") != strings.Join(want, "") {
		t.Fatalf("frames:\n%q\nwant:\n%q", frames, want)
	}
	// Events arrive one by one: the first and last are separated by the sleeps.
	if gap := stamps[len(stamps)-1].Sub(stamps[0]); gap < 400*time.Millisecond {
		t.Fatalf("events arrived together (%v apart)", gap)
	}
}

func TestExampleCounterService(t *testing.T) {
	a := startExample(t)
	// The service starts with the app; wait until it is registered.
	eventually(t, 5*time.Second, "counter service", func() bool {
		code, _ := a.get("/api/counter")
		return code == 200
	})
	if _, body := a.get("/api/counter"); body != `{"value":0}` {
		t.Fatalf("initial: %s", body)
	}
	for _, want := range []string{`{"value":3}`, `{"value":6}`} {
		if code, _, body := a.do("POST", "/api/counter?by=3", "", nil); code != 200 || body != want {
			t.Fatalf("post: %d %s want %s", code, body, want)
		}
	}
	if _, body := a.get("/api/counter"); body != `{"value":6}` {
		t.Fatalf("after: %s", body)
	}
}
